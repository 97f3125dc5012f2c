#include "etl/mapping/mapping.hpp"

#include <re2/re2.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "etl/correlate/xref_store.hpp"
#include "etl/error.hpp"
#include "etl/formats/csv_reader.hpp"
#include "etl/json.hpp"
#include "etl/mask.hpp"
#include "etl/registry.hpp"
#include "functions.hpp"
#include "nodes.hpp"

namespace etl::mapping {
namespace {

constexpr std::size_t kNoField = SIZE_MAX;

// A datum that a record stores and gives back as the same datum (a time comes back a string).
bool reads_back_as_itself(const Datum& d) {
  return d.is_null() || d.type() == Datum::Type::Number;
}

const std::vector<std::string> kTopKeys{
    "$schema", "name",   "description", "key",       "timezone", "dst",  "filter", "unnest",
    "lookups", "fields", "validate",    "aggregate", "tests",    "keep", "drop",   "input"};

// Structured validate rules: each checks one output field; null passes unless `required`.
class FieldRule : public Expr {
 public:
  enum class Kind { Required, Pattern, Range, Enum };
  FieldRule(SourcePos p, Kind k, std::string field) : Expr(p), kind(k), m_field(std::move(field)) {}
  Datum eval(EvalContext& ctx) const override {
    const Value* v = ctx.record->find(m_field);
    if (!v || v->is_null()) return Datum::boolean(kind != Kind::Required);
    switch (kind) {
      case Kind::Required:
        return Datum::boolean(true);
      case Kind::Pattern:
        return Datum::boolean(v->kind() == Value::Kind::String &&
                              RE2::PartialMatch(v->text(), *regex));
      case Kind::Range: {
        if (v->kind() != Value::Kind::Number) return Datum::boolean(false);
        Decimal d = Datum::borrow(*v).decimal();
        return Datum::boolean((!min || compare(d, *min) >= 0) && (!max || compare(d, *max) <= 0));
      }
      case Kind::Enum:
        for (const auto& allowed : values)
          if (allowed == *v) return Datum::boolean(true);
        return Datum::boolean(false);
    }
    return Datum::boolean(false);
  }
  Kind kind;
  std::shared_ptr<RE2> regex;
  std::optional<Decimal> min, max;
  std::vector<Value> values;

 private:
  std::string m_field;
};

std::string dir_of(const std::string& path) {
  auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

}  // namespace

class Mapping::Compiler {
 public:
  Compiler(Mapping& m, Diagnostics& d, std::string dir, const CompileOptions& o)
      : m_map(m), m_diags(d), m_dir(std::move(dir)), m_options(o) {}

  void run(const JsoncNode& root) {
    if (!root.is_object()) return error(root.pos, "a mapping file must be a JSON object");
    for (const auto& member : root.members)
      if (std::find(kTopKeys.begin(), kTopKeys.end(), member.key) == kTopKeys.end())
        error(member.key_pos,
              fmt::format("unknown key '{}'{}", member.key, did_you_mean(member.key, kTopKeys)));
    if (const auto* n = root.find("name"); n && expect_string(*n, "name")) m_map.m_name = n->text;
    zones(root);
    if (const auto* in = root.find("input")) input(*in);
    lookups(root.find("lookups"));
    CompileContext cc = context();
    keep(root);
    std::vector<std::string> filter_reads;
    const JsoncNode* filter = root.find("filter");
    if (filter && expect_string(*filter, "filter")) {
      cc.fields_read = &filter_reads;
      m_map.m_filter = compile_expression(*filter, cc);
      cc.fields_read = nullptr;
      m_map.m_filter_pass = cc.branch("filter passes", filter->pos);
      m_map.m_filter_drop = cc.branch("filter drops", filter->pos);
    }
    if (const auto* u = root.find("unnest")) unnest(*u, cc);
    // The filter runs before unnest: the element does not exist yet, and its name would read a
    // missing field (null) and let every element through.
    for (const auto& name : filter_reads)
      if (!m_item.empty() && (name == m_item || name == m_item + "_index"))
        error(filter->pos,
              fmt::format("the filter runs before unnest and cannot read '{}': put conditions on "
                          "the elements in unnest's \"where\"",
                          name));
    cc.item_name = m_item;
    const JsoncNode* fields = root.find("fields");
    if (!fields)
      error(root.pos, "the mapping has no \"fields\"");
    else
      this->fields(*fields, cc);
    for (const auto& name : m_map.m_drop)
      if (std::find(m_field_names.begin(), m_field_names.end(), name) != m_field_names.end())
        error(root.find("drop")->pos,
              fmt::format("drop names '{}', a field the mapping makes: remove it from one", name));
    key(root.find("key"));
    if (const auto* v = root.find("validate")) validate(*v);
    if (const auto* a = root.find("aggregate")) aggregate(*a);
    if (m_map.m_aggregator) plan_folding();
    if (!m_map.m_aggregator) m_output_names = m_field_names;
    m_map.m_output_names = m_output_names;
    if (const auto* t = root.find("tests")) tests(*t);
  }

 private:
  void error(SourcePos p, std::string message) {
    m_diags.error(m_map.m_file, p, std::move(message));
  }
  bool expect_string(const JsoncNode& n, const char* what) {
    if (n.is_string()) return true;
    error(n.pos, fmt::format("{} must be a string, found {}", what, n.kind_name()));
    return false;
  }
  bool expect_object(const JsoncNode& n, const char* what) {
    if (n.is_object()) return true;
    error(n.pos, fmt::format("{} must be an object, found {}", what, n.kind_name()));
    return false;
  }
  void check_keys(const JsoncNode& n, const std::vector<std::string>& allowed, const char* where) {
    for (const auto& m : n.members)
      if (std::find(allowed.begin(), allowed.end(), m.key) == allowed.end())
        error(m.key_pos,
              fmt::format("unknown key '{}' in {}{}", m.key, where, did_you_mean(m.key, allowed)));
  }
  CompileContext context() {
    CompileContext cc;
    cc.file = m_map.m_file;
    cc.diags = &m_diags;
    cc.lookups = &m_map.m_lookups;
    cc.branches = &m_map.m_branches;
    cc.zones = m_map.m_zones;
    cc.names_read = &m_map.m_names_read;
    cc.field_uses = &m_map.m_field_uses;
    if (!m_options.sample_fields.empty()) {
      cc.sample_fields = &m_options.sample_fields;
    } else if (m_input_declared) {
      cc.sample_fields = &m_input_fields;
      cc.sample_name = "the mapping's input";
    }
    return cc;
  }

