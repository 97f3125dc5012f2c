#pragma once
#include <cstdint>
#include <string>
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
};

}  // namespace etl
