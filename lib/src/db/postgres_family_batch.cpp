// etl-load --children into PostgreSQL, a batch at a time: the parents and each child table's
// rows are COPYed into temporary stage tables (the target's column types, plus __etl_row: the
// family's place in the batch, and __etl_elem: the element's), then a few set-based statements
// write them and answer each row's outcome. A statement that fails throws; the caller rolls the
// batch back and writes it family by family (family_sink.cpp).
#include "postgres_family_batch.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>

#include "etl/error.hpp"
#include "pg_values.hpp"
#include "sql_text.hpp"

namespace etl {
namespace {

const SqlDialect kPg{pg_quote_name, '$'};

std::vector<std::string> field_names(const Record& r) {
  std::vector<std::string> out;
  for (const auto& m : r.fields()) out.push_back(m.key);
  return out;
}

std::string name_list(const std::vector<std::string>& names, const char* prefix = "") {
  std::string out;
  for (const auto& n : names)
    out += fmt::format("{}{}{}", out.empty() ? "" : ", ", prefix, pg_quote_name(n));
  return out;
}

std::string join_on(const std::vector<std::string>& names, const char* a, const char* b) {
  std::string out;
  for (const auto& n : names)
    out += fmt::format("{0}{1}.{3} = {2}.{3}", out.empty() ? "" : " AND ", a, b, pg_quote_name(n));
  return out;
}

Record project(const Record& r, const std::vector<std::string>& fields) {
  Record out;
  for (const auto& f : fields)
    if (const Value* v = r.find(f)) out.fields().push_back({f, *v});
  return out;
}

std::size_t index_at(const PGresult* r, int row, int col) {
  return static_cast<std::size_t>(std::stoul(PQgetvalue(r, row, col)));
}

bool is_true(const PGresult* r, int row, int col) {
  return PQgetvalue(r, row, col)[0] == 't';
}

}  // namespace

PgFamilyBatch::PgFamilyBatch(PgConnection& conn, const FamilyPlan& plan,
                             const std::vector<Family>& families, std::vector<FamilyRows>& out)
    : m_conn(conn), m_plan(plan), m_families(families), m_out(out) {}

void PgFamilyBatch::run() {
  m_out.assign(m_families.size(), FamilyRows{});
  m_parent_fields = field_names(m_families[0].parent);
  // Inserting, the rows go straight into the tables: a key that is there already fails the COPY,
  // and the batch is written family by family to find it.
  m_direct = m_plan.mode == WriteMode::Insert || m_plan.mode == WriteMode::Replace;
  std::string copy;
  for (std::size_t f = 0; f < m_families.size(); ++f) append_row(copy, m_families[f].parent, f, 0);
  if (m_direct) {
    copy_into(pg_quote_name(m_plan.parent), m_parent_fields, copy);
  } else {
    stage("etl_family_p", m_plan.parent, m_parent_fields);
    copy_into("etl_family_p", m_parent_fields, copy);
    write_parents();
  }
  for (std::size_t i = 0; i < m_plan.children.size(); ++i)
    if (m_plan.child_ready[i]) write_children(i);
}

// A temporary table with `fields` of `table` (their types) and the two ids, empty.
void PgFamilyBatch::stage(const std::string& name, const std::string& table,
                          const std::vector<std::string>& fields) {
  m_conn.exec("DROP TABLE IF EXISTS " + name);
  m_conn.exec(fmt::format("CREATE TEMP TABLE {} AS SELECT {} FROM {} WITH NO DATA", name,
                          name_list(fields), pg_quote_name(table)));
  m_conn.exec(fmt::format(
      "ALTER TABLE {} ADD COLUMN __etl_row integer, ADD COLUMN __etl_elem integer", name));
}

// A row of COPY text; with the ids (row, elem) unless straight into a table.
void PgFamilyBatch::append_row(std::string& copy, const Record& r, std::size_t row,
                               std::size_t elem) const {
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (i > 0) copy.push_back('\t');
    append_copy_field(copy, r.fields()[i].value);
  }
  if (!m_direct) copy += fmt::format("{}{}\t{}", r.empty() ? "" : "\t", row, elem);
  copy.push_back('\n');
}

