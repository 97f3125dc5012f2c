#include "etl/correlate/matcher.hpp"

#include <algorithm>
#include <functional>
#include <numeric>
#include <string_view>

#include "etl/arena.hpp"
#include "etl/correlate/similarity.hpp"
#include "etl/parallel.hpp"
#include "etl/prefetch.hpp"

namespace etl::correlate {
namespace {

constexpr std::uint32_t kNone = 0xFFFFFFFFu;
// Below this many keys under a rule one thread matches them (a thread costs more than it saves).
constexpr std::size_t kParallelFrom = 100000;

std::uint64_t pair_id(std::uint32_t l, std::uint32_t r) {
  return (static_cast<std::uint64_t>(l) << 32) | r;
}

class RuleMatcher {
 public:
  // res: the per-record arrays, shared by matchers of other partitions (each writes only its
  // partition's records); own: the pairs' extras, merged into res afterwards.
  RuleMatcher(MatchResult& res, MatchResult& own, const RuleSpec& rule, std::size_t index,
              bool allow_many)
      : m_res(res),
        m_own(own),
        m_rule(rule),
        m_index(index),
        m_state(static_cast<std::uint8_t>(index + 1)),
        m_allow_many(allow_many) {}

  // Matches partitions first, first + step, … of count.
  void run(KeyIndex& left, KeyIndex& right, std::size_t first, std::size_t step,
           std::size_t count) {
    for (std::size_t p = first; p < count; p += step) {
      // Views into each index stay valid until its next for_each: both sides are held at once.
      m_rights.clear();
      m_rights.reserve(right.count(static_cast<std::uint8_t>(m_index)) / count * 9 / 8 + 16);
      right.for_each(static_cast<std::uint8_t>(m_index), p, count, [&](const KeyEntry& e) {
        std::uint8_t s = m_res.right_state[e.ordinal];
        if (s == kUnmatched || (m_allow_many && s != kAmbiguous)) m_rights.push_back(e);
      });
      m_lefts.clear();
      m_lefts.reserve(left.count(static_cast<std::uint8_t>(m_index)) / count * 9 / 8 + 16);
      left.for_each(static_cast<std::uint8_t>(m_index), p, count, [&](const KeyEntry& e) {
        if (m_res.left_state[e.ordinal] == kUnmatched) m_lefts.push_back(e);
      });
      match_partition();
    }
  }

 private:
  struct Group {
    std::string_view key;
    std::uint32_t first_build, first_probe;
    std::uint32_t build_count, probe_count;
  };
  struct Slot {
    std::uint32_t hash, group;
  };

