#include "etl/db/pg_lossy_columns.hpp"

#include <fmt/format.h>

#include "etl/db/sql_number.hpp"
#include "etl/db/time_text.hpp"

namespace etl {
namespace {

constexpr unsigned kFloat4 = 700, kFloat8 = 701, kNumeric = 1700;
constexpr unsigned kDate = 1082, kTimestamp = 1114, kTimestampTz = 1184, kTime = 1083,
                   kTimeTz = 1266;

}  // namespace

void PgLossyColumns::add(const std::string& column, unsigned type_oid, int typmod) {
  if (type_oid == kFloat4) {
    m_rules[column] = {Kind::Float4, 0, "real"};
  } else if (type_oid == kFloat8) {
    m_rules[column] = {Kind::Float8, 0, "double precision"};
  } else if (type_oid == kDate || type_oid == kTimestamp || type_oid == kTimestampTz ||
             type_oid == kTime || type_oid == kTimeTz) {
    // The scale: the digits of a second kept (timestamp(3)), 6 without one.
    m_rules[column] = {Kind::Time, typmod >= 0 ? typmod : 6,
                       type_oid == kDate        ? "date"
                       : type_oid == kTimestamp ? "timestamp"
                       : type_oid == kTime      ? "time"
                       : type_oid == kTimeTz    ? "timetz"
                                                : "timestamptz"};
  } else if (type_oid == kNumeric && typmod >= 4) {  // numeric(p,s); without typmod: exact
    int precision = ((typmod - 4) >> 16) & 0xffff;
    int scale = (((typmod - 4) & 0x7ff) ^ 1024) - 1024;  // (negative since PostgreSQL 15)
    m_rules[column] = {Kind::Numeric, scale, fmt::format("numeric({},{})", precision, scale)};
  }
}

std::string PgLossyColumns::changed_value(const Record& r) const {
  if (m_rules.empty()) return {};
  for (const auto& m : r.fields()) {
    auto at = m_rules.find(m.key);
    if (at == m_rules.end()) continue;
    if (std::string why = why_changed(m, at->second); !why.empty()) return why;
  }
  return {};
}

std::string PgLossyColumns::why_time_changed(const Member& m, const Rule& rule) const {
  const Value& v = m.value;
  if (v.kind() != Value::Kind::String) return {};
  if (day_month_order_unknown(v.text()))
    return fmt::format(
        "field '{}': column '{}' ({}): {}", m.key, m.key, rule.type,
        date_order_refusal(v.text(), "month or day first, as the server's DateStyle says"));
  if (std::size_t places = second_fraction_places(v.text());
      rule.type != "date" && places > static_cast<std::size_t>(rule.scale))
    return fmt::format(
        "field '{}': column '{}' ({}) keeps {} digits of a second: it would round "
        "'{}'",
        m.key, m.key, rule.type, rule.scale, v.text());
  std::string_view zone = rule.type == "timestamp" ? zone_not_utc(v.text()) : std::string_view();
  if (zone.empty()) return {};
  return fmt::format(
      "field '{}': column '{}' (timestamp) has no time zone: PostgreSQL would drop the {} of "
      "'{}' and keep the clock time; give it in UTC (a mapping's to_zone(x, 'UTC')) or make "
      "the column timestamptz",
      m.key, m.key, zone, v.text());
}

// (A number too large for the type is the server's error: loud already.)
std::string PgLossyColumns::why_changed(const Member& m, const Rule& rule) const {
  const Value& v = m.value;
  if (rule.kind == Kind::Time) return why_time_changed(m, rule);
  if (v.kind() != Value::Kind::Number && v.kind() != Value::Kind::String) return {};
  if (!is_sql_number(v.text())) return {};
  if (rule.kind == Kind::Numeric) {
    auto point = v.text().find('.');  // (most values: as few places as the scale, no exponent)
    std::size_t places = point == std::string::npos ? 0 : v.text().size() - point - 1;
    if (short_decimal(v.text(), 15) && static_cast<long long>(places) <= rule.scale) return {};
    if (last_digit_exponent(number_value_form(v.text())) >= -rule.scale) return {};
    std::string to = rule.scale >= 0 ? fmt::format("{} places", rule.scale)
                                     : "a multiple of 1" + std::string(-rule.scale, '0');
    return fmt::format("field '{}': column '{}' ({}) would round {} to {}", m.key, m.key, rule.type,
                       v.text(), to);
  }
  auto stored = float_changes(v.text(), rule.kind == Kind::Float4 ? 4 : 8);
  if (!stored) return {};
  return fmt::format("field '{}': column '{}' ({}) would store {} as {}", m.key, m.key, rule.type,
                     v.text(), *stored);
}

}  // namespace etl
