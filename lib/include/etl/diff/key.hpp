#pragma once
// Record keys for etl-diff (and anything else that sorts or matches records by key fields).
// A key is encoded as a byte string; compare_keys orders it per field: integers by value,
// before any other text, which is ordered bytewise. So ids 9 < 10 < 100, SKUs "00123" < "A-7",
// and a CSV side's "1001" meets a database side's 1001.
#include <string>
#include <string_view>
#include <vector>

#include "etl/value.hpp"

namespace etl::diff {

// Builds rec's sort key and its key as a JSON object ({"id":1001}). Returns the name of the
// first key field that is missing or null (the record has no key), or empty on success.
std::string make_key(const Record& rec, const std::vector<std::string>& fields,
                     std::string& sort_key, std::string& key_json);

// <0, 0, >0 as a sorts before, with or after b.
int compare_keys(std::string_view a, std::string_view b);

}  // namespace etl::diff
