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

// parse_number(s, style): the style is an example of how the numbers are written, '1,234.56',
// '1.234,56', '1 234,56', "1'234.56" or '1234,56': its marks, known when the mapping compiles.
void prepare_number_style(CallSite& c, const CompileContext& cc) {
  const Datum* style = c.literal_string(1, cc, "the number style");
  if (!style) return;
  std::string_view s = style->text();
  auto mark = [](char m) { return m == '.' || m == ','; };
  auto group = [](char m) { return m == ',' || m == '.' || m == ' ' || m == '\''; };
  if (s.size() == 7 && s.compare(0, 4, "1234") == 0 && mark(s[4]) && s.compare(5, 2, "56") == 0) {
    c.decimal_mark = s[4];
    return;
  }
  if (s.size() == 8 && s[0] == '1' && group(s[1]) && s.compare(2, 3, "234") == 0 && mark(s[5]) &&
      s[1] != s[5] && s.compare(6, 2, "56") == 0) {
    c.group_mark = s[1];
    c.decimal_mark = s[5];
    return;
  }
  cc.error(c.args[1]->pos(),
           fmt::format("parse_number(): the style '{}' is not one of '1,234.56', '1.234,56', "
                       "'1 234,56', \"1'234.56\", '1234.56' or '1234,56'",
                       s));
}

// The group mark's bytes at p (a space style takes U+00A0 and U+202F too), or 0.
std::size_t group_mark_at(std::string_view s, std::size_t p, char mark) {
  if (p >= s.size() || mark == 0) return 0;
  if (s[p] == mark) return 1;
  if (mark != ' ') return 0;
  if (s.compare(p, 2, "\xC2\xA0") == 0) return 2;
  if (s.compare(p, 3, "\xE2\x80\xAF") == 0) return 3;
  return 0;
}

// "-1.234,50" in style '1.234,56' is -1234.50. Strict: a sign only in front, digit groups of
// three after the first (of one to three) or none at all, digits after the decimal mark; anything
// else (a currency, a space around, "1.23,4") rejects rather than guess.
Datum fn_parse_number(CallSite& c, EvalContext&) {
  std::string_view s = c.text(0);
  std::string plain;
  std::size_t p = 0;
  if (p < s.size() && (s[p] == '-' || s[p] == '+')) plain.push_back(s[p++]);
  auto digits = [&] {
    std::size_t from = p;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9') plain.push_back(s[p++]);
    return p - from;
  };
  std::size_t first = digits();
  bool ok = first > 0;
  for (std::size_t g; ok && (g = group_mark_at(s, p, c.group_mark)) > 0;) {
    p += g;
    ok = first <= 3 && digits() == 3;
  }
  if (ok && p < s.size() && s[p] == c.decimal_mark) {
    ++p;
    plain.push_back('.');
    ok = digits() > 0;
  }
  if (!ok || p != s.size())
    c.fail(fmt::format("{} is not a number written as '{}'", c.arg(0).describe(),
                       c.group_mark ? fmt::format("1{}234{}56", c.group_mark, c.decimal_mark)
                                    : fmt::format("1234{}56", c.decimal_mark)));
  return decimal_result(c, [&] {
    auto value = Decimal::parse(plain);  // (the grammar above is Decimal's: never empty)
    if (!value) c.fail(fmt::format("{} is not a number", c.arg(0).describe()));
    return *value;
  });
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
    {"sum_of", 2, 3, true, fn_sum_of, nullptr},
    {"decimal", 1, 2, true, fn_decimal, nullptr},
    {"int", 1, 1, true, fn_int, nullptr},
    {"round", 1, 3, true, fn_round, prepare_rounding},
    {"floor", 1, 1, true, fn_floor, nullptr},
    {"ceil", 1, 1, true, fn_ceil, nullptr},
    {"abs", 1, 1, true, fn_abs, nullptr},
    {"min", 1, -1, true, fn_min, nullptr},
    {"max", 1, -1, true, fn_max, nullptr},
    {"parse_number", 2, 2, true, fn_parse_number, prepare_number_style},
};

}  // namespace

std::span<const FunctionSpec> number_functions() {
  return kNumberFunctions;
}

}  // namespace etl::mapping