  // Groups by key: the side with fewer entries is hashed, the other probes it. The table is
  // open addressing over a flat array (no node per key), so that a million probes stay in cache.
  void match_partition() {
    if (m_lefts.empty() || m_rights.empty()) return;
    bool build_left = m_lefts.size() < m_rights.size();
    const auto& build = build_left ? m_lefts : m_rights;
    const auto& probe = build_left ? m_rights : m_lefts;
    std::size_t capacity = 16;
    while (capacity < build.size() * 2) capacity *= 2;
    std::size_t mask = capacity - 1;
    m_slots.assign(capacity, Slot{0, kNone});
    m_groups.clear();
    large_vector<std::uint32_t> next_build(build.size(), kNone), next_probe(probe.size(), kNone);
    // Finds key's group; with `add`, makes it when missing. kNone when missing.
    auto hash_of = [](std::string_view key) {
      return static_cast<std::uint32_t>(std::hash<std::string_view>{}(key));
    };
    // Finds key's group; with `add`, makes it when missing. kNone when missing.
    auto group_of = [&](std::string_view key, std::uint32_t h, bool add) -> std::uint32_t {
      for (std::size_t i = h & mask;; i = (i + 1) & mask) {
        Slot& slot = m_slots[i];
        if (slot.group == kNone) {
          if (!add) return kNone;
          slot = Slot{h, static_cast<std::uint32_t>(m_groups.size())};
          m_groups.push_back(Group{key, kNone, kNone, 0, 0});
          return slot.group;
        }
        if (slot.hash == h && m_groups[slot.group].key == key) return slot.group;
      }
    };
    // Chains are built back to front, so that they list records in input order.
    for (std::size_t i = build.size(); i-- > 0;) {
      Group& g = m_groups[group_of(build[i].key(), hash_of(build[i].key()), true)];
      next_build[i] = g.first_build;
      g.first_build = static_cast<std::uint32_t>(i);
      ++g.build_count;
    }
    // Probing misses the cache at every step (slot, group, key): the probes a few places ahead
    // have their slot, then their group and key, fetched while this one is looked up.
    large_vector<std::uint32_t> probe_hash(probe.size());
    for (std::size_t i = 0; i < probe.size(); ++i) probe_hash[i] = hash_of(probe[i].key());
    constexpr std::size_t kSlotAhead = 16, kGroupAhead = 8;
    auto prefetch = [&](std::size_t slot_at, std::size_t group_at) {
      if (slot_at < probe.size()) etl::prefetch(&m_slots[probe_hash[slot_at] & mask]);
      if (group_at < probe.size()) {
        const Slot& ahead = m_slots[probe_hash[group_at] & mask];
        if (ahead.group != kNone) {
          etl::prefetch(&m_groups[ahead.group]);
          etl::prefetch(m_groups[ahead.group].key.data());
        }
      }
    };
    if (m_allow_many && !m_rule.fuzzy) {
      // Every candidate pairs: no counts, no chains of the probe side, one pass in order.
      for (std::size_t i = 0; i < probe.size(); ++i) {
        prefetch(i + kSlotAhead, i + kGroupAhead);
        std::uint32_t at = group_of(probe[i].key(), probe_hash[i], false);
        if (at == kNone) continue;
        for (auto b = m_groups[at].first_build; b != kNone; b = next_build[b])
          build_left ? pair(build[b].ordinal, probe[i].ordinal, 1.0)
                     : pair(probe[i].ordinal, build[b].ordinal, 1.0);
      }
      return;
    }
    large_vector<std::uint32_t> probe_group(probe.size());
    for (std::size_t i = probe.size(); i-- > 0;) {
      prefetch(i - kSlotAhead, i - kGroupAhead);  // wraps past 0 to a huge index: skipped
      std::uint32_t at = probe_group[i] = group_of(probe[i].key(), probe_hash[i], false);
      if (at == kNone) continue;
      Group& g = m_groups[at];
      next_probe[i] = g.first_probe;
      g.first_probe = static_cast<std::uint32_t>(i);
      ++g.probe_count;
    }
    std::vector<std::uint32_t> bs, ps;
    auto members = [&](const Group& g) {
      bs.clear();
      ps.clear();
      for (auto i = g.first_build; i != kNone; i = next_build[i]) bs.push_back(i);
      for (auto i = g.first_probe; i != kNone; i = next_probe[i]) ps.push_back(i);
    };
    if (m_rule.fuzzy) {
      for (const Group& g : m_groups) {
        if (g.first_probe == kNone) continue;
        members(g);
        fuzzy_block(build_left ? bs : ps, build_left ? ps : bs);
      }
      return;
    }
    // Exact: the probe side is walked in order (it is the larger one: in order, it stays in
    // cache); a group is judged when its first probe record comes up.
    for (std::size_t i = 0; i < probe.size(); ++i) {
      std::uint32_t at = probe_group[i];
      if (at == kNone) continue;
      const Group& g = m_groups[at];
      if (m_allow_many || (g.build_count == 1 && g.probe_count == 1)) {
        for (auto b = g.first_build; b != kNone; b = next_build[b])
          build_left ? pair(build[b].ordinal, probe[i].ordinal, 1.0)
                     : pair(probe[i].ordinal, build[b].ordinal, 1.0);
      } else if (g.first_probe == i) {
        members(g);
        AmbiguousGroup amb{m_index, {}, {}, {}};
        for (auto l : build_left ? bs : ps) amb.lefts.push_back(m_lefts[l].ordinal);
        for (auto r : build_left ? ps : bs) amb.rights.push_back(m_rights[r].ordinal);
        set_aside(std::move(amb));
      }
    }
  }

  // Scores every left against every right of the block; clusters of linked records are judged
  // like the groups of exact rules.
  void fuzzy_block(const std::vector<std::uint32_t>& ls, const std::vector<std::uint32_t>& rs) {
    std::vector<std::vector<std::uint32_t>> right_points;
    right_points.reserve(rs.size());
    for (auto r : rs) right_points.push_back(code_points(m_rights[r].text()));
    std::vector<Link> links;  // left and right as positions in ls and rs
    for (std::size_t i = 0; i < ls.size(); ++i) {
      auto points = code_points(m_lefts[ls[i]].text());
      for (std::size_t j = 0; j < rs.size(); ++j) {
        double s = similarity(m_rule.metric, points, right_points[j]);
        if (s >= m_rule.threshold)
          links.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j), s});
      }
    }
    if (links.empty()) return;
    if (m_allow_many) {
      for (const Link& k : links)
        pair(m_lefts[ls[k.left]].ordinal, m_rights[rs[k.right]].ordinal, k.score);
      return;
    }
    // Union-find over lefts (0..n) and rights (n..n+m).
    std::vector<std::uint32_t> parent(ls.size() + rs.size());
    std::iota(parent.begin(), parent.end(), 0u);
    auto find = [&](std::uint32_t x) {
      while (parent[x] != x) x = parent[x] = parent[parent[x]];
      return x;
    };
    auto n = static_cast<std::uint32_t>(ls.size());
    for (const Link& k : links) parent[find(k.left)] = find(n + k.right);
    std::unordered_map<std::uint32_t, std::vector<Link>> clusters;
    std::vector<std::uint32_t> order;  // clusters in the order of their first link
    for (const Link& k : links) {
      auto root = find(k.left);
      auto& c = clusters[root];
      if (c.empty()) order.push_back(root);
      c.push_back(k);
    }
    for (auto root : order) {
      const auto& c = clusters[root];
      if (c.size() == 1) {
        pair(m_lefts[ls[c[0].left]].ordinal, m_rights[rs[c[0].right]].ordinal, c[0].score);
        continue;
      }
      AmbiguousGroup a{m_index, {}, {}, {}};
      for (const Link& k : c) {
        std::uint32_t l = m_lefts[ls[k.left]].ordinal, r = m_rights[rs[k.right]].ordinal;
        a.lefts.push_back(l);
        a.rights.push_back(r);
        a.links.push_back({l, r, k.score});
      }
      for (auto* v : {&a.lefts, &a.rights}) {
        std::sort(v->begin(), v->end());
        v->erase(std::unique(v->begin(), v->end()), v->end());
      }
      set_aside(std::move(a));
    }
  }

  void pair(std::uint32_t l, std::uint32_t r, double score) {
    if (m_res.left_state[l] == kUnmatched) {
      m_res.left_state[l] = m_state;
      m_res.left_match[l] = r;
    } else {
      m_own.more_matches[l].push_back(r);
    }
    if (m_res.right_state[r] == kUnmatched) m_res.right_state[r] = m_state;
    if (m_rule.fuzzy) m_own.scores[pair_id(l, r)] = score;
    ++m_own.per_rule[m_index].pairs;
  }

  void set_aside(AmbiguousGroup a) {
    for (auto l : a.lefts) m_res.left_state[l] = kAmbiguous;
    for (auto r : a.rights) m_res.right_state[r] = kAmbiguous;
    m_own.per_rule[m_index].ambiguous_left += a.lefts.size();
    m_own.per_rule[m_index].ambiguous_right += a.rights.size();
    m_own.ambiguous.push_back(std::move(a));
  }

  MatchResult& m_res;
  MatchResult& m_own;
  const RuleSpec& m_rule;
  std::size_t m_index;
  std::uint8_t m_state;
  bool m_allow_many;
  large_vector<KeyEntry> m_lefts, m_rights;
  large_vector<Slot> m_slots;
  large_vector<Group> m_groups;
};

