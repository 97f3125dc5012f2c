// The PostgreSQL side of etl-load --children (the rules are in family_sink.cpp). One statement
// per row, with text parameters; a statement that fails leaves the transaction to the family's
// savepoint.
#include <fmt/format.h>
#include <libpq-fe.h>

#include <map>

#include "etl/db/family_sink.hpp"
#include "etl/db/postgres.hpp"
#include "etl/error.hpp"
#include "pg_values.hpp"
#include "postgres_family_batch.hpp"
#include "sql_text.hpp"

namespace etl {
namespace {

const SqlDialect kPg{pg_quote_name, '$'};
using Result = std::unique_ptr<PGresult, void (*)(PGresult*)>;

class PgFamilyTarget : public FamilyTarget {
 public:
  PgFamilyTarget(const std::string& url, const ConnectorOptions& o) : m_conn(url, o.password_file) {
    // The stage tables are dropped and made again per batch: no notices about that on stderr.
    m_conn.exec("SET client_min_messages = warning");
  }

  ~PgFamilyTarget() override {
    if (PQtransactionStatus(m_conn.handle()) != PQTRANS_IDLE)
      PQclear(PQexec(m_conn.handle(), "ROLLBACK"));
  }

  void exec(const std::string& sql) override { m_conn.exec(sql); }
  NameRules name_rules() const override { return kPgNames; }
  std::string unstorable_value(const std::string& table, const Record& r) const override {
    for (const auto& m : r.fields())
      if (m.value.kind() == Value::Kind::String && m.value.text().find('\0') != std::string::npos)
        return fmt::format("field '{}': PostgreSQL text cannot hold the character U+0000", m.key);
    auto at = m_lossy.find(table);
    return at == m_lossy.end() ? "" : at->second.changed_value(r);
  }

  // A round trip per statement is the cost here: whole batches go through COPY instead.
  bool writes_batches() const override { return true; }
  bool write_batch(const FamilyPlan& plan, const std::vector<Family>& families,
                   std::vector<FamilyRows>& out) override {
    try {
      PgFamilyBatch(m_conn, plan, families, out).run();
      return true;
    } catch (const IoError&) {
      if (PQstatus(m_conn.handle()) != CONNECTION_OK) throw;
      out.clear();
      return false;  // a row of the batch broke a constraint: written family by family
    }
  }

  std::vector<std::string> columns(const std::string& table) override {
    std::string quoted = pg_quote_name(table);
    auto r = m_conn.query(
        "SELECT attname, atttypid, atttypmod FROM pg_attribute WHERE attrelid = to_regclass($1) "
        "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        {quoted.c_str()});
    std::vector<std::string> out;
    PgLossyColumns& lossy = m_lossy[table];
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      out.emplace_back(PQgetvalue(r.get(), i, 0));
      lossy.add(out.back(), static_cast<unsigned>(std::stoul(PQgetvalue(r.get(), i, 1))),
                std::stoi(PQgetvalue(r.get(), i, 2)));
    }
    return out;
  }

  void create_table(const std::string& table, const std::vector<ColumnSpec>& columns,
                    const std::vector<std::string>& key, const std::string& parent_table,
                    const std::vector<std::string>& parent_key) override {
    std::string sql = "CREATE TABLE " + pg_quote_name(table) + " (";
    for (std::size_t i = 0; i < columns.size(); ++i)
      sql += fmt::format("{}{} {}", i ? ", " : "", pg_quote_name(columns[i].name),
                         pg_type(columns[i].type));
    sql += ", PRIMARY KEY " + sql_name_list(kPg, key);
    if (!parent_table.empty())
      sql += fmt::format(", FOREIGN KEY {0} REFERENCES {1} {0}", sql_name_list(kPg, parent_key),
                         pg_quote_name(parent_table));
    m_conn.exec(sql + ")");
  }

  void add_column(const std::string& table, const std::string& name, ColumnType type) override {
    m_conn.exec(fmt::format("ALTER TABLE {} ADD COLUMN IF NOT EXISTS {} {}", pg_quote_name(table),
                            pg_quote_name(name), pg_type(type)));
  }

  void empty_table(const std::string& table) override {
    m_conn.exec("DELETE FROM " + pg_quote_name(table));
  }

  RowResult insert(const std::string& table, const Record& row) override {
    Result r = run(sql_insert(kPg, pg_quote_name(table), row), row);
    return {RowWrite::Inserted, refusal(r.get())};
  }