  void zones(const JsoncNode& root) {
    if (const auto* z = root.find("timezone"); z && expect_string(*z, "timezone")) {
      m_map.m_zones.zone = find_zone(z->text);
      if (!m_map.m_zones.zone) error(z->pos, fmt::format("unknown time zone '{}'", z->text));
    }
    if (const auto* d = root.find("dst"); d && expect_string(*d, "dst")) {
      auto p = parse_dst_policy(d->text);
      if (!p)
        error(d->pos, fmt::format("dst must be reject, earliest or latest, not '{}'", d->text));
      else
        m_map.m_zones.dst = *p;
    }
  }

  void lookups(const JsoncNode* n) {
    if (!n || !expect_object(*n, "lookups")) return;
    for (const auto& m : n->members) {
      if (!expect_object(m.value, "a lookup")) continue;
      check_keys(m.value, {"file", "key", "value", "table", "default", "xref", "entity"},
                 "a lookup");
      Lookup l;
      l.name = m.key;
      if (const auto* d = m.value.find("default")) l.default_value = d->to_value();
      const auto* table = m.value.find("table");
      const auto* file = m.value.find("file");
      const auto* xref = m.value.find("xref");
      if ((table != nullptr) + (file != nullptr) + (xref != nullptr) > 1)
        error(m.key_pos,
              fmt::format("lookup '{}' needs one of \"table\", \"file\" or \"xref\"", m.key));
      else if (xref) {
        xref_lookup(l, m.value, *xref);
      } else if (table && table->is_string()) {
        db_lookup(l, m.value, *table);
      } else if (table) {
        if (expect_object(*table, "a lookup table"))
          for (const auto& e : table->members) l.entries.emplace(e.key, e.value.to_value());
      } else if (file) {
        csv_lookup(l, m.value, *file);
      } else {
        error(m.key_pos,
              fmt::format("lookup '{}' needs a \"table\", a \"file\" or an \"xref\"", m.key));
      }
      m_map.m_lookups.emplace(m.key, std::move(l));
    }
  }

  // The pairs etl-correlate --xref kept: left key → right key of one entity.
  void xref_lookup(Lookup& l, const JsoncNode& def, const JsoncNode& xref) {
    if (!expect_string(xref, "xref")) return;
    const auto* entity = def.find("entity");
    if (!entity)
      return error(xref.pos,
                   fmt::format("lookup '{}' needs the \"entity\" whose pairs it reads", l.name));
    if (!expect_string(*entity, "entity")) return;
    std::string path = (std::filesystem::path(m_dir) / xref.text).string();
    try {
      l.entries = correlate::load_xref_lookup(path, entity->text);
    } catch (const std::exception& e) {
      error(xref.pos, fmt::format("lookup '{}': {}", l.name, e.what()));
    }
  }

  // "key" (one column, or several) and "value" of a file or database lookup; false when bad.
  bool lookup_columns(Lookup& l, const JsoncNode& def, SourcePos at,
                      std::vector<const JsoncNode*>& keys, const JsoncNode*& value) {
    const auto* key = def.find("key");
    value = def.find("value");
    if (!key || !value) {
      error(at, fmt::format("lookup '{}' needs \"key\" and \"value\" columns", l.name));
      return false;
    }
    if (key->kind == JsoncNode::Kind::Array && !key->items.empty())
      for (const auto& k : key->items) keys.push_back(&k);
    else
      keys.push_back(key);
    for (const auto* k : keys)
      if (!expect_string(*k, "a key column")) return false;
    l.key_count = keys.size();
    return expect_string(*value, "value");
  }

  // Reads every row of a lookup's source into its entries: the key columns' texts → value.
  void fill_lookup(Lookup& l, Source& source, const std::vector<const JsoncNode*>& keys,
                   const JsoncNode& value, const JsoncNode& from, const std::string& what) {
    Sourced row;
    bool checked = false;
    while (source.next(row)) {
      if (!row.reject_reason.empty())
        return error(from.pos,
                     fmt::format("lookup {}: {}", row.where.to_string(), row.reject_reason));
      if (!checked) {  // the first row tells the columns
        checked = true;
        std::vector<std::string> have;
        for (const auto& f : row.record.fields()) have.push_back(f.key);
        bool ok = true;
        for (const auto* col : keys)
          if (!row.record.find(col->text)) {
            error(col->pos,
                  fmt::format("lookup {} has no column '{}' (it has: {}){}", what, col->text,
                              fmt::join(have, ", "), did_you_mean(col->text, have)));
            ok = false;
          }
        if (!row.record.find(value.text)) {
          error(value.pos,
                fmt::format("lookup {} has no column '{}' (it has: {}){}", what, value.text,
                            fmt::join(have, ", "), did_you_mean(value.text, have)));
          ok = false;
        }
        if (!ok) return;
      }
      std::string k;
      bool null_key = false;
      for (std::size_t i = 0; i < keys.size(); ++i) {
        const Value* v = row.record.find(keys[i]->text);
        if (i > 0) k.push_back(Lookup::kKeySeparator);
        if (v->is_null()) null_key = true;
        k += v->kind() == Value::Kind::String || v->kind() == Value::Kind::Number ? v->text()
                                                                                  : to_json(*v);
      }
      if (null_key) continue;  // a null key is never looked up (lookup() misses on null)
      const Value* v = row.record.find(value.text);
      auto [it, inserted] = l.entries.emplace(k, *v);
      if (!inserted && !(it->second == *v))
        return error(from.pos,
                     fmt::format("lookup {}: key '{}' appears twice with different values",
                                 row.where.to_string(), k));
    }
  }

