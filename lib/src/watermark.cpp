#include "etl/watermark.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "etl/digest.hpp"
#include "etl/error.hpp"
#include "etl/io.hpp"
#include "etl/json.hpp"
#include "etl/mapping/time_support.hpp"

namespace etl {
namespace {

const char* type_name(CursorType t) {
  return t == CursorType::Number ? "number" : t == CursorType::Time ? "time" : "text";
}

std::optional<CursorType> type_named(const std::string& name) {
  for (CursorType t : {CursorType::Number, CursorType::Time, CursorType::Text})
    if (name == type_name(t)) return t;
  return std::nullopt;
}

// An instant in microseconds: with the format when there is one, else ISO 8601 or RFC 2822.
// Zone-less times are read as UTC (every value of one cursor the same way).
std::optional<std::int64_t> read_time(const std::string& s, const std::string& format) {
  mapping::ZoneSettings utc;
  std::optional<mapping::TimeValue> t;
  if (!format.empty()) {
    t = mapping::parse_with_format(s, format, utc);
  } else {
    t = mapping::parse_timestamp(s, utc);
  }
  if (!t) return std::nullopt;
  return t->micros;
}

std::string text_of(const Value& v) {
  return v.kind() == Value::Kind::String || v.kind() == Value::Kind::Number ? v.text() : to_json(v);
}

// (Inside Watermark::compare the member hides the decimals' compare from argument lookup.)
int compare_decimals(const Decimal& a, const Decimal& b) {
  return compare(a, b);
}

DataError bad_state(const std::string& path, const std::string& why) {
  return DataError(fmt::format(
      "--state {}: {}; fix the file, or remove it to extract everything again", path, why));
}

}  // namespace

Watermark::Watermark(std::string path, std::vector<std::string> fields, std::string time_format)
    : m_path(std::move(path)),
      m_fields(std::move(fields)),
      m_time_format(std::move(time_format)),
      m_types(m_fields.size()) {
  // A FILE.next left by an earlier run whose load failed must not be committed by this run's
  // load if this extract fails: it would move the watermark past records never loaded.
  std::filesystem::remove(m_path + ".next");
  std::ifstream in(m_path);
  if (!in) {
    if (std::filesystem::exists(m_path)) throw bad_state(m_path, "cannot be read");
    return;  // no run has committed yet
  }
  std::stringstream text;
  text << in.rdbuf();
  load(text.str());
}

void Watermark::load(const std::string& text) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    throw bad_state(m_path, "it is empty");
  Value doc;
  if (parse_json(text, doc) || doc.kind() != Value::Kind::Object)
    throw bad_state(m_path, "it is not a watermark (a JSON object with \"cursor\" and \"after\")");
  auto member = [&](const char* name) -> const Value* {
    for (const auto& m : doc.members())
      if (m.key == name) return m.value.kind() == Value::Kind::Array ? &m.value : nullptr;
    return nullptr;
  };
  const Value* cursor = member("cursor");
  const Value* after = member("after");
  const Value* types = member("types");
  const Value* seen = member("seen");
  if (!cursor || !after || cursor->items().size() != after->items().size())
    throw bad_state(m_path, "it is not a watermark (a JSON object with \"cursor\" and \"after\")");
  std::vector<std::string> names;
  for (const auto& c : cursor->items()) names.push_back(c.text());
  if (names != m_fields)
    throw UsageError(fmt::format("--state {}: it holds a watermark for --cursor {}, not {}", m_path,
                                 fmt::join(names, ","), fmt::join(m_fields, ",")));
  for (std::size_t i = 0; types && i < types->items().size() && i < m_types.size(); ++i) {
    m_types[i] = type_named(types->items()[i].text());
    if (!m_types[i])
      throw bad_state(m_path, fmt::format("unknown cursor type '{}'", types->items()[i].text()));
  }
  m_after_keys.resize(m_fields.size());
  for (std::size_t i = 0; i < m_fields.size(); ++i) {
    const Value& v = after->items()[i];
    std::string why;
    if (v.is_null())
      throw bad_state(m_path, fmt::format("its watermark for '{}' is null", m_fields[i]));
    if (!read_key(v, i, m_after_keys[i], why)) throw bad_state(m_path, why);
  }
  m_after = after->items();
  // A file of an older version has no "seen": the records at its watermark were all passed.
  m_all_seen = seen == nullptr;
  for (std::size_t i = 0; seen && i < seen->items().size(); ++i)
    m_seen.insert(seen->items()[i].text());
}

bool Watermark::compares_as_number(const Value& v) {
  if (v.kind() != Value::Kind::String && v.kind() != Value::Kind::Number) return false;
  if (!is_json_number(v.text())) return false;
  try {
    Decimal::parse(v.text());
    return true;
  } catch (const DecimalError&) {
    return false;  // past 38 digits
  }
}

