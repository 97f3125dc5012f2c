// Number functions and the numeric casts. All arithmetic is exact decimal arithmetic.
#include "functions.hpp"

namespace etl::mapping {
namespace {

template <typename Compute>
Datum decimal_result(CallSite& c, Compute compute) {
  try {
    return Datum::number(compute());
  } catch (const DecimalError& e) {
    c.fail(e.what());
  }
}

// Strict: "19.99", "-3", "1e3"; never " 19.99" or "19,99" (that would be a guess).
Decimal to_decimal(CallSite& c, std::size_t i) {
  const Datum& d = c.arg(i);
  if (d.type() == Datum::Type::Number) return d.decimal();
  if (d.type() == Datum::Type::String) {
    try {
      if (auto v = Decimal::parse(d.text())) return *v;
    } catch (const DecimalError& e) {
      c.fail(fmt::format("{}: {}", d.describe(), e.what()));
    }
    c.fail(fmt::format("cannot convert {} to a number", d.describe()));
  }
  c.wrong_type(i, "a number or a numeric string");
}

void prepare_rounding(CallSite& c, const CompileContext& cc) {
  std::size_t at = c.spec->name == "round" ? 2 : 99;
  if (at >= c.args.size()) return;
  const Datum* mode = c.literal_string(at, cc, "the rounding mode");
  if (!mode) return;
  auto m = parse_rounding_mode(mode->text());
  if (!m)
    cc.error(c.args[at]->pos(),
             fmt::format("round(): unknown rounding mode '{}' (use half_even, half_up, half_down, "
                         "down, up, floor or ceiling)",
                         mode->text()));
  else
    c.rounding = *m;
}

std::int64_t places(CallSite& c, std::size_t i) {
  std::int64_t p = c.integer(i);
  if (p < -38 || p > Decimal::kMaxScale)
    c.fail(fmt::format("{} decimal places is out of range (-38 to 76)", p));
  return p;
}

Datum fn_decimal(CallSite& c, EvalContext&) {
  Decimal d = to_decimal(c, 0);
  if (c.count() < 2) return Datum::number(d);
  int scale = static_cast<int>(places(c, 1));
  if (scale < 0) c.fail("the scale must not be negative");
  return decimal_result(c, [&] { return d.round(scale); });
}

Datum fn_int(CallSite& c, EvalContext&) {
  Decimal d = to_decimal(c, 0);
  auto v = d.to_int64();
  if (!v) {
    if (!d.is_integer())
      c.fail(fmt::format("{} is not a whole number (round it first)", c.arg(0).describe()));
    c.fail(fmt::format("{} does not fit a 64-bit integer", c.arg(0).describe()));
  }
  return Datum::number(Decimal::from_int(*v));
}

Datum fn_round(CallSite& c, EvalContext&) {
  Decimal d = c.number(0);
  int p = c.count() > 1 ? static_cast<int>(places(c, 1)) : 0;
  return decimal_result(c, [&] { return d.round(p, c.rounding); });
}
Datum fn_floor(CallSite& c, EvalContext&) {
  Decimal d = c.number(0);
  return decimal_result(c, [&] { return d.round(0, RoundingMode::Floor); });
}
Datum fn_ceil(CallSite& c, EvalContext&) {
  Decimal d = c.number(0);
  return decimal_result(c, [&] { return d.round(0, RoundingMode::Ceiling); });
}
Datum fn_abs(CallSite& c, EvalContext&) {
  return Datum::number(c.number(0).abs());
}

Datum extreme(CallSite& c, bool want_max) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < c.count(); ++i) {
    int cmp = compare_datums(c.arg(i), c.arg(best), want_max ? "max" : "min");
    if (want_max ? cmp > 0 : cmp < 0) best = i;
  }
  return c.arg(best);
}
Datum fn_min(CallSite& c, EvalContext&) {
  return extreme(c, false);
}
Datum fn_max(CallSite& c, EvalContext&) {
  return extreme(c, true);
}

Decimal element_number(CallSite& c, const Value& element, std::string_view field,
                       std::size_t index) {
  const Value* v = nullptr;
  for (const auto& m : element.members())
    if (m.key == field) v = &m.value;
  if (!v || (v->kind() != Value::Kind::Number && v->kind() != Value::Kind::String))
    c.fail(fmt::format("element {} has no number '{}'", index, field));
  try {
    if (auto d = Decimal::parse(v->text())) return *d;
  } catch (const DecimalError& e) {
    c.fail(fmt::format("element {}: {}", index, e.what()));
  }
  c.fail(fmt::format("element {}: '{}' is not a number: {}", index, field, v->text()));
}

// sum_of(items, 'amount') or sum_of(items, 'quantity', 'price'): the exact sum over an array of
// objects of one field, or of the product of two (line totals). Numeric strings are read strictly.
Datum fn_sum_of(CallSite& c, EvalContext&) {
  if (c.arg(0).type() != Datum::Type::Json || c.arg(0).json_value().kind() != Value::Kind::Array)
    c.wrong_type(0, "an array");
  std::string_view a = c.text(1);
  std::string_view b = c.count() > 2 ? c.text(2) : std::string_view();
  Decimal sum;
  const auto& items = c.arg(0).json_value().items();
  return decimal_result(c, [&] {
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (items[i].kind() != Value::Kind::Object)
        c.fail(fmt::format("element {} is not an object", i));
      Decimal term = element_number(c, items[i], a, i);
      if (!b.empty()) term = term * element_number(c, items[i], b, i);
      sum = sum + term;
    }
    return sum;
  });
}

const FunctionSpec kNumberFunctions[] = {
    {"sum_of", 2, 3, true, fn_sum_of, nullptr}, {"decimal", 1, 2, true, fn_decimal, nullptr},
    {"int", 1, 1, true, fn_int, nullptr},       {"round", 1, 3, true, fn_round, prepare_rounding},
    {"floor", 1, 1, true, fn_floor, nullptr},   {"ceil", 1, 1, true, fn_ceil, nullptr},
    {"abs", 1, 1, true, fn_abs, nullptr},       {"min", 1, -1, true, fn_min, nullptr},
    {"max", 1, -1, true, fn_max, nullptr},
};

}  // namespace

std::span<const FunctionSpec> number_functions() {
  return kNumberFunctions;
}

}  // namespace etl::mapping
