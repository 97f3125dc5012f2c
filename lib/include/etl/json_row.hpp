#pragma once
// Rows of strings (a CSV file's) written as JSON members, byte for byte as append_json writes a
// record of them, with no record made: the text between two values (`{"name":"`,
// `","name":"`) is made once, so a value costs that and its escaped text.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace etl {

class JsonRowWriter {
 public:
  // Member k is names[k] (any text: quoted and escaped here) with the value values[fields[k]];
  // object: the members within braces, else the members alone (to merge into another object).
  JsonRowWriter(const std::vector<std::string>& names, std::vector<std::size_t> fields,
                bool object);
  // Every field of a row of `names.size()` values, in order.
  static std::vector<std::size_t> all_fields(std::size_t count);
  // Appends the row's members; every fields[k] must be a place in values. json_plain: no
  // value holds a byte that JSON escapes ('"', '\\', a control byte).
  void append(const std::vector<std::string_view>& values, bool json_plain, std::string& out) const;

 private:
  void append_escaped(const std::vector<std::string_view>& values, std::string& out) const;

  std::vector<std::string> m_prefixes;  // before each value: `{"a":"`, `","b":"`
  std::vector<std::size_t> m_fields;
  std::string m_end;        // after the last value: `"}`, `"`, `{}` or nothing
  std::size_t m_fixed = 0;  // the bytes besides the values
};

}  // namespace etl
