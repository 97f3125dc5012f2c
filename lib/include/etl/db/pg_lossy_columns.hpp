#pragma once
// The columns of a PostgreSQL table that store a value as another without an error:
// - float4 and float8 (binary floating point: 9007199254740993 is 9007199254740992) and
//   numeric(p,s), which rounds to s places (1.005 in numeric(10,2) is 1.01);
// - date, timestamp and timestamptz, which read a day and a month written as numbers before
//   the year (01/02/2026) in the order the server's DateStyle says: January 2 on one server,
//   February 1 on another; and timestamp (without time zone), which drops a zone other than
//   UTC (10:00-05:00 is stored as 10:00).
// The sink refuses such a value rather than let the column change it, or guess.
#include <string>
#include <unordered_map>

#include "etl/value.hpp"

namespace etl {

class PgLossyColumns {
 public:
  // A column of the table, by its type's oid and typmod (pg_attribute); others are ignored.
  void add(const std::string& column, unsigned type_oid, int typmod);
  // Why a field of r would be stored as another value, or "" when none would be.
  std::string changed_value(const Record& r) const;

 private:
  enum class Kind { Float4, Float8, Numeric, Time };
  struct Rule {
    Kind kind;
    int scale = 0;  // numeric's places; a time's digits of a second
    std::string type;
  };
  std::string why_changed(const Member& m, const Rule& rule) const;
  std::string why_time_changed(const Member& m, const Rule& rule) const;
  std::unordered_map<std::string, Rule> m_rules;
};

}  // namespace etl
