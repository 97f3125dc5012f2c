#include "etl/mapping/datum.hpp"

#include <fmt/format.h>

#include "etl/json.hpp"

namespace etl::mapping {

Datum Datum::boolean(bool b) {
  Datum d;
  d.m_type = Type::Bool;
  d.m_bool = b;
  return d;
}
Datum Datum::number(const Decimal& v) {
  Datum d;
  d.m_type = Type::Number;
  new (&d.m_dec) Decimal(v);
  d.m_held = Held::Number;
  return d;
}
Datum Datum::string(std::string s) {
  Datum d;
  d.m_type = Type::String;
  new (&d.m_str) std::string(std::move(s));
  d.m_held = Held::Text;
  return d;
}
Datum Datum::time(const TimeValue& t) {
  Datum d;
  d.m_type = Type::Time;
  new (&d.m_time) TimeValue(t);
  d.m_held = Held::Instant;
  return d;
}
Datum Datum::json(Value v) {
  Datum d;
  d.m_type = Type::Json;
  new (&d.m_json) std::shared_ptr<const Value>(std::make_shared<const Value>(std::move(v)));
  d.m_held = Held::Owner;
  return d;
}
Datum Datum::borrow(const Value& v) {
  Datum d;  // the one object returned (a datum moved is a stall on this hot path)
  switch (v.kind()) {
    case Value::Kind::Null:
      return d;
    case Value::Kind::Bool:
      d.m_type = Type::Bool;
      d.m_bool = v.as_bool();
      return d;
    case Value::Kind::Number:
      d.m_type = Type::Number;
      break;
    case Value::Kind::String:
      d.m_type = Type::String;
      break;
    case Value::Kind::Array:
    case Value::Kind::Object:
      d.m_type = Type::Json;
      break;
  }
  d.m_ref = &v;
  return d;
}

Datum Datum::borrow_within(const Value& v, std::shared_ptr<const Value> keep) {
  Datum d = borrow(v);
  if (d.m_ref) {
    new (&d.m_json) std::shared_ptr<const Value>(std::move(keep));
    d.m_held = Held::Owner;
  }
  return d;
}

Decimal Datum::decimal() const {
  if (!m_ref) return m_held == Held::Number ? m_dec : Decimal();
  try {
    if (auto d = Decimal::parse(m_ref->text())) return *d;
  } catch (const DecimalError& e) {
    throw EvalError(fmt::format("number {} does not fit a decimal: {}", m_ref->text(), e.what()));
  }
  throw EvalError("not a number: " + m_ref->text());
}

void Datum::store(Value& v) const {
  switch (m_type) {
    case Type::Null:
      v.set_null();
      return;
    case Type::Bool:
      v = Value::boolean(m_bool);
      return;
    case Type::Number:
      if (m_ref)
        v.set_number(m_ref->text());
      else {
        char buf[Decimal::kMaxText];
        v.set_number(decimal().format(buf));
      }
      return;
    case Type::String:
      v.set_string(text());
      return;
    case Type::Time:
      v.set_string(format_rfc3339(time_value()));
      return;
    case Type::Json:
      v = json_value();
      return;
  }
}

Value Datum::to_value() const {
  Value v;
  store(v);
  return v;
}

const char* type_name(Datum::Type t) {
  switch (t) {
    case Datum::Type::Null:
      return "null";
    case Datum::Type::Bool:
      return "bool";
    case Datum::Type::Number:
      return "number";
    case Datum::Type::String:
      return "string";
    case Datum::Type::Time:
      return "time";
    case Datum::Type::Json:
      return "json";
  }
  return "?";
}

std::string Datum::describe() const {
  auto shorten = [](std::string_view s) {
    return s.size() > 40 ? std::string(s.substr(0, 37)) + "..." : std::string(s);
  };
  switch (m_type) {
    case Type::Null:
      return "null";
    case Type::Bool:
      return m_bool ? "bool true" : "bool false";
    case Type::Number:
      return "number " + (m_ref ? m_ref->text() : decimal().to_string());
    case Type::String:
      return "string '" + shorten(text()) + "'";
    case Type::Time:
      return "time " + format_rfc3339(time_value());
    case Type::Json:
      return (json_value().kind() == Value::Kind::Array ? "array " : "object ") +
             shorten(to_json(json_value()));
  }
  return "?";
}

bool datums_equal(const Datum& a, const Datum& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Datum::Type::Null:
      return true;
    case Datum::Type::Bool:
      return a.as_bool() == b.as_bool();
    case Datum::Type::Number:
      return compare(a.decimal(), b.decimal()) == 0;
    case Datum::Type::String:
      return a.text() == b.text();
    case Datum::Type::Time:
      return a.time_value().micros == b.time_value().micros;
    case Datum::Type::Json:
      return a.json_value() == b.json_value();
  }
  return false;
}

int compare_datums(const Datum& a, const Datum& b, std::string_view op) {
  if (a.type() == b.type()) {
    switch (a.type()) {
      case Datum::Type::Number:
        return compare(a.decimal(), b.decimal());
      case Datum::Type::String:
        return a.text().compare(b.text());
      case Datum::Type::Time:
        return a.time_value().micros < b.time_value().micros   ? -1
               : a.time_value().micros > b.time_value().micros ? 1
                                                               : 0;
      case Datum::Type::Bool:
        return int(a.as_bool()) - int(b.as_bool());
      default:
        break;
    }
  }
  throw EvalError(fmt::format("cannot compare {} {} {}{}", a.describe(), op, b.describe(),
                              (a.type() == Datum::Type::String || b.type() == Datum::Type::String)
                                  ? " (convert with int(), decimal() or string() first)"
                                  : ""));
}

void append_text(std::string& out, const Datum& d) {
  switch (d.type()) {
    case Datum::Type::String:
      out += d.text();
      return;
    case Datum::Type::Number:  // a number read from input keeps its literal text
      if (!d.text().empty())
        out += d.text();
      else
        out += d.decimal().to_string();
      return;
    case Datum::Type::Bool:
      out += d.as_bool() ? "true" : "false";
      return;
    case Datum::Type::Time:
      out += format_rfc3339(d.time_value());
      return;
    case Datum::Type::Json:
      out += to_json(d.json_value());
      return;
    case Datum::Type::Null:
      return;
  }
}

}  // namespace etl::mapping
