#pragma once
// CSV with a header row (RFC 4180, with CRLF or LF, a UTF-8 BOM, any one-byte delimiter).
// Values stay strings: `00123` stays `00123`.
#include <memory>
#include <string>
#include <vector>

#include "etl/io.hpp"
#include "etl/source.hpp"

namespace etl {

class CsvReader : public Source {
 public:
  CsvReader(const std::string& path, char delimiter);
  bool next(Sourced& out) override;
  const std::vector<std::string>& header() const { return m_header; }

 private:
  bool read_row();  // into m_fields; false at end of input
  void reject_row(Sourced& out);
  int get();  // next byte or -1
  int peek();
  InputStream m_in;
  std::string m_name;
  char m_delim;
  std::string m_buf;
  std::size_t m_pos = 0;
  std::uint64_t m_line = 1;      // line of the next byte
  std::uint64_t m_row_line = 0;  // line where the current row began
  std::vector<std::string> m_header;
  std::vector<std::string> m_fields;
};

}  // namespace etl