  bool has_column(const std::vector<std::string>& header, const JsoncNode& col,
                  const std::string& file) {
    if (std::find(header.begin(), header.end(), col.text) != header.end()) return true;
    error(col.pos, fmt::format("lookup file '{}' has no column '{}' (it has: {}){}", file, col.text,
                               fmt::join(header, ", "), did_you_mean(col.text, header)));
    return false;
  }

  void csv_lookup(Lookup& l, const JsoncNode& def, const JsoncNode& file) {
    if (!expect_string(file, "file")) return;
    std::vector<const JsoncNode*> keys;
    const JsoncNode* value = nullptr;
    if (!lookup_columns(l, def, file.pos, keys, value)) return;
    std::string path = (std::filesystem::path(m_dir) / file.text).string();
    if (!std::filesystem::is_regular_file(path))
      return error(file.pos,
                   fmt::format("lookup file '{}' does not exist (looked for {})", file.text, path));
    try {
      CsvReader reader(path, ',');
      const auto& header = reader.header();
      bool ok = true;
      for (const auto* col : keys)  // checked here too: a file of no rows has a header
        ok = has_column(header, *col, file.text) && ok;
      if (!has_column(header, *value, file.text) || !ok) return;
      fill_lookup(l, reader, keys, *value, file, fmt::format("file '{}'", file.text));
    } catch (const std::exception& e) {
      error(file.pos, fmt::format("lookup file '{}': {}", file.text, e.what()));
    }
  }

  // "table": "sqlite:erp.db#items" (a path relative to the mapping) or "postgresql://…#items":
  // read once, when the mapping is compiled.
  void db_lookup(Lookup& l, const JsoncNode& def, const JsoncNode& table) {
    std::vector<const JsoncNode*> keys;
    const JsoncNode* value = nullptr;
    if (!lookup_columns(l, def, table.pos, keys, value)) return;
    std::string address = table.text;
    if (address.rfind("sqlite:", 0) == 0) {
      std::filesystem::path p(address.substr(7));
      if (p.is_relative()) address = "sqlite:" + (std::filesystem::path(m_dir) / p).string();
    } else if (address.rfind("postgresql:", 0) != 0 && address.rfind("postgres:", 0) != 0) {
      return error(table.pos, fmt::format("lookup '{}': a table lookup reads sqlite:PATH#TABLE "
                                          "or postgresql://…#TABLE, not '{}'",
                                          l.name, mask_address(table.text)));
    }
    if (address.find('#') == std::string::npos)
      return error(table.pos, fmt::format("lookup '{}': name the table after '#': {}#TABLE", l.name,
                                          mask_address(table.text)));
    try {
      ConnectorOptions options;
      auto source = Registry::builtin().open_source(address, options);
      fill_lookup(l, *source, keys, *value, table,
                  fmt::format("table '{}'", mask_address(table.text)));
    } catch (const std::exception& e) {
      error(table.pos, fmt::format("lookup '{}': {}", l.name, e.what()));
    }
  }

