#include "etl/formats/ndjson.hpp"

#include <fmt/format.h>

#include <cstring>

#include "etl/bytes.hpp"
#include "etl/json.hpp"
#include "etl/json_row.hpp"

namespace etl {

namespace {
// A line without its CR; false when it holds nothing but blanks (skipped).
bool content(std::string_view& line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (!line.empty() && line[0] != ' ' && line[0] != '\t') return true;  // (nearly every line)
  return line.find_first_not_of(" \t") != std::string_view::npos;
}
}  // namespace

void read_ndjson_line(JsonRecordParser& parser, std::string_view line, Sourced& out) {
  out.reject_reason.clear();
  out.raw.clear();
  bool not_object = false;
  auto err = parser.parse(line, out.record, not_object);
  if (!err) return;
  if (not_object) {
    out.reject_reason = "not a JSON object";
  } else {
    out.reject_reason = fmt::format("invalid JSON at column {}: {}", err->column, err->message);
  }
  out.record.clear();
  out.raw.assign(line);
}

NdjsonReader::NdjsonReader(const std::string& path, const std::string& encoding)
    : m_in(path, encoding), m_lines(m_in), m_name(m_in.name()) {}

bool NdjsonReader::next(Sourced& out) {
  std::string_view line;
  do {
    if (!m_lines.next(line)) return false;
  } while (!content(line));
  out.where.source = m_name;
  out.where.line = m_lines.line_number();
  read_ndjson_line(m_parser, line, out);
  return true;
}

NdjsonChunkReader::NdjsonChunkReader(TextChunk chunk, const std::string& name)
    : m_bytes(std::move(chunk.bytes)), m_line(chunk.first_line), m_name(name) {}

bool NdjsonChunkReader::next(Sourced& out) {
  std::string_view line;
  do {
    if (!next_chunk_line(m_bytes, m_pos, line)) return false;
    ++m_line;
  } while (!content(line));
  if (!same_bytes(out.where.source, m_name)) out.where.source = m_name;  // (mostly it is)
  out.where.line = m_line - 1;
  m_line_offset = static_cast<std::size_t>(line.data() - m_bytes.data());
  m_line_size = line.size();
  read_ndjson_line(m_parser, line, out);
  return true;
}

namespace {
// A row's line as append_json writes its record.
class NdjsonRowEncoder : public RowEncoder {
 public:
  explicit NdjsonRowEncoder(const std::vector<std::string>& names)
      : m_count(names.size()), m_writer(names, JsonRowWriter::all_fields(names.size()), true) {}
  bool encode(const std::vector<std::string_view>& values, bool json_plain, std::string& out,
              std::string& reason) override {
    if (values.size() != m_count) {  // (a reader's reject: never a guess)
      reason = "a row of " + std::to_string(values.size()) + " fields under " +
               std::to_string(m_count) + " names";
      return false;
    }
    m_writer.append(values, json_plain, out);
    out.push_back('\n');
    return true;
  }

 private:
  std::size_t m_count;
  JsonRowWriter m_writer;
};

class NdjsonEncoder : public RecordEncoder {
 public:
  bool encode(const Record& record, std::string& out, std::string&) const override {
    append_json(out, record);
    out.push_back('\n');
    return true;
  }
  std::unique_ptr<RowEncoder> row_encoder(const std::vector<std::string>& names) const override {
    return std::make_unique<NdjsonRowEncoder>(names);
  }
};
}  // namespace

std::shared_ptr<const RecordEncoder> NdjsonWriter::encoder() const {
  static const auto kEncoder = std::make_shared<const NdjsonEncoder>();
  return kEncoder;
}

WriteResult NdjsonWriter::write(const Sourced& in) {
  append_json(m_out.buffer(), in.record);
  m_out.buffer().push_back('\n');
  m_out.maybe_flush();
  return {};
}

WriteResult NdjsonWriter::write_encoded(const Sourced&, std::string_view bytes) {
  m_out.buffer().append(bytes);
  m_out.maybe_flush();
  return {};
}

WriteResult NdjsonWriter::write_encoded_taking(const Sourced&, std::string& bytes) {
  m_out.write_taking(bytes);
  return {};
}

}  // namespace etl
