#pragma once
// Compiles one expression and evaluates it over one JSON record, for the expression tests:
// the value as JSON, the record-level error, or the compile diagnostics.
#include <catch2/catch.hpp>
#include <deque>
#include <string>

#include "etl/json.hpp"
#include "etl/mapping/expr.hpp"

namespace etl::test {

struct ExprResult {
  std::string value;    // JSON of the result
  std::string error;    // the record-level error, when evaluation failed
  std::string compile;  // compile diagnostics
};

// cc needs only what the test gives it (lookups, zones); file, diagnostics and branches are
// set here. `now` is what now() returns.
inline ExprResult run_expression(const std::string& expr, const char* record_json,
                                 mapping::CompileContext cc, mapping::TimeValue now = {}) {
  mapping::Diagnostics diags;
  std::deque<mapping::Branch> branches;
  cc.file = "m.json";
  cc.diags = &diags;
  cc.branches = &branches;
  mapping::ExprPtr e = mapping::compile_expression_text(expr, cc);
  ExprResult r;
  if (!e) {
    r.compile = diags.to_text();
    return r;
  }
  Value input;
  REQUIRE_FALSE(parse_json(record_json, input));
  Record rec;
  for (auto& m : input.members()) rec.set(m.key, m.value);
  mapping::EvalContext ctx{&rec, nullptr, 0, cc.zones, now};
  try {
    r.value = to_json(e->eval(ctx).to_value());
  } catch (const mapping::EvalError& err) {
    r.error = err.what();
  }
  return r;
}

}  // namespace etl::test
