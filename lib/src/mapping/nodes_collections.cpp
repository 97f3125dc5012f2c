// Arrays and objects in expressions: literals, membership, and the functions over arrays that
// take a lambda.
#include <algorithm>

#include "nodes.hpp"

namespace etl::mapping {

const std::vector<Value>& array_items(const Datum& d, std::string_view what) {
  if (d.type() != Datum::Type::Json || d.json_value().kind() != Value::Kind::Array)
    throw EvalError(fmt::format("{} must be an array, got {}", what, d.describe()));
  return d.json_value().items();
}

Datum LambdaExpr::eval(EvalContext&) const {
  throw EvalError("a lambda (x -> …) is only an argument of a function over arrays");
}

Datum LambdaExpr::apply(EvalContext& ctx, Datum element) const {
  if (ctx.vars.size() <= m_slot) ctx.vars.resize(m_slot + 1);
  ctx.vars[m_slot] = std::move(element);
  return m_body->eval(ctx);
}

Datum ArrayLiteralExpr::eval(EvalContext& ctx) const {
  Value out = Value::array();
  out.items().reserve(m_items.size());
  for (const auto& item : m_items) out.items().push_back(item->eval(ctx).to_value());
  return Datum::json(std::move(out));
}

Datum ObjectLiteralExpr::eval(EvalContext& ctx) const {
  Value out = Value::object();
  out.members().reserve(m_members.size());
  for (const auto& [key, value] : m_members)
    out.members().push_back({key, value->eval(ctx).to_value()});
  return Datum::json(std::move(out));
}

Datum InExpr::eval(EvalContext& ctx) const {
  Datum x = m_left->eval(ctx);
  Datum list = m_right->eval(ctx);
  if (list.is_null()) return list;
  const auto& items =
      array_items(list, m_negated ? "the right side of not in" : "the right side of in");
  bool found = std::any_of(items.begin(), items.end(),
                           [&](const Value& v) { return datums_equal(x, child(list, v)); });
  return Datum::boolean(found != m_negated);
}

const char* ArrayFnExpr::name(Fn fn) {
  switch (fn) {
    case Fn::Filter:
      return "filter";
    case Fn::Map:
      return "map";
    case Fn::Find:
      return "find";
    case Fn::Any:
      return "any";
    case Fn::All:
      return "all";
    case Fn::Sum:
      return "sum";
    case Fn::SortBy:
      return "sort_by";
  }
  return "?";
}

void ArrayFnExpr::absorb_filter() {
  auto* filter = dynamic_cast<ArrayFnExpr*>(m_array.get());
  if (m_fn == Fn::SortBy || !filter || filter->m_fn != Fn::Filter || filter->m_where) return;
  m_where = std::move(filter->m_lambda);
  ExprPtr inner = std::move(m_array);  // keeps the filter alive while its array moves out
  m_array = std::move(filter->m_array);
}

Datum ArrayFnExpr::eval(EvalContext& ctx) const {
  Datum array = m_array->eval(ctx);
  if (array.is_null()) return array;
  const auto& items =
      array_items(array, fmt::format("{}(): argument 1", name(m_where ? Fn::Filter : m_fn)));
  if (m_fn == Fn::SortBy) return sort(ctx, array);
  Value out = Value::array();
  Decimal sum;
  for (std::size_t i = 0; i < items.size(); ++i) {
    Datum element = child(array, items[i]);
    if (m_where && !truthy(m_where->apply(ctx, element), "filter()'s condition")) continue;
    Datum result = m_lambda ? m_lambda->apply(ctx, element) : element;
    auto condition = [&] {
      return truthy(result, m_fn == Fn::Filter ? "filter()'s condition"
                            : m_fn == Fn::Find ? "find()'s condition"
                                               : "the condition");
    };
    switch (m_fn) {
      case Fn::Filter:
        if (condition()) out.items().push_back(items[i]);
        break;
      case Fn::Map:
        out.items().push_back(result.to_value());
        break;
      case Fn::Find:
        if (condition()) return element;
        break;
      case Fn::Any:
        if (condition()) return Datum::boolean(true);
        break;
      case Fn::All:
        if (!condition()) return Datum::boolean(false);
        break;
      case Fn::Sum:
        if (result.is_null()) break;  // as SQL's sum and the aggregate's
        if (result.type() != Datum::Type::Number)
          throw EvalError(fmt::format(
              "sum(): element {} gives {}, not a number{}", i, result.describe(),
              result.type() == Datum::Type::String ? " (convert with decimal() or int())" : ""));
        try {
          sum = sum + result.decimal();
        } catch (const DecimalError& e) {
          throw EvalError(fmt::format("sum(): element {}: {}", i, e.what()));
        }
        break;
      case Fn::SortBy:
        break;
    }
  }
  switch (m_fn) {
    case Fn::Find:
      return Datum();
    case Fn::Any:
      return Datum::boolean(false);
    case Fn::All:
      return Datum::boolean(true);
    case Fn::Sum:
      return Datum::number(sum);
    default:
      return Datum::json(std::move(out));
  }
}

// A stable sort by each element's key; null keys first (as jq), keys of types that do not
// order against each other are an error.
Datum ArrayFnExpr::sort(EvalContext& ctx, const Datum& array) const {
  const auto& items = array.json_value().items();
  std::vector<std::pair<Datum, std::size_t>> keys;
  keys.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i)
    keys.emplace_back(m_lambda->apply(ctx, child(array, items[i])), i);
  std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
    if (a.first.is_null() || b.first.is_null()) return a.first.is_null() && !b.first.is_null();
    return compare_datums(a.first, b.first, "sort_by()") < 0;
  });
  Value out = Value::array();
  out.items().reserve(items.size());
  for (const auto& k : keys) out.items().push_back(items[k.second]);
  return Datum::json(std::move(out));
}

}  // namespace etl::mapping
