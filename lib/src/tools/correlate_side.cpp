#include "correlate_side.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include "etl/bytes.hpp"
#include "etl/correlate/xref_store.hpp"
#include "etl/error.hpp"
#include "etl/json.hpp"
#include "etl/read_ahead.hpp"
#include "etl/registry.hpp"

namespace etl::tools {
namespace {

void put_part(std::string& key, std::string_view part) {
  put_u32(key, part.size());
  key += part;
}

}  // namespace

std::vector<mapping::ExprPtr> CorrelateSide::compile(const std::vector<std::string>& texts,
                                                     const char* flag) {
  std::vector<mapping::ExprPtr> out;
  for (const auto& text : texts) {
    mapping::Diagnostics diags;
    mapping::CompileContext cc;
    cc.file = flag;
    cc.diags = &diags;
    auto e = mapping::compile_expression_text(text, cc);
    if (!e) {
      const auto& d = diags.list().front();
      throw UsageError(
          fmt::format("{} expression '{}', column {}: {}", flag, text, d.pos.column, d.message));
    }
    out.push_back(std::move(e));
  }
  return out;
}

CorrelateSide::CorrelateSide(std::size_t side, const CorrelateOptions& o, const SidePlan& plan,
                             SideRejects& rejects,
                             const std::unordered_map<std::string, std::string>* xref_pairs)
    : m_side(side),
      m_label(side == 0 ? "LEFT" : "RIGHT"),
      m_address(side == 0 ? o.left_address : o.right_address),
      m_opts(o),
      m_plan(plan),
      m_rejects(rejects),
      m_xref_pairs(xref_pairs),
      m_id_fields(side == 0 ? o.left_key : o.right_key) {
  for (const auto& rule : plan.rules) {
    bool is_xref = plan.xref_rule && m_key_exprs.empty();
    const auto& texts = side == 0 ? rule.left : rule.right;
    m_key_exprs.push_back(is_xref || rule.fuzzy ? std::vector<mapping::ExprPtr>{}
                                                : compile(texts, "--on"));
    m_text_exprs.push_back(rule.fuzzy ? std::move(compile(texts, "--on").front()) : nullptr);
  }
  m_block_exprs = compile(plan.block, "--block");
  for (const auto& c : o.compare) {
    auto spec = correlate::parse_pair(c, "--compare");
    m_compare_exprs.push_back(
        std::move(compile(side == 0 ? spec.left : spec.right, "--compare").front()));
  }
  correlate::MergedNames names;
  bool merged = side == 1 && o.emit == Emit::Merged;
  if (merged) {
    names.prefix = o.right_prefix;
    for (const auto& f : o.right_fields) {
      auto eq = f.find('=');
      names.map.emplace_back(f.substr(0, eq), eq == std::string::npos ? f : f.substr(eq + 1));
    }
    refuse_repeats(names.map);
  }
  // A quarter of the memory for each side's records and each side's keys.
  m_store =
      std::make_unique<correlate::RecordStore>(o.memory / 4, o.temp_dir, merged ? &names : nullptr);
  m_index = std::make_unique<correlate::KeyIndex>(o.memory / 4, o.temp_dir);
  m_keys.resize(plan.rules.size());
  m_texts.resize(plan.rules.size());
  m_has_key.resize(plan.rules.size());
}

// --right-fields that name a field twice, or give two fields one name, would leave one out or
// write one key twice: refused.
void CorrelateSide::refuse_repeats(const std::vector<std::pair<std::string, std::string>>& map) {
  for (std::size_t i = 0; i < map.size(); ++i)
    for (std::size_t j = 0; j < i; ++j) {
      if (map[i].first == map[j].first)
        throw UsageError(fmt::format("--right-fields names the field '{}' twice", map[i].first));
      if (map[i].second == map[j].second)
        throw UsageError(fmt::format("--right-fields merges '{}' and '{}' both as '{}'",
                                     map[j].first, map[i].first, map[i].second));
    }
}

// Works out the record's key under each rule (and a fuzzy rule's text). A rule whose key is
// null or empty does not apply to the record; an expression that fails rejects the record.
bool CorrelateSide::make_keys(const Sourced& in, std::string& reason) {
  const Record& r = in.record;
  std::string id_text;
  if (!m_id_fields.empty()) {
    Value id = Value::array();  // several fields: the JSON array of their values
    for (const auto& f : m_id_fields) {
      const Value* v = r.find(f);
      if (!v || v->is_null()) {
        reason = fmt::format("{}: key field '{}' is missing or null", m_label, f);
        return false;
      }
      if (m_id_fields.size() == 1)
        id_text = correlate::key_text(*v);
      else
        id.items().push_back(*v);
    }
    if (m_id_fields.size() > 1) id_text = correlate::key_text(id);
  }
  mapping::EvalContext ctx;
  ctx.record = &r;
  std::string part;
  auto key_of = [&](const std::vector<mapping::ExprPtr>& exprs, std::string& key) {
    key.clear();
    for (const auto& e : exprs) {
      part.clear();
      mapping::append_text(part, e->eval(ctx));
      if (part.empty()) return false;
      if (exprs.size() == 1)
        key = part;
      else
        put_part(key, part);
    }
    return true;
  };
  std::size_t i = 0;
  try {
    for (i = 0; i < m_plan.rules.size(); ++i) {
      if (m_plan.xref_rule && i == 0) {
        if (m_side == 1) {
          m_keys[0] = id_text;
          m_has_key[0] = true;
        } else {
          auto it = m_xref_pairs->find(id_text);
          m_has_key[0] = it != m_xref_pairs->end();
          if (m_has_key[0]) m_keys[0] = it->second;
        }
      } else if (m_plan.rules[i].fuzzy) {
        m_texts[i].clear();
        mapping::append_text(m_texts[i], m_text_exprs[i]->eval(ctx));
        m_has_key[i] = !m_texts[i].empty();
        if (m_block_exprs.empty())
          m_keys[i] = "*";  // no blocking: one block of everything
        else
          m_has_key[i] = m_has_key[i] && key_of(m_block_exprs, m_keys[i]);
      } else {
        m_has_key[i] = key_of(m_key_exprs[i], m_keys[i]);
      }
    }
  } catch (const mapping::EvalError& e) {
    reason = fmt::format("{}: rule '{}': {}", m_label, m_plan.rules[i].text, e.what());
    return false;
  }
  return true;
}

// A CSV side is read here when every rule's key is fields as they are (no xref, no fuzzy
// rule, no id fields); any other side is parsed on another core while this one keys and stores.
void CorrelateSide::open_source() {
  auto source = Registry::builtin().open_source(m_address, m_opts.source_options);
  bool fields_only = m_id_fields.empty() && !m_plan.xref_rule;
  for (std::size_t i = 0; i < m_plan.rules.size(); ++i) {
    fields_only = fields_only && !m_plan.rules[i].fuzzy && !m_key_exprs[i].empty();
    for (const auto& e : m_key_exprs[i]) fields_only = fields_only && e->field_name();
  }
  m_csv = fields_only ? dynamic_cast<CsvReader*>(source.get()) : nullptr;
  m_source = m_csv ? std::move(source) : std::make_unique<ReadAheadSource>(std::move(source));
}

// After the CSV side's first whole record: its rows go as text when each key field is a column
// (decided once; otherwise every row goes the record way).
void CorrelateSide::use_rows() {
  m_rows_decided = true;
  const auto& header = m_csv->header();
  m_row_keys.assign(m_key_exprs.size(), {});
  for (std::size_t i = 0; i < m_key_exprs.size(); ++i)
    for (const auto& e : m_key_exprs[i]) {
      auto at = std::find(header.begin(), header.end(), *e->field_name());
      if (at == header.end()) return;
      m_row_keys[i].push_back(static_cast<std::size_t>(at - header.begin()));
    }
  m_store->use_row_names(header);
  m_rows = true;
}

// The row's keys, as make_keys makes them of its record: an empty field is no key.
void CorrelateSide::row_keys() {
  const auto& fields = m_csv->fields();
  for (std::size_t i = 0; i < m_row_keys.size(); ++i) {
    std::string& key = m_keys[i];
    key.clear();
    m_has_key[i] = true;
    for (std::size_t at : m_row_keys[i]) {
      std::string_view part = fields[at];
      m_has_key[i] = m_has_key[i] && !part.empty();
      if (m_row_keys[i].size() == 1)
        key = part;
      else
        put_part(key, part);
    }
  }
}

CorrelateSide::Read CorrelateSide::next(Sourced& in) {
  std::string reason;
  for (;;) {
    if (m_csv) {
      auto row = m_csv->next_fields(in);
      if (row == CsvReader::Row::End) return Read::End;
      if (row == CsvReader::Row::Record && m_rows && !m_csv->row_has_null()) {
        ++m_read;
        if (m_progress) m_progress->tick(m_read);
        row_keys();
        return Read::Row;
      }
      if (row == CsvReader::Row::Record) m_csv->record_of_row(in);
    } else if (!m_source->next(in)) {
      return Read::End;
    }
    ++m_read;
    if (m_progress) m_progress->tick(m_read);
    if (!in.reject_reason.empty()) reason = in.reject_reason;
    if (in.reject_reason.empty() && make_keys(in, reason)) {
      if (m_csv && !m_rows_decided) use_rows();
      return Read::Record;
    }
    ++m_rejected;
    m_rejects.reject(m_side, in, reason);
  }
}

void CorrelateSide::load() {
  struct MarkLoaded {
    std::atomic<bool>& loaded;
    ~MarkLoaded() { loaded.store(true, std::memory_order_release); }
  } mark{m_loaded};
  open_source();
  Sourced in;
  for (Read read; (read = next(in)) != Read::End;) {
    std::uint32_t ordinal = read == Read::Row
                                ? m_store->add_row(m_csv->fields(), m_csv->json_plain())
                                : m_store->add(in.record);
    for (std::size_t i = 0; i < m_keys.size(); ++i)
      if (m_has_key[i]) m_index->add(static_cast<std::uint8_t>(i), ordinal, m_keys[i], m_texts[i]);
  }
  m_store->finish();
  m_index->finish();
}

void CorrelateSide::help_load_of(const CorrelateSide& other) const {
  constexpr std::size_t kStoreAhead = std::size_t{4} << 20, kIndexAhead = std::size_t{2} << 20;
  auto idle = std::chrono::microseconds(100);  // doubled while there is nothing to do
  while (!other.m_loaded.load(std::memory_order_acquire)) {
    bool faulted = other.m_store->fault_ahead(kStoreAhead);
    faulted = other.m_index->fault_ahead(kIndexAhead) || faulted;
    if (other.m_store->fault_finished() && other.m_index->fault_finished()) return;
    if (faulted) {
      idle = std::chrono::microseconds(100);
    } else {
      std::this_thread::sleep_for(idle);
      idle = std::min(2 * idle, std::chrono::microseconds(5000));
    }
  }
}

void CorrelateSide::append_id(std::string& out, std::string_view stored) const {
  if (m_id_fields.size() == 1) {
    auto v = m_store->field_json(stored, m_id_fields[0]);
    out += v.empty() ? "null" : v;
    return;
  }
  out.push_back('[');
  for (std::size_t i = 0; i < m_id_fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    auto v = m_store->field_json(stored, m_id_fields[i]);
    out += v.empty() ? "null" : v;
  }
  out.push_back(']');
}

std::vector<mapping::Datum> CorrelateSide::compare_values(const Record& r) const {
  mapping::EvalContext ctx;
  ctx.record = &r;
  std::vector<mapping::Datum> out;
  for (const auto& e : m_compare_exprs) out.push_back(e->eval(ctx));
  return out;
}

}  // namespace etl::tools