  // "input": {"fields": [...]} or a JSON Schema file beside the mapping (its "properties"): the
  // fields a source record has, so --check flags any other field an expression reads.
  void input(const JsoncNode& n) {
    m_input_declared = true;
    if (n.is_string()) {
      std::string path = (std::filesystem::path(m_dir) / n.text).string();
      std::ifstream in(path, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      Value schema;
      if (!in || parse_json(text.str(), schema) || schema.kind() != Value::Kind::Object)
        return error(n.pos, fmt::format("input: cannot read the JSON Schema {}", path));
      for (const auto& m : schema.members())
        if (m.key == "properties" && m.value.kind() == Value::Kind::Object)
          for (const auto& p : m.value.members()) m_input_fields.push_back(p.key);
      if (m_input_fields.empty())
        error(n.pos, fmt::format("input: the JSON Schema {} has no \"properties\"", path));
      return;
    }
    if (!expect_object(n, "input")) return;
    check_keys(n, {"fields"}, "input");
    const auto* fields = n.find("fields");
    if (!fields || fields->kind != JsoncNode::Kind::Array)
      return error(n.pos, "input needs \"fields\": an array of the source's field names");
    for (const auto& f : fields->items)
      if (expect_string(f, "an input field")) m_input_fields.push_back(f.text);
  }

  // "keep": "*" passes the input's fields through (fields add or replace), "drop" removes some.
  void keep(const JsoncNode& root) {
    if (const auto* k = root.find("keep")) {
      if (!k->is_string() || k->text != "*")
        error(k->pos, "keep must be \"*\" (every field of the input)");
      else
        m_map.m_keep = true;
    }
    const auto* d = root.find("drop");
    if (!d) return;
    if (!m_map.m_keep)
      error(d->pos,
            "drop removes fields that \"keep\": \"*\" passes through; without keep, "
            "leave them out of \"fields\"");
    if (d->kind != JsoncNode::Kind::Array) return error(d->pos, "drop must be an array of names");
    for (const auto& i : d->items)
      if (expect_string(i, "a field to drop")) m_map.m_drop.push_back(i.text);
  }

  // Whether a name is a field of the output: a mapped one, or (with keep) any.
  bool is_output_field(const std::string& name) const {
    return m_map.m_keep ||
           std::find(m_field_names.begin(), m_field_names.end(), name) != m_field_names.end();
  }
  // The fields an expression over the output may read; null when the input decides (keep).
  const std::vector<std::string>* output_fields() const {
    return m_map.m_keep ? nullptr : &m_field_names;
  }

  void unnest(const JsoncNode& n, const CompileContext& cc) {
    if (!expect_object(n, "unnest")) return;
    check_keys(n, {"path", "as", "where"}, "unnest");
    const auto* path = n.find("path");
    if (!path) return error(n.pos, "unnest needs a \"path\"");
    if (expect_string(*path, "unnest path")) m_map.m_unnest = compile_expression(*path, cc);
    m_item = "item";
    if (const auto* as = n.find("as"); as && expect_string(*as, "unnest as")) m_item = as->text;
    if (const auto* w = n.find("where"); w && expect_string(*w, "unnest where")) {
      CompileContext element = cc;
      element.item_name = m_item;
      m_map.m_unnest_where = compile_expression(*w, element);
    }
    m_map.m_unnest_empty = cc.branch("unnest finds no elements", n.pos);
  }

  ExprPtr cast(const std::string& type, ExprPtr e, SourcePos p, const JsoncNode* scale) {
    static const std::vector<std::string> types{"string", "int", "decimal", "bool", "date", "time"};
    if (std::find(types.begin(), types.end(), type) == types.end()) {
      error(p, fmt::format("unknown type '{}' (use {}){}", type, fmt::join(types, ", "),
                           did_you_mean(type, types)));
      return e;
    }
    CallSite site;
    site.spec = find_function(type == "time" ? "parse_time" : type);
    site.pos = p;
    site.args.push_back(std::move(e));
    if (scale && type == "decimal") {
      if (scale->kind != JsoncNode::Kind::Number)
        error(scale->pos, "scale must be a number");
      else
        site.args.push_back(
            std::make_unique<LiteralExpr>(scale->pos, Datum::number(*Decimal::parse(scale->text))));
    }
    return std::make_unique<CallExpr>(p, std::move(site));
  }

  void fields(const JsoncNode& n, const CompileContext& cc) {
    if (!expect_object(n, "fields")) return;
    if (n.members.empty()) error(n.pos, "\"fields\" is empty");
    for (const auto& m : n.members) {
      FieldPlan f;
      f.name = m.key;
      f.pos = m.key_pos;
      f.expr = field_expr(m.value, m.key, cc, &f.required);
      f.copied = dynamic_cast<const FieldExpr*>(f.expr.get());
      m_field_names.push_back(f.name);
      m_map.m_fields.push_back(std::move(f));
    }
  }

  // An object of fields without "expr": a nested object, built member by member. One that has
  // the keys of a field but no "expr" is a mistake (reported; false), not an object with a
  // "type" member.
  bool is_nested(const JsoncNode& v, const std::string& path) {
    if (!v.is_object() || v.find("expr")) return false;
    static const std::vector<std::string> types{"string", "int", "decimal", "bool", "date", "time"};
    for (const auto& m : v.members) {
      bool cast = m.key == "type" && m.value.is_string() &&
                  std::find(types.begin(), types.end(), m.value.text) != types.end();
      if (cast || m.key == "default" || m.key == "required" || m.key == "scale") {
        error(v.pos, fmt::format("field '{}' needs an \"expr\" (\"{}\" makes it a field, not a "
                                 "nested object)",
                                 path, m.key));
        return false;
      }
    }
    return true;
  }

  // A field's value: an expression, an object with "expr" and its options, or a nested object
  // of fields. `required` is set for a top-level field; a nested one checks its own.
  ExprPtr field_expr(const JsoncNode& v, const std::string& path, const CompileContext& cc,
                     bool* required) {
    if (is_nested(v, path)) {
      std::vector<std::pair<std::string, ExprPtr>> members;
      bool ok = true;
      for (const auto& m : v.members) {
        bool member_required = false;
        ExprPtr e = field_expr(m.value, path + "." + m.key, cc, &member_required);
        if (!e) {
          ok = false;
          continue;
        }
        if (member_required)
          e = std::make_unique<RequiredExpr>(m.value.pos, path + "." + m.key, std::move(e));
        members.emplace_back(m.key, std::move(e));
      }
      if (!ok) return nullptr;
      return std::make_unique<ObjectLiteralExpr>(v.pos, std::move(members));
    }
    const JsoncNode* expr = &v;
    if (v.is_object()) {
      check_keys(v, {"expr", "type", "default", "required", "scale"}, "a field");
      expr = v.find("expr");
      if (!expr) return nullptr;  // reported by is_nested
    }
    if (!expect_string(*expr, "an expression")) return nullptr;
    ExprPtr out = compile_expression(*expr, cc);
    if (out && v.is_object()) out = field_options(v, path, std::move(out), cc, required);
    return out;
  }

  // "default", "type" (with "scale") and "required" of a field object, around its expression.
  ExprPtr field_options(const JsoncNode& spec, const std::string& path, ExprPtr e,
                        const CompileContext& cc, bool* required) {
    if (const auto* d = spec.find("default")) {
      std::vector<ExprPtr> args;
      args.push_back(std::move(e));
      Datum value;
      try {
        value = literal_of(d->to_value());
      } catch (const DecimalError& err) {
        error(d->pos, fmt::format("default {} does not fit a decimal: {}", d->to_value().text(),
                                  err.what()));
      }
      args.push_back(std::make_unique<LiteralExpr>(d->pos, std::move(value)));
      std::vector<Branch*> b{cc.branch(fmt::format("field '{}' has a value", path), d->pos),
                             cc.branch(fmt::format("field '{}' takes its default", path), d->pos)};
      e = std::make_unique<CoalesceExpr>(d->pos, std::move(args), std::move(b));
    }
    if (const auto* t = spec.find("type"); t && expect_string(*t, "type"))
      e = cast(t->text, std::move(e), t->pos, spec.find("scale"));
    if (const auto* r = spec.find("required")) {
      if (r->kind != JsoncNode::Kind::Bool)
        error(r->pos, "required must be true or false");
      else
        *required = r->boolean;
    }
    return e;
  }

  static Datum literal_of(const Value& v) {
    switch (v.kind()) {
      case Value::Kind::Null:
        return Datum();
      case Value::Kind::Bool:
        return Datum::boolean(v.as_bool());
      case Value::Kind::Number:
        return Datum::number(*Decimal::parse(v.text()));
      case Value::Kind::String:
        return Datum::string(v.text());
      default:
        return Datum::json(v);
    }
  }

  void key(const JsoncNode* n) {
    if (!n) return;
    std::vector<const JsoncNode*> names;
    if (n->is_string())
      names.push_back(n);
    else if (n->kind == JsoncNode::Kind::Array)
      for (const auto& i : n->items) names.push_back(&i);
    else
      return error(n->pos, "key must be a field name or an array of field names");
    for (const auto* k : names) {
      if (!expect_string(*k, "a key")) continue;
      if (!is_output_field(k->text))
        error(k->pos, fmt::format("key field '{}' is not one of the mapping's fields{}", k->text,
                                  did_you_mean(k->text, m_field_names)));
      m_map.m_key.push_back(k->text);
    }
  }

  void validate(const JsoncNode& n) {
    if (!expect_object(n, "validate")) return;
    CompileContext cc = context();
    cc.known_fields = output_fields();
    cc.sample_fields = nullptr;
    for (const auto& m : n.members) {
      ValidateRule r;
      r.name = m.key;
      r.pos = m.key_pos;
      if (m.value.is_string()) {
        r.text = m.value.text;
        cc.fields_read = &r.fields_read;
        r.check = compile_expression(m.value, cc);
        cc.fields_read = nullptr;
      } else if (m.value.is_object()) {
        r.check = field_rule(m.value, r);
      } else {
        error(m.value.pos, "a validate rule is an expression or an object with \"field\"");
        continue;
      }
      r.failed = cc.branch(fmt::format("validate rule '{}' fails", m.key), m.key_pos);
      m_map.m_rules.push_back(std::move(r));
    }
  }

  ExprPtr field_rule(const JsoncNode& n, ValidateRule& r) {
    check_keys(n, {"field", "required", "pattern", "min", "max", "enum"}, "a validate rule");
    const auto* field = n.find("field");
    if (!field || !expect_string(*field, "field")) {
      if (!field) error(n.pos, "a validate rule object needs a \"field\"");
      return nullptr;
    }
    if (!is_output_field(field->text))
      error(field->pos, fmt::format("unknown field '{}' (not one of the mapping's fields){}",
                                    field->text, did_you_mean(field->text, m_field_names)));
    r.field = field->text;
    if (const auto* req = n.find("required")) {
      r.text = "required";
      return std::make_unique<FieldRule>(req->pos, FieldRule::Kind::Required, field->text);
    }
    if (const auto* p = n.find("pattern")) {
      if (!expect_string(*p, "pattern")) return nullptr;
      auto rule = std::make_unique<FieldRule>(p->pos, FieldRule::Kind::Pattern, field->text);
      RE2::Options o;
      o.set_log_errors(false);
      rule->regex = std::make_shared<RE2>(p->text, o);
      if (!rule->regex->ok()) error(p->pos, "invalid regular expression: " + rule->regex->error());
      r.text = "pattern " + p->text;
      return rule;
    }
    if (n.find("min") || n.find("max")) {
      auto rule = std::make_unique<FieldRule>(n.pos, FieldRule::Kind::Range, field->text);
      for (const char* bound : {"min", "max"})
        if (const auto* b = n.find(bound)) {
          if (b->kind != JsoncNode::Kind::Number) {
            error(b->pos, fmt::format("{} must be a number", bound));
            continue;
          }
          (std::string_view(bound) == "min" ? rule->min : rule->max) = Decimal::parse(b->text);
          r.text += fmt::format("{}{} {}", r.text.empty() ? "" : ", ", bound, b->text);
        }
      return rule;
    }
    if (const auto* e = n.find("enum")) {
      if (e->kind != JsoncNode::Kind::Array) return error(e->pos, "enum must be an array"), nullptr;
      auto rule = std::make_unique<FieldRule>(e->pos, FieldRule::Kind::Enum, field->text);
      for (const auto& i : e->items) rule->values.push_back(i.to_value());
      Value listed = Value::array();
      listed.items() = rule->values;
      r.text = "enum " + to_json(listed);
      return rule;
    }
    error(n.pos, "a validate rule object needs one of required, pattern, min/max, enum");
    return nullptr;
  }

  void aggregate(const JsoncNode& n) {
    if (!expect_object(n, "aggregate")) return;
    check_keys(n, {"group_by", "fields"}, "aggregate");
    std::vector<std::string> group_by;
    if (const auto* g = n.find("group_by")) {
      if (g->kind != JsoncNode::Kind::Array)
        error(g->pos, "group_by must be an array of field names");
      else
        for (const auto& k : g->items) {
          if (!expect_string(k, "a group_by field")) continue;
          if (!is_output_field(k.text))
            error(k.pos, fmt::format("unknown field '{}' (not one of the mapping's fields){}",
                                     k.text, did_you_mean(k.text, m_field_names)));
          group_by.push_back(k.text);
        }
    }
    const auto* fields = n.find("fields");
    if (!fields || !expect_object(*fields, "aggregate fields")) {
      if (!fields) error(n.pos, "aggregate needs \"fields\"");
      return;
    }
    static const std::vector<std::string> kinds{"sum", "count", "min",  "max",
                                                "avg", "first", "last", "collect"};
    CompileContext cc = context();
    cc.known_fields = output_fields();
    cc.sample_fields = nullptr;
    for (const auto& m : fields->members) {
      std::vector<std::string> reads;  // the fields its argument reads
      if (!expect_string(m.value, "an aggregate")) continue;
      const std::string& t = m.value.text;
      std::size_t open = t.find('('), close = t.rfind(')');
      std::size_t start = t.find_first_not_of(' ');
      if (open == std::string::npos || close == std::string::npos || close < open ||
          t.find_first_not_of(' ', close + 1) != std::string::npos) {
        error(m.value.position_at(0),
              "an aggregate is one of sum(x), count(), min(x), max(x), avg(x), first(x), last(x), "
              "collect(x)");
        continue;
      }
      std::string name = t.substr(start, open - start);
      while (!name.empty() && name.back() == ' ') name.pop_back();
      auto kind = std::find(kinds.begin(), kinds.end(), name);
      if (kind == kinds.end()) {
        error(m.value.position_at(start),
              fmt::format("unknown aggregate '{}'{}", name, did_you_mean(name, kinds)));
        continue;
      }
      AggField f;
      f.name = m.key;
      f.kind = static_cast<AggKind>(kind - kinds.begin());
      std::string inner = t.substr(open + 1, close - open - 1);
      if (inner.find_first_not_of(' ') == std::string::npos) {
        if (f.kind != AggKind::Count) {
          error(m.value.position_at(open), fmt::format("{}() needs an argument", name));
          continue;
        }
      } else {
        JsoncNode sub = m.value;  // the argument, with its own columns for messages
        sub.text = inner;
        sub.columns.assign(m.value.columns.begin() + static_cast<std::ptrdiff_t>(open + 1),
                           m.value.columns.begin() + static_cast<std::ptrdiff_t>(close));
        cc.fields_read = &reads;
        f.arg = compile_expression(sub, cc);
        cc.fields_read = nullptr;
        if (!f.arg) continue;
      }
      if (std::find(group_by.begin(), group_by.end(), m.key) != group_by.end())
        error(m.key_pos, fmt::format("'{}' is both a group_by field and an aggregate", m.key));
      m_map.m_agg_fields.push_back(std::move(f));
      m_agg_reads.push_back(std::move(reads));
    }
    m_group_by = group_by;
    m_output_names = group_by;
    for (const auto& f : m_map.m_agg_fields) m_output_names.push_back(f.name);
    m_map.m_aggregator = std::make_unique<Aggregator>(group_by, &m_map.m_agg_fields);
  }

  // Which fields a sum or avg takes the datum of (FieldPlan::folded): its argument names the
  // field, which the mapping computes (a copied field is read as it is anyway); and which of those
  // nothing else reads of the record (only_folded): no group_by, key, rule or other argument.
  void plan_folding() {
    auto& fields = m_map.m_fields;
    const auto& agg = m_map.m_agg_fields;
    std::vector<std::string> read = m_group_by;
    read.insert(read.end(), m_map.m_key.begin(), m_map.m_key.end());
    for (const auto& r : m_map.m_rules) {
      read.push_back(r.field);
      read.insert(read.end(), r.fields_read.begin(), r.fields_read.end());
    }
    m_map.m_agg_sources.assign(agg.size(), kNoField);
    for (std::size_t i = 0; i < agg.size(); ++i) {
      const std::string* name = agg[i].arg ? agg[i].arg->field_name() : nullptr;
      bool summed = agg[i].kind == AggKind::Sum || agg[i].kind == AggKind::Avg;
      auto named = [&](const FieldPlan& f) { return name && f.name == *name; };
      auto at = std::find_if(fields.begin(), fields.end(), named);
      if (summed && at != fields.end() && !at->copied &&
          std::count_if(fields.begin(), fields.end(), named) == 1) {
        at->folded = true;
        m_map.m_agg_sources[i] = static_cast<std::size_t>(at - fields.begin());
      } else {
        read.insert(read.end(), m_agg_reads[i].begin(), m_agg_reads[i].end());
      }
    }
    for (auto& f : fields)
      f.only_folded =
          f.folded && !f.required && std::find(read.begin(), read.end(), f.name) == read.end();
    m_map.m_folded.resize(fields.size());
    m_map.m_given.assign(agg.size(), nullptr);
  }

  void tests(const JsoncNode& n) {
    if (n.kind != JsoncNode::Kind::Array) return error(n.pos, "tests must be an array");
    for (std::size_t i = 0; i < n.items.size(); ++i) {
      const auto& t = n.items[i];
      if (!expect_object(t, "a test")) continue;
      check_keys(t, {"name", "input", "inputs", "output", "rejected", "filtered"}, "a test");
      MappingTest mt;
      mt.pos = t.pos;
      mt.name = fmt::format("test {}", i + 1);
      if (const auto* nm = t.find("name"); nm && expect_string(*nm, "name")) mt.name = nm->text;
      const auto* input = t.find("input");
      const auto* inputs = t.find("inputs");
      std::vector<const JsoncNode*> records;
      if (input && input->is_object() && !inputs)
        records.push_back(input);
      else if (inputs && inputs->kind == JsoncNode::Kind::Array && !input)
        for (const auto& one : inputs->items) records.push_back(&one);
      if (records.empty()) {
        error(input    ? input->pos
              : inputs ? inputs->pos
                       : t.pos,
              "a test needs an \"input\" object or an \"inputs\" array of objects");
        continue;
      }
      for (const auto* rec : records) {
        if (!expect_object(*rec, "a test input")) continue;
        Record r;
        for (const auto& m : rec->members) r.set(m.key, m.value.to_value());
        mt.inputs.push_back(std::move(r));
      }
      int expectations = 0;
      if (const auto* o = t.find("output")) {
        ++expectations;
        if (o->kind != JsoncNode::Kind::Array)
          error(o->pos, "output must be an array of records");
        else
          for (const auto& rec : o->items) {
            if (!expect_object(rec, "an expected record")) continue;
            Record r;
            for (const auto& m : rec.members) {
              if (!(m_map.m_keep && !m_map.m_aggregator) &&
                  std::find(m_output_names.begin(), m_output_names.end(), m.key) ==
                      m_output_names.end())
                error(m.key_pos, fmt::format("the mapping has no field '{}'{}", m.key,
                                             did_you_mean(m.key, m_output_names)));
              r.set(m.key, m.value.to_value());
            }
            mt.output.push_back(std::move(r));
          }
      }
      if (const auto* r = t.find("rejected"); r && expect_string(*r, "rejected")) {
        ++expectations;
        mt.rejected = r->text;
      }
      if (const auto* f = t.find("filtered")) {
        ++expectations;
        mt.filtered = f->kind == JsoncNode::Kind::Bool && f->boolean;
        if (!mt.filtered) error(f->pos, "filtered must be true when present");
      }
      if (expectations != 1)
        error(t.pos, "a test needs exactly one of \"output\", \"rejected\", \"filtered\"");
      m_map.m_tests.push_back(std::move(mt));
    }
  }

  Mapping& m_map;
  Diagnostics& m_diags;
  std::string m_dir;
  const CompileOptions& m_options;
  std::string m_item;
  bool m_input_declared = false;
  std::vector<std::string> m_input_fields;
  std::vector<std::string> m_field_names;
  std::vector<std::string> m_output_names;  // what comes out: fields, or groups when aggregating
  std::vector<std::string> m_group_by;
  std::vector<std::vector<std::string>> m_agg_reads;  // of each aggregate field's argument
};

std::unique_ptr<Mapping> Mapping::compile_text(const std::string& text, const std::string& file,
                                               const std::string& dir, Diagnostics& diags,
                                               const CompileOptions& options) {
  std::unique_ptr<Mapping> m(new Mapping());
  m->m_file = file;
  auto now =
      std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  m->m_now = utc_instant(now.time_since_epoch().count());
  std::size_t before = diags.size();
  try {
    JsoncNode root = parse_jsonc(text);
    Compiler(*m, diags, dir, options).run(root);
  } catch (const JsoncError& e) {
    diags.error(file, e.pos, e.what());
  }
  diags.sort_from(before);
  if (diags.size() != before) return nullptr;
  return m;
}

std::unique_ptr<Mapping> Mapping::compile_file(const std::string& path, Diagnostics& diags,
                                               const CompileOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(fmt::format("cannot read mapping file '{}'", path));
  std::stringstream text;
  text << in.rdbuf();
  return compile_text(text.str(), path, dir_of(path), diags, options);
}

std::unique_ptr<Mapping> Mapping::compile_file_text(const std::string& text,
                                                    const std::string& path, Diagnostics& diags) {
  return compile_text(text, path, dir_of(path), diags);
}

void Mapping::map_one(const Record& in, const Value* item, std::int64_t index, Output& out) {
  out.reject_reason.clear();
  out.aggregated = false;
  out.to_aggregate = false;
  auto& fields = out.record.fields();
  if (m_keep || fields.size() != m_fields.size()) {  // keep leaves other fields in it
    fields.clear();
    for (const auto& f : m_fields) fields.push_back({f.name, Value()});
  }
  EvalContext ctx{&in, item, index, m_zones, m_now};
  for (std::size_t i = 0; i < m_fields.size(); ++i) {
    const FieldPlan& f = m_fields[i];
    try {
      map_field(i, ctx, fields[i].value);
    } catch (const EvalError& e) {
      out.reject_reason = fmt::format("field '{}': {}", f.name, e.what());
      return;
    }
    if (f.required && fields[i].value.is_null()) {
      out.reject_reason = fmt::format("field '{}' is required but null", f.name);
      return;
    }
  }
  if (m_keep) pass_through(in, out);
  for (const auto& k : m_key)
    if (const Value* v = out.record.find(k); !v || v->is_null()) {
      out.reject_reason = fmt::format("key field '{}' is null", k);
      return;
    }
  EvalContext check{&out.record, nullptr, 0, m_zones, m_now};
  for (const auto& r : m_rules) {
    bool pass;
    try {
      pass = truthy(r.check->eval(check), "a validate rule");
    } catch (const EvalError& e) {
      out.reject_reason = fmt::format("validate rule '{}': {}", r.name, e.what());
      ++r.failed->taken;
      return;
    }
    if (!pass) {
      ++r.failed->taken;
      out.reject_reason = fmt::format("validate rule '{}' failed: {}", r.name, r.text);
      // The values the rule saw, so the reason alone tells what to fix.
      std::vector<std::string> shown;
      for (const auto& name : r.field.empty() ? r.fields_read : std::vector<std::string>{r.field}) {
        const Value* v = out.record.find(name);
        shown.push_back(fmt::format("{} is {}", name, v ? Datum::borrow(*v).describe() : "null"));
      }
      if (!shown.empty()) out.reject_reason += fmt::format(" ({})", fmt::join(shown, ", "));
      return;
    }
  }
  if (m_aggregator) {
    prepare_fold(out);
    if (m_defer_aggregate)
      out.to_aggregate = true;
    else
      aggregate(out);
  }
}

// Field i of the output record, into out; a folded field's datum is kept for prepare_fold().
void Mapping::map_field(std::size_t i, EvalContext& ctx, Value& out) {
  const FieldPlan& f = m_fields[i];
  if (f.copied) return f.copied->copy(ctx, out);
  if (!f.folded) return f.expr->eval(ctx).store(out);
  Datum& d = m_folded[i];
  d = f.expr->eval(ctx);
  if (f.only_folded && reads_back_as_itself(d))
    out.set_null();
  else
    d.store(out);
}

// The aggregate's arguments that are folded fields take those fields' datums when the record
// would give them back unchanged: a number (the same decimal) or null, not a time (a string).
void Mapping::prepare_fold(Output& out) {
  for (std::size_t i = 0; i < m_agg_sources.size(); ++i) {
    std::size_t at = m_agg_sources[i];
    m_given[i] = at != kNoField && reads_back_as_itself(m_folded[at]) ? &m_folded[at] : nullptr;
  }
  m_aggregator->prepare(out.record, EvalContext{&out.record, nullptr, 0, m_zones, m_now}, out.fold,
                        m_given.data());
}

std::optional<std::vector<std::string>> Mapping::fields_read() const {
  if (m_keep) return std::nullopt;
  return m_names_read;
}

std::vector<std::pair<std::string, std::string>> Mapping::fields_never_found() const {
  std::vector<std::pair<std::string, std::string>> names;
  for (const auto& use : m_field_uses)
    if (use.looked && !use.found)
      names.emplace_back(use.name, closest(use.name, use.first_miss_fields));
  return names;
}

void Mapping::add_field_uses(const Mapping& copy) {
  for (std::size_t i = 0; i < m_field_uses.size() && i < copy.m_field_uses.size(); ++i) {
    FieldUse& mine = m_field_uses[i];
    const FieldUse& theirs = copy.m_field_uses[i];
    if (!mine.looked) mine.first_miss_fields = theirs.first_miss_fields;
    mine.looked = mine.looked || theirs.looked;
    mine.found = mine.found || theirs.found;
  }
}

void Mapping::fold_in_lanes(unsigned lanes) {
  if (!m_aggregator || !m_lanes.empty()) return;  // (made once: the groups are in them)
  std::size_t budget = m_budget ? m_budget : m_aggregator->memory_budget();
  for (unsigned i = 1; i < lanes; ++i) m_lanes.push_back(m_aggregator->another());
  set_memory_budget(budget);  // shared by the lanes, as are open files
  for (unsigned i = 0; i < this->lanes(); ++i) lane(i).share_open_files(this->lanes());
}

void Mapping::aggregate(Output& out, unsigned lane) {
  out.to_aggregate = false;
  try {
    this->lane(lane).add(out.record, out.fold);
    out.aggregated = true;
  } catch (const EvalError& e) {
    out.reject_reason = e.what();
  }
}

// The input's fields in their order, a mapped field of the same name in its place, then the
// other mapped fields in the mapping's order; dropped fields left out.
void Mapping::pass_through(const Record& in, Output& out) {
  auto& mapped = out.record.fields();
  auto& result = out.scratch.fields();
  result.clear();
  m_mapped_used.assign(mapped.size(), 0);
  for (const auto& f : in.fields()) {
    if (std::find(m_drop.begin(), m_drop.end(), f.key) != m_drop.end()) continue;
    auto at =
        std::find_if(mapped.begin(), mapped.end(), [&](const auto& m) { return m.key == f.key; });
    if (at == mapped.end()) {
      result.push_back(f);
    } else {
      m_mapped_used[static_cast<std::size_t>(at - mapped.begin())] = 1;
      result.push_back(*at);
    }
  }
  for (std::size_t i = 0; i < mapped.size(); ++i)
    if (!m_mapped_used[i]) result.push_back(mapped[i]);
  std::swap(mapped, result);
}

void Mapping::finish(const std::function<void(const Record&)>& emit) {
  if (!m_aggregator) return;
  std::vector<Aggregator*> all;
  for (unsigned i = 0; i < lanes(); ++i) all.push_back(&lane(i));
  Aggregator::finish(all, emit);
}

void Mapping::set_memory_budget(std::size_t bytes) {
  m_budget = bytes;
  for (unsigned i = 0; m_aggregator && i < lanes(); ++i) lane(i).set_memory_budget(bytes / lanes());
}

bool Mapping::apply(const Record& in, std::vector<Output>& out, std::size_t& count) {
  count = 0;
  if (m_filter) {
    EvalContext ctx{&in, nullptr, 0, m_zones, m_now};
    bool pass;
    try {
      pass = truthy(m_filter->eval(ctx), "the filter");
    } catch (const EvalError& e) {
      if (out.empty()) out.resize(1);
      out[0].reject_reason = fmt::format("filter: {}", e.what());
      count = 1;
      return true;
    }
    ++(pass ? m_filter_pass : m_filter_drop)->taken;
    if (!pass) return false;
  }
  if (!m_unnest) {
    if (out.empty()) out.resize(1);
    map_one(in, nullptr, 0, out[0]);
    count = 1;
    return true;
  }
  EvalContext ctx{&in, nullptr, 0, m_zones, m_now};
  Datum list;
  try {
    list = m_unnest->eval(ctx);
    if (!list.is_null() &&
        (list.type() != Datum::Type::Json || list.json_value().kind() != Value::Kind::Array))
      throw EvalError("must be an array, got " + list.describe());
  } catch (const EvalError& e) {
    if (out.empty()) out.resize(1);
    out[0].reject_reason = fmt::format("unnest: {}", e.what());
    count = 1;
    return true;
  }
  const std::vector<Value> none;
  const auto& items = list.is_null() ? none : list.json_value().items();
  // "where" decides which elements make records; <as>_index then counts the kept ones.
  m_kept.clear();
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (m_unnest_where) {
      EvalContext w{&in, &items[i], static_cast<std::int64_t>(i), m_zones, m_now};
      try {
        if (!truthy(m_unnest_where->eval(w), "unnest's where")) continue;
      } catch (const EvalError& e) {
        if (out.empty()) out.resize(1);
        out[0].reject_reason = fmt::format("unnest element {}: where: {}", i, e.what());
        count = 1;
        return true;
      }
    }
    m_kept.push_back(i);
  }
  if (m_kept.empty()) {
    ++m_unnest_empty->taken;
    return false;
  }
  if (out.size() < m_kept.size()) out.resize(m_kept.size());
  for (std::size_t k = 0; k < m_kept.size(); ++k) {
    std::size_t i = m_kept[k];
    map_one(in, &items[i], static_cast<std::int64_t>(k), out[k]);
    if (!out[k].reject_reason.empty())
      out[k].reject_reason = fmt::format("unnest element {}: {}", i, out[k].reject_reason);
  }
  count = m_kept.size();
  return true;
}

}  // namespace etl::mapping
