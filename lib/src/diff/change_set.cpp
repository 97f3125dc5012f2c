#include "etl/diff/change_set.hpp"

#include <fmt/format.h>

#include "etl/json.hpp"

namespace etl::diff {

const char* op_name(ChangeOp op) {
  switch (op) {
    case ChangeOp::Add:
      return "add";
    case ChangeOp::Remove:
      return "remove";
    case ChangeOp::Change:
      return "change";
    case ChangeOp::Unreadable:
      return "unreadable";
    case ChangeOp::Same:
      break;
  }
  return "same";
}

void append_unreadable(std::string& out, std::string_view side, std::string_view key_json,
                       std::string_view where, std::string_view reason, bool deletes_unsafe) {
  out += "{\"op\":\"unreadable\",\"side\":";
  append_json_string(out, side);
  out += ",\"key\":";
  out += key_json;
  out += ",\"where\":";
  append_json_string(out, where);
  out += ",\"reason\":";
  append_json_string(out, reason);
  out += deletes_unsafe ? ",\"deletes_unsafe\":true}\n" : ",\"deletes_unsafe\":false}\n";
}

void append_change(std::string& out, ChangeOp op, std::string_view key_json,
                   std::string_view record_json, const std::vector<FieldChange>& changes) {
  out += "{\"op\":\"";
  out += op_name(op);
  out += "\",\"key\":";
  out += key_json;
  if (op == ChangeOp::Change) {
    out += ",\"changes\":{";
    for (std::size_t i = 0; i < changes.size(); ++i) {
      if (i > 0) out.push_back(',');
      append_json_string(out, *changes[i].field);
      out.push_back(':');
      out.push_back('{');
      if (changes[i].old_value) {
        out += "\"old\":";
        append_json(out, *changes[i].old_value);
      }
      if (changes[i].new_value) {
        if (changes[i].old_value) out.push_back(',');
        out += "\"new\":";
        append_json(out, *changes[i].new_value);
      }
      out.push_back('}');
    }
    out.push_back('}');
  }
  out += ",\"record\":";
  out += record_json;
  out += "}\n";
}

namespace {

bool take_object(const Value* v, Record& out) {
  if (v == nullptr || v->kind() != Value::Kind::Object) return false;
  out.fields() = v->members();
  return true;
}

std::string text_of(const Record& in, const char* name) {
  const Value* v = in.find(name);
  return v && v->kind() == Value::Kind::String ? v->text() : std::string();
}

std::string parse_unreadable(const Record& in, Change& out) {
  out.op = ChangeOp::Unreadable;
  const Value* key = in.find("key");
  if (key == nullptr || (key->kind() != Value::Kind::Null && !take_object(key, out.key)))
    return "an unreadable line needs a \"key\" object or null";
  if (key->kind() == Value::Kind::Null) out.key.clear();
  out.side = text_of(in, "side");
  out.where = text_of(in, "where");
  out.reason = text_of(in, "reason");
  const Value* unsafe = in.find("deletes_unsafe");
  out.deletes_unsafe = unsafe && unsafe->kind() == Value::Kind::Bool && unsafe->as_bool();
  return {};
}

}  // namespace

std::string parse_change(const Record& in, Change& out) {
  const Value* op = in.find("op");
  if (op == nullptr || op->kind() != Value::Kind::String)
    return "not a change record: no \"op\" (etl-load --changes reads what etl-diff writes)";
  const std::string& name = op->text();
  if (name == "add") {
    out.op = ChangeOp::Add;
  } else if (name == "remove") {
    out.op = ChangeOp::Remove;
  } else if (name == "change") {
    out.op = ChangeOp::Change;
  } else if (name == "same") {
    out.op = ChangeOp::Same;
  } else if (name == "unreadable") {
    return parse_unreadable(in, out);
  } else {
    return fmt::format("unknown op '{}' (add, remove, change, same, unreadable)", name);
  }
  if (!take_object(in.find("key"), out.key) || out.key.empty())
    return "a change record needs a \"key\" object";
  if (!take_object(in.find("record"), out.record) && out.op != ChangeOp::Change)
    return fmt::format("a {} change needs a \"record\" object", name);
  out.updates.clear();
  if (out.op != ChangeOp::Change) return {};
  const Value* changes = in.find("changes");
  if (changes == nullptr || changes->kind() != Value::Kind::Object || changes->members().empty())
    return "a change needs a non-empty \"changes\" object";
  for (const auto& m : changes->members()) {
    if (m.value.kind() != Value::Kind::Object)
      return fmt::format("changes.{} must be an object with \"old\" and \"new\"", m.key);
    FieldUpdate u;
    u.field = m.key;
    for (const auto& part : m.value.members()) {
      if (part.key == "old") u.old_value = part.value;
      if (part.key == "new") u.new_value = part.value;
    }
    out.updates.push_back(std::move(u));
  }
  return {};
}

}  // namespace etl::diff
