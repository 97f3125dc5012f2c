#include "etl/diff/sorted_side.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "etl/arena.hpp"
#include "etl/bytes.hpp"
#include "etl/diff/blob_feed.hpp"
#include "etl/diff/key.hpp"
#include "etl/diff/prefix_sort.hpp"
#include "etl/error.hpp"
#include "etl/formats/csv_reader.hpp"
#include "etl/json.hpp"
#include "etl/mask.hpp"
#include "etl/prefetch.hpp"
#include "etl/registry.hpp"

namespace etl::diff {
namespace {

// Set in a blob's ordinal for an unreadable entry (ordinals stay far below 2^63).
constexpr std::uint64_t kUnreadableBit = std::uint64_t{1} << 63;

std::string_view take(std::string_view blob, std::size_t& pos) {
  std::uint32_t n = get_u32(blob.data() + pos);
  std::string_view part = blob.substr(pos + 4, n);
  pos += 4 + n;
  return part;
}

// The length of the blob that starts at `at`: sort key, shape, values, ordinal.
std::size_t blob_size(std::string_view at) {
  std::size_t pos = 0;
  take(at, pos);
  pos += 4;
  take(at, pos);
  return pos + 8;
}

// Splits comma-separated JSON values at the commas outside strings, arrays and objects.
void split_values(std::string_view s, std::size_t count, std::vector<std::string_view>& out) {
  out.clear();
  if (count == 0) return;
  for (std::size_t start = 0;;) {
    std::size_t end = json_value_end(s, start);
    out.push_back(s.substr(start, end - start));
    if (end >= s.size()) return;
    start = end + 1;  // past ','
  }
}

// Appends "a","b",… for fields that need no escape: sized once, then copied in.
void append_plain_strings(std::string& out, const std::vector<std::string_view>& fields) {
  if (fields.empty()) return;
  std::size_t size = 3 * fields.size() - 1;
  for (std::string_view f : fields) size += f.size();
  std::size_t at = out.size();
  out.resize(at + size);
  char* p = out.data() + at;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) *p++ = ',';
    *p++ = '"';
    copy_bytes(p, fields[i].data(), fields[i].size());
    p += fields[i].size();
    *p++ = '"';
  }
}

}  // namespace

std::string_view Entry::sort_key_of(std::string_view blob) {
  std::size_t pos = 0;
  return take(blob, pos);
}

Entry Entry::decode(std::string_view blob) {
  Entry e;
  std::size_t pos = 0;
  e.sort_key = take(blob, pos);
  std::memcpy(&e.shape, blob.data() + pos, 4);
  pos += 4;
  e.values = take(blob, pos);
  std::memcpy(&e.ordinal, blob.data() + pos, 8);
  e.unreadable = (e.ordinal & kUnreadableBit) != 0;
  e.ordinal &= ~kUnreadableBit;
  return e;
}

bool SameRecord::operator()(const Entry& x, const Entry& y) {
  if (x.values != y.values) return false;
  if (!m_known || x.shape != m_shape_a || y.shape != m_shape_b) {
    m_same_names = m_a.shape(x.shape).names == m_b.shape(y.shape).names;
    m_shape_a = x.shape;
    m_shape_b = y.shape;
    m_known = true;
  }
  return m_same_names;
}

SortedSide::SortedSide(SideOptions o) : m_opts(std::move(o)) {
  m_source = Registry::builtin().open_source(m_opts.address, m_opts.connector);
  m_source_name = mask_address(m_opts.address);
  if (m_opts.csv_text_rows) m_csv = dynamic_cast<CsvReader*>(m_source.get());
  for (std::string name : m_source->time_columns()) {  // under the names the diff compares
    for (const auto& [from, to] : m_opts.rename)
      if (name == from) name = to;
    m_time_columns.insert(name);
  }
  if (!m_opts.presorted) {
    reserve_arena(m_arena, m_opts.memory);
  }
}

SortedSide::~SortedSide() = default;

std::string SortedSide::where(std::uint64_t ordinal) const {
  return m_lines ? fmt::format("{}:{}", m_source_name, ordinal)
                 : fmt::format("{}#row {}", m_source_name, ordinal);
}

const std::string& SortedSide::unreadable_reason(const Entry& e) const {
  return m_unreadable.at(e.ordinal);
}

