#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "etl/io.hpp"
#include "etl/sink.hpp"

namespace etl {

// Quotes only where needed; nested values are written as JSON text. A null (or a field a record
// lacks under --columns) is written as the null text (--null TEXT), unquoted, and any other value
// that would be written as that text is quoted, so that a reader given the same --null tells
// them apart. Without --null a null is an empty field, as an empty string is: those are counted,
// for a note.
// Columns come from --columns or the first record; a record with a field outside them is
// rejected rather than losing that field.
// A record as one CSV row of fixed columns (the part of CsvWriter that worker threads run).
class CsvRowEncoder : public RecordEncoder {
 public:
  CsvRowEncoder(std::vector<std::string> columns, char delimiter, bool projection,
                std::optional<std::string> null_text = std::nullopt)
      : m_columns(std::move(columns)),
        m_delim(delimiter),
        m_projection(projection),
        m_null(std::move(null_text)) {}
  bool encode(const Record& record, std::string& out, std::string& reason) const override;
  std::unique_ptr<RowEncoder> row_encoder(const std::vector<std::string>& names) const override;
  void header(std::string& out) const;
  // Nulls written as empty fields, without --null (on any thread).
  std::uint64_t nulls_as_empty() const { return m_nulls_as_empty.load(std::memory_order_relaxed); }

 private:
  void append_value(std::string& b, const Value* v) const;
  bool field_text(const Value* v, std::string_view& text, std::size_t& quoted) const;
  bool append_sized(const std::vector<Member>& fields, std::string& b) const;
  std::vector<std::string> m_columns;
  char m_delim;
  bool m_projection;  // --columns given: write those, leave other fields out
  std::optional<std::string> m_null;
  mutable std::atomic<std::uint64_t> m_nulls_as_empty{0};
};

class CsvWriter : public Sink {
 public:
  CsvWriter(const std::string& path, char delimiter, std::vector<std::string> columns,
            std::optional<std::string> null_text);
  WriteResult write(const Sourced& in) override;
  std::shared_ptr<const RecordEncoder> encoder() const override { return m_encoder; }
  WriteResult write_encoded(const Sourced& in, std::string_view bytes) override;
  WriteResult write_encoded_taking(const Sourced& in, std::string& bytes) override;
  bool appends_encoded() const override { return true; }
  void prepare() override;
  void commit() override;
  std::optional<std::uint64_t> committed() const override { return m_out.kept_on_failure(); }
  std::string interrupted() override { return m_out.keep_as_partial(); }
  std::vector<std::string> notes() const override;

 private:
  void write_header();
  std::string m_path;
  OutputStream m_out;
  char m_delim;
  std::optional<std::string> m_null;
  std::shared_ptr<const CsvRowEncoder> m_encoder;  // once the columns are known
  bool m_header_done = false;
};

// Appends s as one CSV field, quoted when it holds the delimiter, a quote, CR or LF, or when it is
// the null text (which would read back as null).
void append_csv_field(std::string& out, std::string_view s, char delimiter,
                      const std::optional<std::string>& null_text = std::nullopt);

}  // namespace etl
