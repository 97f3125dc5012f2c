#pragma once
#include <memory>
#include <string>
#include <vector>

#include "etl/io.hpp"
#include "etl/sink.hpp"

namespace etl {

// Quotes only where needed; nested values are written as JSON text, null as an empty field.
// Columns come from --columns or the first record; a record with a field outside them is
// rejected rather than losing that field.
// A record as one CSV row of fixed columns (the part of CsvWriter that worker threads run).
class CsvRowEncoder : public RecordEncoder {
 public:
  CsvRowEncoder(std::vector<std::string> columns, char delimiter, bool projection)
      : m_columns(std::move(columns)), m_delim(delimiter), m_projection(projection) {}
  bool encode(const Record& record, std::string& out, std::string& reason) const override;
  std::unique_ptr<RowEncoder> row_encoder(const std::vector<std::string>& names) const override;
  void header(std::string& out) const;

 private:
  std::vector<std::string> m_columns;
  char m_delim;
  bool m_projection;  // --columns given: write those, leave other fields out
};

class CsvWriter : public Sink {
 public:
  CsvWriter(const std::string& path, char delimiter, std::vector<std::string> columns);
  WriteResult write(const Sourced& in) override;
  std::shared_ptr<const RecordEncoder> encoder() const override { return m_encoder; }
  WriteResult write_encoded(const Sourced& in, std::string_view bytes) override;
  void prepare() override;
  void commit() override;
  std::optional<std::uint64_t> committed() const override { return m_out.kept_on_failure(); }
  std::string interrupted() override { return m_out.keep_as_partial(); }

 private:
  void write_header();
  OutputStream m_out;
  char m_delim;
  std::shared_ptr<const CsvRowEncoder> m_encoder;  // once the columns are known
  bool m_header_done = false;
};

// Appends s as one CSV field, quoted when it holds the delimiter, a quote, CR or LF.
void append_csv_field(std::string& out, std::string_view s, char delimiter);

}  // namespace etl
