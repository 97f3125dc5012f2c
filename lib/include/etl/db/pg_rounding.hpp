#pragma once
// The columns of a PostgreSQL table that store a number as another without an error: float4 and
// float8 (binary floating point: 9007199254740993 is 9007199254740992) and numeric(p,s), which
// rounds to s places (1.005 in numeric(10,2) is 1.01). The sink refuses such a value rather
// than let the column change it.
#include <string>
#include <unordered_map>

#include "etl/value.hpp"

namespace etl {

class PgRoundingColumns {
 public:
  // A column of the table, by its type's oid and typmod (pg_attribute); others are ignored.
  void add(const std::string& column, unsigned type_oid, int typmod);
  // Why a field of r would be stored as another number, or "" when none would be.
  std::string changed_number(const Record& r) const;

 private:
  enum class Kind { Float4, Float8, Numeric };
  struct Rule {
    Kind kind;
    int scale = 0;  // numeric's
    std::string type;
  };
  std::string why_changed(const Member& m, const Rule& rule) const;
  std::unordered_map<std::string, Rule> m_rules;
};

}  // namespace etl
