#pragma once
// etl-load --changes: applies an etl-diff change set to an existing table, all of it in one
// transaction. add inserts, change updates the changed fields, remove deletes. A change is a plan
// applied exactly: when the row no longer holds what the diff saw, the change is a conflict and
// rejected; when the row already holds the result, it is unchanged, so a second run is a no-op.
// More deletes than --max-deletes (default 10% of the table) refuse the whole change set.
// The rules live here once; each database supplies a ChangeTarget.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "etl/connector_options.hpp"
#include "etl/diff/change_set.hpp"
#include "etl/sink.hpp"

namespace etl {

// One table of a database, inside the transaction the change set runs in.
class ChangeTarget {
 public:
  struct Found {
    std::size_t rows = 0;  // 0, 1, or 2 meaning "more than one"
    Record values;         // the first row's requested columns
  };
  virtual ~ChangeTarget() = default;  // without commit(): rolled back
  virtual bool has_column(const std::string& name) const = 0;
  // Numeric columns compare by value ("10.50" is 10.5); others must be equal exactly.
  virtual bool numeric_column(const std::string& name) const = 0;
  virtual std::uint64_t row_count() = 0;
  virtual Found fetch(const Record& key, const std::vector<const std::string*>& columns) = 0;
  // Each returns the database's reason when the row breaks a constraint, else empty.
  virtual std::string insert(const Record& record) = 0;
  virtual std::string update(const Record& key, const std::vector<diff::FieldUpdate>& updates) = 0;
  virtual std::string remove(const Record& key) = 0;
  virtual void commit() = 0;
};

class ChangeSetSink : public Sink {
 public:
  ChangeSetSink(std::unique_ptr<ChangeTarget> target, const ConnectorOptions& o);
  WriteResult write(const Sourced& in) override;
  void commit() override;
  void discard() override;
  std::vector<std::pair<std::string, std::uint64_t>> counts() const override;
  std::optional<std::uint64_t> committed() const override { return 0; }  // all, or nothing

 private:
  // Throws when the set deletes more than --max-deletes allows, or deletes at all while the
  // side it comes from had records whose key etl-diff could not read.
  void check_deletes() const;
  WriteResult unreadable(const diff::Change& c);
  std::unique_ptr<ChangeTarget> m_target;
  ConnectorOptions m_opts;
  std::uint64_t m_rows_at_start = 0;
  std::uint64_t m_inserted = 0, m_updated = 0, m_deleted = 0, m_unchanged = 0, m_conflicts = 0;
  std::uint64_t m_unreadable = 0, m_deletes_unsafe = 0;
};

}  // namespace etl
