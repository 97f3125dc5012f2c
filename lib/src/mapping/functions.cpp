#include "functions.hpp"

#include <algorithm>

#include "etl/mapping/time_support.hpp"

namespace etl::mapping {

void CallSite::fail(const std::string& message) const {
  throw EvalError(fmt::format("{}(): {}", spec->name, message));
}

void CallSite::wrong_type(std::size_t i, const char* expected) const {
  fail(fmt::format("argument {} must be {}, got {}", i + 1, expected, values[i].describe()));
}

std::string_view CallSite::text(std::size_t i) const {
  if (values[i].type() != Datum::Type::String) wrong_type(i, "a string");
  return values[i].text();
}

Decimal CallSite::number(std::size_t i) const {
  if (values[i].type() != Datum::Type::Number)
    wrong_type(i, values[i].type() == Datum::Type::String
                      ? "a number (convert with decimal() or int())"
                      : "a number");
  return values[i].decimal();
}

std::int64_t CallSite::integer(std::size_t i) const {
  auto v = number(i).to_int64();
  if (!v) wrong_type(i, "a whole number");
  return *v;
}

const TimeValue& CallSite::time(std::size_t i) {
  if (values[i].type() == Datum::Type::String) {
    // An ISO 8601 string is read as a time wherever a time is expected.
    auto t = parse_iso8601(values[i].text(), ZoneSettings{});
    if (!t) wrong_type(i, "a time or an ISO 8601 timestamp");
    values[i] = Datum::time(*t);
  } else if (values[i].type() != Datum::Type::Time) {
    wrong_type(i, "a time");
  }
  return values[i].time_value();
}

const Datum* CallSite::literal_string(std::size_t i, const CompileContext& cc,
                                      const char* what) const {
  if (i >= args.size()) return nullptr;
  const Datum* d = args[i]->literal();
  if (!d || d->type() != Datum::Type::String) {
    cc.error(args[i]->pos(), fmt::format("{}(): {} must be a string literal", spec->name, what));
    return nullptr;
  }
  return d;
}

const FunctionSpec* find_function(std::string_view name) {
  for (auto group : {text_functions(), number_functions(), time_functions(), other_functions(),
                     collection_functions()})
    for (const auto& f : group)
      if (f.name == name) return &f;
  return nullptr;
}

std::vector<std::string> function_names() {
  std::vector<std::string> names{"if",  "coalesce", "filter", "map",    "find",
                                 "any", "all",      "sum",    "sort_by"};
  for (auto group : {text_functions(), number_functions(), time_functions(), other_functions(),
                     collection_functions()})
    for (const auto& f : group) names.emplace_back(f.name);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace etl::mapping
