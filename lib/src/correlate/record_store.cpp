#include "etl/correlate/record_store.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "etl/arena.hpp"
#include "etl/bytes.hpp"
#include "etl/error.hpp"
#include "etl/json.hpp"

namespace etl::correlate {
namespace {

constexpr std::size_t kWriteBuffer = std::size_t{1} << 20;
constexpr std::size_t kReadAhead = std::size_t{1} << 20;

std::string quoted_name(std::string_view name) {
  std::string out;
  append_json_string(out, name);
  return out + ":";
}

// A record's blob: the size of its JSON object, the object, and the merged members. A row's:
// kRowMark | its count of values, a byte saying whether they are json_plain, then each value's
// size and bytes.
constexpr std::uint32_t kRowMark = std::uint32_t{1} << 31;

bool is_row(std::string_view stored) {
  return (get_u32(stored.data()) & kRowMark) != 0;
}

// The stored record's two parts: the JSON object, and the merged members.
std::pair<std::string_view, std::string_view> parts(std::string_view stored) {
  std::uint32_t n = get_u32(stored.data());
  return {stored.substr(4, n), stored.substr(4 + n)};
}

// A row's values, as views of the blob (in a vector the calling thread reuses); and whether
// they are json_plain.
bool row_values(std::string_view stored, const std::vector<std::string_view>*& values) {
  thread_local std::vector<std::string_view> views;
  std::uint32_t count = get_u32(stored.data()) & ~kRowMark;
  views.clear();
  std::size_t pos = 5;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint32_t n = get_u32(stored.data() + pos);
    views.push_back(stored.substr(pos + 4, n));
    pos += 4 + n;
  }
  values = &views;
  return stored[4] != 0;
}

}  // namespace

RecordStore::RecordStore(std::size_t memory, std::string temp_dir, const MergedNames* merged)
    : m_memory(memory), m_temp_dir(std::move(temp_dir)), m_merged(merged != nullptr) {
  if (merged) m_names = *merged;
  reserve_arena(m_arena, m_memory + kWriteBuffer);
  m_faulter.watch(m_arena);
}

RecordStore::~RecordStore() {
  if (m_fd >= 0) close(m_fd);
}

void RecordStore::append_blob(std::string& out, const Record& r) {
  std::size_t at = out.size();
  put_u32(out, 0);
  append_json(out, r);
  auto n = static_cast<std::uint32_t>(out.size() - at - 4);
  std::memcpy(out.data() + at, &n, 4);
  const auto& f = r.fields();
  if (f.size() != m_last_names.size()) m_last_names.assign(f.size(), std::nullopt);
  m_merged_names.resize(f.size());
  for (std::size_t i = 0; i < f.size(); ++i)
    if (m_last_names[i] != f[i].key) {  // records of one source nearly always share names
      m_last_names[i] = f[i].key;
      std::string merged = m_merged ? merged_name(f[i].key) : std::string();
      seen(f[i].key, merged);
      m_merged_names[i] = merged.empty() ? merged : quoted_name(merged);
    }
  if (!m_merged) return;
  bool first = true;
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (m_merged_names[i].empty()) continue;
    if (!first) out.push_back(',');
    first = false;
    out += m_merged_names[i];
    append_json(out, f[i].value);
  }
}

// A field name a record holds (and the name it is merged under, or ""), kept once.
void RecordStore::seen(const std::string& name, const std::string& merged) {
  if (!m_seen.insert(name).second) return;
  m_field_names.push_back(name);
  if (!merged.empty()) m_merged_fields.emplace_back(name, merged);
}

// The name a field is merged under: the prefixed name, or the one the map gives (which names a
// field once: CorrelateSide refuses more), or empty where the map leaves the field out.
std::string RecordStore::merged_name(const std::string& field) const {
  std::string name;
  if (m_names.map.empty()) name = m_names.prefix + field;
  for (const auto& [from, to] : m_names.map)
    if (from == field) name = to;
  return name;
}

std::uint32_t RecordStore::add(const Record& r) {
  if (m_offsets.size() > 0xFFFFFFFEu)
    throw DataError("etl-correlate holds at most 4294967294 records per side");
  std::size_t at = m_arena.size();
  append_blob(m_arena, r);
  if (is_row(std::string_view(m_arena).substr(at)))  // (its object's size has the mark's bit)
    throw DataError("etl-correlate holds records of up to 2 GiB of JSON");
  return added();
}

void RecordStore::use_row_names(const std::vector<std::string>& names) {
  m_row_names = names;
  m_row_object =
      std::make_unique<JsonRowWriter>(names, JsonRowWriter::all_fields(names.size()), true);
  std::vector<std::string> merged;
  std::vector<std::size_t> fields;
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::string name = m_merged ? merged_name(names[i]) : std::string();
    seen(names[i], name);
    if (name.empty()) continue;
    merged.push_back(std::move(name));
    fields.push_back(i);
  }
  m_row_merged = std::make_unique<JsonRowWriter>(merged, std::move(fields), false);
}

std::uint32_t RecordStore::add_row(const std::vector<std::string_view>& values, bool json_plain) {
  if (m_offsets.size() > 0xFFFFFFFEu)
    throw DataError("etl-correlate holds at most 4294967294 records per side");
  put_u32(m_arena, values.size() | kRowMark);
  m_arena.push_back(json_plain ? 1 : 0);
  put_counted(m_arena, values);
  return added();
}

