#pragma once
// etl-load --children FIELD=TABLE:KEY: each record is a parent row (its fields but the arrays
// named) and, for each named array, rows of a child table: every element with the parent's key
// fields added, so the child's key is the parent's key plus KEY. A parent and its children are
// written together, in one savepoint of the batch's transaction: a child the database refuses
// rejects its parent, with the child named, and nothing of that family is written. Children of
// the parent that the record no longer holds are deleted (an order edited from 4 lines to 3),
// unless --children-mode append. The rules live here once; each database supplies a FamilyTarget.
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "etl/checkpoint.hpp"
#include "etl/connector_options.hpp"
#include "etl/db/table_schema.hpp"
#include "etl/sink.hpp"

namespace etl {

// One --children option: lines=sales_order_lines:line_no (several key fields: line_no,sub_no).
struct ChildSpec {
  std::string field;              // the parent record's array
  std::string table;              // where its elements go
  std::vector<std::string> key;   // the element's own key fields
  std::vector<std::string> full;  // the child table's key: the parent's key, then key
};
ChildSpec parse_child_spec(const std::string& text, const std::vector<std::string>& parent_key);

// What a row statement did, or the database's reason for refusing the row (a constraint).
enum class RowWrite { Inserted, Updated, Unchanged, Missing, Deleted };
struct RowResult {
  RowWrite row = RowWrite::Inserted;
  std::string refused;
};

// A record split into its parent row and each child table's rows (parent key fields first).
struct Family {
  Record parent;
  std::vector<std::vector<Record>> children;  // by --children option
};

// What writing one family did: its parent row, and each child row written or deleted (the
// child table's index, the row's key, what happened), or why the database refused a row.
struct FamilyRows {
  RowWrite parent = RowWrite::Inserted;
  std::vector<std::pair<std::size_t, std::pair<Record, RowWrite>>> rows;
  std::string refused;
};

// The load's tables and rules, for a database that writes a batch at once.
struct FamilyPlan {
  WriteMode mode = WriteMode::Insert;
  bool append = false;
  std::string parent;
  std::vector<std::string> parent_key;
  std::vector<std::string> children;                 // tables
  std::vector<std::vector<std::string>> child_keys;  // each child table's full key
  // A child table is there (or made) once a record had rows for it; until then no record of
  // the load has any, and nothing is written to it or deleted from it.
  std::vector<bool> child_ready;
  bool row_keys = false;  // FamilyRows carry each written child row's key (for --audit)
};

// A database, in the one connection the load runs in. Statements that break a constraint
// answer `refused`; anything else (the connection, the disk) throws.
class FamilyTarget {
 public:
  virtual ~FamilyTarget() = default;  // rolls back what is not committed
  // BEGIN, COMMIT, SAVEPOINT …: the same text in both databases.
  virtual void exec(const std::string& sql) = 0;
  virtual NameRules name_rules() const = 0;  // SQLite's ignore ASCII case; PostgreSQL's are cut
  // Why the database cannot hold one of the row's values as it is, or empty.
  // Why a row of `table` cannot be stored as it is (a value the column would change), or "".
  virtual std::string unstorable_value(const std::string& /*table*/, const Record&) const {
    return "";
  }
  // The table's columns; empty when there is no such table.
  virtual std::vector<std::string> columns(const std::string& table) = 0;
  // parent_table and parent_key: the foreign key of a child table, when not empty.
  virtual void create_table(const std::string& table, const std::vector<ColumnSpec>& columns,
                            const std::vector<std::string>& key, const std::string& parent_table,
                            const std::vector<std::string>& parent_key) = 0;
  virtual void add_column(const std::string& table, const std::string& name, ColumnType type) = 0;
  virtual void empty_table(const std::string& table) = 0;
  virtual RowResult insert(const std::string& table, const Record& row) = 0;
  // Inserted, Updated, or Unchanged when the row held exactly these values (not rewritten).
  virtual RowResult upsert(const std::string& table, const Record& row,
                           const std::vector<std::string>& key) = 0;
  // Updated, or Missing when no row has the key.
  virtual RowResult update(const std::string& table, const Record& row,
                           const std::vector<std::string>& key) = 0;
  virtual RowResult remove(const std::string& table, const Record& key) = 0;
  // The `key` fields of the rows whose fields equal `match`'s.
  virtual std::vector<Record> keys_where(const std::string& table, const Record& match,
                                         const std::vector<std::string>& key) = 0;
  virtual std::optional<CheckpointRow> read_checkpoint(const std::string& name) = 0;
  virtual void store_checkpoint(const std::string& name, const CheckpointRow& row) = 0;
  // A database where a statement costs a round trip writes whole batches instead: every family
  // of a batch has the same field lists (its parent's, and each child table's), and write_batch
  // fills one FamilyRows per family, or answers false when a statement failed (the caller then
  // rolls the batch back and writes it family by family, to find the ones to reject).
  virtual bool writes_batches() const { return false; }
  virtual bool write_batch(const FamilyPlan&, const std::vector<Family>&,
                           std::vector<FamilyRows>&) {
    return false;
  }
};

// Orders key encodings (diff::make_key) as keys compare: "1001" and 1001 are one key.
struct KeyLess {
  bool operator()(const std::string& a, const std::string& b) const;
};

class FamilySink : public Sink {
 public:
  FamilySink(std::unique_ptr<FamilyTarget> target, const ConnectorOptions& o,
             std::size_t default_batch);
  ~FamilySink() override;
  WriteResult write(const Sourced& in) override;
  void commit() override;
  void discard() override { flush_batch(); }  // the destructor rolls the transaction back
  void on_outcome(OutcomeFn fn) override { m_outcome = std::move(fn); }
  void use_checkpoint(Checkpoint& checkpoint) override;
  std::optional<std::uint64_t> committed() const override { return m_committed; }
  std::vector<std::pair<std::string, std::uint64_t>> counts() const override;