std::set<std::string> SortedSide::columns() const {
  std::set<std::string> out;
  for (const auto& sh : m_shapes) out.insert(sh.names.begin(), sh.names.end());
  return out;
}

// Records of one source nearly always share one shape: check the last one first.
std::uint32_t SortedSide::shape_of(const Record& r) {
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
      std::string prefix;
      append_json_string(prefix, m.key);
      sh.prefixes.push_back(prefix + ":");
    }
    for (const auto& k : m_opts.key)
      sh.key_at.push_back(static_cast<std::size_t>(std::find(sh.names.begin(), sh.names.end(), k) -
                                                   sh.names.begin()));
    m_shapes.push_back(std::move(sh));
    it = m_shape_ids.emplace(signature, static_cast<std::uint32_t>(m_shapes.size() - 1)).first;
  }
  m_last_shape = it->second;
  return m_last_shape;
}

void SortedSide::append_record(std::string& out, const Entry& e) const {
  const Shape& sh = m_shapes[e.shape];
  split_values(e.values, sh.names.size(), m_split);
  out.push_back('{');
  for (std::size_t i = 0; i < sh.names.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += sh.prefixes[i];
    out += m_split[i];
  }
  out.push_back('}');
}

void SortedSide::append_key(std::string& out, const Entry& e) const {
  const Shape& sh = m_shapes[e.shape];
  split_values(e.values, sh.names.size(), m_split);
  out.push_back('{');
  for (std::size_t i = 0; i < sh.key_at.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += sh.prefixes[sh.key_at[i]];
    out += m_split[sh.key_at[i]];
  }
  out.push_back('}');
}

std::string SortedSide::record_json(const Entry& e) const {
  std::string out;
  append_record(out, e);
  return out;
}

std::string SortedSide::key_json(const Entry& e) const {
  std::string out;
  append_key(out, e);
  return out;
}

// Reads records until one makes an entry.
bool SortedSide::read_entry(std::string& blob) {
  for (;;) {
    if (m_csv) {
      auto row = m_csv->next_fields(m_rec);
      if (row == CsvReader::Row::End) return false;
      if (row == CsvReader::Row::Record) {
        if (m_csv_shape && !m_csv->row_has_null()) {
          append_csv_entry(blob);
          return true;
        }
        m_csv->record_of_row(m_rec);
      }
    } else if (!m_source->next(m_rec)) {
      return false;
    }
    if (!take_record(blob)) continue;
    if (m_csv && m_rec.reject_reason.empty()) m_csv_shape = m_last_shape;  // a whole record's
    return true;
  }
}

// Makes an entry of the record read, or rejects it. A record that cannot take part is rejected;
// when its key can still be read (a CSV row with a field too many, invalid UTF-8 in another
// field), it stays as an unreadable entry of its key alone, so the key is reported as
// unreadable and never as added or removed. The key of a reader's reject is read from the
// fields it could read. False when the record made no entry.
bool SortedSide::take_record(std::string& blob) {
  ++m_read;
  if (m_read == 1) {
    m_lines = m_rec.where.line > 0;
    if (!m_rec.where.source.empty()) m_source_name = m_rec.where.source;
  }
  Record& r = m_rec.record;
  for (auto& m : r.fields())
    for (const auto& [from, to] : m_opts.rename)
      if (m.key == from) {
        m.key = to;
        break;
      }
  std::uint64_t ordinal = m_lines ? m_rec.where.line : m_read;
  std::string missing = make_key(r, m_opts.key, m_sort_key, m_opts.numeric_keys);
  std::string reason = m_rec.reject_reason;
  if (reason.empty() && !missing.empty())
    reason = fmt::format("{}: key field '{}' is missing or null", m_opts.label, missing);
  if (reason.empty()) {
    append_entry(blob, r, ordinal);
    return true;
  }
  ++m_rejected;
  m_opts.reject(m_rec, reason);
  if (!missing.empty()) {
    m_unkeyed.push_back({where(ordinal), reason});
    return false;
  }
  Record key;
  for (const auto& k : m_opts.key) key.set(k, *r.find(k));
  m_unreadable.emplace(ordinal, reason);
  append_entry(blob, key, ordinal | kUnreadableBit);
  return true;
}

