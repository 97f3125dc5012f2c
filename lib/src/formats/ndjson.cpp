#include "etl/formats/ndjson.hpp"

#include <fmt/format.h>

#include <cstring>

#include "../byte_scan.hpp"
#include "etl/json.hpp"

namespace etl {

namespace {
// A line without its CR; false when it holds nothing but blanks (skipped).
bool content(std::string_view& line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
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

NdjsonReader::NdjsonReader(const std::string& path)
    : m_in(path), m_lines(m_in), m_name(m_in.name()) {}

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
    if (m_pos >= m_bytes.size()) return false;
    const char* start = m_bytes.data() + m_pos;
    const auto* nl = static_cast<const char*>(std::memchr(start, '\n', m_bytes.size() - m_pos));
    std::size_t len = nl ? static_cast<std::size_t>(nl - start) : m_bytes.size() - m_pos;
    line = std::string_view(start, len);
    m_pos += len + 1;
    ++m_line;
  } while (!content(line));
  out.where.source = m_name;
  out.where.line = m_line - 1;
  m_line_offset = static_cast<std::size_t>(line.data() - m_bytes.data());
  m_line_size = line.size();
  read_ndjson_line(m_parser, line, out);
  return true;
}

namespace {
// A row's line as append_json writes its record: the text between two values (`{"name":"`,
// `","name":"`, and `"}` at the end) is made once, so a field costs that and its escaped text.
class NdjsonRowEncoder : public RowEncoder {
 public:
  explicit NdjsonRowEncoder(const std::vector<std::string>& names) {
    for (const auto& name : names) {
      std::string& prefix = m_prefixes.emplace_back(m_prefixes.empty() ? "{" : "\",");
      append_json_string(prefix, name);
      prefix.append(":\"");
    }
    m_end = names.empty() ? "{}\n" : "\"}\n";
    m_fixed = m_end.size();
    for (const auto& prefix : m_prefixes) m_fixed += prefix.size();
  }
  bool encode(const std::vector<std::string_view>& values, bool json_plain, std::string& out,
              std::string& reason) override {
    if (values.size() != m_prefixes.size()) {  // (a reader's reject: never a guess)
      reason = "a row of " + std::to_string(values.size()) + " fields under " +
               std::to_string(m_prefixes.size()) + " names";
      return false;
    }
    // Most rows need no escape: then their size is known, and they are copied in at once.
    std::size_t size = m_fixed;
    for (auto v : values) {
      if (!json_plain &&
          scan::json_string_stop(v.data(), v.data() + v.size()) != v.data() + v.size())
        return escaped(values, out);
      size += v.size();
    }
    std::size_t at = out.size();
    out.resize(at + size);
    char* p = out.data() + at;
    for (std::size_t i = 0; i < values.size(); ++i) {
      std::memcpy(p, m_prefixes[i].data(), m_prefixes[i].size());
      p += m_prefixes[i].size();
      std::memcpy(p, values[i].data(), values[i].size());
      p += values[i].size();
    }
    std::memcpy(p, m_end.data(), m_end.size());
    return true;
  }

 private:
  bool escaped(const std::vector<std::string_view>& values, std::string& out) const {
    for (std::size_t i = 0; i < values.size(); ++i) {
      out.append(m_prefixes[i]);
      append_json_string_body(out, values[i]);
    }
    out.append(m_end);
    return true;
  }

  std::vector<std::string> m_prefixes;
  std::string m_end;
  std::size_t m_fixed = 0;  // the bytes of a line besides its values
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

}  // namespace etl
