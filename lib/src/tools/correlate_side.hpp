#pragma once
// One side of an etl-correlate run: its rules' expressions, compiled for its records, and the
// load that reads the source into a record store and a key index.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "etl/correlate/key_index.hpp"
#include "etl/correlate/record_store.hpp"
#include "etl/correlate/rule.hpp"
#include "etl/formats/csv_reader.hpp"
#include "etl/mapping/expr.hpp"
#include "etl/progress.hpp"
#include "etl/side_rejects.hpp"
#include "etl/tools/correlate.hpp"

namespace etl::tools {

// What a side needs to know of the rules; `xref` is rule 0 when the store is in use.
struct SidePlan {
  std::vector<correlate::RuleSpec> rules;
  bool xref_rule = false;
  std::vector<std::string> block;  // fuzzy rules' blocking key, one expression per part
};

class CorrelateSide {
 public:
  // side: 0 left, 1 right.
  CorrelateSide(std::size_t side, const CorrelateOptions& o, const SidePlan& plan,
                SideRejects& rejects,
                const std::unordered_map<std::string, std::string>* xref_pairs);
  // Reads the whole source into the record store and the key index.
  void load();
  // After this side's load, on its thread: faults in the pages `other` is about to fill, until
  // other's load ends. (Loading 1M orders was a third first touches of pages; the side that
  // finishes first has nothing else to do.)
  void help_load_of(const CorrelateSide& other) const;
  // Shows how far this side's reading got (the left side's, on a terminal).
  void show_progress(Progress* p) { m_progress = p; }

  const std::string& label() const { return m_label; }
  const std::string& address() const { return m_address; }
  std::uint64_t read() const { return m_read; }
  std::uint64_t rejected() const { return m_rejected; }
  correlate::RecordStore& store() const { return *m_store; }
  correlate::KeyIndex& index() const { return *m_index; }
  // The record's id (its key fields' values; an array when several) as JSON.
  void append_id(std::string& out, std::string_view stored) const;
  // The compare expressions, evaluated on a record of this side.
  std::vector<mapping::Datum> compare_values(const Record& r) const;

 private:
  static void refuse_repeats(const std::vector<std::pair<std::string, std::string>>& map);
  // Reads the next record that can take part, with its keys in m_keys (and m_texts): as a
  // record (in), or as the text of a CSV row (m_csv->fields()). Records that cannot take part
  // are rejected and counted.
  enum class Read { End, Record, Row };
  Read next(Sourced& in);
  void open_source();
  void use_rows();
  void row_keys();
  bool make_keys(const Sourced& in, std::string& reason);
  std::vector<mapping::ExprPtr> compile(const std::vector<std::string>& texts, const char* flag);

  std::size_t m_side;
  std::string m_label, m_address;
  const CorrelateOptions& m_opts;
  const SidePlan& m_plan;
  SideRejects& m_rejects;
  const std::unordered_map<std::string, std::string>* m_xref_pairs;
  std::vector<std::string> m_id_fields;
  std::vector<std::vector<mapping::ExprPtr>> m_key_exprs;  // per rule (xref: none)
  std::vector<mapping::ExprPtr> m_text_exprs;              // per rule; fuzzy rules only
  std::vector<mapping::ExprPtr> m_block_exprs;
  std::vector<mapping::ExprPtr> m_compare_exprs;
  std::unique_ptr<correlate::RecordStore> m_store;
  std::unique_ptr<correlate::KeyIndex> m_index;
  std::atomic<bool> m_loaded{false};  // load() returned (or threw)
  std::unique_ptr<Source> m_source;
  // A CSV side whose rules' keys are fields as they are reads its rows as text: once a row has
  // made a whole record, the header's places of the key fields are known (m_row_keys, per
  // rule), and the rows after it are keyed and stored from their fields, with no record made.
  // Rejects, and every row before, go the record way. Other sides are parsed on another core.
  CsvReader* m_csv = nullptr;
  bool m_rows = false, m_rows_decided = false;
  std::vector<std::vector<std::size_t>> m_row_keys;
  Progress* m_progress = nullptr;
  std::uint64_t m_read = 0, m_rejected = 0;
  std::vector<std::string> m_keys, m_texts;  // per rule, for the record being read
  std::vector<bool> m_has_key;
};

}  // namespace etl::tools
