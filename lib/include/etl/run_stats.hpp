#pragma once
// Counts of one run, the rejects file and the JSON report: every record read is written,
// filtered or rejected, and nothing disappears without a count.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "etl/io.hpp"
#include "etl/source.hpp"

namespace etl {

class JsonObject;

struct RunStats {
  std::uint64_t read = 0;
  std::uint64_t written = 0;
  std::uint64_t filtered = 0;
  std::uint64_t unmatched = 0;  // part of filtered: update mode found no row
  std::uint64_t resumed = 0;    // part of filtered: --checkpoint, committed by an earlier run
  std::uint64_t rejected = 0;
  // Records beyond the first that unnest made of one input: read + unnested = written +
  // filtered + rejected.
  std::uint64_t unnested = 0;
  // Records folded into aggregate groups, and the groups written in their place:
  // read + unnested = (written - groups) + aggregated + filtered + rejected.
  std::uint64_t aggregated = 0;
  std::uint64_t groups = 0;
  // A run that failed: the records in hand when it failed (read but neither written, filtered
  // nor rejected), and how many of those written its destination keeps (Sink::committed).
  bool failed = false;
  std::uint64_t in_flight = 0;
  std::optional<std::uint64_t> committed;  // nullopt: a stream
  // "orders.csv:12: reason" of the first reject, kept when no --rejects file keeps the rejects,
  // so that a summary saying "rejected 6" also says why.
  std::string first_reject;
  // Lines the sink asks the summary to show (Sink::notes).
  std::vector<std::string> notes;
  // What the sink counted besides (e.g. a change set: inserted, updated, deleted).
  std::vector<std::pair<std::string, std::uint64_t>> sink_counts;
  // A broadcast's destinations and their counts, a JSON array (the report's "targets").
  std::string targets_json;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  double seconds() const;
  // " (inserted 3, updated 1)": sink_counts for a summary line; empty when there are none.
  std::string sink_note() const;
  // "inserted":3,"updated":1 — sink_counts as members of a report.
  void add_sink_counts(JsonObject& out) const;
  std::string summary(const std::string& tool) const;
  // "\ntool: the first reject: …", or "" when first_reject is empty.
  std::string first_reject_line(const std::string& tool) const;
  std::string report_json(const std::string& tool, const std::string& status,
                          const std::string& error) const;
};

// NDJSON: {"reason":…,"where":"orders.csv:12","record":{…}} or "raw":"…" when no record was made.
class RejectWriter {
 public:
  // Empty path: count only. Durable (etl-load --checkpoint): appended to and written line by
  // line, so a killed run keeps the rejects of the batches it committed; a record rejected in a
  // batch that did not commit is rejected again by the rerun, and can show twice.
  explicit RejectWriter(const std::string& path, bool durable = false);
  // target: the broadcast destination that rejected it (empty: none, or the only one).
  void write(const Sourced& in, const std::string& reason, const std::string& target = "");
  // One reject line (with its newline), for writers that hold rejects back to order them.
  static void append_line(std::string& out, const Sourced& in, const std::string& reason,
                          const std::string& target = "");
  void write_line(std::string_view line);
  void commit();

 private:
  std::unique_ptr<OutputStream> m_out;
  bool m_durable = false;
};

}  // namespace etl
