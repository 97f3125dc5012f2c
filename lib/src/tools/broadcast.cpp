#include "broadcast.hpp"

#include <fmt/format.h>

#include "etl/json.hpp"

namespace etl::tools {

void Target::fail(const Error& e) {
  failure = e.what();
  failure_code = e.code();
  sink.reset();
}

std::string target_line(const Target& t, const RunStats& run) {
  std::string line =
      fmt::format("{}: written {}{}, filtered {}, rejected {}", t.name, t.own.written,
                  t.own.sink_note(), run.filtered + t.own.filtered, run.rejected + t.own.rejected);
  if (!t.failure.empty())
    line += fmt::format(
        " — FAILED: {} (the batches it committed stay, its open batch was rolled back: "
        "\"written\" counts that batch too)",
        t.failure);
  return line;
}

std::string targets_json(const std::vector<Target>& targets, const RunStats& run, bool dry_run) {
  std::string out = "[";
  for (const auto& t : targets) {
    if (out.size() > 1) out += ',';
    out += "{\"name\":";
    append_json_string(out, t.name);
    out += fmt::format(
        ",\"status\":\"{}\",\"written\":{},\"filtered\":{},\"unmatched\":{},\"rejected\":{}",
        !t.failure.empty() ? "failed"
        : dry_run          ? "dry-run"
                           : "ok",
        t.own.written, run.filtered + t.own.filtered, t.own.unmatched,
        run.rejected + t.own.rejected);
    t.own.append_sink_counts_json(out);
    if (!t.failure.empty()) {
      out += ",\"error\":";
      append_json_string(out, t.failure);
    }
    out += '}';
  }
  return out + "]";
}

}  // namespace etl::tools
