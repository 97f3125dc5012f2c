#pragma once
// The value an expression evaluates to. Field values are borrowed from the record (a number keeps
// its exact text until arithmetic needs it); computed values are owned.
#include <cstdint>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>

#include "etl/decimal.hpp"
#include "etl/value.hpp"

namespace date {
class time_zone;
}

namespace etl::mapping {

// A record-level failure: the record is rejected with this message as the reason.
struct EvalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// An instant, and the zone it is shown in: a named IANA zone, or a fixed UTC offset.
struct TimeValue {
  std::int64_t micros = 0;  // since 1970-01-01T00:00:00Z
  const date::time_zone* zone = nullptr;
  std::int32_t offset_seconds = 0;  // used when zone is null
};

// A datum is small (48 bytes): what it holds besides its type and a borrowed value (a decimal,
// an instant, an owned string, or an owned JSON value or the owner of the borrowed one) shares
// one place. Datums are made, moved and dropped for every field of every record; at 128 bytes,
// with a string and a shared pointer each, that was a sixth of a mapping's time.
class Datum {
 public:
  enum class Type : std::uint8_t { Null, Bool, Number, String, Time, Json };

  Datum() : m_none() {}
  Datum(const Datum& o) : m_type(o.m_type), m_bool(o.m_bool), m_held(o.m_held), m_ref(o.m_ref) {
    copy_held(o);
  }
  Datum(Datum&& o) noexcept : m_type(o.m_type), m_bool(o.m_bool), m_held(o.m_held), m_ref(o.m_ref) {
    move_held(o);
  }
  Datum& operator=(const Datum& o) {
    if (this != &o) {
      Datum copy(o);
      *this = std::move(copy);
    }
    return *this;
  }
  Datum& operator=(Datum&& o) noexcept {
    if (this != &o) {
      drop_held();
      m_type = o.m_type;
      m_bool = o.m_bool;
      m_held = o.m_held;
      m_ref = o.m_ref;
      move_held(o);
    }
    return *this;
  }
  ~Datum() { drop_held(); }

  static Datum boolean(bool b);
  static Datum number(const Decimal& d);
  static Datum string(std::string s);
  static Datum time(const TimeValue& t);
  static Datum json(Value v);  // owned array or object
  // Borrows v (which must outlive the datum); objects and arrays become Json.
  static Datum borrow(const Value& v);
  // Borrows v, a part of an owned value that the datum keeps alive.
  static Datum borrow_within(const Value& v, std::shared_ptr<const Value> keep);
  // The owner of what the datum borrows, or of its JSON value (null when none).
  const std::shared_ptr<const Value>& keeper() const {
    static const std::shared_ptr<const Value> none;
    return m_held == Held::Owner ? m_json : none;
  }

  Type type() const { return m_type; }
  bool is_null() const { return m_type == Type::Null; }
  bool as_bool() const { return m_bool; }
  std::string_view text() const {
    return m_ref                  ? std::string_view(m_ref->text())
           : m_held == Held::Text ? std::string_view(m_str)
                                  : std::string_view();
  }
  // Number → Decimal; throws EvalError when the literal does not fit a decimal.
  Decimal decimal() const;
  const TimeValue& time_value() const {
    static const TimeValue none;
    return m_held == Held::Instant ? m_time : none;
  }
  // The array or object of a Json datum.
  const Value& json_value() const { return m_ref ? *m_ref : *m_json; }

  // Writes the datum into v, reusing v's storage; exact text for numbers read from input.
  void store(Value& v) const;
  Value to_value() const;
  // For error messages: "string 'abc'", "number 5", "null".
  std::string describe() const;

 private:
  // What the shared place holds.
  enum class Held : std::uint8_t { None, Number, Instant, Text, Owner };
  struct None {};
  void copy_held(const Datum& o) {
    switch (m_held) {
      case Held::None:
        break;
      case Held::Number:
        new (&m_dec) Decimal(o.m_dec);
        break;
      case Held::Instant:
        new (&m_time) TimeValue(o.m_time);
        break;
      case Held::Text:
        new (&m_str) std::string(o.m_str);
        break;
      case Held::Owner:
        new (&m_json) std::shared_ptr<const Value>(o.m_json);
        break;
    }
  }
  // (o is left holding nothing it must free; a decimal or an instant is copied)
  void move_held(Datum& o) noexcept {
    if (m_held == Held::Text)
      new (&m_str) std::string(std::move(o.m_str));
    else if (m_held == Held::Owner)
      new (&m_json) std::shared_ptr<const Value>(std::move(o.m_json));
    else
      copy_held(o);
  }
  void drop_held() noexcept {
    if (m_held == Held::Text)
      m_str.~basic_string();
    else if (m_held == Held::Owner)
      m_json.~shared_ptr();
    m_held = Held::None;
  }

  Type m_type = Type::Null;
  bool m_bool = false;
  Held m_held = Held::None;
  const Value* m_ref = nullptr;
  union {
    None m_none;
    Decimal m_dec;
    TimeValue m_time;
    std::string m_str;
    std::shared_ptr<const Value> m_json;
  };
};

const char* type_name(Datum::Type t);
bool datums_equal(const Datum& a, const Datum& b);
// <0, 0, >0; throws EvalError when the types cannot be ordered.
int compare_datums(const Datum& a, const Datum& b, std::string_view op);
// Appends the datum as string() writes it: a number's exact text, true/false, RFC 3339 for an
// instant, JSON for arrays and objects; nothing for null.
void append_text(std::string& out, const Datum& d);
// RFC 3339 text of an instant in its zone: 2024-03-01T09:00:00+01:00, Z for UTC.
std::string format_rfc3339(const TimeValue& t);

}  // namespace etl::mapping
