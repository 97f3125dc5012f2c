#include "etl/migrate/resume_state.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "etl/error.hpp"
#include "etl/json.hpp"
#include "etl/mask.hpp"

namespace etl::migrate {
namespace {

std::set<std::string> strings_of(const Value& doc, const char* key) {
  std::set<std::string> out;
  for (const auto& m : doc.members())
    if (m.key == key && m.value.kind() == Value::Kind::Array)
      for (const auto& v : m.value.items())
        if (v.kind() == Value::Kind::String) out.insert(v.text());
  return out;
}

std::string text_of(const Value& doc, const char* key) {
  for (const auto& m : doc.members())
    if (m.key == key && m.value.kind() == Value::Kind::String) return m.value.text();
  return "";
}

void append_list(std::string& out, const char* key, const std::set<std::string>& s) {
  out += fmt::format(",\n  \"{}\": [", key);
  bool first = true;
  for (const auto& v : s) {
    out += first ? "\n    " : ",\n    ";
    first = false;
    append_json_string(out, v);
  }
  out += "]";
}

}  // namespace

ResumeState::ResumeState(std::string path, const std::string& source,
                         const std::string& destination)
    : m_path(std::move(path)),
      m_source(mask_address(source)),
      m_destination(mask_address(destination)) {
  if (m_path.empty() || !std::filesystem::exists(m_path)) return;
  std::ifstream in(m_path);
  std::stringstream text;
  text << in.rdbuf();
  Value doc;
  if (auto err = parse_json(text.str(), doc); err || doc.kind() != Value::Kind::Object)
    throw UsageError(fmt::format("--resume {}: not a state file etl-migrate wrote", m_path));
  if (text_of(doc, "source") != m_source || text_of(doc, "destination") != m_destination)
    throw UsageError(fmt::format(
        "--resume {}: it is the state of {} → {}, not of this migration (another file, or "
        "remove it to start over)",
        m_path, text_of(doc, "source"), text_of(doc, "destination")));
  m_created = strings_of(doc, "created");
  m_verified = strings_of(doc, "verified");
  m_made = strings_of(doc, "made");
}

bool ResumeState::has(const std::set<std::string>& s, const std::string& v) const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return s.count(v) > 0;
}

void ResumeState::mark(std::set<std::string>& s, const std::string& v) {
  if (!active()) return;
  std::lock_guard<std::mutex> lock(m_mutex);
  s.insert(v);
  save();
}

void ResumeState::save() const {
  std::string out = "{\n  \"source\": ";
  append_json_string(out, m_source);
  out += ",\n  \"destination\": ";
  append_json_string(out, m_destination);
  append_list(out, "created", m_created);
  append_list(out, "verified", m_verified);
  append_list(out, "made", m_made);
  out += "\n}\n";
  std::string tmp = m_path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << out;
    f.flush();
    if (!f) throw IoError(fmt::format("--resume {}: cannot write it", tmp));
  }
  std::filesystem::rename(tmp, m_path);
}

}  // namespace etl::migrate
