#pragma once
// PostgreSQL's COPY text format, which MySQL's SELECT … INTO OUTFILE and mysqldump --tab write
// too: one row a line, fields separated by tabs, no quotes, a backslash escaping what would cut
// a field or a line (\t, \n, \r, \\, and \b \f \v, octal \ooo, hex \xhh), and \N for a null.
// A header row names the fields (PostgreSQL 15's HEADER). Read as CSV, such a file would keep
// every escape as two characters and read \N as text.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "etl/formats/chunks.hpp"
#include "etl/io.hpp"
#include "etl/sink.hpp"
#include "etl/source.hpp"

namespace etl {

// One field's escapes undone into out (\N, the null marker, is the caller's): "" when it can,
// else why not (a backslash that ends the field).
std::string unescape_text_field(std::string_view raw, std::string& out);

// What a row of the text format is: its fields split and unescaped, checked against the header.
class TextRows {
 public:
  explicit TextRows(char delimiter) : m_delim(delimiter) {}
  // The header from the first line (an error when it is no header), named `name` in messages.
  void read_header(std::string_view line, const std::string& name);
  void set_header(const std::vector<std::string>& header) { m_header = header; }
  const std::vector<std::string>& header() const { return m_header; }
  // The line's fields into fields() (true), or out as a reject with the line as raw (false);
  // out.where is the caller's to set.
  bool read_fields(std::string_view line, Sourced& out);
  // The record of the row read_fields() read, into out.
  void record_of_row(Sourced& out) const;
  // Splits line into fields(), unescaped: "" when it can, else why not.
  std::string split_row(std::string_view line);
  const std::vector<std::string_view>& fields() const { return m_fields; }
  bool is_null(std::size_t field) const { return m_nulls[field]; }
  bool has_null() const { return m_any_null; }
  bool json_plain() const;  // as RowSource::json_plain

 private:
  void split_plain(std::string_view line);
  char m_delim;
  std::vector<std::string> m_header;
  // A row's fields: views into the line, or into m_unescaped where a field has an escape (the
  // buffers are kept across rows, so a row costs no allocation once they have grown).
  std::vector<std::string_view> m_fields;
  std::vector<std::string> m_unescaped;  // by field number
  std::vector<char> m_nulls;
  std::vector<char> m_escaped;  // the field's view is into m_unescaped
  bool m_any_null = false;
};

// Rows of the text format as a RowSource: what TextRows reads from each line next_fields()
// gives it.
class TextRowSource : public RowSource {
 public:
  bool next(Sourced& out) override;
  const std::vector<std::string_view>& fields() const override { return m_rows.fields(); }
  void record_of_row(Sourced& out) override { m_rows.record_of_row(out); }
  bool json_plain() const override { return m_rows.json_plain(); }
  bool row_has_null() const override { return m_rows.has_null(); }
  const std::vector<std::string>& header() const override { return m_rows.header(); }

 protected:
  explicit TextRowSource(char delimiter) : m_rows(delimiter) {}
  TextRows m_rows;
};

class TextFormatReader final : public TextRowSource {
 public:
  // names: as CsvReader's (a file with no header row).
  TextFormatReader(const std::string& path, char delimiter, const std::string& encoding = "",
                   const std::vector<std::string>* names = nullptr);
  Row next_fields(Sourced& out) override;

 private:
  InputStream m_in;
  LineReader m_lines;
  std::string m_name;
};

// One chunk of a text-format file cut at line ends (formats/chunks.hpp), its rows records of
// `header` (the file's first line, read by TextRows::read_header), named `name` in messages.
class TextChunkReader final : public TextRowSource {
 public:
  TextChunkReader(TextChunk chunk, const std::string& name, char delimiter,
                  const std::vector<std::string>& header);
  Row next_fields(Sourced& out) override;
  std::string& bytes() { return m_bytes; }  // the chunk's text, for its buffer to be used again

 private:
  std::string m_bytes;
  std::size_t m_pos = 0;
  std::uint64_t m_line;  // of the next line
  std::string m_name;
};

class TextFormatWriter : public Sink {
 public:
  TextFormatWriter(const std::string& path, char delimiter, std::vector<std::string> columns);
  WriteResult write(const Sourced& in) override;
  void prepare() override;
  void commit() override;
  std::optional<std::uint64_t> committed() const override { return m_out.kept_on_failure(); }
  std::string interrupted() override { return m_out.keep_as_partial(); }

 private:
  void write_header();
  OutputStream m_out;
  char m_delim;
  std::vector<std::string> m_columns;  // --columns, or the first record's fields
  bool m_projection;
  bool m_header_done = false;
};

// Appends s escaped for a field of the text format (delimiter, line ends and backslashes).
void append_text_field(std::string& out, std::string_view s, char delimiter);

}  // namespace etl