// sort key, shape, values, ordinal (see Entry::decode): up to the values, whose place is
// returned.
std::size_t SortedSide::begin_entry(std::string& blob, std::uint32_t shape) const {
  put_u32(blob, m_sort_key.size());
  blob += m_sort_key;
  put_u32(blob, shape);
  std::size_t values_at = blob.size();
  put_u32(blob, 0);
  return values_at;
}

void SortedSide::end_entry(std::string& blob, std::size_t values_at, std::uint64_t ordinal) {
  auto size = static_cast<std::uint32_t>(blob.size() - values_at - 4);
  std::memcpy(blob.data() + values_at, &size, 4);
  char b[8];
  std::memcpy(b, &ordinal, 8);
  blob.append(b, 8);
}

void SortedSide::append_entry(std::string& blob, const Record& r, std::uint64_t ordinal) {
  std::size_t values_at = begin_entry(blob, shape_of(r));
  bool first = true;
  for (const auto& m : r.fields()) {
    if (!first) blob.push_back(',');
    first = false;
    append_json(blob, m.value);
  }
  end_entry(blob, values_at, ordinal);
}

// The entry the record of the CSV row read would make, from the row's fields: the same bytes.
void SortedSide::append_csv_entry(std::string& blob) {
  ++m_read;
  const std::vector<std::string_view>& fields = m_csv->fields();
  const Shape& sh = m_shapes[*m_csv_shape];
  m_sort_key.clear();
  for (std::size_t at : sh.key_at) append_key_text(m_sort_key, fields[at], m_opts.numeric_keys);
  std::size_t values_at = begin_entry(blob, *m_csv_shape);
  if (m_csv->json_plain())
    append_plain_strings(blob, fields);
  else
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) blob.push_back(',');
      append_json_string(blob, fields[i]);
    }
  end_entry(blob, values_at, m_lines ? m_csv->row_line() : m_read);
}

void SortedSide::sort_index() {
  // The offset breaks ties of the full keys, which keeps records with equal keys in input order.
  std::string_view arena(m_arena);
  auto full_order = [arena](const Slot& a, const Slot& b) {
    if (!(a.prefix == b.prefix)) return a.prefix < b.prefix;
    int c = compare_keys(Entry::sort_key_of(arena.substr(a.offset)),
                         Entry::sort_key_of(arena.substr(b.offset)));
    return c != 0 ? c < 0 : a.offset < b.offset;
  };
  if (m_index.size() < 1024) {
    std::sort(m_index.begin(), m_index.end(), full_order);
    return;
  }
  // By prefixes first, which decide most of the order without touching the arena; slots of one
  // prefix stay in input order, and their full keys then decide.
  sort_by_prefix(m_index, m_sort_spare, [](const Slot& s) -> const KeyPrefix& { return s.prefix; });
  for (auto run = m_index.begin(); run != m_index.end();) {
    auto end = std::find_if(run + 1, m_index.end(),
                            [&](const Slot& s) { return !(s.prefix == run->prefix); });
    if (end - run > 1) std::sort(run, end, full_order);
    run = end;
  }
}

void SortedSide::sort_and_spill() {
  sort_index();
  auto run = std::make_unique<SpillFile>(m_opts.temp_dir);
  std::string_view arena(m_arena);
  for (const Slot& slot : m_index) {
    std::string_view at = arena.substr(slot.offset);
    run->append(at.substr(0, blob_size(at)));
  }
  m_runs.push_back(std::move(run));
  m_levels.push_back(0);
  m_arena.clear();
  m_index.clear();
  compact_runs();
}

void SortedSide::load() {
  if (m_opts.presorted) return;
  ArenaFaulter faulter;
  faulter.watch(m_arena);
  std::size_t fault_at = 0;
  for (;;) {
    std::size_t start = m_arena.size();
    if (start >= fault_at) {
      faulter.filled(start);
      faulter.fault_ahead(std::size_t{4} << 20);
      fault_at = start + (std::size_t{1} << 20);
    }
    if (!read_entry(m_arena)) break;
    m_index.push_back(
        {key_prefix(Entry::sort_key_of(std::string_view(m_arena).substr(start))), start});
    // Spill before the arena would outgrow its reservation (one record is rarely > 1/8 of it);
    // sorting takes a second index.
    if (m_arena.size() + 2 * m_index.size() * sizeof(Slot) > m_opts.memory - m_opts.memory / 8)
      sort_and_spill();
  }
  if (m_runs.empty()) {
    sort_index();
    large_vector<Slot>().swap(m_sort_spare);
  } else {
    if (!m_index.empty()) sort_and_spill();
    std::string().swap(m_arena);
    large_vector<Slot>().swap(m_index);
    start_merge();
  }
}

