#pragma once
// Record keys for etl-diff (and anything else that sorts or matches records by key fields).
// A key is encoded as a byte string; compare_keys orders it per field: integers by value,
// before any other text, which is ordered bytewise. So ids 9 < 10 < 100, SKUs "00123" < "A-7",
// and a CSV side's "1001" meets a database side's 1001.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "etl/value.hpp"

namespace etl::diff {

// Builds rec's sort key. Returns the name of the first key field that is missing or null (the
// record has no key), or empty on success. numeric (etl-diff --numeric): a key field that is a
// number, or a string that holds one, is keyed by its value, as --numeric compares values, so
// that 1, 1.0, 1e0 and "1.00" are one key (trailing fractional zeros dropped).
std::string make_key(const Record& rec, const std::vector<std::string>& fields,
                     std::string& sort_key, bool numeric = false);

// Appends one key field given as text (a string, or a number's text) to a sort key: what
// make_key appends for a field holding it.
void append_key_text(std::string& sort_key, std::string_view text, bool numeric = false);

// <0, 0, >0 as a sorts before, with or after b.
int compare_keys(std::string_view a, std::string_view b);

// The first 16 bytes of a key's order, as two integers: when a's prefix is less than b's, a
// sorts before b; when they are equal, compare_keys decides. Sorting on prefixes first keeps
// the comparisons in cache (ids, SKUs and order numbers mostly fit in 15 bytes).
struct KeyPrefix {
  std::uint64_t hi = 0, lo = 0;
  bool operator<(const KeyPrefix& o) const { return hi != o.hi ? hi < o.hi : lo < o.lo; }
  bool operator==(const KeyPrefix& o) const { return hi == o.hi && lo == o.lo; }
};
KeyPrefix key_prefix(std::string_view sort_key);

}  // namespace etl::diff
