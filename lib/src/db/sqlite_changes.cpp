#include <fmt/format.h>
#include <sqlite3.h>

#include <cmath>

#include "etl/db/sqlite.hpp"
#include "etl/diff/change_set.hpp"
#include "etl/error.hpp"
#include "etl/json.hpp"

namespace etl {
namespace {

// In a numeric column a value is compared by value, not by spelling: a CSV side's "10.50" is
// the column's 10.5. Elsewhere values must be exactly equal.
const diff::CompareRules& rules_for(ColumnKind kind) {
  static const diff::CompareRules exact;
  static const diff::CompareRules numeric = [] {
    diff::CompareRules r;
    r.numeric = true;
    return r;
  }();
  return kind == ColumnKind::Numeric ? numeric : exact;
}

std::string shown(const Value* v) {
  return v ? to_json(*v) : "absent";
}

}  // namespace

SqliteChangeSink::SqliteChangeSink(const std::string& path, const ConnectorOptions& o)
    : m_db(path, false), m_opts(o) {
  if (o.table.empty()) throw UsageError("a sqlite destination needs --table");
  m_table = quote_identifier(o.table);
  sqlite3_stmt* info = m_db.prepare("SELECT name, type FROM pragma_table_info(?1)");
  sqlite3_bind_text(info, 1, o.table.c_str(), -1, SQLITE_TRANSIENT);
  while (sqlite3_step(info) == SQLITE_ROW)
    m_columns[reinterpret_cast<const char*>(sqlite3_column_text(info, 0))] =
        column_kind(reinterpret_cast<const char*>(sqlite3_column_text(info, 1)));
  sqlite3_finalize(info);
  if (m_columns.empty())
    throw UsageError(
        fmt::format("sqlite:{}: no table '{}' to apply the changes to", path, o.table));
  m_db.exec("BEGIN IMMEDIATE");
  sqlite3_stmt* count = statement("SELECT count(*) FROM " + m_table);
  if (sqlite3_step(count) == SQLITE_ROW)
    m_rows_at_start = static_cast<std::uint64_t>(sqlite3_column_int64(count, 0));
  sqlite3_reset(count);
}

SqliteChangeSink::~SqliteChangeSink() {
  for (auto& [sql, st] : m_statements) sqlite3_finalize(st);
  sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);  // no-op after COMMIT
}

sqlite3_stmt* SqliteChangeSink::statement(const std::string& sql) {
  auto it = m_statements.find(sql);
  if (it != m_statements.end()) return it->second;
  sqlite3_stmt* st = m_db.prepare(sql);
  m_statements.emplace(sql, st);
  return st;
}

// A number-like string bound to a numeric column is bound as the number, so a key read from
// a CSV export finds the row a typed load wrote.
void SqliteChangeSink::bind(sqlite3_stmt* st, int index, const Value& v,
                            const std::string& column) {
  auto it = m_columns.find(column);
  if (it != m_columns.end() && it->second == ColumnKind::Numeric &&
      v.kind() == Value::Kind::String && is_json_number(v.text())) {
    bind_value(st, index, Value::number(v.text()), m_keep);
    return;
  }
  bind_value(st, index, v, m_keep);
}

std::string SqliteChangeSink::where_key(const Record& key, int first_param) const {
  std::string where;
  int n = first_param;
  for (const auto& m : key.fields())
    where += fmt::format("{}{} IS ?{}", where.empty() ? "" : " AND ", quote_identifier(m.key), n++);
  return where;
}

std::string SqliteChangeSink::unknown_column(const Record& r) const {
  for (const auto& m : r.fields())
    if (m_columns.count(m.key) == 0) return m.key;
  return {};
}

