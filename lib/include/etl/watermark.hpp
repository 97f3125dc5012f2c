#pragma once
// Incremental extraction: the watermark is the cursor (one field, or several that order ties)
// of the last record a committed run moved. `etl-extract --state FILE --cursor F[,F]` passes on
// only the records beyond it and writes the new watermark to FILE.next; `etl-load
// --commit-state FILE` renames FILE.next over FILE once its load committed. A run that fails or
// is killed leaves FILE as it was, so the rerun extracts the same range again.
#include <optional>
#include <string>
#include <vector>

#include "etl/value.hpp"

namespace etl {

class Watermark {
 public:
  // Reads FILE (a missing file: no watermark yet, everything is new). Throws UsageError when
  // FILE was written for other cursor fields.
  Watermark(std::string path, std::vector<std::string> fields);

  // Whether r lies beyond the watermark; remembers the greatest cursor passed. Returns the
  // reason when r has no cursor (a missing or null field).
  bool beyond(const Record& r, std::string& missing);
  // Writes the new watermark to FILE.next (through a temporary file and a rename).
  void write_next() const;
  // Renames FILE.next over FILE; false when there is no FILE.next.
  static bool commit(const std::string& path);

  // The watermark's first cursor value (null when no run has committed yet): sources push
  // `first field >= it` into their query.
  const Value* first_after() const { return m_after ? &m_after->front() : nullptr; }
  // Whether v compares by value (a number, or a string that is one), as compare() does.
  static bool compares_as_number(const Value& v);

  // <0, 0, >0: component by component; two numbers (or strings that are numbers, as a CSV's
  // ids are) by value, anything else by its text (ISO 8601 times in one format sort so).
  static int compare(const std::vector<Value>& a, const std::vector<Value>& b);

 private:
  std::string m_path;
  std::vector<std::string> m_fields;
  std::optional<std::vector<Value>> m_after;  // the watermark read
  std::optional<std::vector<Value>> m_max;    // the greatest cursor passed in this run
  std::vector<Value> m_cursor;                // reused per record
};

}  // namespace etl
