#include "etl/db/family_sink.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "etl/diff/key.hpp"
#include "etl/error.hpp"
#include "etl/json.hpp"

namespace etl {
namespace {

std::vector<std::string> split_names(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (true) {
    std::size_t comma = text.find(',', at);
    out.push_back(text.substr(at, comma - at));
    if (comma == std::string::npos) return out;
    at = comma + 1;
  }
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A key's canonical form: "1001" and 1001 are one key, as everywhere keys are matched.
std::string key_of(const Record& r, const std::vector<std::string>& key) {
  std::string k;
  diff::make_key(r, key, k);
  return k;
}

Record project(const Record& r, const std::vector<std::string>& fields) {
  Record out;
  for (const auto& f : fields)
    if (const Value* v = r.find(f)) out.fields().push_back({f, *v});
  return out;
}

const char* outcome_name(RowWrite w) {
  static const char* kNames[] = {"inserted", "updated", "unchanged", "unmatched", "deleted"};
  return kNames[static_cast<int>(w)];
}

}  // namespace

bool KeyLess::operator()(const std::string& a, const std::string& b) const {
  return diff::compare_keys(a, b) < 0;
}

ChildSpec parse_child_spec(const std::string& text, const std::vector<std::string>& parent_key) {
  auto eq = text.find('=');
  auto colon = text.rfind(':');
  if (eq == std::string::npos || eq == 0 || colon == std::string::npos || colon < eq + 2 ||
      colon + 1 == text.size())
    throw UsageError(fmt::format(
        "--children must be FIELD=TABLE:KEY[,KEY] (lines=sales_order_lines:line_no), not '{}'",
        text));
  ChildSpec s{text.substr(0, eq), text.substr(eq + 1, colon - eq - 1),
              split_names(text.substr(colon + 1)), parent_key};
  for (const auto& k : s.key) {
    if (k.empty()) throw UsageError(fmt::format("--children {}: a key field has no name", text));
    if (contains(parent_key, k))
      throw UsageError(fmt::format(
          "--children {}: '{}' is the parent's key, which every child gets by itself; name the "
          "child's own key",
          text, k));
    s.full.push_back(k);
  }
  return s;
}

FamilySink::FamilySink(std::unique_ptr<FamilyTarget> target, const ConnectorOptions& o,
                       std::size_t default_batch)
    : m_target(std::move(target)), m_opts(o) {
  if (m_opts.sink.batch_size == 0) m_opts.sink.batch_size = default_batch;
  if (o.sink.key.empty())
    throw UsageError("--children needs --key: the parent's key goes into every child row");
  m_parent.name = o.table;
  m_parent.key = o.sink.key;
  std::set<std::string> fields, tables = {o.table};
  for (const auto& text : o.sink.children) {
    m_specs.push_back(parse_child_spec(text, o.sink.key));
    const ChildSpec& s = m_specs.back();
    if (!fields.insert(s.field).second || !tables.insert(s.table).second)
      throw UsageError(fmt::format(
          "--children {}: each array goes to its own table, not the parent's or another's", text));
    Table t;
    t.name = s.table;
    t.key = s.full;
    m_children.push_back(std::move(t));
    m_plan.children.push_back(s.table);
    m_plan.child_keys.push_back(s.full);
  }
  m_plan.mode = o.sink.mode;
  m_plan.row_keys = o.sink.outcome_records;
  m_plan.append = o.sink.children_append;
  m_plan.parent = o.table;
  m_plan.parent_key = o.sink.key;
}

FamilySink::~FamilySink() = default;

// The parent row and the child rows of a record, or why it cannot be written.
std::string FamilySink::split(const Record& r, Family& out) const {
  for (const auto& m : r.fields())
    if (std::none_of(m_specs.begin(), m_specs.end(), [&](auto& s) { return s.field == m.key; }))
      out.parent.fields().push_back(m);
  for (const auto& k : m_parent.key) {
    const Value* v = out.parent.find(k);
    if (v == nullptr || v->is_null()) return fmt::format("missing key field '{}'", k);
  }
  out.children.resize(m_specs.size());
  for (std::size_t i = 0; i < m_specs.size(); ++i) {
    const ChildSpec& s = m_specs[i];
    const Value* array = r.find(s.field);
    if (array == nullptr || array->is_null())
      return fmt::format("no '{}' array (an empty array [] says the record has none)", s.field);
    if (array->kind() != Value::Kind::Array) return fmt::format("'{}' is not an array", s.field);
    std::set<std::string, KeyLess> seen;
    for (std::size_t j = 0; j < array->items().size(); ++j) {
      const Value& e = array->items()[j];
      std::string where = fmt::format("{}[{}]", s.field, j);
      if (e.kind() != Value::Kind::Object) return where + " is not an object";
      Record row = project(out.parent, m_parent.key);
      for (const auto& m : e.members()) {
        const Value* own = row.find(m.key);
        if (own == nullptr)
          row.fields().push_back(m);
        else if (to_json(*own) != to_json(m.value))
          return fmt::format("{}: '{}' is {}, its parent's is {}", where, m.key, to_json(m.value),
                             to_json(*own));
      }
      std::string key;
      if (std::string missing = diff::make_key(row, s.key, key); !missing.empty())
        return fmt::format("{}: missing key field '{}'", where, missing);
      if (!seen.insert(key).second)
        return fmt::format("{}: {} is the key of an earlier element too", where,
                           to_json(project(row, s.key)));
      out.children[i].push_back(std::move(row));
    }
  }
  return "";
}

// The parent table, made from the first record when missing (keyed by --key), and the child
// tables there are, or that the first record has rows for (made then, keyed by the parent's key
// and their own, with a foreign key to the parent when the load made it). In their own
// transaction, so a batch that fails later rolls back alone.
void FamilySink::prepare_tables(const Family& first) {
  m_ready = true;
  begin();
  auto cols = prepare_table(m_parent, first.parent, m_opts.sink.schema_file, m_parent_created);
  if (m_parent_created) m_target->create_table(m_parent.name, cols, m_parent.key, "", {});
  m_plan.child_ready.assign(m_specs.size(), false);
  for (std::size_t i = 0; i < m_specs.size(); ++i) {
    m_children[i].columns = m_target->columns(m_children[i].name);
    if (!m_children[i].columns.empty()) {
      m_children[i].grows = m_opts.sink.add_columns;
      m_plan.child_ready[i] = true;
    } else if (!first.children[i].empty()) {
      make_child_table(i, first);
    }
  }
  if (m_opts.sink.mode == WriteMode::Replace) {
    for (std::size_t i = 0; i < m_specs.size(); ++i)
      if (m_plan.child_ready[i]) m_target->empty_table(m_children[i].name);
    m_target->empty_table(m_parent.name);
  }
  if (!one_transaction()) {
    m_target->exec("COMMIT");
    m_in_tx = false;
  }
}

// A table's columns; for a table that is not there, those it is to be made with.
std::vector<ColumnSpec> FamilySink::prepare_table(Table& t, const Record& sample,
                                                  const std::string& schema, bool& created) {
  t.columns = m_target->columns(t.name);
  t.grows = m_opts.sink.add_columns;
  created = t.columns.empty();
  if (!created) return {};
  t.grows = m_opts.sink.add_columns || schema.empty();
  std::vector<ColumnSpec> cols = columns_for_new_table(schema, sample);
  for (const auto& k : t.key)
    if (std::none_of(cols.begin(), cols.end(), [&](auto& c) { return c.name == k; }))
      throw UsageError(
          fmt::format("table '{}': key column '{}' is not one of its columns", t.name, k));
  for (const auto& c : cols) t.columns.push_back(c.name);
  return cols;
}

// Child table i, made from f's rows for it: each column typed by its first non-null value.
void FamilySink::make_child_table(std::size_t i, const Family& f) {
  Record sample;
  for (const auto& row : f.children[i])
    for (const auto& m : row.fields())
      if (const Value* v = sample.find(m.key); v == nullptr || v->is_null())
        sample.set(m.key, m.value);
  bool created = false;
  auto cols = prepare_table(m_children[i], sample, "", created);
  if (created)
    m_target->create_table(m_children[i].name, cols, m_children[i].key,
                           m_parent_created ? m_parent.name : "", m_parent.key);
  m_plan.child_ready[i] = true;
}

void FamilySink::begin() {
  if (m_in_tx) return;
  m_target->exec("BEGIN");
  m_in_tx = true;
}

// A field without a column: added when the table grows (outside the family's savepoint, so a
// family rolled back keeps it), else the record's reason to be rejected.
std::string FamilySink::ensure_columns(Table& t, const Record& row, const std::string& which) {
  bool fold = m_target->name_rules().ignore_case;
  if (std::string why = unstorable_names(row, m_target->name_rules()); !why.empty())
    return which + why;
  if (std::string why = m_target->unstorable_value(t.name, row); !why.empty()) return which + why;
  for (const auto& m : row.fields()) {
    bool known = std::any_of(t.columns.begin(), t.columns.end(), [&](const std::string& c) {
      return fold ? same_identifier_ignoring_case(c, m.key) : c == m.key;
    });
    if (known) continue;
    if (!t.grows)
      return fmt::format("{}field '{}' has no column in table '{}' (--add-columns adds it)", which,
                         m.key, t.name);
    m_target->add_column(t.name, m.key, column_type_of(m.value));
    t.columns.push_back(m.key);
  }
  return "";
}

void FamilySink::count(Table& t, RowWrite w) {
  ++(w == RowWrite::Inserted    ? t.inserted
     : w == RowWrite::Updated   ? t.updated
     : w == RowWrite::Unchanged ? t.unchanged
                                : t.deleted);
}

WriteResult FamilySink::write(const Sourced& in) {
  ++m_handed;
  Family family;
  std::string why = split(in.record, family);
  if (why.empty()) {
    if (!m_ready) prepare_tables(family);
    begin();
    why = ensure_columns(m_parent, family.parent, "");
    for (std::size_t i = 0; i < m_specs.size() && why.empty(); ++i)
      if (!m_plan.child_ready[i] && !family.children[i].empty()) make_child_table(i, family);
    for (std::size_t i = 0; i < m_specs.size() && why.empty(); ++i)
      for (std::size_t j = 0; j < family.children[i].size() && why.empty(); ++j)
        why = ensure_columns(m_children[i], family.children[i][j],
                             fmt::format("{}[{}]: ", m_specs[i].field, j));
  }
  if (!why.empty()) {
    if (m_batch.empty()) return {WriteOutcome::Rejected, why};
    // Reported with the batch it follows, so that outcomes keep the input's order.
    m_batch_records.push_back(in);
    m_batch_decided.emplace_back(m_batch_records.size() - 1,
                                 WriteResult{WriteOutcome::Rejected, why});
    return {WriteOutcome::Pending, ""};
  }
  WriteResult result{WriteOutcome::Pending, ""};
  if (!m_target->writes_batches()) {
    result = write_alone(family);
  } else {
    if (!fits_batch(family)) flush_batch();
    if (fits_batch(family))
      hold(in, std::move(family));
    else  // its own child rows differ in their fields: it cannot be staged with others
      result = write_alone(family);
  }
  if (++m_in_batch >= m_opts.sink.batch_size) {
    flush_batch();
    if (!one_transaction()) commit_batch();
    m_in_batch = 0;
  }
  return result;
}

// One family in its own savepoint: a row the database refuses rejects the record, and nothing
// of the family stays.
WriteResult FamilySink::write_alone(const Family& f) {
  m_target->exec("SAVEPOINT etl_family");
  FamilyRows rows = write_family(f);
  if (!rows.refused.empty()) {
    m_target->exec("ROLLBACK TO SAVEPOINT etl_family");
    m_target->exec("RELEASE SAVEPOINT etl_family");
    return {WriteOutcome::Rejected, rows.refused};
  }
  m_target->exec("RELEASE SAVEPOINT etl_family");
  return settle(rows);
}

// The record's outcome: its parent row's, or updated when only its children changed.
WriteResult FamilySink::outcome(const FamilyRows& rows) const {
  if (rows.parent == RowWrite::Missing) return {WriteOutcome::Unmatched, ""};
  if (rows.parent == RowWrite::Inserted) return {WriteOutcome::Written, "", RowChange::Inserted};
  bool children_changed = std::any_of(rows.rows.begin(), rows.rows.end(), [](auto& r) {
    return r.second.second != RowWrite::Unchanged;
  });
  if (rows.parent == RowWrite::Unchanged && !children_changed) return {WriteOutcome::Unchanged, ""};
  return {WriteOutcome::Written, "", RowChange::Updated};
}

// A family that is in: its rows counted, and (for --audit) listed with the record's outcome.
WriteResult FamilySink::settle(const FamilyRows& rows) {
  WriteResult result = outcome(rows);
  if (result.outcome == WriteOutcome::Unmatched) return result;
  count(m_parent, rows.parent);
  if (result.outcome == WriteOutcome::Written) ++m_batch_written;
  for (const auto& [table, row] : rows.rows) {
    count(m_children[table], row.second);
    if (m_opts.sink.outcome_records)
      result.children.push_back({m_children[table].name, row.first, outcome_name(row.second)});
  }
  return result;
}

// The parent row, then each child table's rows; `refused` says why the database refused one.
FamilyRows FamilySink::write_family(const Family& f) {
  FamilyRows rows;
  RowResult parent = m_opts.sink.mode == WriteMode::Upsert
                         ? m_target->upsert(m_parent.name, f.parent, m_parent.key)
                     : m_opts.sink.mode == WriteMode::Update
                         ? m_target->update(m_parent.name, f.parent, m_parent.key)
                         : m_target->insert(m_parent.name, f.parent);
  rows.parent = parent.row;
  rows.refused = parent.refused;
  if (!rows.refused.empty() || parent.row == RowWrite::Missing) return rows;
  for (std::size_t i = 0; i < m_specs.size() && rows.refused.empty(); ++i)
    write_children(i, f, rows);
  return rows;
}

// Child table i: each element inserted or upserted; then, unless appending, the parent's rows
// the record no longer holds are deleted.
void FamilySink::write_children(std::size_t i, const Family& f, FamilyRows& rows) {
  if (!m_plan.child_ready[i]) return;  // no record had rows for it: there is none to touch
  const Table& t = m_children[i];
  std::set<std::string, KeyLess> kept;
  for (std::size_t j = 0; j < f.children[i].size(); ++j) {
    const Record& row = f.children[i][j];
    RowResult r = m_opts.sink.mode == WriteMode::Insert || m_opts.sink.mode == WriteMode::Replace
                      ? m_target->insert(t.name, row)
                      : m_target->upsert(t.name, row, t.key);
    if (!r.refused.empty()) {
      rows.refused = fmt::format("{}[{}]: {}", m_specs[i].field, j, r.refused);
      return;
    }
    rows.rows.push_back({i, {m_opts.sink.outcome_records ? project(row, t.key) : Record(), r.row}});
    kept.insert(key_of(row, t.key));
  }
  if (m_opts.sink.children_append || m_opts.sink.mode == WriteMode::Insert ||
      m_opts.sink.mode == WriteMode::Replace)
    return;
  for (Record& old : m_target->keys_where(t.name, project(f.parent, m_parent.key), t.key)) {
    if (kept.count(key_of(old, t.key))) continue;
    RowResult r = m_target->remove(t.name, old);
    if (!r.refused.empty()) {
      rows.refused = fmt::format("deleting {} {}: {}", t.name, to_json(old), r.refused);
      return;
    }
    rows.rows.push_back({i, {std::move(old), RowWrite::Deleted}});
  }
}

// ---- batches ----

namespace {

bool same_fields(const Record& r, const std::vector<std::string>& names) {
  if (r.size() != names.size()) return false;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (r.fields()[i].key != names[i]) return false;
  return true;
}

std::vector<std::string> field_names(const Record& r) {
  std::vector<std::string> out;
  for (const auto& m : r.fields()) out.push_back(m.key);
  return out;
}

}  // namespace

// Whether f has the held families' field lists (each of its child tables' rows, one list).
// A parent key the batch holds already does not fit either: a set-based statement cannot write
// one row twice.
bool FamilySink::fits_batch(const Family& f) const {
  if (!m_batch.empty() && !same_fields(f.parent, m_batch_parent_fields)) return false;
  if (m_batch_keys.count(key_of(f.parent, m_parent.key))) return false;
  for (std::size_t i = 0; i < f.children.size(); ++i) {
    const auto& rows = f.children[i];
    if (rows.empty()) continue;
    const std::vector<std::string>& names = m_batch.empty() || !m_batch_child_fields[i]
                                                ? field_names(rows[0])
                                                : *m_batch_child_fields[i];
    for (const auto& row : rows)
      if (!same_fields(row, names)) return false;
  }
  return true;
}

void FamilySink::hold(const Sourced& in, Family&& f) {
  if (m_batch.empty()) {
    m_batch_parent_fields = field_names(f.parent);
    m_batch_child_fields.assign(m_specs.size(), std::nullopt);
  }
  for (std::size_t i = 0; i < f.children.size(); ++i)
    if (!m_batch_child_fields[i] && !f.children[i].empty())
      m_batch_child_fields[i] = field_names(f.children[i][0]);
  m_batch_keys.insert(key_of(f.parent, m_parent.key));
  m_batch.push_back(std::move(f));
  m_batch_records.push_back(in);
  m_batch_family.push_back(m_batch_records.size() - 1);
}

// The held families in a few statements; when one fails, the batch is rolled back and each
// family written alone, so that only the bad ones are rejected. Outcomes in input order.
void FamilySink::flush_batch() {
  if (m_batch.empty()) return;
  std::vector<FamilyRows> rows;
  m_target->exec("SAVEPOINT etl_batch");
  bool staged = m_target->write_batch(m_plan, m_batch, rows) && rows.size() == m_batch.size();
  if (!staged) m_target->exec("ROLLBACK TO SAVEPOINT etl_batch");
  m_target->exec("RELEASE SAVEPOINT etl_batch");
  std::vector<WriteResult> results(m_batch_records.size());
  for (std::size_t i = 0; i < m_batch.size(); ++i)
    results[m_batch_family[i]] = staged ? settle(rows[i]) : write_alone(m_batch[i]);
  for (auto& [at, decided] : m_batch_decided) results[at] = std::move(decided);
  if (m_outcome)
    for (std::size_t i = 0; i < results.size(); ++i) m_outcome(m_batch_records[i], results[i]);
  m_batch.clear();
  m_batch_records.clear();
  m_batch_family.clear();
  m_batch_decided.clear();
  m_batch_keys.clear();
}

void FamilySink::commit_batch() {
  if (m_checkpoint) m_target->store_checkpoint(m_checkpoint->name(), m_checkpoint->row(m_handed));
  m_target->exec("COMMIT");
  m_in_tx = false;
  m_committed += std::exchange(m_batch_written, 0);
}

void FamilySink::commit() {
  flush_batch();
  if (!m_in_tx && !m_checkpoint) return;
  begin();
  commit_batch();
}

void FamilySink::use_checkpoint(Checkpoint& checkpoint) {
  if (one_transaction())
    throw UsageError(
        "--checkpoint: --mode replace loads in one transaction, there is nothing to resume");
  m_checkpoint = &checkpoint;
  checkpoint.found(m_target->read_checkpoint(checkpoint.name()));
}

std::vector<std::pair<std::string, std::uint64_t>> FamilySink::counts() const {
  // Per table: "sales_orders.inserted", "sales_order_lines.deleted" …
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (const Table* t : {&m_parent})
    for (const auto& [what, n] :
         {std::pair{"inserted", t->inserted}, std::pair{"updated", t->updated},
          std::pair{"unchanged", t->unchanged}})
      out.emplace_back(t->name + "." + what, n);
  for (const auto& c : m_children)
    for (const auto& [what, n] :
         {std::pair{"inserted", c.inserted}, std::pair{"updated", c.updated},
          std::pair{"unchanged", c.unchanged}, std::pair{"deleted", c.deleted}})
      out.emplace_back(c.name + "." + what, n);
  return out;
}

}  // namespace etl
