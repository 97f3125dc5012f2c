#include "etl/run_stats.hpp"

#include <fmt/format.h>

#include "etl/base64.hpp"
#include "etl/json.hpp"
#include "etl/json_writer.hpp"
#include "etl/utf8.hpp"

namespace etl {

double RunStats::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

std::string RunStats::sink_note() const {
  std::string note;
  for (const auto& [name, n] : sink_counts)
    note += fmt::format("{}{} {}", note.empty() ? " (" : ", ", name, n);
  return note.empty() ? note : note + ")";
}

void RunStats::add_sink_counts(JsonObject& out) const {
  for (const auto& [name, n] : sink_counts) out.add(name, n);
}

std::string RunStats::summary(const std::string& tool) const {
  double s = seconds();
  std::string unmatched_note = unmatched ? fmt::format(" ({} unmatched)", unmatched) : "";
  if (resumed) unmatched_note += fmt::format(" ({} committed by an earlier run)", resumed);
  std::string unnested_note = unnested ? fmt::format(" (+{} by unnest)", unnested) : "";
  std::string aggregated_note =
      aggregated ? fmt::format(", aggregated {} into {} groups", aggregated, groups) : "";
  std::string line = fmt::format(
      "{}: read {}{}{}, written {}{}, filtered {}{}, rejected {}{} in {:.2f}s ({:.0f} records/s)",
      tool, read, unnested_note, aggregated_note, written, sink_note(), filtered, unmatched_note,
      rejected, failed && in_flight ? fmt::format(", in flight {}", in_flight) : "", s,
      s > 0 ? static_cast<double>(read) / s : 0.0);
  line += first_reject_line(tool);
  for (const auto& n : notes) line += fmt::format("\n{}: note: {}", tool, n);
  if (!failed || written == 0) return line;
  if (!committed)
    return line + fmt::format(
                      "\n{}: the run failed: the output is written in place, so what reached it "
                      "before the failure stays there",
                      tool);
  if (*committed == 0)
    return line + fmt::format("\n{}: the run failed: nothing was committed", tool);
  if (*committed >= written)
    return line + fmt::format("\n{}: the run failed: the {} written are committed", tool, written);
  return line + fmt::format(
                    "\n{}: the run failed: {} of the {} written are committed (the batches before "
                    "the failure), the rest were rolled back",
                    tool, *committed, written);
}

std::string RunStats::first_reject_line(const std::string& tool) const {
  if (first_reject.empty()) return "";
  return fmt::format("\n{}: the first reject: {} (--rejects FILE keeps every reject)", tool,
                     first_reject);
}

std::string RunStats::report_json(const std::string& tool, const std::string& status,
                                  const std::string& error) const {
  JsonObject out;
  out.add("tool", tool).add("status", status).add("read", read).add("written", written);
  out.add("filtered", filtered).add("unmatched", unmatched).add("rejected", rejected);
  out.add("unnested", unnested).add("aggregated", aggregated).add("groups", groups);
  out.add_seconds("seconds", seconds());
  add_sink_counts(out);
  if (resumed) out.add("resumed", resumed);
  if (failed) {
    out.add("in_flight", in_flight);
    if (committed)
      out.add("committed", *committed);
    else
      out.add_null("committed");
  }
  if (!targets_json.empty()) out.add_raw("targets", targets_json);
  if (!first_reject.empty()) out.add("first_reject", first_reject);
  if (!notes.empty()) out.add_strings("notes", notes);
  if (!error.empty()) out.add("error", error);
  return out.str() + "\n";
}

RejectWriter::RejectWriter(const std::string& path, bool durable) : m_durable(durable) {
  if (!path.empty())
    m_out = std::make_unique<OutputStream>(
        path, durable ? OutputStream::Mode::Append : OutputStream::Mode::Replace);
}

void RejectWriter::append_line(std::string& b, const Sourced& in, const std::string& reason,
                               const std::string& target) {
  b += "{\"reason\":";
  append_json_string(b, reason);
  if (!target.empty()) {
    b += ",\"target\":";
    append_json_string(b, target);
  }
  b += ",\"where\":";
  append_json_string(b, in.where.to_string());
  if (!in.raw.empty() && !is_valid_utf8(in.raw)) {
    b += ",\"raw_base64\":\"";  // the bytes as read, which NDJSON cannot hold as text
    b += base64_encode(in.raw);
    b += '"';
  } else if (!in.raw.empty() || in.record.empty()) {
    b += ",\"raw\":";
    append_json_string(b, in.raw);
  } else {
    b += ",\"record\":";
    append_json(b, in.record);
  }
  b += "}\n";
}

void RejectWriter::write(const Sourced& in, const std::string& reason, const std::string& target) {
  if (!m_out) return;
  append_line(m_out->buffer(), in, reason, target);
  if (m_durable)
    m_out->flush();
  else
    m_out->maybe_flush();
}

void RejectWriter::write_line(std::string_view line) {
  if (!m_out) return;
  m_out->buffer() += line;
  m_out->maybe_flush();
}

void RejectWriter::commit() {
  if (m_out) m_out->commit();
}

}  // namespace etl
