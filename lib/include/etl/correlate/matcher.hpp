#pragma once
// Pairs the records of two sides rule by rule. A rule sees only the records no earlier rule
// matched (with allow_many, right records stay available: one customer, many orders). Under
// a rule, records with equal keys form a group; a group of one left and one right record is a
// pair; a larger group is ambiguous (all its records are set aside) unless allow_many, when
// every left is paired with every right. A fuzzy rule compares the texts of every left and
// right record of a block (records with equal blocking keys) and links those that score at
// least its threshold; each linked cluster is then judged like a group.
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "etl/arena.hpp"
#include "etl/correlate/key_index.hpp"
#include "etl/correlate/rule.hpp"

namespace etl::correlate {

inline constexpr std::uint8_t kUnmatched = 0;
inline constexpr std::uint8_t kAmbiguous = 0xFF;

struct Link {
  std::uint32_t left, right;
  double score;  // 1 for exact rules
};

struct AmbiguousGroup {
  std::size_t rule;
  std::vector<std::uint32_t> lefts, rights;
  std::vector<Link> links;  // fuzzy rules: which pairs scored what
};

struct RuleCounts {
  std::uint64_t pairs = 0, ambiguous_left = 0, ambiguous_right = 0;
};

struct MatchResult {
  // Per record: kUnmatched, kAmbiguous, or 1 + the rule that matched it.
  large_vector<std::uint8_t> left_state, right_state;
  large_vector<std::uint32_t> left_match;  // a matched left's (first) right record
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> more_matches;  // allow_many
  std::unordered_map<std::uint64_t, double> scores;  // (left << 32 | right) → fuzzy score
  std::vector<AmbiguousGroup> ambiguous;             // in the order of their first left record
  std::vector<RuleCounts> per_rule;

  // The right records left record l is paired with, in input order (buffer may hold them).
  std::span<const std::uint32_t> matches_of(std::uint32_t l,
                                            std::vector<std::uint32_t>& buffer) const;
  double score(std::uint32_t l, std::uint32_t r) const;
};

MatchResult match_sides(const std::vector<RuleSpec>& rules, KeyIndex& left, KeyIndex& right,
                        std::uint32_t left_count, std::uint32_t right_count, bool allow_many);

}  // namespace etl::correlate
