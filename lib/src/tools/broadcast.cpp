#include "broadcast.hpp"

#include <fmt/format.h>

#include "etl/json_writer.hpp"

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
  std::vector<std::string> items;
  for (const auto& t : targets) {
    JsonObject o;
    o.add("name", t.name).add("status", !t.failure.empty() ? "failed" : dry_run ? "dry-run" : "ok");
    o.add("written", t.own.written).add("filtered", run.filtered + t.own.filtered);
    o.add("unmatched", t.own.unmatched).add("rejected", run.rejected + t.own.rejected);
    t.own.add_sink_counts(o);
    if (!t.failure.empty()) o.add("error", t.failure);
    items.push_back(o.str());
  }
  return json_array(items);
}

}  // namespace etl::tools
