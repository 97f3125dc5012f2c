#pragma once
// Compiled expressions of the mapping language: a tree of nodes, built once, evaluated per record.
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "etl/mapping/datum.hpp"
#include "etl/mapping/diagnostics.hpp"
#include "etl/mapping/lookup.hpp"
#include "etl/mapping/time_support.hpp"

namespace etl::mapping {

// What an expression reads while it runs.
struct EvalContext {
  const Record* record = nullptr;  // source record (filter, fields) or output record (validate)
  const Value* item = nullptr;     // the current unnest element
  std::int64_t item_index = 0;
  ZoneSettings zones;
  TimeValue now;
  std::vector<Datum> vars;  // the lambda parameters in scope, innermost last (see LambdaExpr)
};

// One way through a conditional (an if branch, a lookup default, a filter outcome, a validate
// rule failing), counted so `--test` can report the ones no test takes.
struct Branch {
  std::string description;
  SourcePos pos;
  std::uint64_t taken = 0;
};

// A field the expressions read from the input record, and whether any record read held it:
// a name looked up in every record and found in none is most likely misspelt.
struct FieldUse {
  std::string name;
  bool looked = false;
  bool found = false;
  std::vector<std::string> first_miss_fields;  // the fields of the first record that lacked it
};

class Expr {
 public:
  explicit Expr(SourcePos p) : m_pos(p) {}
  virtual ~Expr() = default;
  virtual Datum eval(EvalContext& ctx) const = 0;
  // The constant value of a literal, for arguments that must be known when compiling.
  virtual const Datum* literal() const { return nullptr; }
  // The top-level field a bare field reference reads (its value as it is), else nullptr.
  virtual const std::string* field_name() const { return nullptr; }
  SourcePos pos() const { return m_pos; }

 private:
  SourcePos m_pos;
};

using ExprPtr = std::unique_ptr<Expr>;

// What the compiler knows while it compiles one expression.
struct CompileContext {
  std::string file;
  Diagnostics* diags = nullptr;
  const std::map<std::string, Lookup>* lookups = nullptr;
  std::deque<Branch>* branches = nullptr;
  std::string item_name;  // the unnest element's name; empty without unnest
  // When set, a field that is not one of these is an error (validate reads the output fields).
  const std::vector<std::string>* known_fields = nullptr;
  // Fields of a sample record (--check --sample), for hints on unknown source fields.
  const std::vector<std::string>* sample_fields = nullptr;
  const char* sample_name = "the sample";  // or "the mapping's input" (its "input" declaration)
  // When set, the top-level fields the expression reads are added here (for reject reasons).
  std::vector<std::string>* fields_read = nullptr;
  // When set, every field name any expression reads is added here: what a record must hold.
  std::vector<std::string>* names_read = nullptr;
  // When set, each input field an expression reads has its FieldUse here (deque: nodes keep
  // pointers into it).
  std::deque<FieldUse>* field_uses = nullptr;
  ZoneSettings zones;

  void error(SourcePos pos, std::string message) const {
    diags->error(file, pos, std::move(message));
  }
  Branch* branch(std::string description, SourcePos pos) const;
};

// Compiles the expression in a mapping string node. Reports every error it finds to the
// context's diagnostics and returns nullptr when there was any.
ExprPtr compile_expression(const JsoncNode& node, const CompileContext& cc);
// Compiles text that is not inside a file (positions count from column 1); for tests.
ExprPtr compile_expression_text(const std::string& text, const CompileContext& cc);

// The names of every function, for docs and hints.
std::vector<std::string> function_names();

}  // namespace etl::mapping
