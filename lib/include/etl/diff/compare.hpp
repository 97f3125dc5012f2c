#pragma once
// When two values of a field count as equal: exactly (the default: same type and the same text,
// so 10.0 differs from 10), or by the rules of --numeric, --tolerance, --trim and --ignore-case.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "etl/decimal.hpp"
#include "etl/value.hpp"

namespace etl::diff {

struct CompareRules {
  std::set<std::string> ignore;              // fields never compared
  std::set<std::string> only;                // when set, the only fields compared
  bool numeric = false;                      // numbers (and number-like strings) by value
  std::map<std::string, Decimal> tolerance;  // field -> largest difference that is still equal
  bool trim = false;                         // strings without surrounding white space
  bool ignore_case = false;                  // strings by Unicode lower case
  // ISO 8601 times as times: "2024-03-01 10:00:00" = "2024-03-01T10:00:00.000", and times with
  // an offset as instants ("…Z" = "…+00:00" = "…+01:00" an hour later)
  bool times = false;
  std::set<std::string> time_fields;  // --time F, and the sides' time columns: these as times
  bool booleans_as_numbers = false;   // true = 1 and false = 0 (SQLite has no booleans)

  bool compares(const std::string& field) const {
    return ignore.count(field) == 0 && (only.empty() || only.count(field) > 0);
  }
};

// Parses "FIELD=0.005" into rules.tolerance; throws UsageError naming the flag.
void add_tolerance(CompareRules& rules, const std::string& spec);

// a or b is null when the field is absent on that side; absent differs from null.
bool values_equal(const std::string& field, const Value* a, const Value* b,
                  const CompareRules& rules);

struct FieldChange {
  const std::string* field;
  const Value* old_value;  // nullptr: absent on the old side
  const Value* new_value;  // nullptr: absent on the new side
};

// The compared fields (not the key fields) where old and new differ: new's fields in its order,
// then fields only old has. The pointers point into old and new.
void diff_records(const Record& old_rec, const Record& new_rec,
                  const std::vector<std::string>& key_fields, const CompareRules& rules,
                  std::vector<FieldChange>& out);

}  // namespace etl::diff