SqliteChangeSink::Found SqliteChangeSink::fetch(const Record& key,
                                                const std::vector<const std::string*>& columns) {
  std::string select;
  for (const auto* c : columns) select += (select.empty() ? "" : ", ") + quote_identifier(*c);
  if (select.empty()) select = "1";
  sqlite3_stmt* st = statement(
      fmt::format("SELECT {} FROM {} WHERE {} LIMIT 2", select, m_table, where_key(key, 1)));
  int n = 0;
  for (const auto& m : key.fields()) bind(st, ++n, m.value, m.key);
  Found found;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (++found.rows > 1) break;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      Value v;
      read_column(st, static_cast<int>(i), m_columns[*columns[i]], v);
      found.values.set(*columns[i], std::move(v));
    }
  }
  std::string err = rc == SQLITE_ROW || rc == SQLITE_DONE ? "" : m_db.errmsg();
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  m_keep.clear();
  if (!err.empty()) throw IoError(fmt::format("sqlite:{}: {}", m_opts.table, err));
  return found;
}

// Runs a bound INSERT, UPDATE or DELETE; a constraint the row breaks rejects just this change.
std::string SqliteChangeSink::step(sqlite3_stmt* st) {
  int rc = sqlite3_step(st);
  std::string err = rc == SQLITE_DONE ? "" : m_db.errmsg();
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  m_keep.clear();
  if (!err.empty() && rc != SQLITE_CONSTRAINT && rc != SQLITE_MISMATCH && rc != SQLITE_TOOBIG)
    throw IoError(fmt::format("sqlite:{}: {}", m_opts.table, err));
  return err;
}

