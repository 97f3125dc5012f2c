#include "etl/diff/sorted_side.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "etl/diff/key.hpp"
#include "etl/error.hpp"
#include "etl/json.hpp"
#include "etl/registry.hpp"

namespace etl::diff {
namespace {

void put_u32(std::string& out, std::size_t n) {
  auto v = static_cast<std::uint32_t>(n);
  char b[4];
  std::memcpy(b, &v, 4);
  out.append(b, 4);
}

std::string_view take(std::string_view blob, std::size_t& pos) {
  std::uint32_t n;
  std::memcpy(&n, blob.data() + pos, 4);
  std::string_view part = blob.substr(pos + 4, n);
  pos += 4 + n;
  return part;
}

std::string_view sort_key_of(std::string_view blob) {
  std::size_t pos = 0;
  return take(blob, pos);
}

}  // namespace

Entry Entry::decode(std::string_view blob) {
  Entry e;
  std::size_t pos = 0;
  e.sort_key = take(blob, pos);
  e.key_json = take(blob, pos);
  e.record_json = take(blob, pos);
  std::memcpy(&e.ordinal, blob.data() + pos, 8);
  return e;
}

SortedSide::SortedSide(SideOptions o) : m_opts(std::move(o)) {
  m_source = Registry::builtin().open_source(m_opts.address, m_opts.connector);
  m_source_name = m_opts.address;
  if (!m_opts.presorted) m_arena.reserve(std::min<std::size_t>(m_opts.memory, 64 << 20));
}

SortedSide::~SortedSide() = default;

std::string SortedSide::where(std::uint64_t ordinal) const {
  return m_lines ? fmt::format("{}:{}", m_source_name, ordinal)
                 : fmt::format("{}#row {}", m_source_name, ordinal);
}

void SortedSide::note_columns(const Record& r) {
  const auto& f = r.fields();
  bool same = f.size() == m_last_fields.size();
  for (std::size_t i = 0; same && i < f.size(); ++i) same = f[i].key == m_last_fields[i];
  if (same) return;
  m_last_fields.clear();
  for (const auto& m : f) {
    m_last_fields.push_back(m.key);
    m_columns.insert(m.key);
  }
}

// Reads records until one makes an entry; rejects the ones that cannot.
bool SortedSide::read_entry(std::string& blob) {
  while (m_source->next(m_rec)) {
    ++m_read;
    if (m_read == 1) {
      m_lines = m_rec.where.line > 0;
      if (!m_rec.where.source.empty()) m_source_name = m_rec.where.source;
    }
    if (!m_rec.reject_reason.empty()) {
      ++m_rejected;
      m_opts.reject(m_rec, m_rec.reject_reason);
      continue;
    }
    Record& r = m_rec.record;
    for (auto& m : r.fields())
      for (const auto& [from, to] : m_opts.rename)
        if (m.key == from) {
          m.key = to;
          break;
        }
    std::string missing = make_key(r, m_opts.key, m_sort_key, m_key_json);
    if (!missing.empty()) {
      ++m_rejected;
      m_opts.reject(m_rec,
                    fmt::format("{}: key field '{}' is missing or null", m_opts.label, missing));
      continue;
    }
    note_columns(r);
    put_u32(blob, m_sort_key.size());
    blob += m_sort_key;
    put_u32(blob, m_key_json.size());
    blob += m_key_json;
    std::size_t len_at = blob.size();
    put_u32(blob, 0);
    append_json(blob, r);
    auto rec_len = static_cast<std::uint32_t>(blob.size() - len_at - 4);
    std::memcpy(blob.data() + len_at, &rec_len, 4);
    std::uint64_t ordinal = m_lines ? m_rec.where.line : m_read;
    char b[8];
    std::memcpy(b, &ordinal, 8);
    blob.append(b, 8);
    return true;
  }
  return false;
}

void SortedSide::sort_index() {
  std::stable_sort(m_index.begin(), m_index.end(), [this](std::uint64_t a, std::uint64_t b) {
    return compare_keys(sort_key_of(std::string_view(m_arena).substr(a)),
                        sort_key_of(std::string_view(m_arena).substr(b))) < 0;
  });
}

void SortedSide::sort_and_spill() {
  sort_index();
  auto run = std::make_unique<SpillFile>(m_opts.temp_dir);
  std::string_view arena(m_arena);
  for (std::size_t i = 0; i < m_index.size(); ++i) {
    std::uint64_t start = m_index[i];
    std::size_t pos = start;
    take(arena, pos);
    take(arena, pos);
    take(arena, pos);
    run->append(arena.substr(start, pos + 8 - start));
  }
  m_runs.push_back(std::move(run));
  m_arena.clear();
  m_index.clear();
}

void SortedSide::load() {
  if (m_opts.presorted) return;
  for (;;) {
    std::size_t start = m_arena.size();
    if (!read_entry(m_arena)) break;
    m_index.push_back(start);
    if (m_arena.size() + m_index.size() * sizeof(std::uint64_t) > m_opts.memory) {
      sort_and_spill();
    }
  }
  if (m_runs.empty()) {
    sort_index();
    return;
  }
  if (!m_index.empty()) sort_and_spill();
  std::string().swap(m_arena);
  std::vector<std::uint64_t>().swap(m_index);
  // k-way merge: a heap of runs by their head's key; ties go to the earlier run, so records
  // with the same key keep their input order.
  m_heads.resize(m_runs.size());
  for (std::size_t r = 0; r < m_runs.size(); ++r) {
    m_runs[r]->rewind();
    m_heads[r].live = m_runs[r]->read(m_heads[r].blob);
    if (m_heads[r].live) m_heap.push_back(r);
  }
  std::make_heap(m_heap.begin(), m_heap.end(), heap_order());
  m_merging = true;
}

std::function<bool(std::size_t, std::size_t)> SortedSide::heap_order() const {
  return [this](std::size_t a, std::size_t b) {
    int c = compare_keys(sort_key_of(m_heads[a].blob), sort_key_of(m_heads[b].blob));
    return c != 0 ? c > 0 : a > b;
  };
}

bool SortedSide::next(std::string& blob) {
  blob.clear();
  if (m_opts.presorted) {
    if (!read_entry(blob)) return false;
    std::string_view key = sort_key_of(blob);
    if (m_read > 1 && !m_prev_key.empty() && compare_keys(m_prev_key, key) > 0) {
      Entry e = Entry::decode(blob);
      throw DataError(
          fmt::format("{}: {} is not sorted by the key ({} comes after a greater "
                      "key); leave out --sorted",
                      where(e.ordinal), m_opts.label, e.key_json));
    }
    m_prev_key.assign(key);
    return true;
  }
  if (!m_merging) {
    if (m_pos >= m_index.size()) return false;
    std::size_t start = m_index[m_pos++];
    std::size_t pos = start;
    std::string_view arena(m_arena);
    take(arena, pos);
    take(arena, pos);
    take(arena, pos);
    blob.assign(arena.substr(start, pos + 8 - start));
    return true;
  }
  if (m_heap.empty()) return false;
  auto later = heap_order();
  std::pop_heap(m_heap.begin(), m_heap.end(), later);
  std::size_t r = m_heap.back();
  blob.swap(m_heads[r].blob);
  if (m_runs[r]->read(m_heads[r].blob))
    std::push_heap(m_heap.begin(), m_heap.end(), later);
  else
    m_heap.pop_back();
  return true;
}

}  // namespace etl::diff
