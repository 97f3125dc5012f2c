#pragma once
// A mapping file compiled into a plan: filter → unnest → fields → validate, run per record.
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "etl/mapping/aggregate.hpp"
#include "etl/mapping/expr.hpp"

namespace etl::mapping {

struct CompileOptions {
  // Top-level field names of a sample record (--check --sample); empty: no sample.
  std::vector<std::string> sample_fields;
};

// One test a mapping carries: an input and what it must become.
struct MappingTest {
  std::string name;
  SourcePos pos;
  std::vector<Record> inputs;  // "input", or several under "inputs" (for aggregate)
  std::vector<Record> output;  // each expected record names the fields it checks
  std::string rejected;        // expected reject reason contains this text
  bool filtered = false;
};

class FieldExpr;

struct FieldPlan {
  std::string name;
  SourcePos pos;
  ExprPtr expr;
  const FieldExpr* copied = nullptr;  // expr, when it reads a field as it is: copied, no datum
  bool required = false;
  // The argument of a sum or avg, which takes its datum rather than the stored number read back
  // (the same decimal, without formatting and parsing it); only_folded: nothing else reads the
  // field, so a number or null is not stored at all.
  bool folded = false;
  bool only_folded = false;
};

struct ValidateRule {
  std::string name;
  SourcePos pos;
  ExprPtr check;      // true when the record passes
  std::string text;   // the rule as written, for the reject reason
  std::string field;  // the field a structured rule checks; empty for an expression rule
  std::vector<std::string> fields_read;  // an expression rule's fields, shown when it fails
  Branch* failed = nullptr;
};

class Mapping {
 public:
  // Reports every error to diags; returns nullptr when there was any.
  static std::unique_ptr<Mapping> compile_file(const std::string& path, Diagnostics& diags,
                                               const CompileOptions& options = {});
  // The text of a mapping file read before (a pipe, -m /dev/stdin, cannot be read twice):
  // messages name path, lookup files are read relative to its directory.
  static std::unique_ptr<Mapping> compile_file_text(const std::string& text,
                                                    const std::string& path, Diagnostics& diags);
  // `file` names the text in messages; lookup files are read relative to `dir`.
  static std::unique_ptr<Mapping> compile_text(const std::string& text, const std::string& file,
                                               const std::string& dir, Diagnostics& diags,
                                               const CompileOptions& options = {});

  struct Output {
    Record record;
    std::string reject_reason;  // empty: the record passed
    bool aggregated = false;    // folded into a group; the group is emitted by finish()
    bool to_aggregate = false;  // with defer_aggregate: mapped, for aggregate() to fold in
    Aggregator::Prepared fold;  // … and what folding it needs: its group, its arguments
    Record scratch;             // reused to build the record with "keep"
  };
  // Runs one input record. Returns false when the filter drops it (or unnest finds nothing);
  // otherwise out[0..count) are the output records, each passed or rejected with a reason.
  bool apply(const Record& in, std::vector<Output>& out, std::size_t& count);

