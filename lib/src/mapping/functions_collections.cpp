// Functions over arrays and objects that take no lambda: first, last, distinct, flatten, keys,
// values, get, merge, pick, omit, from_entries, to_entries. (filter, map, find, any, all, sum and
// sort_by take one: nodes_collections.cpp.)
#include <algorithm>
#include <set>

#include "etl/json.hpp"
#include "functions.hpp"
#include "nodes.hpp"

namespace etl::mapping {
namespace {

const Value* member(const Value& o, std::string_view key) {
  for (const auto& m : o.members())
    if (m.key == key) return &m.value;
  return nullptr;
}

const Value& object_of(CallSite& c, std::size_t i) {
  const Datum& d = c.arg(i);
  if (d.type() != Datum::Type::Json || d.json_value().kind() != Value::Kind::Object)
    c.wrong_type(i, "an object");
  return d.json_value();
}

const std::vector<Value>& items_of(CallSite& c, std::size_t i) {
  const Datum& d = c.arg(i);
  if (d.type() != Datum::Type::Json || d.json_value().kind() != Value::Kind::Array)
    c.wrong_type(i, "an array");
  return d.json_value().items();
}

// The names an argument lists: an array of strings.
std::vector<std::string> names_of(CallSite& c, std::size_t i) {
  std::vector<std::string> out;
  for (const auto& v : items_of(c, i)) {
    if (v.kind() != Value::Kind::String) c.wrong_type(i, "an array of field names");
    out.push_back(v.text());
  }
  return out;
}

Datum fn_first(CallSite& c, EvalContext&) {
  const auto& items = items_of(c, 0);
  return items.empty() ? Datum() : child(c.arg(0), items.front());
}

Datum fn_last(CallSite& c, EvalContext&) {
  const auto& items = items_of(c, 0);
  return items.empty() ? Datum() : child(c.arg(0), items.back());
}

// The first of equal elements, in order; equal is equal JSON (1 and 1.0 are two numbers).
Datum fn_distinct(CallSite& c, EvalContext&) {
  Value out = Value::array();
  std::set<std::string> seen;
  std::string text;
  for (const auto& v : items_of(c, 0)) {
    text.clear();
    append_json(text, v);
    if (seen.insert(text).second) out.items().push_back(v);
  }
  return Datum::json(std::move(out));
}

Datum fn_flatten(CallSite& c, EvalContext&) {
  Value out = Value::array();
  for (const auto& v : items_of(c, 0)) {
    if (v.kind() == Value::Kind::Array)
      out.items().insert(out.items().end(), v.items().begin(), v.items().end());
    else
      out.items().push_back(v);
  }
  return Datum::json(std::move(out));
}

Datum fn_keys(CallSite& c, EvalContext&) {
  Value out = Value::array();
  for (const auto& m : object_of(c, 0).members()) out.items().push_back(Value::string(m.key));
  return Datum::json(std::move(out));
}

Datum fn_values(CallSite& c, EvalContext&) {
  Value out = Value::array();
  for (const auto& m : object_of(c, 0).members()) out.items().push_back(m.value);
  return Datum::json(std::move(out));
}

Datum fn_get(CallSite& c, EvalContext&) {
  if (c.arg(0).is_null()) return c.count() > 2 ? c.arg(2) : Datum();
  if (const Value* v = member(object_of(c, 0), c.text(1))) return child(c.arg(0), *v);
  return c.count() > 2 ? c.arg(2) : Datum();
}

// merge(a, b, …): the members of each, a later object's value replacing an earlier one's in place.
Datum fn_merge(CallSite& c, EvalContext&) {
  Value out = Value::object();
  for (std::size_t i = 0; i < c.count(); ++i) {
    if (c.arg(i).is_null()) continue;
    for (const auto& m : object_of(c, i).members()) {
      auto& members = out.members();
      auto at = std::find_if(members.begin(), members.end(),
                             [&](const auto& have) { return have.key == m.key; });
      if (at != members.end())
        at->value = m.value;
      else
        members.push_back(m);
    }
  }
  return Datum::json(std::move(out));
}

Datum pick_or_omit(CallSite& c, bool keep_listed) {
  const Value& o = object_of(c, 0);
  std::vector<std::string> names = names_of(c, 1);
  Value out = Value::object();
  for (const auto& m : o.members())
    if ((std::find(names.begin(), names.end(), m.key) != names.end()) == keep_listed)
      out.members().push_back(m);
  return Datum::json(std::move(out));
}

Datum fn_pick(CallSite& c, EvalContext&) {
  return pick_or_omit(c, true);
}

Datum fn_omit(CallSite& c, EvalContext&) {
  return pick_or_omit(c, false);
}

// from_entries(list[, key_field, value_field]): name/value pairs (objects, by default with
// "key"/"name" and "value", or [key, value] arrays) into one object. A key twice is an error:
// which value is meant cannot be told.
Datum fn_from_entries(CallSite& c, EvalContext&) {
  std::string key_field = c.count() > 1 ? std::string(c.text(1)) : "";
  std::string value_field = c.count() > 2 ? std::string(c.text(2)) : "value";
  Value out = Value::object();
  const auto& items = items_of(c, 0);
  for (std::size_t i = 0; i < items.size(); ++i) {
    const Value& e = items[i];
    const Value *key = nullptr, *value = nullptr;
    if (e.kind() == Value::Kind::Array && e.items().size() == 2) {
      key = &e.items()[0];
      value = &e.items()[1];
    } else if (e.kind() == Value::Kind::Object) {
      key = !key_field.empty() ? member(e, key_field)
            : member(e, "key") ? member(e, "key")
                               : member(e, "name");
      value = member(e, value_field);
    }
    if (!key || key->kind() != Value::Kind::String)
      c.fail(fmt::format("element {} has no {} string to name its member", i,
                         key_field.empty() ? "\"key\" or \"name\"" : "\"" + key_field + "\""));
    for (const auto& m : out.members())
      if (m.key == key->text()) c.fail(fmt::format("the key '{}' comes twice", key->text()));
    out.members().push_back({key->text(), value ? *value : Value()});
  }
  return Datum::json(std::move(out));
}

// to_entries(o): [{"key": name, "value": value}, …], in the object's order.
// An object's members; an array's elements with their 0-based index as the key (as jq does), so
// that a lambda can number lines: map(to_entries(items), e -> {line_no: e.key + 1, …}).
Datum fn_to_entries(CallSite& c, EvalContext&) {
  Value out = Value::array();
  const Datum& d = c.arg(0);
  if (d.type() == Datum::Type::Json && d.json_value().kind() == Value::Kind::Array) {
    const auto& items = d.json_value().items();
    for (std::size_t i = 0; i < items.size(); ++i) {
      Value e = Value::object();
      e.members().push_back({"key", Value::number(std::to_string(i))});
      e.members().push_back({"value", items[i]});
      out.items().push_back(std::move(e));
    }
    return Datum::json(std::move(out));
  }
  for (const auto& m : object_of(c, 0).members()) {
    Value e = Value::object();
    e.members().push_back({"key", Value::string(m.key)});
    e.members().push_back({"value", m.value});
    out.items().push_back(std::move(e));
  }
  return Datum::json(std::move(out));
}

const FunctionSpec kCollectionFunctions[] = {
    {"first", 1, 1, true, fn_first, nullptr},
    {"last", 1, 1, true, fn_last, nullptr},
    {"distinct", 1, 1, true, fn_distinct, nullptr},
    {"flatten", 1, 1, true, fn_flatten, nullptr},
    {"keys", 1, 1, true, fn_keys, nullptr},
    {"values", 1, 1, true, fn_values, nullptr},
    {"get", 2, 3, false, fn_get, nullptr},
    {"merge", 1, -1, false, fn_merge, nullptr},
    {"pick", 2, 2, true, fn_pick, nullptr},
    {"omit", 2, 2, true, fn_omit, nullptr},
    {"from_entries", 1, 3, true, fn_from_entries, nullptr},
    {"to_entries", 1, 1, true, fn_to_entries, nullptr},
};

}  // namespace

std::span<const FunctionSpec> collection_functions() {
  return kCollectionFunctions;
}

}  // namespace etl::mapping
