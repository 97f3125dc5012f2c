#include "etl/watermark.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "etl/decimal.hpp"
#include "etl/error.hpp"
#include "etl/io.hpp"
#include "etl/json.hpp"

namespace etl {
namespace {

std::string text_of(const Value& v) {
  return v.kind() == Value::Kind::String || v.kind() == Value::Kind::Number ? v.text() : to_json(v);
}

// (Inside Watermark::compare the member hides the decimals' compare from argument lookup.)
int compare_decimals(const Decimal& a, const Decimal& b) {
  return compare(a, b);
}

}  // namespace

Watermark::Watermark(std::string path, std::vector<std::string> fields)
    : m_path(std::move(path)), m_fields(std::move(fields)) {
  // A FILE.next left by an earlier run whose load failed must not be committed by this run's
  // load if this extract fails: it would move the watermark past records never loaded.
  std::filesystem::remove(m_path + ".next");
  std::ifstream in(m_path);
  if (!in) return;  // no run has committed yet
  std::stringstream text;
  text << in.rdbuf();
  Value doc;
  auto bad = [&](const std::string& why) {
    return UsageError(fmt::format("--state {}: {}", m_path, why));
  };
  if (parse_json(text.str(), doc) || doc.kind() != Value::Kind::Object)
    throw bad("not a watermark file (a JSON object with \"cursor\" and \"after\")");
  const Value* cursor = nullptr;
  const Value* after = nullptr;
  for (const auto& m : doc.members()) {
    if (m.key == "cursor") cursor = &m.value;
    if (m.key == "after") after = &m.value;
  }
  if (!cursor || !after || cursor->kind() != Value::Kind::Array ||
      after->kind() != Value::Kind::Array || cursor->items().size() != after->items().size())
    throw bad("not a watermark file (a JSON object with \"cursor\" and \"after\")");
  std::vector<std::string> names;
  for (const auto& c : cursor->items()) names.push_back(c.text());
  if (names != m_fields)
    throw bad(fmt::format("it holds a watermark for --cursor {}, not {}", fmt::join(names, ","),
                          fmt::join(m_fields, ",")));
  m_after = after->items();
}

bool Watermark::compares_as_number(const Value& v) {
  if (v.kind() != Value::Kind::String && v.kind() != Value::Kind::Number) return false;
  if (!is_json_number(v.text())) return false;
  try {
    Decimal::parse(v.text());
    return true;
  } catch (const DecimalError&) {
    return false;  // past 38 digits: compared as text
  }
}

int Watermark::compare(const std::vector<Value>& a, const std::vector<Value>& b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    std::string x = text_of(a[i]), y = text_of(b[i]);
    int c = 0;
    std::optional<Decimal> dx, dy;
    try {  // a CSV's ids are strings: "10" after "9" all the same
      if (is_json_number(x) && is_json_number(y)) {
        dx = Decimal::parse(x);
        dy = Decimal::parse(y);
      }
    } catch (const DecimalError&) {
      dx.reset();  // past 38 digits: compared as text
    }
    c = dx && dy ? compare_decimals(*dx, *dy) : x.compare(y);
    if (c != 0) return c < 0 ? -1 : 1;
  }
  return 0;
}

bool Watermark::beyond(const Record& r, std::string& missing) {
  m_cursor.clear();
  for (const auto& f : m_fields) {
    const Value* v = r.find(f);
    if (!v || v->is_null() || (v->kind() == Value::Kind::String && v->text().empty())) {
      missing = fmt::format("cursor field '{}' is missing, null or empty", f);
      return false;
    }
    m_cursor.push_back(*v);
  }
  missing.clear();
  if (m_after && compare(m_cursor, *m_after) <= 0) return false;
  if (!m_max || compare(m_cursor, *m_max) > 0) m_max = m_cursor;
  return true;
}

void Watermark::write_next() const {
  const auto* wm = m_max ? &*m_max : m_after ? &*m_after : nullptr;
  std::string text = "{\"cursor\":[";
  for (std::size_t i = 0; i < m_fields.size(); ++i) {
    if (i) text += ",";
    append_json_string(text, m_fields[i]);
  }
  text += "],\"after\":";
  if (wm) {
    Value after = Value::array();
    after.items() = *wm;
    append_json(text, after);
  }
  if (!wm) text += "null";
  text += "}\n";
  if (!wm) {  // nothing ever moved: no watermark to commit yet
    std::filesystem::remove(m_path + ".next");
    return;
  }
  OutputStream out(m_path + ".next");
  out.write(text);
  out.commit();
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