 private:
  struct Table {
    std::string name;
    std::vector<std::string> key;
    std::vector<std::string> columns;
    bool grows = false;  // a field without a column adds one
    std::uint64_t inserted = 0, updated = 0, unchanged = 0, deleted = 0;
  };
  std::string split(const Record& r, Family& out) const;
  void prepare_tables(const Family& first);
  std::vector<ColumnSpec> prepare_table(Table& t, const Record& sample, const std::string& schema,
                                        bool& created);
  void make_child_table(std::size_t i, const Family& f);
  std::string ensure_columns(Table& t, const Record& row, const std::string& which);
  WriteResult write_alone(const Family& f);
  FamilyRows write_family(const Family& f);
  void write_children(std::size_t i, const Family& f, FamilyRows& rows);
  WriteResult outcome(const FamilyRows& rows) const;
  WriteResult settle(const FamilyRows& rows);
  // Batches (FamilyTarget::writes_batches)
  bool fits_batch(const Family& f) const;
  void hold(const Sourced& in, Family&& f);
  void flush_batch();
  void commit_batch();
  void count(Table& t, RowWrite w);
  bool one_transaction() const {
    return m_opts.sink.mode == WriteMode::Replace || m_opts.sink.dry_run ||
           m_opts.sink.one_transaction;
  }
  void begin();

  std::unique_ptr<FamilyTarget> m_target;
  ConnectorOptions m_opts;
  std::vector<ChildSpec> m_specs;
  Table m_parent;
  std::vector<Table> m_children;  // by m_specs
  bool m_ready = false;
  bool m_parent_created = false;  // by this load: child tables it makes get the foreign key
  bool m_in_tx = false;
  std::size_t m_in_batch = 0;
  Checkpoint* m_checkpoint = nullptr;
  std::uint64_t m_handed = 0, m_batch_written = 0, m_committed = 0;
  FamilyPlan m_plan;
  OutcomeFn m_outcome;
  std::vector<Family> m_batch;              // held families
  std::vector<Sourced> m_batch_records;     // every record since the batch began, for its outcome
  std::vector<std::size_t> m_batch_family;  // each held family's record
  std::vector<std::pair<std::size_t, WriteResult>> m_batch_decided;  // records rejected early
  std::vector<std::string> m_batch_parent_fields;
  std::vector<std::optional<std::vector<std::string>>> m_batch_child_fields;  // by child table
  std::set<std::string, KeyLess> m_batch_keys;                                // parents' keys
};

}  // namespace etl