  RowResult upsert(const std::string& table, const Record& row,
                   const std::vector<std::string>& key) override {
    Result r = run(pg_upsert_sql(pg_quote_name(table), row, key), row);
    if (std::string why = refusal(r.get()); !why.empty()) return {RowWrite::Inserted, why};
    bool existed = PQgetvalue(r.get(), 0, 0)[0] == 't';
    bool written = PQgetvalue(r.get(), 0, 1)[0] == 't';
    return {!existed ? RowWrite::Inserted : written ? RowWrite::Updated : RowWrite::Unchanged, ""};
  }

  RowResult update(const std::string& table, const Record& row,
                   const std::vector<std::string>& key) override {
    std::string quoted = pg_quote_name(table);
    std::string update = sql_update(kPg, quoted, row, key);
    if (update.empty())  // nothing but the key: a statement that only finds the row
      update = fmt::format("UPDATE {0} SET {1} = {1} WHERE {2}", quoted, pg_quote_name(key[0]),
                           sql_where_key(kPg, row, key));
    Result r = run(update, row);
    if (std::string why = refusal(r.get()); !why.empty()) return {RowWrite::Updated, why};
    return {std::string(PQcmdTuples(r.get())) == "0" ? RowWrite::Missing : RowWrite::Updated, ""};
  }

  RowResult remove(const std::string& table, const Record& key) override {
    Result r = run(fmt::format("DELETE FROM {} WHERE {}", pg_quote_name(table),
                               sql_where_key(kPg, key, names_of(key))),
                   key);
    return {RowWrite::Deleted, refusal(r.get())};
  }

  std::vector<Record> keys_where(const std::string& table, const Record& match,
                                 const std::vector<std::string>& key) override {
    std::string cols = sql_name_list(kPg, key);
    Result r = run(fmt::format("SELECT {} FROM {} WHERE {}", cols.substr(1, cols.size() - 2),
                               pg_quote_name(table), sql_where_key(kPg, match, names_of(match))),
                   match);
    if (std::string why = refusal(r.get()); !why.empty())
      throw IoError(fmt::format("{}: {}", m_conn.name(), why));
    std::vector<Record> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      Record rec;
      for (std::size_t c = 0; c < key.size(); ++c) {
        int col = static_cast<int>(c);
        Value v;
        if (!PQgetisnull(r.get(), i, col))
          pg_text_to_value(pg_kind(PQftype(r.get(), col)), PQgetvalue(r.get(), i, col), v);
        rec.fields().push_back({key[c], std::move(v)});
      }
      out.push_back(std::move(rec));
    }
    return out;
  }

  std::optional<CheckpointRow> read_checkpoint(const std::string& name) override {
    return pg_read_checkpoint(m_conn, name);
  }
  void store_checkpoint(const std::string& name, const CheckpointRow& row) override {
    pg_store_checkpoint(m_conn, name, row);
  }

 private:
  static std::vector<std::string> names_of(const Record& r) {
    std::vector<std::string> names;
    for (const auto& m : r.fields()) names.push_back(m.key);
    return names;
  }

  // The statement with r's values as text parameters. PostgreSQL text cannot hold U+0000: such
  // a value is refused here, never cut short at it.
  Result run(const std::string& sql, const Record& r) {
    m_texts.clear();
    std::vector<const char*> params;
    for (const auto& m : r.fields()) {
      if (m.value.kind() == Value::Kind::String && m.value.text().find('\0') != std::string::npos)
        return {nullptr, PQclear};
      m_texts.push_back(pg_param_text(m.value));
    }
    for (std::size_t i = 0; i < r.size(); ++i)
      params.push_back(r.fields()[i].value.is_null() ? nullptr : m_texts[i].c_str());
    return {PQexecParams(m_conn.handle(), sql.c_str(), static_cast<int>(params.size()), nullptr,
                         params.data(), nullptr, nullptr, 0),
            PQclear};
  }

  // Empty when the statement ran; the server's reason when it refused the row. A lost
  // connection is no row's fault: it throws.
  std::string refusal(const PGresult* r) {
    if (r == nullptr) return "PostgreSQL text cannot hold the character U+0000";
    ExecStatusType s = PQresultStatus(r);
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) return "";
    if (PQstatus(m_conn.handle()) != CONNECTION_OK)
      throw IoError(fmt::format("{}: {}", m_conn.name(), m_conn.error()));
    return pg_reason(r);
  }

  PgConnection m_conn;
  std::vector<std::string> m_texts;
  std::map<std::string, PgLossyColumns> m_lossy;  // by table, as columns() read it
};

}  // namespace

std::unique_ptr<Sink> open_pg_family_sink(const std::string& url, const ConnectorOptions& o) {
  if (o.table.empty()) throw UsageError("a postgresql destination needs --table");
  return std::make_unique<FamilySink>(std::make_unique<PgFamilyTarget>(url, o), o, 5000);
}

}  // namespace etl
