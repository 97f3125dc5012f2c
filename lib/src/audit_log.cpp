#include "etl/audit_log.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>

#include "etl/json.hpp"

namespace etl {
namespace {

std::string now_utc_millis() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms.count());
}

}  // namespace

AuditLog::AuditLog(const std::string& path, std::vector<std::string> key, std::string mode)
    : m_out(std::make_unique<OutputStream>(path, OutputStream::Mode::Append)),
      m_key(std::move(key)),
      m_changes(mode == "changes") {
  m_written = mode == "insert"    ? "inserted"
              : mode == "upsert"  ? "upserted"
              : mode == "update"  ? "updated"
              : mode == "replace" ? "inserted"
                                  : "written";
  m_prefix = "{\"run\":\"" + now_utc_millis() + "\"";
}

AuditLog::~AuditLog() {
  try {
    m_out->flush();
  } catch (const std::exception&) {
    // a run that is already failing reports its own error
  }
}

void AuditLog::record(const Sourced& in, const WriteResult& result) {
  std::string& b = m_out->buffer();
  b += m_prefix;
  const Record& r = in.record;
  if (m_changes) {
    if (const Value* key = r.find("key")) {
      b += ",\"key\":";
      append_json(b, *key);
    }
  } else if (!m_key.empty() && !r.empty()) {
    b += ",\"key\":{";
    for (std::size_t i = 0; i < m_key.size(); ++i) {
      if (i > 0) b += ',';
      append_json_string(b, m_key[i]);
      b += ':';
      const Value* v = r.find(m_key[i]);
      append_json(b, v ? *v : Value());
    }
    b += '}';
  }
  static const char* kNames[] = {nullptr, "unchanged", "unmatched", "rejected", "pending"};
  const char* outcome = kNames[static_cast<int>(result.outcome)];
  if (result.outcome == WriteOutcome::Written) {
    outcome = result.change == RowChange::Inserted  ? "inserted"
              : result.change == RowChange::Updated ? "updated"
                                                    : m_written.c_str();
    if (const Value* op = m_changes ? r.find("op") : nullptr;
        op && op->kind() == Value::Kind::String)
      outcome = op->text() == "add" ? "inserted" : op->text() == "remove" ? "deleted" : "updated";
  }
  b += ",\"outcome\":\"";
  b += outcome;
  b += '"';
  if (!result.reason.empty()) {
    b += ",\"reason\":";
    append_json_string(b, result.reason);
  }
  b += ",\"where\":";
  append_json_string(b, in.where.to_string());
  b += "}\n";
  for (const auto& child : result.children) {
    b += m_prefix;
    b += ",\"table\":";
    append_json_string(b, child.table);
    b += ",\"key\":";
    append_json(b, child.key);
    b += ",\"outcome\":";
    append_json_string(b, child.outcome);
    b += ",\"where\":";
    append_json_string(b, in.where.to_string());
    b += "}\n";
  }
  m_out->maybe_flush();
}

}  // namespace etl
