#pragma once
// String similarity scores between 0 (nothing alike) and 1 (equal), over Unicode code points so
// that "Müller" and "Muller" differ by one letter, not two bytes.
#include <cstdint>
#include <string_view>
#include <vector>

#include "etl/correlate/rule.hpp"

namespace etl::correlate {

// The code points of valid UTF-8 (an invalid byte counts as one code point of its own).
std::vector<std::uint32_t> code_points(std::string_view s);

// Jaro-Winkler: Jaro similarity boosted by a common prefix of up to 4 (scaling 0.1).
double jaro_winkler(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b);
// Insertions, deletions and substitutions from a to b (Levenshtein).
std::size_t edit_distance(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b);
// 1 - edit distance / length of the longer string.
double levenshtein_ratio(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b);

double similarity(Metric m, const std::vector<std::uint32_t>& a,
                  const std::vector<std::uint32_t>& b);

}  // namespace etl::correlate
