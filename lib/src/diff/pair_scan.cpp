#include "etl/diff/pair_scan.hpp"

#include <algorithm>

#include "etl/diff/key.hpp"

namespace etl::diff {
namespace {

// A range has at least this many entries: below it a thread costs more than it saves.
constexpr std::size_t kMinRange = std::size_t{1} << 15;
// How many entries ahead of the walk each side's next entries are fetched into cache.
constexpr std::size_t kAhead = 16;

// <0, 0, >0 as entry i of x has a key before, equal to or after the key (prefix, sort key).
int compare_to(const SortedSide& x, std::size_t i, const KeyPrefix& prefix,
               std::string_view sort_key) {
  const KeyPrefix& p = x.prefix_at(i);
  if (!(p == prefix)) return p < prefix ? -1 : 1;
  return compare_keys(Entry::sort_key_of(x.blob_at(i)), sort_key);
}

int compare_at(const SortedSide& x, std::size_t i, const SortedSide& y, std::size_t j) {
  const KeyPrefix& q = y.prefix_at(j);
  if (!(x.prefix_at(i) == q)) return x.prefix_at(i) < q ? -1 : 1;
  return compare_to(x, i, q, Entry::sort_key_of(y.blob_at(j)));
}

// Past the last entry from i on (before end) with entry i's key.
std::size_t key_end(const SortedSide& s, std::size_t i, std::size_t end) {
  std::size_t k = i + 1;
  while (k < end && compare_at(s, i, s, k) == 0) ++k;
  return k;
}

}  // namespace

PairScan::PairScan(const SortedSide& a, const SortedSide& b, unsigned threads) : m_side{&a, &b} {
  // A few ranges for each thread, so that the first is handed out early.
  std::size_t most = (a.size() + b.size()) / kMinRange;
  auto parts = static_cast<unsigned>(std::clamp<std::size_t>(most, 1, 4 * std::max(threads, 1U)));
  std::vector<Range> ranges = split(parts);
  m_found.resize(ranges.size());
  for (std::size_t r = 0; r < ranges.size(); ++r) m_found[r].range = ranges[r];
  if (parts == 1) {
    scan_ranges();
    return;
  }
  for (unsigned t = 0; t < std::min(threads, parts); ++t)
    m_threads.emplace_back([this] { scan_ranges(); });
}

PairScan::~PairScan() {
  m_next_range = m_found.size();  // no range more is begun
  for (auto& t : m_threads) t.join();
}

void PairScan::scan_ranges() {
  for (std::size_t r; (r = m_next_range.fetch_add(1)) < m_found.size();) {
    Found& f = m_found[r];
    try {
      scan(f.range, f);
    } catch (...) {
      f.error = std::current_exception();
    }
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      f.done = true;
    }
    m_scanned.notify_all();
  }
}

// Waits for range r's scan; false past the last range.
bool PairScan::open_range(std::size_t r) {
  if (r > 0) {  // the range before is done with: its memory goes
    Found& before = m_found[r - 1];
    m_same += before.same;
    std::vector<Group>().swap(before.groups);
  }
  if (r == m_found.size()) return false;
  std::unique_lock<std::mutex> lock(m_mutex);
  m_scanned.wait(lock, [&] { return m_found[r].done; });
  if (m_found[r].error) std::rethrow_exception(m_found[r].error);
  return true;
}

// The larger side is cut at equal positions, each moved back to the first entry of its key; the
// other side at the first entry whose key is not less. So every key falls in one range whole.
std::vector<PairScan::Range> PairScan::split(unsigned parts) const {
  int s = m_side[0]->size() >= m_side[1]->size() ? 0 : 1;
  const SortedSide& cut = *m_side[s];
  const SortedSide& other = *m_side[1 - s];
  std::vector<std::size_t> at_cut{0}, at_other{0};
  for (unsigned k = 1; k < parts; ++k) {
    std::size_t at = cut.size() * k / parts;
    while (at > at_cut.back() && compare_at(cut, at - 1, cut, at) == 0) --at;
    at_cut.push_back(at);
    at_other.push_back(lower_bound(other, cut.prefix_at(at), Entry::sort_key_of(cut.blob_at(at))));
  }
  at_cut.push_back(cut.size());
  at_other.push_back(other.size());
  std::vector<Range> ranges(parts);
  for (unsigned k = 0; k < parts; ++k) {
    ranges[k].begin[s] = at_cut[k];
    ranges[k].end[s] = at_cut[k + 1];
    ranges[k].begin[1 - s] = at_other[k];
    ranges[k].end[1 - s] = at_other[k + 1];
  }
  return ranges;
}

std::size_t PairScan::lower_bound(const SortedSide& side, const KeyPrefix& prefix,
                                  std::string_view sort_key) {
  std::size_t lo = 0, hi = side.size();
  while (lo < hi) {
    std::size_t mid = lo + (hi - lo) / 2;
    if (compare_to(side, mid, prefix, sort_key) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

void PairScan::scan(const Range& r, Found& out) const {
  const SortedSide& a = *m_side[0];
  const SortedSide& b = *m_side[1];
  SameRecord same(a, b);
  std::size_t i = r.begin[0], j = r.begin[1];
  while (i < r.end[0] || j < r.end[1]) {
    if (i + kAhead < r.end[0]) a.prefetch(i + kAhead);
    if (j + kAhead < r.end[1]) b.prefetch(j + kAhead);
    int c = i == r.end[0] ? 1 : j == r.end[1] ? -1 : compare_at(a, i, b, j);
    std::size_t i_end = c <= 0 ? key_end(a, i, r.end[0]) : i;
    std::size_t j_end = c >= 0 ? key_end(b, j, r.end[1]) : j;
    if (i_end - i == 1 && j_end - j == 1) {
      Entry x = Entry::decode(a.blob_at(i));
      Entry y = Entry::decode(b.blob_at(j));
      if (!x.unreadable && !y.unreadable && same(x, y)) {
        ++out.same;
        i = i_end;
        j = j_end;
        continue;
      }
    }
    out.groups.push_back({{i, j}, {i_end - i, j_end - j}});
    i = i_end;
    j = j_end;
  }
}

bool PairScan::next() {
  if (!m_started) {
    m_started = true;
    if (!open_range(0)) return false;
  } else if (m_range < m_found.size()) {
    ++m_group;
  }
  while (m_range < m_found.size() && m_group >= m_found[m_range].groups.size()) {
    ++m_range;
    m_group = 0;
    if (!open_range(m_range)) return false;
  }
  if (m_range == m_found.size()) return false;
  const Found& f = m_found[m_range];
  // The groups kept lie scattered over the arenas: fetch the first entries of one a few ahead.
  if (m_group + 4 < f.groups.size()) {
    const Group& ahead = f.groups[m_group + 4];
    for (std::size_t side = 0; side < 2; ++side)
      if (ahead.count[side] > 0) m_side[side]->prefetch(ahead.first[side]);
  }
  return true;
}

std::size_t PairScan::count(std::size_t side) const {
  return m_found[m_range].groups[m_group].count[side];
}

std::string_view PairScan::entry(std::size_t side, std::size_t n) const {
  return m_side[side]->blob_at(m_found[m_range].groups[m_group].first[side] + n);
}

}  // namespace etl::diff
