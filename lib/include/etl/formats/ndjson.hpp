#pragma once
// NDJSON: one JSON object a line, the stream between the tools.
#include <string>

#include "etl/formats/chunks.hpp"
#include "etl/io.hpp"
#include "etl/json.hpp"
#include "etl/sink.hpp"
#include "etl/source.hpp"

namespace etl {

class NdjsonReader : public Source {
 public:
  explicit NdjsonReader(const std::string& path, const std::string& encoding = "");
  bool next(Sourced& out) override;

 private:
  InputStream m_in;
  LineReader m_lines;
  std::string m_name;
  JsonRecordParser m_parser;
};

// One chunk of a file cut at newlines (formats/chunks.hpp), read as NdjsonReader reads the file.
class NdjsonChunkReader : public Source {
 public:
  NdjsonChunkReader(TextChunk chunk, const std::string& name);
  bool next(Sourced& out) override;
  // The line the last record was read from: its offset in bytes() and its length.
  std::size_t line_offset() const { return m_line_offset; }
  std::size_t line_size() const { return m_line_size; }
  // Records hold only these fields (see JsonRecordParser::project).
  void project(std::vector<std::string> fields) { m_parser.project(std::move(fields)); }
  // The chunk's text (which may be taken: next() is then done).
  std::string& bytes() { return m_bytes; }

 private:
  std::string m_bytes;
  std::size_t m_line_offset = 0;
  std::size_t m_line_size = 0;
  std::size_t m_pos = 0;
  std::uint64_t m_line;  // of the next line
  std::string m_name;
  JsonRecordParser m_parser;
};

// One line of NDJSON into out: its record, or a reject with the line as raw.
void read_ndjson_line(JsonRecordParser& parser, std::string_view line, Sourced& out);

class NdjsonWriter : public Sink {
 public:
  explicit NdjsonWriter(const std::string& path) : m_out(path) { m_out.write_behind(); }
  WriteResult write(const Sourced& in) override;
  std::shared_ptr<const RecordEncoder> encoder() const override;
  WriteResult write_encoded(const Sourced& in, std::string_view bytes) override;
  WriteResult write_encoded_taking(const Sourced& in, std::string& bytes) override;
  bool appends_encoded() const override { return true; }
  void prepare() override { m_out.prepare(); }
  void commit() override { m_out.commit(); }
  std::optional<std::uint64_t> committed() const override { return m_out.kept_on_failure(); }
  std::string interrupted() override { return m_out.keep_as_partial(); }

 private:
  OutputStream m_out;
};

}  // namespace etl