void merge(MatchResult& into, MatchResult& from) {
  for (auto& [l, rights] : from.more_matches) into.more_matches[l] = std::move(rights);
  into.scores.insert(from.scores.begin(), from.scores.end());
  for (auto& a : from.ambiguous) into.ambiguous.push_back(std::move(a));
  for (std::size_t i = 0; i < from.per_rule.size(); ++i) {
    into.per_rule[i].pairs += from.per_rule[i].pairs;
    into.per_rule[i].ambiguous_left += from.per_rule[i].ambiguous_left;
    into.per_rule[i].ambiguous_right += from.per_rule[i].ambiguous_right;
  }
}

}  // namespace

std::span<const std::uint32_t> MatchResult::matches_of(std::uint32_t l,
                                                       std::vector<std::uint32_t>& buffer) const {
  std::uint8_t s = left_state[l];
  if (s == kUnmatched || s == kAmbiguous) return {};
  if (more_matches.empty()) return {&left_match[l], 1};
  auto it = more_matches.find(l);
  if (it == more_matches.end()) return {&left_match[l], 1};
  buffer.assign(1, left_match[l]);
  buffer.insert(buffer.end(), it->second.begin(), it->second.end());
  std::sort(buffer.begin(), buffer.end());
  return buffer;
}

double MatchResult::score(std::uint32_t l, std::uint32_t r) const {
  auto it = scores.find(pair_id(l, r));
  return it == scores.end() ? 1.0 : it->second;
}

MatchResult match_sides(const std::vector<RuleSpec>& rules, KeyIndex& left, KeyIndex& right,
                        std::uint32_t left_count, std::uint32_t right_count, bool allow_many) {
  MatchResult res;
  res.left_state.assign(left_count, kUnmatched);
  res.right_state.assign(right_count, kUnmatched);
  res.left_match.assign(left_count, 0);
  res.per_rule.resize(rules.size());
  for (std::size_t i = 0; i < rules.size(); ++i) {
    auto rule = static_cast<std::uint8_t>(i);
    std::size_t count = std::max(left.partitions(), right.partitions());
    // Both sides in memory and many keys: two partitions, matched at once on two threads.
    bool in_memory = count == 1;
    std::size_t threads = in_memory && left.count(rule) + right.count(rule) > kParallelFrom ? 2 : 1;
    if (threads == 2) count = 2;
    std::vector<MatchResult> own(threads);
    std::vector<std::function<void()>> tasks;
    for (std::size_t t = 0; t < threads; ++t) {
      own[t].per_rule.resize(rules.size());
      tasks.emplace_back([&, t] {
        RuleMatcher(res, own[t], rules[i], i, allow_many).run(left, right, t, threads, count);
      });
    }
    run_parallel(tasks);
    for (auto& o : own) merge(res, o);
  }
  std::sort(res.ambiguous.begin(), res.ambiguous.end(),
            [](const AmbiguousGroup& a, const AmbiguousGroup& b) {
              return a.lefts.front() != b.lefts.front() ? a.lefts.front() < b.lefts.front()
                                                        : a.rights.front() < b.rights.front();
            });
  return res;
}

}  // namespace etl::correlate