void PgFamilyBatch::copy_into(const std::string& name, const std::vector<std::string>& fields,
                              const std::string& text) {
  std::string cols = name_list(fields);
  if (!m_direct) cols += std::string(cols.empty() ? "" : ", ") + "__etl_row, __etl_elem";
  PGresult* start =
      PQexec(m_conn.handle(), fmt::format("COPY {} ({}) FROM STDIN", name, cols).c_str());
  bool ok = PQresultStatus(start) == PGRES_COPY_IN;
  std::string why = pg_reason(start);
  PQclear(start);
  if (!ok) throw IoError(fmt::format("{}: {}", m_conn.name(), why));
  if ((!text.empty() &&
       PQputCopyData(m_conn.handle(), text.data(), static_cast<int>(text.size())) != 1) ||
      PQputCopyEnd(m_conn.handle(), nullptr) != 1)
    throw IoError(fmt::format("{}: {}", m_conn.name(), m_conn.error()));
  std::string failed;
  while (PGresult* r = PQgetResult(m_conn.handle())) {
    if (PQresultStatus(r) != PGRES_COMMAND_OK) failed = pg_reason(r);
    PQclear(r);
  }
  if (!failed.empty()) throw IoError(fmt::format("{}: {}", m_conn.name(), failed));
}

// The parents: inserted, upserted or updated by the mode; in update mode the ones without a row
// are Missing, and leave the stage so that their children are not touched.
void PgFamilyBatch::write_parents() {
  const std::string table = pg_quote_name(m_plan.parent);
  const auto& key = m_plan.parent_key;
  if (m_plan.mode == WriteMode::Upsert) {
    auto r = m_conn.query(
        pg_staged_upsert_sql(table, "etl_family_p", m_parent_fields, key, {"__etl_row"}), {});
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      bool existed = is_true(r.get(), i, 1), written = is_true(r.get(), i, 2);
      m_out.at(index_at(r.get(), i, 0)).parent = !existed  ? RowWrite::Inserted
                                                 : written ? RowWrite::Updated
                                                           : RowWrite::Unchanged;
    }
    return;
  }
  std::string set;
  for (const auto& f : m_parent_fields)
    if (!is_key_field(key, f))
      set += fmt::format("{0}{1} = s.{1}", set.empty() ? "" : ", ", pg_quote_name(f));
  if (set.empty()) set = fmt::format("{0} = t.{0}", pg_quote_name(key[0]));
  auto r = m_conn.query(fmt::format("UPDATE {} AS t SET {} FROM etl_family_p AS s WHERE {} "
                                    "RETURNING s.__etl_row",
                                    table, set, join_on(key, "t", "s")),
                        {});
  for (auto& rows : m_out) rows.parent = RowWrite::Missing;
  for (int i = 0; i < PQntuples(r.get()); ++i)
    m_out.at(index_at(r.get(), i, 0)).parent = RowWrite::Updated;
  m_conn.query("DELETE FROM etl_family_p WHERE __etl_row = ANY($1::int[])",
               {missing_rows().c_str()});
}

// "{3,7}": the families whose parent update mode did not find.
std::string PgFamilyBatch::missing_rows() const {
  std::string out;
  for (std::size_t f = 0; f < m_out.size(); ++f)
    if (m_out[f].parent == RowWrite::Missing) out += fmt::format("{}{}", out.empty() ? "" : ",", f);
  return "{" + out + "}";
}

