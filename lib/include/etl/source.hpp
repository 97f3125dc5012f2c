#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "etl/location.hpp"
#include "etl/value.hpp"

namespace etl {

// A record and where it came from. When reject_reason is set the reader could not make a
// record of the input; raw holds the input text as read, so it can be fixed and fed back.
struct Sourced {
  Record record;
  Location where;
  std::string reject_reason;
  std::string raw;
};

// Prepares out for row `row` of a database result: its place (`source#row N`), no reject, and a
// record with these column names (kept from the previous row when they are the same).
void start_table_row(Sourced& out, const std::string& source, std::uint64_t row,
                     const std::vector<std::string>& columns);
// A database's text that is not UTF-8, which NDJSON must be (SQLite does not check TEXT, and a
// PostgreSQL database in SQL_ASCII passes any byte): v becomes text's bytes ({"$base64": …})
// and the row is rejected for it (the first such column's reason stays), so that nothing
// invalid is ever written and nothing is changed unsaid.
void reject_text_not_utf8(Sourced& out, Value& v, std::string_view text, std::string reason);

// Pull reader: one record at a time, constant memory. Throws only for fatal errors.
class Source {
 public:
  virtual ~Source() = default;
  // Fills out and returns true, or returns false at the end of input.
  virtual bool next(Sourced& out) = 0;
  // What the summary must say about the reading besides the counts, one line each.
  virtual std::vector<std::string> notes() const { return {}; }
  // The fields whose values are times by the source's own types (a database's date, timestamp
  // and time columns): etl-diff compares them as times.
  virtual std::vector<std::string> time_columns() const { return {}; }
  // Whether reading it on a thread of its own, a batch ahead of its consumer, pays: a SQLite
  // file's rows come as fast as they are taken, and reading them is half the work. (Not a
  // database server on this machine: it takes the other core. Not an HTTP source: its consumer
  // would see a page's records only once a batch of them was read.)
  virtual bool read_ahead_pays() const { return false; }
};

// A source whose rows are strings under fixed names (a CSV or text-format file's): a reader may
// take a row as its text, with no record made (RowEncoder), and ask for the record only when it
// needs one.
class RowSource : public Source {
 public:
  // The next row: Record, with its fields in fields() (views valid until the next call);
  // Rejected, out holding it as next() would; or End.
  enum class Row { End, Record, Rejected };
  virtual Row next_fields(Sourced& out) = 0;
  virtual const std::vector<std::string_view>& fields() const = 0;
  // The Record row read by next_fields() as next() gives it, into out.
  virtual void record_of_row(Sourced& out) = 0;
  // True when no field of the row holds a byte JSON escapes ('"', '\\', a control byte), as
  // far as the reader saw (false: it did not look).
  virtual bool json_plain() const = 0;
  // Whether a field of the row read is null: its text is no value, so take its record.
  virtual bool row_has_null() const = 0;
  // The names of the fields of every row, in order.
  virtual const std::vector<std::string>& header() const = 0;
};

}  // namespace etl