  bool has_aggregate() const { return m_aggregator != nullptr; }
  // Worker threads (--threads) map records with a copy that leaves the folding into groups to
  // the mapping that keeps them, in input order: apply() marks such outputs to_aggregate, and
  // aggregate() folds one in (or rejects it, as apply() would have).
  void defer_aggregate() { m_defer_aggregate = true; }
  void aggregate(Output& out) { aggregate(out, lane_of(out)); }
  // Folding on several threads: the groups are split by their key's hash among `lanes`
  // aggregators, each folded in input order by one thread at a time. lane_of(out) is the one
  // out's group is in; finish() emits all lanes' groups as one aggregator would.
  void fold_in_lanes(unsigned lanes);
  unsigned lanes() const { return 1 + static_cast<unsigned>(m_lanes.size()); }
  unsigned lane_of(const Output& out) const {
    return m_lanes.empty() ? 0 : static_cast<unsigned>((out.fold.hash >> 40) % lanes());
  }
  void aggregate(Output& out, unsigned lane);
  // Readies the cache for aggregate(out) a few outputs later (Aggregator::prefetch).
  void prefetch_group(const Output& out, int stage) const {
    if (out.to_aggregate) lane(lane_of(out)).prefetch(out.fold, stage);
  }
  // The input fields the mapping reads (and some it may not), when a record holding only those
  // maps as the whole record would; nullopt when it passes the input through ("keep").
  std::optional<std::vector<std::string>> fields_read() const;
  // The input fields an expression looked up in the records it ran on and found in none (a
  // misspelt name reads as null in every record), for the run's summary: each with the nearest
  // name the first record that missed it had ("customer" for "custmer"), or "".
  std::vector<std::pair<std::string, std::string>> fields_never_found() const;
  // Adds what a copy of this mapping (a worker's) saw of the fields to this one's.
  void add_field_uses(const Mapping& copy);
  // At the end of input: emits one record per aggregate group (nothing without aggregate).
  void finish(const std::function<void(const Record&)>& emit);
  void set_memory_budget(std::size_t bytes);

  void set_now(const TimeValue& now) { m_now = now; }
  const TimeValue& now() const { return m_now; }
  const std::string& file() const { return m_file; }
  const std::string& name() const { return m_name; }
  const std::vector<std::string>& key() const { return m_key; }
  const std::vector<FieldPlan>& fields() const { return m_fields; }
  // The fields of the records that come out: the fields, or group_by and aggregates.
  const std::vector<std::string>& output_names() const { return m_output_names; }
  const std::vector<MappingTest>& tests() const { return m_tests; }
  std::deque<Branch>& branches() { return m_branches; }

 private:
  Mapping() = default;
  class Compiler;
  void map_one(const Record& in, const Value* item, std::int64_t index, Output& out);
  void pass_through(const Record& in, Output& out);
  void map_field(std::size_t i, EvalContext& ctx, Value& out);
  void prepare_fold(Output& out);

  std::string m_file;
  std::string m_name;
  std::vector<std::string> m_key;
  ZoneSettings m_zones;
  TimeValue m_now;
  std::map<std::string, Lookup> m_lookups;
  std::deque<Branch> m_branches;  // deque: nodes keep pointers into it
  ExprPtr m_filter;
  Branch* m_filter_pass = nullptr;
  Branch* m_filter_drop = nullptr;
  ExprPtr m_unnest;
  Branch* m_unnest_empty = nullptr;
  ExprPtr m_unnest_where;           // which elements make records; null: all of them
  std::vector<std::size_t> m_kept;  // the elements it kept, reused from record to record
  bool m_keep = false;              // "keep": "*": the input's fields pass through
  std::vector<std::string> m_drop;  // … but these
  std::vector<char> m_mapped_used;  // reused by the pass-through
  std::vector<FieldPlan> m_fields;
  std::vector<ValidateRule> m_rules;
  std::vector<MappingTest> m_tests;
  std::vector<std::string> m_output_names;
  std::vector<std::string> m_names_read;  // by any expression (FieldExpr, the only record reader)
  std::deque<FieldUse> m_field_uses;      // the input's fields, as the run found them
  std::vector<AggField> m_agg_fields;
  // Of each aggregate field: the field whose datum its argument is (FieldPlan::folded), or npos.
  std::vector<std::size_t> m_agg_sources;
  std::vector<Datum> m_folded;                       // the folded fields' datums, for this record
  std::vector<const Datum*> m_given;                 // what prepare() takes of them
  std::unique_ptr<Aggregator> m_aggregator;          // lane 0
  std::vector<std::unique_ptr<Aggregator>> m_lanes;  // lanes 1… (fold_in_lanes)
  std::size_t m_budget = 0;                          // set_memory_budget's, for all lanes
  Aggregator& lane(unsigned i) const { return i == 0 ? *m_aggregator : *m_lanes[i - 1]; }
  bool m_defer_aggregate = false;
};

}  // namespace etl::mapping