// Child table i: its rows staged and written; then, in sync mode, the rows of the batch's
// parents that the stage does not hold are deleted. Outcomes as the family-by-family path gives
// them: each element in order, then the deleted rows.
void PgFamilyBatch::write_children(std::size_t i) {
  const std::string table = pg_quote_name(m_plan.children[i]);
  const std::string stage_name = fmt::format("etl_family_c{}", i);
  const auto& key = m_plan.child_keys[i];
  std::vector<std::string> fields = key;  // when no family of the batch has rows for it
  for (const auto& f : m_families)
    if (!f.children[i].empty()) {
      fields = field_names(f.children[i][0]);
      break;
    }
  std::string copy;
  for (std::size_t f = 0; f < m_families.size(); ++f)
    if (m_out[f].parent != RowWrite::Missing)
      for (std::size_t e = 0; e < m_families[f].children[i].size(); ++e)
        append_row(copy, m_families[f].children[i][e], f, e);
  if (!m_direct) stage(stage_name, m_plan.children[i], fields);
  copy_into(m_direct ? table : stage_name, fields, copy);

  std::vector<std::vector<RowWrite>> written(m_families.size());
  for (std::size_t f = 0; f < m_families.size(); ++f)
    written[f].assign(m_families[f].children[i].size(), RowWrite::Inserted);
  if (!m_direct) {
    auto r = m_conn.query(
        pg_staged_upsert_sql(table, stage_name, fields, key, {"__etl_row", "__etl_elem"}), {});
    for (int n = 0; n < PQntuples(r.get()); ++n) {
      bool existed = is_true(r.get(), n, 2), changed = is_true(r.get(), n, 3);
      written.at(index_at(r.get(), n, 0)).at(index_at(r.get(), n, 1)) =
          !existed  ? RowWrite::Inserted
          : changed ? RowWrite::Updated
                    : RowWrite::Unchanged;
    }
  }
  for (std::size_t f = 0; f < m_families.size(); ++f) {
    if (m_out[f].parent == RowWrite::Missing) continue;
    for (std::size_t e = 0; e < written[f].size(); ++e)
      m_out[f].rows.push_back(
          {i,
           {m_plan.row_keys ? project(m_families[f].children[i][e], key) : Record(),
            written[f][e]}});
  }
  if (!m_plan.append && !m_direct) delete_stale(i, stage_name);
}

// The child rows are found through the batch's parent keys as a list (`= ANY(ARRAY(…))`), which
// the planner looks up in the child table's index: joined to the stage alone, it scanned the
// whole child table for every batch (500k rows a batch at 100k orders; a 1M-order upsert took
// 163 s, ten times the 100k one's 5 s).
void PgFamilyBatch::delete_stale(std::size_t i, const std::string& stage_name) {
  const auto& key = m_plan.child_keys[i];
  const std::string lead = pg_quote_name(m_plan.parent_key[0]);
  auto r = m_conn.query(
      fmt::format("DELETE FROM {} AS c USING etl_family_p AS p WHERE {} AND c.{} = ANY(ARRAY("
                  "SELECT {} FROM etl_family_p)) AND NOT EXISTS (SELECT 1 FROM {} AS s WHERE {}) "
                  "RETURNING p.__etl_row, {}",
                  pg_quote_name(m_plan.children[i]), join_on(m_plan.parent_key, "c", "p"), lead,
                  lead, stage_name, join_on(key, "s", "c"), name_list(key, "c.")),
      {});
  for (int n = 0; n < PQntuples(r.get()); ++n) {
    Record gone;
    for (std::size_t k = 0; k < key.size(); ++k) {
      int col = static_cast<int>(k) + 1;
      Value v;
      if (!PQgetisnull(r.get(), n, col))
        pg_text_to_value(pg_kind(PQftype(r.get(), col)), PQgetvalue(r.get(), n, col), v);
      gone.fields().push_back({key[k], std::move(v)});
    }
    m_out.at(index_at(r.get(), n, 0)).rows.push_back({i, {std::move(gone), RowWrite::Deleted}});
  }
}

}  // namespace etl
