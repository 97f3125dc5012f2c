#pragma once
// Pull parsing of one large JSON document, value by value, in constant memory: the JSON
// document reader walks to the records array by hand and parses one element at a time.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "etl/io.hpp"
#include "etl/json.hpp"

namespace etl {

class JsonStream {
 public:
  // Reads up to n bytes into a buffer; 0 at the end.
  using Read = std::function<std::size_t(char*, std::size_t)>;
  explicit JsonStream(InputStream& in)
      : m_read([&in](char* buf, std::size_t n) { return in.read(buf, n); }) {}
  explicit JsonStream(Read read) : m_read(std::move(read)) {}

  // RapidJSON's input-stream concept ('\0' at the end).
  using Ch = char;
  Ch Peek();
  Ch Take();
  std::size_t Tell() const { return m_offset; }
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  std::size_t PutEnd(Ch*) { return 0; }

  void skip_whitespace();
  // True at the end of input (a NUL byte in the input is not the end).
  bool at_end() { return Peek() == '\0' && m_pos == m_buf.size(); }
  std::uint64_t line() const { return m_line; }
  std::uint64_t column() const { return m_column; }

  // Parses the next complete value into out.
  std::optional<JsonParseError> parse_value(Value& out);
  // Parses and discards the next value (with the same depth limit).
  std::optional<JsonParseError> skip_value();

 private:
  std::optional<JsonParseError> parse_or_recover(Value& out, bool discard);
  void read_rest_of_value(std::string& text);
  Read m_read;
  std::string m_buf;
  // While a value is parsed, the bytes of it that a refill of m_buf moved out (see Peek).
  bool m_capturing = false;
  std::string m_capture;
  std::size_t m_capture_from = 0;
  std::size_t m_pos = 0;
  std::size_t m_offset = 0;
  std::uint64_t m_line = 1;
  std::uint64_t m_column = 1;
};

}  // namespace etl
