#pragma once
// CSV with a header row (RFC 4180, with CRLF or LF, a UTF-8 BOM, any one-byte delimiter).
// Values stay strings: `00123` stays `00123`.
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "etl/formats/chunks.hpp"
#include "etl/io.hpp"
#include "etl/source.hpp"

namespace etl {

class CsvReader final : public RowSource {
 public:
  // names: the fields' names of a file with no header row (its first line is a row); nullptr:
  // the first line is the header.
  CsvReader(const std::string& path, char delimiter, const std::string& encoding = "",
            const std::vector<std::string>* names = nullptr);
  // One chunk of a file cut at row ends (formats/chunks.hpp), named `name` in messages: its rows
  // are records of header, or, without one, its first row is the header.
  CsvReader(TextChunk chunk, const std::string& name, char delimiter,
            const std::vector<std::string>* header);
  bool next(Sourced& out) override;
  Row next_fields(Sourced& out) override;
  const std::vector<std::string_view>& fields() const override { return m_views; }
  void record_of_row(Sourced& out) override;
  std::uint64_t row_line() const { return m_row_line; }
  bool json_plain() const override { return m_json_plain; }
  // --null TEXT: a field that is exactly text, unquoted, reads as null; quoted ("" for an empty
  // text) it stays a string, as PostgreSQL's and DuckDB's CSV readers have it.
  void read_null_as(std::optional<std::string> text) { m_null = std::move(text); }
  // Whether field i of the row read is null (read_null_as).
  bool is_null(std::size_t i) const;
  bool row_has_null() const override;
  // Off: every row is read byte by byte, as the rows read_plain_row() declines are (for tests
  // that hold the two to the same rows).
  void use_plain_rows(bool on) { m_fast_rows = on; }
  const std::vector<std::string>& header() const override { return m_header; }
  // A header of one column that another common delimiter would cut: most likely a file written
  // with ';' (a European spreadsheet's) or tabs, read with ','. What to say of it, or "".
  static std::string delimiter_hint(const std::vector<std::string>& header, char delimiter);
  // Fields read that are \N, MySQL's and PostgreSQL's text of a null, without --null: what to
  // say of them, or "".
  std::uint64_t backslash_nulls() const { return m_backslash_nulls; }
  std::vector<std::string> notes() const override;
  // The notes of a CSV named `name`, read by one reader or by one a chunk.
  static std::vector<std::string> notes_of(const std::string& name,
                                           const std::vector<std::string>& header, char delimiter,
                                           std::uint64_t backslash_nulls);
  // Chunk mode: the chunk's bytes (a reader that is done may hand its buffer on).
  std::string& buffer() { return m_buf; }
  // Chunk mode: the bytes read so far, and the line of the next byte.
  std::size_t consumed() const { return m_pos; }
  std::uint64_t line() const { return m_line; }

 private:
  // A field of the row being read: its bytes in m_buf, from the row's start (which a refill
  // moves), or, when they are not one run there (a doubled quote, bytes after the closing
  // quote), its text rebuilt in m_owned[owned].
  struct FieldRef {
    std::size_t begin = 0;
    std::size_t size = 0;
    int owned = -1;
  };
  void read_header();
  bool read_row();        // into m_views; false at end of input
  bool read_plain_row();  // a row's fields straight into m_views, or false (nothing read)
  void make_views();
  void read_quoted(FieldRef& f);
  void undouble(std::string_view& field);
  void own(FieldRef& f);
  std::string_view view(const FieldRef& f) const;
  void start(Sourced& out) const;
  bool check_row(Sourced& out);  // false: out is the row as a reject
  void reject_row(Sourced& out);
  void reject_text_after_quote(Sourced& out);
  int get();  // next byte or -1
  int peek() { return m_pos < m_end ? static_cast<unsigned char>(m_buf[m_pos]) : refill(); }
  int refill();                       // peek() at the end of the buffer: reads on
  std::unique_ptr<InputStream> m_in;  // none for a chunk
  std::string m_name;
  char m_delim;
  std::string m_buf;
  std::size_t m_end = 0;  // the input's bytes in m_buf (a file's reader keeps it full size)
  std::size_t m_pos = 0;
  std::size_t m_row_start = 0;   // in m_buf: a refill keeps the row being read
  std::uint64_t m_line = 1;      // line of the next byte
  std::uint64_t m_row_line = 0;  // line where the current row began
  bool m_row_high = false;       // a byte of the row may be past ASCII: its fields check UTF-8
  // Where in the row those bytes lie, from the row's start (all of it when the row was read
  // byte by byte): outside, the row is ASCII.
  std::size_t m_high_from = 0, m_high_to = SIZE_MAX;
  int m_text_after_quote = -1;  // the row's first field with text after its closing quote
  std::vector<std::string> m_header;
  // The fields of a row read byte by byte (read_plain_row writes views): the row's are the first
  // m_nrefs (the others kept for reuse).
  std::vector<FieldRef> m_refs;
  std::size_t m_nrefs = 0;
  FieldRef& add_ref() {
    if (m_nrefs == m_refs.size()) m_refs.emplace_back();
    return m_refs[m_nrefs++] = FieldRef{};
  }
  std::deque<std::string> m_owned;  // reused from row to row
  std::size_t m_owned_used = 0;
  std::vector<std::string_view> m_views;  // the row's fields
  bool m_fast_rows = true;
  bool m_json_plain = false;
  std::optional<std::string> m_null;
  std::uint64_t m_backslash_nulls = 0;
  void count_backslash_nulls();
};

}  // namespace etl
