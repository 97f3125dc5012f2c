#include "etl/diff/compare.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "etl/error.hpp"
#include "etl/utf8.hpp"

namespace etl::diff {
namespace {

std::string_view trimmed(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// A number, or (under --numeric) a string that holds one, as a decimal.
std::optional<Decimal> number_of(const Value& v, bool strings_too, bool trim) {
  if (v.kind() != Value::Kind::Number && !(strings_too && v.kind() == Value::Kind::String))
    return std::nullopt;
  std::string_view t = v.text();
  if (trim) t = trimmed(t);
  if (v.kind() == Value::Kind::String && !is_json_number(t)) return std::nullopt;
  try {
    return Decimal::parse(t);
  } catch (const DecimalError&) {
    return std::nullopt;  // too many digits: compared as text
  }
}

bool strings_equal(std::string_view a, std::string_view b, const CompareRules& rules) {
  if (rules.trim) {
    a = trimmed(a);
    b = trimmed(b);
  }
  if (a == b) return true;
  return rules.ignore_case && utf8_change_case(a, false) == utf8_change_case(b, false);
}

}  // namespace

void add_tolerance(CompareRules& rules, const std::string& spec) {
  auto eq = spec.find('=');
  std::optional<Decimal> d;
  if (eq != std::string::npos && eq > 0) {
    try {
      d = Decimal::parse(spec.substr(eq + 1));
    } catch (const DecimalError&) {
    }
  }
  if (!d || d->is_negative())
    throw UsageError(
        fmt::format("--tolerance must be FIELD=AMOUNT such as total=0.005, not '{}'", spec));
  rules.tolerance[spec.substr(0, eq)] = *d;
}

bool values_equal(const std::string& field, const Value* a, const Value* b,
                  const CompareRules& rules) {
  if (a == nullptr || b == nullptr) return a == b;
  auto tol = rules.tolerance.find(field);
  bool by_value = rules.numeric || tol != rules.tolerance.end();
  if (by_value) {
    auto x = number_of(*a, rules.numeric, rules.trim);
    auto y = number_of(*b, rules.numeric, rules.trim);
    if (x && y) {
      if (tol == rules.tolerance.end()) return compare(*x, *y) == 0;
      return compare((*x - *y).abs(), tol->second) <= 0;
    }
  }
  if (a->kind() != b->kind()) return false;
  if (a->kind() == Value::Kind::String) return strings_equal(a->text(), b->text(), rules);
  return *a == *b;
}

void diff_records(const Record& old_rec, const Record& new_rec,
                  const std::vector<std::string>& key_fields, const CompareRules& rules,
                  std::vector<FieldChange>& out) {
  out.clear();
  auto is_key = [&](const std::string& f) {
    return std::find(key_fields.begin(), key_fields.end(), f) != key_fields.end();
  };
  const auto& of = old_rec.fields();
  const auto& nf = new_rec.fields();
  for (std::size_t i = 0; i < nf.size(); ++i) {
    const std::string& name = nf[i].key;
    if (is_key(name) || !rules.compares(name)) continue;
    // Both sides usually list their fields in the same order: try the same position first.
    const Value* ov = i < of.size() && of[i].key == name ? &of[i].value : old_rec.find(name);
    if (!values_equal(name, ov, &nf[i].value, rules)) out.push_back({&name, ov, &nf[i].value});
  }
  for (const auto& m : of) {
    if (is_key(m.key) || !rules.compares(m.key) || new_rec.find(m.key) != nullptr) continue;
    out.push_back({&m.key, &m.value, nullptr});
  }
}

}  // namespace etl::diff
