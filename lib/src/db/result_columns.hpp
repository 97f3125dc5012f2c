#pragma once
// What a database source checks of its query's columns before it reads a row.
#include <string>
#include <vector>

namespace etl {

// Throws UsageError when two columns of a result share a name (SELECT a, b AS a): a record
// holds a field once, and JSON with a key twice is refused by etlkit's readers and read by other
// tools as its last value, so one of the two would be lost. source names the source.
void refuse_repeated_columns(const std::vector<std::string>& names, const std::string& source);

}  // namespace etl