// Reads v as cursor field i's type, deciding the type from v when it is not known yet.
bool Watermark::read_key(const Value& v, std::size_t i, Key& out, std::string& why) {
  bool scalar = v.kind() == Value::Kind::String || v.kind() == Value::Kind::Number;
  if (!m_types[i]) {
    if (scalar && !m_time_format.empty() && read_time(v.text(), m_time_format))
      m_types[i] = CursorType::Time;
    else if (compares_as_number(v))
      m_types[i] = CursorType::Number;
    else if (v.kind() == Value::Kind::String && read_time(v.text(), ""))
      m_types[i] = CursorType::Time;
    else
      m_types[i] = CursorType::Text;
  }
  auto fail = [&](const char* what) {
    why = fmt::format("cursor field '{}': {} is not {} (the cursor's type)", m_fields[i],
                      to_json(v), what);
    return false;
  };
  switch (*m_types[i]) {
    case CursorType::Number: {
      std::optional<Decimal> d;
      try {
        if (scalar) d = Decimal::parse(v.text());
      } catch (const DecimalError&) {
        return fail("a number that fits 38 digits");
      }
      if (!d) return fail("a number");
      out.number = *d;
      return true;
    }
    case CursorType::Time: {
      auto micros =
          v.kind() == Value::Kind::String ? read_time(v.text(), m_time_format) : std::nullopt;
      if (!micros) return fail(m_time_format.empty() ? "a time" : "a time in --cursor-format");
      out.micros = *micros;
      return true;
    }
    case CursorType::Text:
      if (!scalar) return fail("text");
      out.text = text_of(v);
      return true;
  }
  return false;
}

bool Watermark::read_cursor(const Record& r, std::vector<Key>& out, std::string& why) {
  out.resize(m_fields.size());
  for (std::size_t i = 0; i < m_fields.size(); ++i) {
    const Value* v = r.find(m_fields[i]);
    if (!v || v->is_null() || (v->kind() == Value::Kind::String && v->text().empty())) {
      why = fmt::format("cursor field '{}' is missing, null or empty", m_fields[i]);
      return false;
    }
    if (!read_key(*v, i, out[i], why)) return false;
  }
  why.clear();
  return true;
}

int Watermark::compare(const std::vector<Key>& a, const std::vector<Key>& b) const {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    int c = 0;
    switch (*m_types[i]) {
      case CursorType::Number:
        c = compare_decimals(a[i].number, b[i].number);
        break;
      case CursorType::Time:
        c = a[i].micros < b[i].micros ? -1 : a[i].micros > b[i].micros ? 1 : 0;
        break;
      case CursorType::Text:
        c = a[i].text.compare(b[i].text);
        break;
    }
    if (c != 0) return c < 0 ? -1 : 1;
  }
  return 0;
}

bool Watermark::beyond(const Record& r, std::string& why) {
  if (!read_cursor(r, m_cursor, why)) return false;
  std::string digest;
  auto record_digest = [&]() -> const std::string& {
    if (digest.empty()) digest = digest_hex(digest_record(kDigestSeed, r, m_scratch));
    return digest;
  };
  if (m_after) {
    int c = compare(m_cursor, m_after_keys);
    if (c < 0 || (c == 0 && (m_all_seen || m_seen.count(record_digest()) > 0))) return false;
  }
  int c = m_max ? compare(m_cursor, m_max_keys) : 1;
  if (c > 0) {
    m_max.emplace();
    for (const auto& f : m_fields) m_max->push_back(*r.find(f));
    m_max_keys = m_cursor;
    m_max_seen.clear();
  }
  if (c >= 0) m_max_seen.insert(record_digest());
  return true;
}

std::string Watermark::first_after_instant() const {
  if (!m_after || m_types.front() != CursorType::Time) return "";
  return mapping::format_time(mapping::utc_instant(m_after_keys.front().micros),
                              "%Y-%m-%dT%H:%M:%SZ");
}

// Offsets run from -12:00 to +14:00, so a local date is never before the UTC date of the
// instant less a day.
std::string Watermark::first_after_iso_floor() const {
  if (!m_after || m_types.front() != CursorType::Time) return "";
  constexpr std::int64_t kDay = 86400LL * 1000000;
  return mapping::format_time(mapping::utc_instant(m_after_keys.front().micros - kDay), "%Y-%m-%d");
}

std::unique_ptr<OutputStream> Watermark::prepare_next() const {
  if (!m_max && !m_after) {  // nothing ever moved: no watermark to commit yet
    std::filesystem::remove(m_path + ".next");
    return nullptr;
  }
  // The records at the new watermark that this run passed, and those at it passed before.
  const auto& wm = m_max ? *m_max : *m_after;
  std::set<std::string> seen = m_max ? m_max_seen : m_seen;
  if (m_max && m_after && compare(m_max_keys, m_after_keys) == 0)
    seen.insert(m_seen.begin(), m_seen.end());
  Value doc = Value::object();
  Value cursor = Value::array(), types = Value::array(), after = Value::array(),
        digests = Value::array();
  for (std::size_t i = 0; i < m_fields.size(); ++i) {
    cursor.items().push_back(Value::string(m_fields[i]));
    types.items().push_back(Value::string(type_name(m_types[i].value_or(CursorType::Text))));
  }
  after.items() = wm;
  for (const auto& d : seen) digests.items().push_back(Value::string(d));
  doc.members().push_back({"cursor", std::move(cursor)});
  doc.members().push_back({"types", std::move(types)});
  doc.members().push_back({"after", std::move(after)});
  doc.members().push_back({"seen", std::move(digests)});
  std::string text;
  append_json(text, doc);
  text += "\n";
  auto out = std::make_unique<OutputStream>(m_path + ".next");
  out->write(text);
  out->prepare();
  return out;
}

bool Watermark::commit(const std::string& path) {
  std::string next = path + ".next";
  if (!std::filesystem::exists(next)) return false;
  if (std::rename(next.c_str(), path.c_str()) != 0)
    throw IoError(fmt::format("--commit-state {}: cannot rename {} over it", path, next));
  sync_directory(std::filesystem::path(path).parent_path().string());
  return true;
}

}  // namespace etl
