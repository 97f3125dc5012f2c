#pragma once
// Incremental extraction: the watermark is the cursor (one field, or several that order ties)
// of the last record a committed run moved. `etl-extract --state FILE --cursor F[,F]` passes on
// only the records beyond it and writes the new watermark to FILE.next; `etl-load
// --commit-state FILE` renames FILE.next over FILE once its load committed. A run that fails or
// is killed leaves FILE as it was, so the rerun extracts the same range again.
//
// Each cursor field has a type, kept in FILE: number (by value: "10" after "9"), time (an
// instant: ISO 8601 with any offset, RFC 2822 as BigCommerce writes it, or --cursor-format),
// or text (bytewise). A new FILE takes the types from the first record. A value that cannot be
// read as its field's type rejects the record; it is never compared some other way.
//
// Records at the watermark itself are read again: a record that arrived after the run that set
// it, with the same cursor, is passed on; the ones that run passed (FILE keeps their digests)
// are not passed twice.
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "etl/decimal.hpp"
#include "etl/io.hpp"
#include "etl/value.hpp"

namespace etl {

enum class CursorType { Number, Time, Text };

class Watermark {
 public:
  // Reads FILE (a missing file: no watermark yet, everything is new). Throws UsageError when
  // FILE was written for other cursor fields, DataError when it cannot be read as a watermark.
  // time_format: --cursor-format, a strptime-style format for time cursors ("" for none).
  Watermark(std::string path, std::vector<std::string> fields, std::string time_format = "");

  // Whether r lies beyond the watermark, or at it and not passed by the run that set it;
  // remembers the greatest cursor passed. Sets why (and returns false) when r's cursor is
  // missing or cannot be read as its type.
  bool beyond(const Record& r, std::string& why);
  // Writes the new watermark to a temporary file, synced, whose publish() puts it in place as
  // FILE.next; null (and no FILE.next) when no run ever passed a record.
  std::unique_ptr<OutputStream> prepare_next() const;
  // Renames FILE.next over FILE; false when there is no FILE.next.
  static bool commit(const std::string& path);

  // The watermark's first cursor value (null when no run has committed yet): sources push
  // `first field >= it` into their query.
  const Value* first_after() const { return m_after ? &m_after->front() : nullptr; }
  // The first cursor's type, once known.
  std::optional<CursorType> first_type() const { return m_types.front(); }
  // The first cursor value as an RFC 3339 UTC instant, when the first cursor is a time.
  std::string first_after_instant() const;
  // A date that every ISO 8601 text of an instant at or after that one sorts at or above.
  std::string first_after_iso_floor() const;
  // Whether v reads as a number (a number, or a string that is one).
  static bool compares_as_number(const Value& v);

  // One cursor field's value, read as its type.
  struct Key {
    Decimal number;
    std::int64_t micros = 0;
    std::string text;
  };

 private:
  bool read_cursor(const Record& r, std::vector<Key>& out, std::string& why);
  bool read_key(const Value& v, std::size_t i, Key& out, std::string& why);
  int compare(const std::vector<Key>& a, const std::vector<Key>& b) const;
  void load(const std::string& text);

  std::string m_path;
  std::vector<std::string> m_fields;
  std::string m_time_format;
  std::vector<std::optional<CursorType>> m_types;
  std::optional<std::vector<Value>> m_after;  // the watermark read
  std::vector<Key> m_after_keys;
  std::set<std::string> m_seen;             // digests of the records at it already passed
  bool m_all_seen = false;                  // a file of an older version: all of them
  std::optional<std::vector<Value>> m_max;  // the greatest cursor passed in this run
  std::vector<Key> m_max_keys;
  std::set<std::string> m_max_seen;  // digests of the records passed at m_max
  std::vector<Key> m_cursor;         // reused per record
  std::string m_scratch;
};

}  // namespace etl
