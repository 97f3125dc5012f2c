// The PostgreSQL side of etl-load --changes (the rules are in change_set_sink.cpp). Every
// statement runs in a savepoint, so a change that breaks a constraint is rejected without
// aborting the transaction the rest of the change set runs in.
#include <fmt/format.h>
#include <libpq-fe.h>

#include <map>

#include "etl/db/change_set_sink.hpp"
#include "etl/db/postgres.hpp"
#include "etl/error.hpp"
#include "pg_values.hpp"

namespace etl {
namespace {

class PgChangeTarget : public ChangeTarget {
 public:
  PgChangeTarget(const std::string& url, const ConnectorOptions& o)
      : m_conn(url, o.password_file), m_table(pg_quote_name(o.table)) {
    if (o.table.empty()) throw UsageError("a postgresql destination needs --table");
    auto r = m_conn.query(
        "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = to_regclass($1) "
        "AND attnum > 0 AND NOT attisdropped",
        {m_table.c_str()});
    for (int i = 0; i < PQntuples(r.get()); ++i)
      m_columns[PQgetvalue(r.get(), i, 0)] =
          pg_kind(static_cast<unsigned>(std::stoul(PQgetvalue(r.get(), i, 1))));
    if (m_columns.empty())
      throw UsageError(
          fmt::format("{}: no table '{}' to apply the changes to", m_conn.name(), o.table));
    m_conn.exec("BEGIN");
  }

  ~PgChangeTarget() override {
    if (!m_committed) PQclear(PQexec(m_conn.handle(), "ROLLBACK"));
  }

  bool has_column(const std::string& name) const override { return m_columns.count(name) > 0; }
  bool numeric_column(const std::string& name) const override {
    auto it = m_columns.find(name);
    return it != m_columns.end() && (it->second == PgKind::Number || it->second == PgKind::Float);
  }

  std::uint64_t row_count() override {
    auto r = m_conn.query("SELECT count(*) FROM " + m_table, {});
    return std::stoull(PQgetvalue(r.get(), 0, 0));
  }

  Found fetch(const Record& key, const std::vector<const std::string*>& columns) override {
    std::string select;
    for (const auto* c : columns) select += (select.empty() ? "" : ", ") + pg_quote_name(*c);
    std::vector<std::string> texts;
    auto r = m_conn.query(fmt::format("SELECT {} FROM {} WHERE {} LIMIT 2",
                                      select.empty() ? "1" : select, m_table, where_key(key, 1)),
                          params_of(key, texts));
    Found found;
    found.rows = static_cast<std::size_t>(PQntuples(r.get()));
    if (found.rows > 0)
      for (std::size_t i = 0; i < columns.size(); ++i) {
        Value v;
        int col = static_cast<int>(i);
        if (!PQgetisnull(r.get(), 0, col))
          pg_text_to_value(m_columns[*columns[i]], PQgetvalue(r.get(), 0, col), v);
        found.values.set(*columns[i], std::move(v));
      }
    return found;
  }

  std::string insert(const Record& record) override {
    std::string names, marks;
    int n = 0;
    for (const auto& m : record.fields()) {
      names += (n ? ", " : "") + pg_quote_name(m.key);
      marks += fmt::format("{}${}", n ? ", " : "", n + 1);
      ++n;
    }
    std::vector<std::string> texts;
    return run(fmt::format("INSERT INTO {} ({}) VALUES ({})", m_table, names, marks),
               params_of(record, texts));
  }

  std::string update(const Record& key, const std::vector<diff::FieldUpdate>& updates) override {
    std::string set;
    Record values;
    for (const auto& u : updates) {
      set += fmt::format("{}{} = ${}", set.empty() ? "" : ", ", pg_quote_name(u.field),
                         values.size() + 1);
      values.fields().push_back({u.field, u.new_value ? *u.new_value : Value()});
    }
    std::string where = where_key(key, static_cast<int>(values.size()) + 1);
    for (const auto& m : key.fields()) values.fields().push_back(m);
    std::vector<std::string> texts;
    return run(fmt::format("UPDATE {} SET {} WHERE {}", m_table, set, where),
               params_of(values, texts));
  }

  std::string remove(const Record& key) override {
    std::vector<std::string> texts;
    return run(fmt::format("DELETE FROM {} WHERE {}", m_table, where_key(key, 1)),
               params_of(key, texts));
  }

  void commit() override {
    m_conn.exec("COMMIT");
    m_committed = true;
  }

 private:
  static std::vector<const char*> params_of(const Record& r, std::vector<std::string>& texts) {
    texts.clear();
    for (const auto& m : r.fields()) texts.push_back(pg_param_text(m.value));
    std::vector<const char*> params;
    for (std::size_t i = 0; i < r.size(); ++i)
      params.push_back(r.fields()[i].value.is_null() ? nullptr : texts[i].c_str());
    return params;
  }

  std::string where_key(const Record& key, int first_param) const {
    std::string where;
    int n = first_param;
    for (const auto& m : key.fields())
      where += fmt::format("{}{} = ${}", where.empty() ? "" : " AND ", pg_quote_name(m.key), n++);
    return where;
  }

  std::string run(const std::string& sql, const std::vector<const char*>& params) {
    m_conn.exec("SAVEPOINT etl_change");
    std::unique_ptr<PGresult, void (*)(PGresult*)> r(
        PQexecParams(m_conn.handle(), sql.c_str(), static_cast<int>(params.size()), nullptr,
                     params.data(), nullptr, nullptr, 0),
        PQclear);
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      std::string reason = pg_reason(r.get());
      m_conn.exec("ROLLBACK TO SAVEPOINT etl_change");
      return reason;
    }
    m_conn.exec("RELEASE SAVEPOINT etl_change");
    return {};
  }

  PgConnection m_conn;
  std::string m_table;  // quoted
  std::map<std::string, PgKind> m_columns;
  bool m_committed = false;
};

}  // namespace

std::unique_ptr<Sink> open_pg_change_sink(const std::string& url, const ConnectorOptions& o) {
  return std::make_unique<ChangeSetSink>(std::make_unique<PgChangeTarget>(url, o), o);
}

}  // namespace etl