WriteResult SqliteChangeSink::write(const Sourced& in) {
  diff::Change c;
  std::string problem = diff::parse_change(in.record, c);
  if (!problem.empty()) return {WriteOutcome::Rejected, problem};
  std::string bad = unknown_column(c.key);
  if (bad.empty() && c.op != diff::ChangeOp::Change) bad = unknown_column(c.record);
  for (const auto& u : c.updates)
    if (bad.empty() && m_columns.count(u.field) == 0) bad = u.field;
  if (!bad.empty())
    return {WriteOutcome::Rejected,
            fmt::format("field '{}' has no column in table '{}'", bad, m_opts.table)};
  std::string key_text(1, '{');
  for (const auto& m : c.key.fields()) {
    if (key_text.size() > 1) key_text += ",";
    append_json_string(key_text, m.key);
    key_text += ":" + to_json(m.value);
  }
  key_text += "}";
  auto conflict = [&](const std::string& why) {
    ++m_conflicts;
    return WriteResult{WriteOutcome::Rejected,
                       fmt::format("conflict: {} {}: {}", diff::op_name(c.op), key_text, why)};
  };
  auto unchanged = [&] {
    ++m_unchanged;
    return WriteResult{WriteOutcome::Unchanged, ""};
  };
  // The fields to look at: the record's for add and remove, the changed ones for change.
  std::vector<const std::string*> columns;
  if (c.op == diff::ChangeOp::Change) {
    for (const auto& u : c.updates) columns.push_back(&u.field);
  } else {
    for (const auto& m : c.record.fields()) columns.push_back(&m.key);
  }
  if (c.op == diff::ChangeOp::Same) return unchanged();
  Found row = fetch(c.key, columns);
  if (row.rows > 1) return conflict("the key matches more than one row");

  // The first field whose current value is not `want` (nullptr: absent, read as NULL).
  auto first_difference = [&](auto want_of) -> std::string {
    for (const auto* col : columns) {
      const Value* want = want_of(*col);
      Value null_value;
      const Value* have = row.values.find(*col);
      if (!diff::values_equal(*col, want ? want : &null_value, have, rules_for(m_columns[*col])))
        return fmt::format("{} is {}, the change set expects {}", *col, shown(have),
                           shown(want ? want : &null_value));
    }
    return {};
  };
  auto in_record = [&](const std::string& f) { return c.record.find(f); };

  switch (c.op) {
    case diff::ChangeOp::Add: {
      if (row.rows == 1) {
        std::string diff_text = first_difference(in_record);
        return diff_text.empty() ? unchanged()
                                 : conflict("a row with this key exists: " + diff_text);
      }
      std::string names, marks;
      int n = 0;
      for (const auto& m : c.record.fields()) {
        names += (n ? ", " : "") + quote_identifier(m.key);
        marks += fmt::format("{}?{}", n ? ", " : "", n + 1);
        ++n;
      }
      sqlite3_stmt* st =
          statement(fmt::format("INSERT INTO {} ({}) VALUES ({})", m_table, names, marks));
      n = 0;
      for (const auto& m : c.record.fields()) bind(st, ++n, m.value, m.key);
      if (std::string err = step(st); !err.empty()) return {WriteOutcome::Rejected, err};
      ++m_inserted;
      return {};
    }
    case diff::ChangeOp::Change: {
      if (row.rows == 0) return conflict("no row has this key (deleted since the diff?)");
      auto new_of = [&](const std::string& f) -> const Value* {
        for (const auto& u : c.updates)
          if (u.field == f) return u.new_value ? &*u.new_value : nullptr;
        return nullptr;
      };
      auto old_of = [&](const std::string& f) -> const Value* {
        for (const auto& u : c.updates)
          if (u.field == f) return u.old_value ? &*u.old_value : nullptr;
        return nullptr;
      };
      if (first_difference(new_of).empty()) return unchanged();
      std::string drift = first_difference(old_of);
      if (!drift.empty()) return conflict("the row changed since the diff: " + drift);
      std::string set;
      int n = 0;
      for (const auto& u : c.updates)
        set += fmt::format("{}{} = ?{}", n++ ? ", " : "", quote_identifier(u.field), n);
      sqlite3_stmt* st = statement(
          fmt::format("UPDATE {} SET {} WHERE {}", m_table, set, where_key(c.key, n + 1)));
      Value null_value;
      int i = 0;
      for (const auto& u : c.updates)
        bind(st, ++i, u.new_value ? *u.new_value : null_value, u.field);
      for (const auto& m : c.key.fields()) bind(st, ++i, m.value, m.key);
      if (std::string err = step(st); !err.empty()) return {WriteOutcome::Rejected, err};
      ++m_updated;
      return {};
    }
    case diff::ChangeOp::Remove: {
      if (row.rows == 0) return unchanged();
      std::string drift = first_difference(in_record);
      if (!drift.empty()) return conflict("the row changed since the diff: " + drift);
      sqlite3_stmt* st =
          statement(fmt::format("DELETE FROM {} WHERE {}", m_table, where_key(c.key, 1)));
      int n = 0;
      for (const auto& m : c.key.fields()) bind(st, ++n, m.value, m.key);
      if (std::string err = step(st); !err.empty()) return {WriteOutcome::Rejected, err};
      ++m_deleted;
      return {};
    }
    case diff::ChangeOp::Same:
      break;
  }
  return unchanged();
}

void SqliteChangeSink::commit() {
  std::uint64_t allowed =
      m_opts.max_deletes_percent
          ? static_cast<std::uint64_t>(
                std::floor(static_cast<double>(m_rows_at_start) * m_opts.max_deletes / 100))
          : m_opts.max_deletes;
  if (m_deleted > allowed)
    throw DataError(fmt::format(
        "the change set deletes {} of the {} rows of '{}', more than --max-deletes {}{} allows; "
        "nothing was applied (raise --max-deletes to allow it)",
        m_deleted, m_rows_at_start, m_opts.table, m_opts.max_deletes,
        m_opts.max_deletes_percent ? "%" : ""));
  m_db.exec("COMMIT");
}

std::vector<std::pair<std::string, std::uint64_t>> SqliteChangeSink::counts() const {
  return {{"inserted", m_inserted},
          {"updated", m_updated},
          {"deleted", m_deleted},
          {"unchanged", m_unchanged},
          {"conflicts", m_conflicts}};
}

}  // namespace etl
