#pragma once
// CSV with a header row (RFC 4180, with CRLF or LF, a UTF-8 BOM, any one-byte delimiter).
// Values stay strings: `00123` stays `00123`.
#include <memory>
#include <string>
#include <vector>

#include "etl/formats/chunks.hpp"
#include "etl/io.hpp"
#include "etl/source.hpp"

namespace etl {

class CsvReader : public Source {
 public:
  CsvReader(const std::string& path, char delimiter);
  // One chunk of a file cut at row ends (formats/chunks.hpp), named `name` in messages: its rows
  // are records of header, or, without one, its first row is the header.
  CsvReader(TextChunk chunk, const std::string& name, char delimiter,
            const std::vector<std::string>* header);
  bool next(Sourced& out) override;
  const std::vector<std::string>& header() const { return m_header; }
  // Chunk mode: the bytes read so far, and the line of the next byte.
  std::size_t consumed() const { return m_pos; }
  std::uint64_t line() const { return m_line; }

 private:
  void read_header();
  bool read_row();  // into m_fields; false at end of input
  void reject_row(Sourced& out);
  int get();  // next byte or -1
  int peek() { return m_pos < m_buf.size() ? static_cast<unsigned char>(m_buf[m_pos]) : refill(); }
  int refill();                       // peek() at the end of the buffer: reads on
  std::unique_ptr<InputStream> m_in;  // none for a chunk
  std::string m_name;
  char m_delim;
  std::string m_buf;
  std::size_t m_pos = 0;
  std::uint64_t m_line = 1;      // line of the next byte
  std::uint64_t m_row_line = 0;  // line where the current row began
  bool m_row_high = false;       // a byte of the row may be past ASCII: its fields check UTF-8
  std::vector<std::string> m_header;
  std::vector<std::string> m_fields;
};

}  // namespace etl
