#pragma once
// Date and time text that a database would read as another value than it says, without an
// error, so that a sink rejects it rather than let the server guess or drop a part:
// - dates whose day and month are numbers before the year (01/02/2026, 1.2.26), read in an order
//   of the database's own: PostgreSQL by its DateStyle setting (January 2 on one server,
//   February 1 on another), MariaDB as year, month, day (01/02/26 is 2001-02-26);
// - times with a zone other than UTC, whose zone PostgreSQL drops going into a timestamp
//   without time zone (10:00-05:00 is stored as 10:00);
// - times with more digits of a second than the column keeps, which both round or cut
//   (.1234567, as .NET and SQL Server write, is .123457 in PostgreSQL).
#include <string>
#include <string_view>

namespace etl {

// Whether text starts with two numbers of one or two digits, each followed by the same '/', '.'
// or '-', then a digit: 01/02/2026, 1.2.26, 01-02-2026 10:00.
bool day_month_order_unknown(std::string_view text);

// Why such a value is rejected: "'01/02/2026' would be read <how>; write it as ISO 8601 …".
std::string date_order_refusal(std::string_view text, std::string_view how);

// The zone of a time that is not UTC, as written (-05:00, +0530, EST, America/New_York), or ""
// when the text has none, or Z, +00, +00:00, UTC or GMT.
std::string_view zone_not_utc(std::string_view text);

// The places of a second's fraction up to its last nonzero digit: 10:00:00.1250 has 3,
// 10:00:00 and 10:00:00.000 have 0.
std::size_t second_fraction_places(std::string_view text);

}  // namespace etl