void SortedSide::prefetch(std::size_t i) const {
  const char* at = m_arena.data() + m_index[i].offset;
  for (int line = 0; line < 4; ++line) etl::prefetch(at + line * 64);
}

std::string_view SortedSide::blob_at(std::size_t i) const {
  std::string_view at = std::string_view(m_arena).substr(m_index[i].offset);
  return at.substr(0, blob_size(at));
}

// k-way merge of every run: a heap of runs by their head's key; ties go to the earlier run, so
// records with the same key keep their input order.
void SortedSide::start_merge() {
  m_heads.assign(m_runs.size(), Head{});
  m_heap.clear();
  for (std::size_t r = 0; r < m_runs.size(); ++r) {
    m_runs[r]->rewind();
    m_heads[r].live = m_runs[r]->read(m_heads[r].blob);
    if (m_heads[r].live) m_heap.push_back(r);
  }
  std::make_heap(m_heap.begin(), m_heap.end(), heap_order());
  m_merging = true;
}

bool SortedSide::merge_next(std::string& blob) {
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

// At most kFanIn runs are ever open: when the newest kFanIn runs are of one level, they are
// merged into one run of the next level (the runs stay in input order, so ties keep theirs).
// However small --memory is, the files open stay few and each record is rewritten
// log_kFanIn(runs) times.
void SortedSide::compact_runs() {
  constexpr std::size_t kFanIn = 64;
  while (m_runs.size() >= kFanIn &&
         std::all_of(m_levels.end() - kFanIn, m_levels.end(),
                     [&](int level) { return level == m_levels.back(); })) {
    std::vector<std::unique_ptr<SpillFile>> all = std::move(m_runs);
    std::vector<std::unique_ptr<SpillFile>> tail(std::make_move_iterator(all.end() - kFanIn),
                                                 std::make_move_iterator(all.end()));
    all.resize(all.size() - kFanIn);
    int level = m_levels.back() + 1;
    m_levels.resize(m_levels.size() - kFanIn);
    m_runs = std::move(tail);
    start_merge();
    auto merged = std::make_unique<SpillFile>(m_opts.temp_dir);
    std::string blob;
    while (merge_next(blob)) merged->append(blob);
    m_merging = false;
    all.push_back(std::move(merged));
    m_runs = std::move(all);
    m_levels.push_back(level);
  }
}

bool SortedSide::HeapOrder::operator()(std::size_t a, std::size_t b) const {
  int c = compare_keys(Entry::sort_key_of(side->m_heads[a].blob),
                       Entry::sort_key_of(side->m_heads[b].blob));
  return c != 0 ? c > 0 : a > b;
}

bool SortedSide::next(std::string& blob) {
  blob.clear();
  if (m_opts.presorted) {
    if (!read_entry(blob)) return false;
    std::string_view key = Entry::sort_key_of(blob);
    if (m_read > 1 && !m_prev_key.empty() && compare_keys(m_prev_key, key) > 0) {
      Entry e = Entry::decode(blob);
      throw DataError(
          fmt::format("{}: {} is not sorted by the key ({} comes after a greater "
                      "key); leave out --sorted",
                      where(e.ordinal), m_opts.label, key_json(e)));
    }
    m_prev_key.assign(key);
    return true;
  }
  if (!m_feed)
    m_feed = std::make_unique<BlobFeed>([this](std::string& out) { return append_sorted(out); },
                                        blob_size);
  return m_feed->next(blob);
}

// On the feed's thread: appends the next entry in key order, from the arena or the runs.
bool SortedSide::append_sorted(std::string& out) {
  if (m_merging) {
    if (!merge_next(m_merged)) return false;
    out += m_merged;
    return true;
  }
  if (m_pos >= m_index.size()) return false;
  constexpr std::size_t kAhead = 8;
  if (m_pos + kAhead < m_index.size()) prefetch(m_pos + kAhead);
  out += blob_at(m_pos++);
  return true;
}

}  // namespace etl::diff
