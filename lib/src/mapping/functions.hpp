#pragma once
// The function library of the mapping language: one table of specs, implemented by topic in
// functions_*.cpp. Internal to lib/.
#include <fmt/format.h>

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "etl/mapping/expr.hpp"

namespace re2 {
class RE2;
}

namespace etl::mapping {

struct CallSite;
using FunctionImpl = Datum (*)(CallSite& call, EvalContext& ctx);
using FunctionPrepare = void (*)(CallSite& call, const CompileContext& cc);

struct FunctionSpec {
  std::string_view name;
  int min_args;
  int max_args;          // -1: any number
  bool propagates_null;  // a null argument makes the result null without calling impl
  FunctionImpl impl;
  FunctionPrepare prepare;  // checks arguments that must be known at compile time; may be null
};

// One call in a compiled expression, with what was resolved when it was compiled.
struct CallSite {
  const FunctionSpec* spec = nullptr;
  SourcePos pos;
  std::vector<ExprPtr> args;
  std::vector<Datum> values;  // the evaluated arguments; reused from record to record
  std::shared_ptr<re2::RE2> regex;
  const Lookup* lookup = nullptr;
  Branch* hit = nullptr;
  Branch* miss = nullptr;
  const date::time_zone* zone = nullptr;
  RoundingMode rounding = RoundingMode::HalfEven;
  // parse_number(): the style's decimal mark and digit group mark (0: no groups; ' ': any space)
  char decimal_mark = '.';
  char group_mark = 0;

  std::size_t count() const { return values.size(); }
  const Datum& arg(std::size_t i) const { return values[i]; }
  [[noreturn]] void fail(const std::string& message) const;
  [[noreturn]] void wrong_type(std::size_t i, const char* expected) const;
  std::string_view text(std::size_t i) const;
  Decimal number(std::size_t i) const;
  std::int64_t integer(std::size_t i) const;
  const TimeValue& time(std::size_t i);  // also reads an ISO 8601 string
  // The literal string of argument i at compile time, or nullptr (and an error) when it is not.
  const Datum* literal_string(std::size_t i, const CompileContext& cc, const char* what) const;
};

std::span<const FunctionSpec> text_functions();
std::span<const FunctionSpec> number_functions();
std::span<const FunctionSpec> time_functions();
std::span<const FunctionSpec> other_functions();
std::span<const FunctionSpec> collection_functions();
// nullptr when there is no such function.
const FunctionSpec* find_function(std::string_view name);

}  // namespace etl::mapping
