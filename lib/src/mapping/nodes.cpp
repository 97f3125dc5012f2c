#include "nodes.hpp"

namespace etl::mapping {
namespace {

Decimal arithmetic(BinaryExpr::Op op, const Decimal& a, const Decimal& b) {
  switch (op) {
    case BinaryExpr::Op::Add:
      return a + b;
    case BinaryExpr::Op::Sub:
      return a - b;
    case BinaryExpr::Op::Mul:
      return a * b;
    case BinaryExpr::Op::Div:
      return a / b;
    default:
      return a % b;
  }
}

const char* symbol(BinaryExpr::Op op) {
  switch (op) {
    case BinaryExpr::Op::Add:
      return "+";
    case BinaryExpr::Op::Sub:
      return "-";
    case BinaryExpr::Op::Mul:
      return "*";
    case BinaryExpr::Op::Div:
      return "/";
    case BinaryExpr::Op::Mod:
      return "%";
    case BinaryExpr::Op::Eq:
      return "==";
    case BinaryExpr::Op::Ne:
      return "!=";
    case BinaryExpr::Op::Lt:
      return "<";
    case BinaryExpr::Op::Le:
      return "<=";
    case BinaryExpr::Op::Gt:
      return ">";
    case BinaryExpr::Op::Ge:
      return ">=";
  }
  return "?";
}

}  // namespace

Datum child(const Datum& base, const Value& part) {
  return base.keeper() ? Datum::borrow_within(part, base.keeper()) : Datum::borrow(part);
}

bool truthy(const Datum& d, const char* where) {
  if (d.is_null()) return false;
  if (d.type() != Datum::Type::Bool)
    throw EvalError(fmt::format("{} must be true or false, got {}", where, d.describe()));
  return d.as_bool();
}

const Value* FieldExpr::find(EvalContext& ctx) const {
  const Value* v = ctx.record ? ctx.record->find(m_name, m_place) : nullptr;
  if (m_use && !(v && m_use->found && m_use->looked)) note_use(ctx, v);  // (once found: no more)
  return v;
}

// (out of line: find is called for each field read of each record, and this rarely)
[[gnu::noinline]] void FieldExpr::note_use(EvalContext& ctx, const Value* found) const {
  if (found)
    m_use->found = true;
  else if (!m_use->looked && ctx.record)  // once: for the name the records may have instead
    for (const auto& f : ctx.record->fields()) m_use->first_miss_fields.push_back(f.key);
  m_use->looked = true;
}

Datum FieldExpr::eval(EvalContext& ctx) const {
  const Value* v = find(ctx);
  return v ? Datum::borrow(*v) : Datum();
}

void FieldExpr::copy(EvalContext& ctx, Value& out) const {
  const Value* v = find(ctx);
  switch (v ? v->kind() : Value::Kind::Null) {
    case Value::Kind::Null:
      out.set_null();
      break;
    case Value::Kind::Bool:
      out.set_bool(v->as_bool());
      break;
    case Value::Kind::Number:
      out.set_number(v->text());
      break;
    case Value::Kind::String:
      out.set_string(v->text());
      break;
    default:
      out = *v;
  }
}

Datum ItemExpr::eval(EvalContext& ctx) const {
  if (m_index) return Datum::number(Decimal::from_int(ctx.item_index));
  return ctx.item ? Datum::borrow(*ctx.item) : Datum();
}

Datum MemberExpr::eval(EvalContext& ctx) const {
  Datum base = m_base->eval(ctx);
  if (base.is_null()) return base;
  if (base.type() != Datum::Type::Json || base.json_value().kind() != Value::Kind::Object)
    throw EvalError(fmt::format("cannot read .{} of {}", m_key, base.describe()));
  for (const auto& m : base.json_value().members())
    if (m.key == m_key) return child(base, m.value);
  return Datum();
}

Datum IndexExpr::eval(EvalContext& ctx) const {
  Datum base = m_base->eval(ctx);
  if (base.is_null()) return base;
  Datum index = m_index->eval(ctx);
  if (index.is_null()) return index;
  if (base.type() == Datum::Type::Json && base.json_value().kind() == Value::Kind::Array) {
    if (index.type() != Datum::Type::Number)
      throw EvalError("an array index must be a number, got " + index.describe());
    auto i = index.decimal().to_int64();
    if (!i) throw EvalError("an array index must be an integer, got " + index.describe());
    const auto& items = base.json_value().items();
    std::int64_t n = static_cast<std::int64_t>(items.size());
    std::int64_t at = *i < 0 ? n + *i : *i;
    if (at < 0 || at >= n) return Datum();
    return child(base, items[static_cast<std::size_t>(at)]);
  }
  if (base.type() == Datum::Type::Json && index.type() == Datum::Type::String) {
    for (const auto& m : base.json_value().members())
      if (m.key == index.text()) return child(base, m.value);
    return Datum();
  }
  throw EvalError(fmt::format("cannot index {} with {}", base.describe(), index.describe()));
}

Datum UnaryExpr::eval(EvalContext& ctx) const {
  Datum v = m_operand->eval(ctx);
  if (m_op == Op::Not) return Datum::boolean(!truthy(v, "the operand of not"));
  if (v.is_null()) return v;
  if (v.type() != Datum::Type::Number) throw EvalError("cannot negate " + v.describe());
  return Datum::number(-v.decimal());
}

Datum BinaryExpr::eval(EvalContext& ctx) const {
  Datum l = m_left->eval(ctx);
  Datum r = m_right->eval(ctx);
  switch (m_op) {
    case Op::Eq:
      return Datum::boolean(datums_equal(l, r));
    case Op::Ne:
      return Datum::boolean(!datums_equal(l, r));
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge: {
      if (l.is_null() || r.is_null()) return Datum();
      int c = compare_datums(l, r, symbol(m_op));
      bool b = m_op == Op::Lt ? c < 0 : m_op == Op::Le ? c <= 0 : m_op == Op::Gt ? c > 0 : c >= 0;
      return Datum::boolean(b);
    }
    default:
      break;
  }
  if (l.is_null() || r.is_null()) return Datum();
  if (l.type() == Datum::Type::Number && r.type() == Datum::Type::Number) {
    try {
      return Datum::number(arithmetic(m_op, l.decimal(), r.decimal()));
    } catch (const DecimalError& e) {
      throw EvalError(
          fmt::format("{} {} {}: {}", l.describe(), symbol(m_op), r.describe(), e.what()));
    }
  }
  if (m_op == Op::Add && l.type() == Datum::Type::String && r.type() == Datum::Type::String) {
    std::string s(l.text());
    s += r.text();
    return Datum::string(std::move(s));
  }
  const bool mixed = l.type() == Datum::Type::String || r.type() == Datum::Type::String;
  throw EvalError(fmt::format("cannot compute {} {} {}{}", l.describe(), symbol(m_op), r.describe(),
                              mixed ? " (convert with decimal(), int() or string() first)" : ""));
}

Datum LogicExpr::eval(EvalContext& ctx) const {
  bool l = truthy(m_left->eval(ctx), m_and ? "the left side of and" : "the left side of or");
  if (m_and && !l) return Datum::boolean(false);
  if (!m_and && l) return Datum::boolean(true);
  return Datum::boolean(
      truthy(m_right->eval(ctx), m_and ? "the right side of and" : "the right side of or"));
}

Datum ConditionalExpr::eval(EvalContext& ctx) const {
  if (truthy(m_cond->eval(ctx), "the condition")) {
    ++m_then_branch->taken;
    return m_then->eval(ctx);
  }
  ++m_else_branch->taken;
  return m_else->eval(ctx);
}

Datum CoalesceExpr::eval(EvalContext& ctx) const {
  for (std::size_t i = 0; i < m_args.size(); ++i) {
    Datum d = m_args[i]->eval(ctx);
    if (!d.is_null() || i + 1 == m_args.size()) {
      ++m_branches[i]->taken;
      return d;
    }
  }
  return Datum();
}

namespace {
// An argument's value, made where emplace_back puts it: a datum moved just after it was made
// is loaded whole from stores made field by field, which stalls (it was 3% of a map).
struct EvaluatedArg {
  const Expr& expr;
  EvalContext& ctx;
  operator Datum() const { return expr.eval(ctx); }  // NOLINT: implicit on purpose
};
}  // namespace

Datum CallExpr::eval(EvalContext& ctx) const {
  CallSite& s = m_site;
  s.values.clear();
  for (const auto& arg : s.args) {
    s.values.emplace_back(EvaluatedArg{*arg, ctx});
    if (s.spec->propagates_null && s.values.back().is_null()) return Datum();
  }
  return s.spec->impl(s, ctx);
}

}  // namespace etl::mapping
