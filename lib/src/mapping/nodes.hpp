#pragma once
// The node types of a compiled expression. Internal to lib/.
#include <string>

#include "functions.hpp"

namespace etl::mapping {

class LiteralExpr : public Expr {
 public:
  LiteralExpr(SourcePos p, Datum d) : Expr(p), m_value(std::move(d)) {
    // A string literal is handed out borrowed, so evaluating it allocates nothing.
    if (m_value.type() == Datum::Type::String) {
      m_text = m_value.to_value();
      m_value = Datum::borrow(m_text);
    }
  }
  Datum eval(EvalContext&) const override { return m_value; }
  const Datum* literal() const override { return &m_value; }

 private:
  etl::Value m_text;
  Datum m_value;
};

// A top-level field of the record being read.
class FieldExpr : public Expr {
 public:
  // use: where the run notes whether records held the field (nullptr: not noted).
  FieldExpr(SourcePos p, std::string name, FieldUse* use = nullptr)
      : Expr(p), m_name(std::move(name)), m_use(use) {}
  Datum eval(EvalContext& ctx) const override;
  const std::string* field_name() const override { return &m_name; }
  // out = the field's value, as eval(ctx).store(out) would make it, without a datum between
  // (a mapping that renames fields does little else).
  void copy(EvalContext& ctx, Value& out) const;

 private:
  const Value* find(EvalContext& ctx) const;
  void note_use(EvalContext& ctx, const Value* found) const;

  std::string m_name;
  FieldUse* m_use;
  mutable std::size_t m_place = 0;  // where the last record held it (each mapping copy has its own)
};

// The unnest element, or its 0-based index.
class ItemExpr : public Expr {
 public:
  ItemExpr(SourcePos p, bool index) : Expr(p), m_index(index) {}
  Datum eval(EvalContext& ctx) const override;

 private:
  bool m_index;
};

// base.key
class MemberExpr : public Expr {
 public:
  MemberExpr(SourcePos p, ExprPtr base, std::string key)
      : Expr(p), m_base(std::move(base)), m_key(std::move(key)) {}
  Datum eval(EvalContext& ctx) const override;

 private:
  ExprPtr m_base;
  std::string m_key;
};

// base[index]: an array element (negative counts from the end) or an object member.
class IndexExpr : public Expr {
 public:
  IndexExpr(SourcePos p, ExprPtr base, ExprPtr index)
      : Expr(p), m_base(std::move(base)), m_index(std::move(index)) {}
  Datum eval(EvalContext& ctx) const override;

 private:
  ExprPtr m_base, m_index;
};

class UnaryExpr : public Expr {
 public:
  enum class Op { Negate, Not };
  UnaryExpr(SourcePos p, Op op, ExprPtr operand)
      : Expr(p), m_op(op), m_operand(std::move(operand)) {}
  Datum eval(EvalContext& ctx) const override;

 private:
  Op m_op;
  ExprPtr m_operand;
};

class BinaryExpr : public Expr {
 public:
  enum class Op { Add, Sub, Mul, Div, Mod, Eq, Ne, Lt, Le, Gt, Ge };
  BinaryExpr(SourcePos p, Op op, ExprPtr l, ExprPtr r)
      : Expr(p), m_op(op), m_left(std::move(l)), m_right(std::move(r)) {}
  Datum eval(EvalContext& ctx) const override;

 private:
  Op m_op;
  ExprPtr m_left, m_right;
};

// and / or: short-circuit; null counts as false.
class LogicExpr : public Expr {
 public:
  LogicExpr(SourcePos p, bool is_and, ExprPtr l, ExprPtr r)
      : Expr(p), m_and(is_and), m_left(std::move(l)), m_right(std::move(r)) {}
  Datum eval(EvalContext& ctx) const override;

 private:
  bool m_and;
  ExprPtr m_left, m_right;
};

// if(c, a, b) and c ? a : b. A null condition takes the else branch.
class ConditionalExpr : public Expr {
 public:
  ConditionalExpr(SourcePos p, ExprPtr c, ExprPtr a, ExprPtr b, Branch* then_branch,
                  Branch* else_branch)
      : Expr(p),
        m_cond(std::move(c)),
        m_then(std::move(a)),
        m_else(std::move(b)),
        m_then_branch(then_branch),
        m_else_branch(else_branch) {}
  Datum eval(EvalContext& ctx) const override;

 private:
  ExprPtr m_cond, m_then, m_else;
  Branch* m_then_branch;
  Branch* m_else_branch;
};

// coalesce(a, b, …) and a ?? b: the first argument that is not null.
class CoalesceExpr : public Expr {
 public:
  CoalesceExpr(SourcePos p, std::vector<ExprPtr> args, std::vector<Branch*> branches)
      : Expr(p), m_args(std::move(args)), m_branches(std::move(branches)) {}
  Datum eval(EvalContext& ctx) const override;

