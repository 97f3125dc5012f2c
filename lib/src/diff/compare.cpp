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

// "YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|±HH[:MM]]": seconds since the epoch of its wall clock, in
// nanoseconds from the second's start, and the offset in minutes when it has one.
struct TimeOfText {
  long long seconds = 0;
  long nanos = 0;
  std::optional<int> offset;
};

int digits(std::string_view s, std::size_t at, std::size_t n) {
  if (at + n > s.size()) return -1;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

long long days_from_civil(int y, int m, int d) {  // H. Hinnant's algorithm
  y -= m <= 2;
  long long era = (y >= 0 ? y : y - 399) / 400;
  long long yoe = y - era * 400;
  long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::optional<TimeOfText> time_of(std::string_view s) {
  int y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || s[4] != '-' || s[7] != '-' ||
      s.size() < 16 || (s[10] != 'T' && s[10] != ' ') || s[13] != ':')
    return std::nullopt;
  int h = digits(s, 11, 2), mi = digits(s, 14, 2), sec = 0;
  if (h < 0 || mi < 0) return std::nullopt;
  std::size_t at = 16;
  TimeOfText t;
  if (at < s.size() && s[at] == ':') {
    if ((sec = digits(s, at + 1, 2)) < 0) return std::nullopt;
    at += 3;
    if (at < s.size() && s[at] == '.') {
      long scale = 100000000;
      for (++at; at < s.size() && s[at] >= '0' && s[at] <= '9'; ++at, scale /= 10)
        if (scale > 0) t.nanos += (s[at] - '0') * scale;
    }
  }
  if (at < s.size()) {
    if (s[at] == 'Z' && at + 1 == s.size()) {
      t.offset = 0;
    } else if (s[at] == '+' || s[at] == '-') {
      int oh = digits(s, at + 1, 2), om = 0;
      if (oh < 0) return std::nullopt;
      std::size_t rest = at + 3;
      if (rest < s.size()) {
        if (s[rest] == ':') ++rest;
        if ((om = digits(s, rest, 2)) < 0 || rest + 2 != s.size()) return std::nullopt;
      }
      t.offset = (s[at] == '-' ? -1 : 1) * (oh * 60 + om);
    } else {
      return std::nullopt;
    }
  }
  t.seconds = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
              (t.offset ? *t.offset * 60LL : 0);
  return t;
}

// Two texts that are both times (see CompareRules::times): equal when they are the same time;
// nullopt when either is not a time. A time with an offset and one without are not equal.
std::optional<bool> same_time(std::string_view a, std::string_view b) {
  auto x = time_of(a), y = time_of(b);
  if (!x || !y) return std::nullopt;
  return x->offset.has_value() == y->offset.has_value() && x->seconds == y->seconds &&
         x->nanos == y->nanos;
}

std::optional<int> as_boolean_number(const Value& v) {
  if (v.kind() == Value::Kind::Bool) return v.as_bool() ? 1 : 0;
  if (v.kind() == Value::Kind::Number && (v.text() == "0" || v.text() == "1"))
    return v.text() == "1" ? 1 : 0;
  return std::nullopt;
}

// JSON's objects have no order (RFC 8259): {"a":1,"b":2} is {"b":2,"a":1}, as PostgreSQL's jsonb
// gives it back. Everything else compares exactly.
bool same_json(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  if (a.kind() == Value::Kind::Array) {
    const auto &x = a.items(), &y = b.items();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!same_json(x[i], y[i])) return false;
    return true;
  }
  if (a.kind() != Value::Kind::Object) return a == b;
  if (a.members().size() != b.members().size()) return false;
  for (const auto& m : a.members()) {
    auto other = std::find_if(b.members().begin(), b.members().end(),
                              [&](const Member& n) { return n.key == m.key; });
    if (other == b.members().end() || !same_json(m.value, other->value)) return false;
  }
  return true;
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
  if (rules.booleans_as_numbers && a->kind() != b->kind()) {
    auto x = as_boolean_number(*a), y = as_boolean_number(*b);
    if (x && y) return *x == *y;
  }
  if (a->kind() != b->kind()) return false;
  if (a->kind() == Value::Kind::String) {
    if (rules.times || rules.time_fields.count(field))
      if (auto same = same_time(a->text(), b->text())) return *same;
    return strings_equal(a->text(), b->text(), rules);
  }
  return same_json(*a, *b);
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
