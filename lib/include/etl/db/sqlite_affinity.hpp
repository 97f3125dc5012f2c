#pragma once
// What SQLite does to a value bound as text into a column, by the column's affinity (SQLite's
// "Datatypes In SQLite", 3.1 and 4.2): a column declared INTEGER, REAL or NUMERIC turns text
// that is a well-formed number into an INTEGER or a REAL, which may not hold it exactly
// (12345678901234567890 becomes 12345678901234567168). The SQLite sink asks here first, so
// that such a value is refused rather than changed.
#include <optional>
#include <string>
#include <string_view>

namespace etl {

enum class Affinity { Integer, Text, Blob, Real, Numeric };

// Whether a declared type holds this word, in any case ("varchar(20)" holds "CHAR").
bool declares(std::string_view declared_type, std::string_view word);

// The affinity of a declared type, by SQLite's rules in their order.
Affinity affinity_of(std::string_view declared_type);

// The text SQLite reads back for `text` stored in a column of affinity a (an integer's digits,
// a REAL's shortest form, "Infinity" past a double's range), or nullopt when it keeps the text.
std::optional<std::string> sqlite_stored_number(std::string_view text, Affinity a);

// Whether storing text in a column of affinity a keeps its value: it is kept as text, or the
// number SQLite makes of it has the same value ("19.990" and 19.99 do; 1e400 and Infinity
// do not).
bool sqlite_keeps_value(std::string_view text, Affinity a);

}  // namespace etl