 private:
  std::vector<ExprPtr> m_args;
  std::vector<Branch*> m_branches;  // one per argument: "argument i was the first non-null"
};

// A nested field with "required": true; null rejects the record naming its path.
class RequiredExpr : public Expr {
 public:
  RequiredExpr(SourcePos p, std::string path, ExprPtr e)
      : Expr(p), m_path(std::move(path)), m_expr(std::move(e)) {}
  Datum eval(EvalContext& ctx) const override {
    Datum d = m_expr->eval(ctx);
    if (d.is_null()) throw EvalError(fmt::format("'{}' is required but null", m_path));
    return d;
  }

 private:
  std::string m_path;
  ExprPtr m_expr;
};

class CallExpr : public Expr {
 public:
  CallExpr(SourcePos p, CallSite site) : Expr(p), m_site(std::move(site)) {}
  Datum eval(EvalContext& ctx) const override;

 private:
  mutable CallSite m_site;  // holds the reusable argument buffer
};

// A lambda's parameter, by its slot: the number of lambdas around its own (ctx.vars).
class VarExpr : public Expr {
 public:
  VarExpr(SourcePos p, std::size_t slot) : Expr(p), m_slot(slot) {}
  Datum eval(EvalContext& ctx) const override { return ctx.vars[m_slot]; }

 private:
  std::size_t m_slot;
};

// `x -> body`: only ever an argument of a function over arrays, which binds x to each element
// in turn (ctx.vars[slot]) and evaluates the body.
class LambdaExpr : public Expr {
 public:
  LambdaExpr(SourcePos p, std::size_t slot, ExprPtr body)
      : Expr(p), m_slot(slot), m_body(std::move(body)) {}
  Datum eval(EvalContext&) const override;  // an error: the parser lets none be evaluated
  Datum apply(EvalContext& ctx, Datum element) const;

 private:
  std::size_t m_slot;
  ExprPtr m_body;
};

// [a, b, …]
class ArrayLiteralExpr : public Expr {
 public:
  ArrayLiteralExpr(SourcePos p, std::vector<ExprPtr> items) : Expr(p), m_items(std::move(items)) {}
  Datum eval(EvalContext& ctx) const override;

 private:
  std::vector<ExprPtr> m_items;
};

// {name: value, 'odd key': value, …}: members in the order written.
class ObjectLiteralExpr : public Expr {
 public:
  ObjectLiteralExpr(SourcePos p, std::vector<std::pair<std::string, ExprPtr>> members)
      : Expr(p), m_members(std::move(members)) {}
  Datum eval(EvalContext& ctx) const override;

 private:
  std::vector<std::pair<std::string, ExprPtr>> m_members;
};

// x in array, x not in array: whether an element equals x (==). A null array gives null.
class InExpr : public Expr {
 public:
  InExpr(SourcePos p, bool negated, ExprPtr l, ExprPtr r)
      : Expr(p), m_negated(negated), m_left(std::move(l)), m_right(std::move(r)) {}
  Datum eval(EvalContext& ctx) const override;

 private:
  bool m_negated;
  ExprPtr m_left, m_right;
};

// The functions over an array that take a lambda: filter, map, find, any, all, sum, sort_by.
// A null array gives null (any: false, all: true, sum: 0 are for empty arrays only).
class ArrayFnExpr : public Expr {
 public:
  enum class Fn { Filter, Map, Find, Any, All, Sum, SortBy };
  ArrayFnExpr(SourcePos p, Fn fn, ExprPtr array, std::unique_ptr<LambdaExpr> lambda)
      : Expr(p), m_fn(fn), m_array(std::move(array)), m_lambda(std::move(lambda)) {}
  Datum eval(EvalContext& ctx) const override;
  static const char* name(Fn fn);
  // map(filter(a, p), f) and the like run as one pass over a that skips what p drops, instead
  // of copying the kept elements into an array first: when this node's array is such a filter
  // (and this is not sort_by), it takes the filter's array and condition.
  void absorb_filter();

 private:
  Datum sort(EvalContext& ctx, const Datum& array) const;
  Fn m_fn;
  ExprPtr m_array;
  std::unique_ptr<LambdaExpr> m_lambda;  // null for sum(array) of numbers
  std::unique_ptr<LambdaExpr> m_where;   // an absorbed filter's condition
};

// Condition values must be bool or null; anything else is an error, not a guess.
bool truthy(const Datum& d, const char* where);
// A part (member, element) of an array or object datum, borrowed and kept alive with it.
Datum child(const Datum& base, const Value& part);
// The elements of an array datum; throws EvalError naming `what` for anything else.
const std::vector<Value>& array_items(const Datum& d, std::string_view what);

}  // namespace etl::mapping
