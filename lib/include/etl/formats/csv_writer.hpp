#pragma once
#include <string>
#include <vector>

#include "etl/io.hpp"
#include "etl/sink.hpp"

namespace etl {

// Quotes only where needed; nested values are written as JSON text, null as an empty field.
// Columns come from --columns or the first record; a record with a field outside them is
// rejected rather than losing that field.
class CsvWriter : public Sink {
 public:
  CsvWriter(const std::string& path, char delimiter, std::vector<std::string> columns);
  WriteResult write(const Sourced& in) override;
  void prepare() override;
  void commit() override;
  std::optional<std::uint64_t> committed() const override { return m_out.kept_on_failure(); }
  std::string interrupted() override { return m_out.keep_as_partial(); }

 private:
  void append_field(std::string_view s);
  OutputStream m_out;
  char m_delim;
  std::vector<std::string> m_columns;
  bool m_projection;  // --columns given: write those, leave other fields out
  bool m_header_done = false;
  std::string m_scratch;
};

// Appends s as one CSV field, quoted when it holds the delimiter, a quote, CR or LF.
void append_csv_field(std::string& out, std::string_view s, char delimiter);

}  // namespace etl
