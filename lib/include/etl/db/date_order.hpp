#pragma once
// Dates whose day and month are numbers before the year (01/02/2026, 1.2.26) are read by a
// database in an order of its own: PostgreSQL by its DateStyle setting (January 2 on one
// server, February 1 on another), MariaDB as year, month, day (01/02/26 is 2001-02-26). A sink
// rejects such a value for a date or time column rather than let the server guess.
#include <string>
#include <string_view>

namespace etl {

// Whether text starts with two numbers of one or two digits, each followed by the same '/', '.'
// or '-', then a digit: 01/02/2026, 1.2.26, 01-02-2026 10:00.
bool day_month_order_unknown(std::string_view text);

// Why such a value is rejected: "'01/02/2026' would be read <how>; write it as ISO 8601 …".
std::string date_order_refusal(std::string_view text, std::string_view how);

}  // namespace etl
