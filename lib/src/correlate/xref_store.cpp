#include "etl/correlate/xref_store.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <memory>
#include <set>

#include "etl/db/sqlite.hpp"
#include "etl/error.hpp"
#include "etl/json.hpp"

namespace etl::correlate {
namespace {

struct Finalize {
  void operator()(sqlite3_stmt* st) const { sqlite3_finalize(st); }
};
using Statement = std::unique_ptr<sqlite3_stmt, Finalize>;

constexpr const char* kCreate =
    "CREATE TABLE IF NOT EXISTS xref (entity TEXT NOT NULL, left_key NOT NULL, right_key NOT NULL,"
    " rule TEXT, score REAL, first_seen TEXT, last_seen TEXT,"
    " PRIMARY KEY (entity, left_key, right_key))";

std::string text_of(sqlite3_stmt* st, int col) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
  return std::string(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(st, col)));
}

void step_done(SqliteDb& db, sqlite3_stmt* st, const std::string& path) {
  if (sqlite3_step(st) != SQLITE_DONE)
    throw IoError(fmt::format("xref store sqlite:{}: {}", path, db.errmsg()));
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
}

// A timestamp with microseconds: it tells this run's rows from an earlier run's.
std::string now_text() {
  auto now = std::chrono::system_clock::now();
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros % 1000000);
}

}  // namespace

std::string key_text(const Value& key) {
  switch (key.kind()) {
    case Value::Kind::String:
    case Value::Kind::Number:
      return key.text();
    case Value::Kind::Bool:
      return key.as_bool() ? "true" : "false";
    default:
      return to_json(key);
  }
}

XrefStore::XrefStore(std::string path) : m_path(std::move(path)) {
  SqliteDb db(m_path, SqliteOpen::Create);
  db.exec(kCreate);
}

std::unordered_map<std::string, std::string> XrefStore::load(const std::string& entity) const {
  SqliteDb db(m_path, SqliteOpen::ReadOnly);
  Statement st(db.prepare("SELECT left_key, right_key FROM xref WHERE entity = ?"));
  sqlite3_bind_text(st.get(), 1, entity.data(), static_cast<int>(entity.size()), SQLITE_STATIC);
  std::unordered_map<std::string, std::string> out;
  while (sqlite3_step(st.get()) == SQLITE_ROW) out[text_of(st.get(), 0)] = text_of(st.get(), 1);
  return out;
}

void XrefStore::save(const std::string& entity, const std::vector<XrefPair>& pairs) const {
  SqliteDb db(m_path, SqliteOpen::ReadWrite);
  std::string now = now_text();
  db.exec("BEGIN IMMEDIATE");
  Statement upsert(db.prepare(
      "INSERT INTO xref (entity, left_key, right_key, rule, score, first_seen, last_seen) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (entity, left_key, right_key) DO UPDATE "
      "SET last_seen = excluded.last_seen, "
      // A pair confirmed by the store itself keeps the rule and score that first made it.
      "rule = iif(excluded.rule = 'xref', xref.rule, excluded.rule), "
      "score = iif(excluded.rule = 'xref', xref.score, excluded.score)"));
  Statement stale(
      db.prepare("DELETE FROM xref WHERE entity = ?1 AND left_key = ?2 AND last_seen <> ?3"));
  std::deque<std::string> keep;
  std::set<std::string> lefts_seen;
  for (const auto& p : pairs) {
    sqlite3_bind_text(upsert.get(), 1, entity.data(), static_cast<int>(entity.size()),
                      SQLITE_STATIC);
    bind_value(upsert.get(), 2, p.left, keep);
    bind_value(upsert.get(), 3, p.right, keep);
    sqlite3_bind_text(upsert.get(), 4, p.rule.data(), static_cast<int>(p.rule.size()),
                      SQLITE_STATIC);
    sqlite3_bind_double(upsert.get(), 5, p.score);
    sqlite3_bind_text(upsert.get(), 6, now.data(), static_cast<int>(now.size()), SQLITE_STATIC);
    step_done(db, upsert.get(), m_path);
    keep.clear();
    if (!lefts_seen.insert(key_text(p.left)).second) continue;
    sqlite3_bind_text(stale.get(), 1, entity.data(), static_cast<int>(entity.size()),
                      SQLITE_STATIC);
    bind_value(stale.get(), 2, p.left, keep);
    sqlite3_bind_text(stale.get(), 3, now.data(), static_cast<int>(now.size()), SQLITE_STATIC);
    step_done(db, stale.get(), m_path);
    keep.clear();
  }
  upsert.reset();
  stale.reset();
  db.exec("COMMIT");
}

std::unordered_map<std::string, Value> load_xref_lookup(const std::string& path,
                                                        const std::string& entity) {
  std::unordered_map<std::string, Value> out;
  if (!std::filesystem::exists(path)) return out;  // no correlation has run yet: no pairs
  SqliteDb db(path, SqliteOpen::ReadOnly);
  Statement st(db.prepare("SELECT left_key, right_key FROM xref WHERE entity = ? ORDER BY 1, 2"));
  sqlite3_bind_text(st.get(), 1, entity.data(), static_cast<int>(entity.size()), SQLITE_STATIC);
  Value right;
  while (sqlite3_step(st.get()) == SQLITE_ROW) {
    read_column(st.get(), 1, ColumnKind::Plain, right);
    auto [it, fresh] = out.emplace(text_of(st.get(), 0), right);
    if (!fresh)
      throw DataError(fmt::format("xref store {}: {} '{}' is paired with several keys ({} and {})",
                                  path, entity, it->first, key_text(it->second), key_text(right)));
  }
  return out;
}

}  // namespace etl::correlate
