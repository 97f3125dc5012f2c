#pragma once
// What a database sink knows of its table's columns: the kind of value each holds, which
// columns this run created while it had seen only nulls in them (typed by their first value
// later, so nulls carry no type), and the conversions the database makes when a value of
// another kind goes into a column (a number into a text column comes back a string). Those are
// counted per column and reported in the summary: a value never changes type without a word.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "etl/db/table_schema.hpp"
#include "etl/value.hpp"

namespace etl {

enum class StoredAs { Text, Number, Boolean, Json, Other };

class ColumnTyping {
 public:
  // A column of the table; provisional: created by this run with only nulls seen so far.
  void add(const std::string& column, StoredAs kind, bool provisional = false);
  StoredAs kind(const std::string& column) const;
  bool any_provisional() const { return m_provisional > 0; }
  bool provisional(const std::string& column) const;
  // The provisional column got its first value: it is (re)made as that value's type.
  void settle(const std::string& column, StoredAs kind);

  // SQLite: a string a number column cannot convert is kept as text there (other databases
  // refuse it), which is counted too.
  void keeps_unconverted_text() { m_keeps_text = true; }
  // What a column of kind k makes of v, or nullptr when v keeps its type.
  static const char* conversion(StoredAs k, const Value& v);
  // Counts the conversions of r's values into their columns; kinds is aligned with r's fields.
  void count(const Record& r, const std::vector<StoredAs>& kinds);
  std::vector<StoredAs> kinds_of(const Record& r) const;
  // "column 'id' (text): 3 numbers stored as text", one line per column and conversion.
  std::vector<std::string> notes() const;

 private:
  struct Column {
    StoredAs kind = StoredAs::Other;
    bool provisional = false;
  };
  std::map<std::string, Column> m_columns;
  std::size_t m_provisional = 0;
  bool m_keeps_text = false;
  std::map<std::pair<std::string, std::string>, std::uint64_t> m_counts;
};

StoredAs stored_as(ColumnType t);

}  // namespace etl