// Notes where the record just appended ends; spills past the budget.
std::uint32_t RecordStore::added() {
  m_offsets.push_back(m_file_size + m_arena.size());
  m_faulter.filled(m_arena.size());
  if (m_fd < 0 ? m_arena.size() > m_memory : m_arena.size() >= kWriteBuffer) spill();
  return static_cast<std::uint32_t>(m_offsets.size() - 2);
}

// Moves the arena to the file (making it on first use); the arena becomes the write buffer.
void RecordStore::spill() {
  m_faulter.stop();
  if (m_fd < 0) {
    std::string dir = m_temp_dir;
    if (dir.empty()) {
      const char* env = std::getenv("TMPDIR");
      dir = env && *env ? env : "/tmp";
    }
    std::string path = dir + "/etlkit-store-XXXXXX";
    m_fd = mkstemp(path.data());
    if (m_fd < 0)
      throw IoError(
          fmt::format("cannot create a temporary file in {}: {}", dir, std::strerror(errno)));
    unlink(path.c_str());
  }
  const char* p = m_arena.data();
  std::size_t left = m_arena.size();
  while (left > 0) {
    ssize_t n = ::write(m_fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      throw IoError(
          fmt::format("cannot write a temporary file: {} (disk full?)", std::strerror(errno)));
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  m_file_size += m_arena.size();
  if (m_arena.capacity() > 2 * kWriteBuffer) {
    m_arena = std::string();  // give the budget back: from now on the arena is a write buffer
    m_arena.reserve(kWriteBuffer + (64 << 10));
  }
  m_arena.clear();
}

void RecordStore::finish() {
  if (m_fd >= 0 && !m_arena.empty()) spill();
}

std::string_view RecordStore::get(std::uint32_t n, ReadBuffer& buffer, bool sequential) const {
  std::uint64_t begin = m_offsets[n], end = m_offsets[n + 1];
  if (m_fd < 0) return std::string_view(m_arena).substr(begin, end - begin);
  std::string& bytes = buffer.bytes;
  if (sequential && begin >= buffer.at && end <= buffer.at + bytes.size())
    return std::string_view(bytes).substr(begin - buffer.at, end - begin);
  std::size_t want = static_cast<std::size_t>(end - begin);
  if (sequential) want = std::max<std::size_t>(want, kReadAhead);
  bytes.resize(want);
  std::size_t got = 0;
  while (got < want) {
    ssize_t r = ::pread(m_fd, bytes.data() + got, want - got, static_cast<off_t>(begin + got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw IoError(fmt::format("cannot read a temporary file: {}", std::strerror(errno)));
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  if (got < end - begin) throw IoError("a temporary file was cut short");
  bytes.resize(got);
  buffer.at = sequential ? begin : ~std::uint64_t{0};
  return std::string_view(bytes).substr(0, end - begin);
}

void RecordStore::append_object(std::string& out, std::string_view stored) const {
  append_part(out, stored, false);
}

void RecordStore::append_merged_members(std::string& out, std::string_view stored) const {
  append_part(out, stored, true);
}

// The object, or the merged members: copied from a record's blob, written from a row's values.
void RecordStore::append_part(std::string& out, std::string_view stored, bool merged) const {
  if (!is_row(stored)) {
    auto [object, members] = parts(stored);
    out += merged ? members : object;
    return;
  }
  const std::vector<std::string_view>* values = nullptr;
  bool plain = row_values(stored, values);
  (merged ? m_row_merged : m_row_object)->append(*values, plain, out);
}

std::string_view RecordStore::field_json(std::string_view stored, std::string_view name) const {
  if (is_row(stored)) {
    auto at = std::find(m_row_names.begin(), m_row_names.end(), name);
    if (at == m_row_names.end()) return {};
    const std::vector<std::string_view>* values = nullptr;
    row_values(stored, values);
    thread_local std::string json;
    json.clear();
    append_json_string(json, (*values)[static_cast<std::size_t>(at - m_row_names.begin())]);
    return json;
  }
  // Only ids ask (--emit xref, --xref): the members are walked without building a record. The
  // store wrote the text, so its keys are escaped exactly as quoted_name escapes name.
  std::string_view obj = parts(stored).first;
  std::string key = quoted_name(name);
  std::size_t i = 1;  // past '{'
  while (i < obj.size() && obj[i] == '"') {
    std::size_t key_end = json_value_end(obj, i) + 1;  // past ':'
    std::size_t end = json_value_end(obj, key_end);
    if (obj.compare(i, key_end - i, key) == 0) return obj.substr(key_end, end - key_end);
    i = end + 1;  // past ','
  }
  return {};
}

Record RecordStore::to_record(std::string_view stored) const {
  Record r;
  if (is_row(stored)) {
    const std::vector<std::string_view>* values = nullptr;
    row_values(stored, values);
    for (std::size_t i = 0; i < m_row_names.size(); ++i)
      r.fields().push_back(Member{m_row_names[i], Value::string((*values)[i])});
    return r;
  }
  bool not_object = false;
  if (parse_json_record(parts(stored).first, r, not_object))
    throw IoError("a stored record does not read back");  // the store wrote it: a bug
  return r;
}

}  // namespace etl::correlate
