#include "etl/correlate/record_store.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "etl/error.hpp"
#include "etl/json.hpp"

namespace etl::correlate {
namespace {

constexpr std::size_t kWriteBuffer = std::size_t{1} << 20;
constexpr std::size_t kReadAhead = std::size_t{1} << 20;

void put_u32(std::string& out, std::size_t n) {
  auto v = static_cast<std::uint32_t>(n);
  char b[4];
  std::memcpy(b, &v, 4);
  out.append(b, 4);
}

std::uint32_t get_u32(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

std::string quoted_name(std::string_view name) {
  std::string out;
  append_json_string(out, name);
  return out + ":";
}

// Calls f(field index, value JSON) for each field of a stored record: the shape, then each
// value's length and text.
template <typename F>
std::uint32_t for_each_value(std::string_view stored, F&& f) {
  std::uint32_t shape = get_u32(stored.data());
  std::size_t pos = 4;
  for (std::size_t i = 0; pos < stored.size(); ++i) {
    std::uint32_t n = get_u32(stored.data() + pos);
    if (!f(i, stored.substr(pos + 4, n))) break;
    pos += 4 + n;
  }
  return shape;
}

}  // namespace

RecordStore::RecordStore(std::size_t memory, std::string temp_dir, MergedNames merged)
    : m_memory(memory), m_temp_dir(std::move(temp_dir)), m_names(std::move(merged)) {}

RecordStore::~RecordStore() {
  if (m_fd >= 0) close(m_fd);
}

std::uint32_t RecordStore::shape_of(const Record& r) {
  const auto& f = r.fields();
  if (!m_shapes.empty()) {
    const auto& last = m_shapes[m_last_shape].names;
    bool same = f.size() == last.size();
    for (std::size_t i = 0; same && i < f.size(); ++i) same = f[i].key == last[i];
    if (same) return m_last_shape;
  }
  std::string signature;
  for (const auto& m : f) {
    signature += m.key;
    signature.push_back('\0');
  }
  auto it = m_shape_ids.find(signature);
  if (it == m_shape_ids.end()) {
    Shape sh;
    for (const auto& m : f) {
      sh.names.push_back(m.key);
      sh.plain.push_back(quoted_name(m.key));
      std::string merged;
      if (m_names.map.empty()) {
        merged = quoted_name(m_names.prefix + m.key);
      } else {
        for (const auto& [from, to] : m_names.map)
          if (from == m.key) merged = quoted_name(to);
      }
      sh.merged.push_back(std::move(merged));
    }
    m_shapes.push_back(std::move(sh));
    it = m_shape_ids.emplace(signature, static_cast<std::uint32_t>(m_shapes.size() - 1)).first;
  }
  m_last_shape = it->second;
  return m_last_shape;
}

std::uint32_t RecordStore::add(const Record& r) {
  if (m_offsets.size() > 0xFFFFFFFEu)
    throw DataError("etl-correlate holds at most 4294967294 records per side");
  put_u32(m_arena, shape_of(r));
  for (const auto& m : r.fields()) {
    std::size_t at = m_arena.size();
    put_u32(m_arena, 0);
    append_json(m_arena, m.value);
    auto n = static_cast<std::uint32_t>(m_arena.size() - at - 4);
    std::memcpy(m_arena.data() + at, &n, 4);
  }
  m_offsets.push_back(m_file_size + m_arena.size());
  if (m_fd < 0 ? m_arena.size() > m_memory : m_arena.size() >= kWriteBuffer) spill();
  return static_cast<std::uint32_t>(m_offsets.size() - 2);
}

// Moves the arena to the file (making it on first use); the arena becomes the write buffer.
void RecordStore::spill() {
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
  m_arena.clear();
  if (m_arena.capacity() > 2 * kWriteBuffer) m_arena.shrink_to_fit();
}

void RecordStore::finish() {
  if (m_fd >= 0 && !m_arena.empty()) spill();
}

std::string_view RecordStore::get(std::uint32_t n, std::string& buffer, bool sequential) const {
  std::uint64_t begin = m_offsets[n], end = m_offsets[n + 1];
  if (m_fd < 0) return std::string_view(m_arena).substr(begin, end - begin);
  if (sequential && begin >= m_ahead_at && end <= m_ahead_at + buffer.size())
    return std::string_view(buffer).substr(begin - m_ahead_at, end - begin);
  std::size_t want = static_cast<std::size_t>(end - begin);
  if (sequential) want = std::max<std::size_t>(want, kReadAhead);
  buffer.resize(want);
  std::size_t got = 0;
  while (got < want) {
    ssize_t r = ::pread(m_fd, buffer.data() + got, want - got, static_cast<off_t>(begin + got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw IoError(fmt::format("cannot read a temporary file: {}", std::strerror(errno)));
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  if (got < end - begin) throw IoError("a temporary file was cut short");
  buffer.resize(got);
  if (sequential) m_ahead_at = begin;
  return std::string_view(buffer).substr(0, end - begin);
}

void RecordStore::append_object(std::string& out, std::string_view stored) const {
  out.push_back('{');
  const Shape* sh = &m_shapes[get_u32(stored.data())];
  for_each_value(stored, [&](std::size_t i, std::string_view v) {
    if (i > 0) out.push_back(',');
    out += sh->plain[i];
    out += v;
    return true;
  });
  out.push_back('}');
}

void RecordStore::append_merged_members(std::string& out, std::string_view stored) const {
  const Shape* sh = &m_shapes[get_u32(stored.data())];
  bool first = true;
  for_each_value(stored, [&](std::size_t i, std::string_view v) {
    if (sh->merged[i].empty()) return true;
    if (!first) out.push_back(',');
    first = false;
    out += sh->merged[i];
    out += v;
    return true;
  });
}

std::string_view RecordStore::field_json(std::string_view stored, std::string_view name) const {
  const Shape* sh = &m_shapes[get_u32(stored.data())];
  std::string_view found;
  for_each_value(stored, [&](std::size_t i, std::string_view v) {
    if (sh->names[i] != name) return true;
    found = v;
    return false;
  });
  return found;
}

Record RecordStore::to_record(std::string_view stored) const {
  std::string json;
  append_object(json, stored);
  Record r;
  bool not_object = false;
  if (parse_json_record(json, r, not_object))
    throw IoError("a stored record does not read back");  // the store wrote it: a bug
  return r;
}

}  // namespace etl::correlate
