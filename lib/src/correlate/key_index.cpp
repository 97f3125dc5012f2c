#include "etl/correlate/key_index.hpp"

#include <cstring>

#include "etl/arena.hpp"
#include "etl/bytes.hpp"

namespace etl::correlate {
namespace {

constexpr std::size_t kChunk = std::size_t{32} << 10;

// Calls f(rule, entry) for each entry in a run of entries.
template <typename F>
void scan(std::string_view run, F&& f) {
  std::size_t pos = 0;
  while (pos < run.size()) {
    auto rule = static_cast<std::uint8_t>(run[pos]);
    f(rule, KeyIndex::decode(run, pos));
  }
}

}  // namespace

KeyIndex::KeyIndex(std::size_t memory, std::string temp_dir)
    : m_memory(memory), m_temp_dir(std::move(temp_dir)) {
  reserve_arena(m_arena, m_memory + 1024);
  m_faulter.watch(m_arena);
}

KeyIndex::~KeyIndex() = default;

std::size_t KeyIndex::partition_of(std::string_view key, std::size_t count) {
  if (count == 1) return 0;
  // FNV-1a: the same on both sides and in every run, unlike std::hash's unspecified one.
  std::uint64_t h = 14695981039346656037ull;
  for (char c : key) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return static_cast<std::size_t>(h % count);
}

void KeyIndex::append_entry(std::string& out, std::uint8_t rule, std::uint32_t ordinal,
                            std::string_view key, std::string_view text) {
  // (sized once: an append for each part was most of adding a key)
  std::size_t at = out.size();
  out.resize(at + 13 + key.size() + text.size());
  char* p = out.data() + at;
  *p++ = static_cast<char>(rule);
  auto put = [&p](std::uint32_t n) {
    std::memcpy(p, &n, 4);
    p += 4;
  };
  put(ordinal);
  put(static_cast<std::uint32_t>(key.size()));
  copy_bytes(p, key.data(), key.size());
  p += key.size();
  put(static_cast<std::uint32_t>(text.size()));
  copy_bytes(p, text.data(), text.size());
}

void KeyIndex::add(std::uint8_t rule, std::uint32_t ordinal, std::string_view key,
                   std::string_view text) {
  if (rule >= m_counts.size()) m_counts.resize(rule + 1);
  ++m_counts[rule];
  if (m_files.empty()) {
    append_entry(m_arena, rule, ordinal, key, text);
    m_faulter.filled(m_arena.size());
    if (m_arena.size() > m_memory) spill();
    return;
  }
  std::string& pending = m_pending[partition_of(key, kPartitions)];
  append_entry(pending, rule, ordinal, key, text);
  if (pending.size() >= kChunk) {
    m_files[partition_of(key, kPartitions)]->append(pending);
    pending.clear();
  }
}

// Moves the arena's entries to the partition files; from now on entries go there directly.
void KeyIndex::spill() {
  m_faulter.stop();
  m_pending.resize(kPartitions);
  for (std::size_t p = 0; p < kPartitions; ++p)
    m_files.push_back(std::make_unique<SpillFile>(m_temp_dir));
  // With files present, add() no longer touches the arena.
  scan(m_arena, [&](std::uint8_t rule, const KeyEntry& e) {
    --m_counts[rule];  // add() counts it again
    add(rule, e.ordinal, e.key(), e.text());
  });
  m_arena = std::string();
}

void KeyIndex::finish() {
  for (std::size_t p = 0; p < m_files.size(); ++p) {
    if (!m_pending[p].empty()) m_files[p]->append(m_pending[p]);
    m_pending[p] = std::string();
  }
}

std::vector<std::string_view> KeyIndex::load(std::size_t p) {
  if (m_files.empty()) return {m_arena};
  m_loaded.clear();
  SpillFile& file = *m_files[p];
  file.rewind();
  std::string chunk;
  while (file.read(chunk)) m_loaded.push_back(std::move(chunk));
  return {m_loaded.begin(), m_loaded.end()};
}

}  // namespace etl::correlate
