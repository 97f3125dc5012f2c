#include "etl/db/change_set_sink.hpp"

#include <fmt/format.h>

#include <cmath>

#include "etl/error.hpp"
#include "etl/json.hpp"

namespace etl {
namespace {

const diff::CompareRules& rules_for(bool numeric_column) {
  static const diff::CompareRules exact;
  static const diff::CompareRules numeric = [] {
    diff::CompareRules r;
    r.numeric = true;
    return r;
  }();
  return numeric_column ? numeric : exact;
}

std::string shown(const Value* v) {
  return v ? to_json(*v) : "absent";
}

}  // namespace

ChangeSetSink::ChangeSetSink(std::unique_ptr<ChangeTarget> target, const ConnectorOptions& o)
    : m_target(std::move(target)), m_opts(o) {
  m_rows_at_start = m_target->row_count();
}

WriteResult ChangeSetSink::write(const Sourced& in) {
  diff::Change c;
  std::string problem = diff::parse_change(in.record, c);
  if (!problem.empty()) return {WriteOutcome::Rejected, problem};
  if (c.op == diff::ChangeOp::Unreadable) return unreadable(c);
  std::string bad;
  auto check = [&](const std::string& f) {
    if (bad.empty() && !m_target->has_column(f)) bad = f;
  };
  for (const auto& m : c.key.fields()) check(m.key);
  if (c.op != diff::ChangeOp::Change)
    for (const auto& m : c.record.fields()) check(m.key);
  for (const auto& u : c.updates) check(u.field);
  if (!bad.empty())
    return {WriteOutcome::Rejected,
            fmt::format("field '{}' has no column in table '{}'", bad, m_opts.table)};
  std::string key_text = to_json(c.key);
  auto conflict = [&](const std::string& why) {
    ++m_conflicts;
    return WriteResult{WriteOutcome::Rejected,
                       fmt::format("conflict: {} {}: {}", diff::op_name(c.op), key_text, why)};
  };
  auto unchanged = [&] {
    ++m_unchanged;
    return WriteResult{WriteOutcome::Unchanged, ""};
  };
  auto done = [](std::uint64_t& count, const std::string& constraint) {
    if (!constraint.empty()) return WriteResult{WriteOutcome::Rejected, constraint};
    ++count;
    return WriteResult{};
  };
  if (c.op == diff::ChangeOp::Same) return unchanged();
  // The fields to look at: the record's for add and remove, the changed ones for change.
  std::vector<const std::string*> columns;
  if (c.op == diff::ChangeOp::Change) {
    for (const auto& u : c.updates) columns.push_back(&u.field);
  } else {
    for (const auto& m : c.record.fields()) columns.push_back(&m.key);
  }
  ChangeTarget::Found row = m_target->fetch(c.key, columns);
  if (row.rows > 1) return conflict("the key matches more than one row");
  // The first field whose current value is not `want` (nullptr: absent, read as NULL).
  auto first_difference = [&](auto want_of) -> std::string {
    Value null_value;
    for (const auto* col : columns) {
      const Value* want = want_of(*col);
      if (!want) want = &null_value;
      const Value* have = row.values.find(*col);
      if (!diff::values_equal(*col, want, have, rules_for(m_target->numeric_column(*col))))
        return fmt::format("{} is {}, the change set expects {}", *col, shown(have), shown(want));
    }
    return {};
  };
  auto update_of = [&](const std::string& f) -> const diff::FieldUpdate* {
    for (const auto& u : c.updates)
      if (u.field == f) return &u;
    return nullptr;
  };
  switch (c.op) {
    case diff::ChangeOp::Add: {
      if (row.rows == 0) return done(m_inserted, m_target->insert(c.record));
      std::string d = first_difference([&](const std::string& f) { return c.record.find(f); });
      return d.empty() ? unchanged() : conflict("a row with this key exists: " + d);
    }
    case diff::ChangeOp::Change: {
      if (row.rows == 0) return conflict("no row has this key (deleted since the diff?)");
      auto new_of = [&](const std::string& f) -> const Value* {
        const auto* u = update_of(f);
        return u && u->new_value ? &*u->new_value : nullptr;
      };
      auto old_of = [&](const std::string& f) -> const Value* {
        const auto* u = update_of(f);
        return u && u->old_value ? &*u->old_value : nullptr;
      };
      if (first_difference(new_of).empty()) return unchanged();
      std::string drift = first_difference(old_of);
      if (!drift.empty()) return conflict("the row changed since the diff: " + drift);
      return done(m_updated, m_target->update(c.key, c.updates));
    }
    case diff::ChangeOp::Remove: {
      if (row.rows == 0) return unchanged();
      std::string drift = first_difference([&](const std::string& f) { return c.record.find(f); });
      if (!drift.empty()) return conflict("the row changed since the diff: " + drift);
      return done(m_deleted, m_target->remove(c.key));
    }
    case diff::ChangeOp::Same:
    case diff::ChangeOp::Unreadable:
      break;
  }
  return unchanged();
}

// A record etl-diff could not read is not a change: it is rejected, so it is seen and fixed.
WriteResult ChangeSetSink::unreadable(const diff::Change& c) {
  ++m_unreadable;
  std::string what =
      fmt::format("etl-diff could not read {}'s record at {} ({})", c.side, c.where, c.reason);
  if (!c.key.empty())
    return {
        WriteOutcome::Rejected,
        fmt::format("{}: key {} was not compared; its row is left as it is", what, to_json(c.key))};
  if (c.deletes_unsafe) ++m_deletes_unsafe;
  return {WriteOutcome::Rejected,
          fmt::format("{}, nor its key{}", what,
                      c.deletes_unsafe ? ": the change set may not delete rows" : "")};
}

void ChangeSetSink::commit() {
  check_deletes();
  m_target->commit();
}

// A dry run is refused as the real run would be (the destructor rolls the changes back).
void ChangeSetSink::discard() {
  check_deletes();
}

void ChangeSetSink::check_deletes() const {
  std::uint64_t allowed = m_opts.sink.max_deletes_percent
                              ? static_cast<std::uint64_t>(
                                    std::floor(static_cast<double>(m_rows_at_start) *
                                               static_cast<double>(m_opts.sink.max_deletes) / 100))
                              : m_opts.sink.max_deletes;
  if (m_deleted > allowed)
    throw DataError(fmt::format(
        "the change set deletes {} of the {} rows of '{}', more than --max-deletes {}{} allows; "
        "nothing was applied (raise --max-deletes to allow it)",
        m_deleted, m_rows_at_start, m_opts.table, m_opts.sink.max_deletes,
        m_opts.sink.max_deletes_percent ? "%" : ""));
  if (m_deleted > 0 && m_deletes_unsafe > 0 && !m_opts.sink.delete_despite_unreadable)
    throw DataError(fmt::format(
        "the change set deletes {} rows of '{}', but etl-diff could not read the key of {} "
        "records of the side it comes from: a row it deletes may be one of them; nothing was "
        "applied (fix those records and diff again, or --delete-despite-unreadable)",
        m_deleted, m_opts.table, m_deletes_unsafe));
}

std::vector<std::pair<std::string, std::uint64_t>> ChangeSetSink::counts() const {
  std::vector<std::pair<std::string, std::uint64_t>> out = {{"inserted", m_inserted},
                                                            {"updated", m_updated},
                                                            {"deleted", m_deleted},
                                                            {"unchanged", m_unchanged},
                                                            {"conflicts", m_conflicts}};
  if (m_unreadable > 0) out.emplace_back("unreadable", m_unreadable);
  return out;
}

}  // namespace etl
