#include "etl/tools/pipeline.hpp"

#include <fmt/format.h>

#include <csignal>
#include <iostream>
#include <optional>

#include "etl/audit_log.hpp"
#include "etl/checkpoint.hpp"
#include "etl/error.hpp"
#include "etl/progress.hpp"
#include "etl/registry.hpp"
#include "etl/run_stats.hpp"
#include "etl/stop_signal.hpp"
#include "etl/watermark.hpp"

namespace etl::tools {
namespace {

const char* signal_name(int sig) {
  return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

}  // namespace

int run_pipeline(const std::string& tool, const PipelineOptions& p, const cli::CommonOptions& c) {
  const Registry& reg = Registry::builtin();
  RunStats stats;
  int stopped = 0;  // the signal that stopped the run early
  std::optional<RejectWriter> rejects_file;
  std::optional<AuditLog> audit;
  try {
    // Open everything before moving a record, so address and option errors exit early.
    for (const auto& s : p.sources) reg.parse(s, p.source_options.format);
    auto sink = reg.open_sink(p.destination, p.sink_options);
    // With --checkpoint, rejects append as they happen: a rerun skips what they were part of.
    RejectWriter& rejects = rejects_file.emplace(c.rejects, !p.checkpoint.empty());
    if (!p.audit.empty() && p.dry_run)
      throw UsageError("--audit and --dry-run: the audit log records what runs did");
    if (!p.audit.empty())
      audit.emplace(p.audit, p.sink_options.key,
                    p.sink_options.changes         ? "changes"
                    : p.sink_options.table.empty() ? "file"
                                                   : p.sink_options.mode);
    auto reject = [&](const Sourced& in, const std::string& reason) {
      ++stats.rejected;
      if (audit) audit->record(in, {WriteOutcome::Rejected, reason});
      rejects.write(in, reason);
      if (c.max_errors >= 0 && stats.rejected > static_cast<std::uint64_t>(c.max_errors))
        throw DataError(fmt::format("{}: {} (more than --max-errors {} rejects; the run stopped)",
                                    in.where.to_string(), reason, c.max_errors));
    };
    Sourced rec, mapped;
    std::vector<mapping::Mapping::Output> outputs;
    auto account = [&](const Sourced& in, const WriteResult& w) {
      if (audit && w.outcome != WriteOutcome::Rejected && w.outcome != WriteOutcome::Pending)
        audit->record(in, w);
      switch (w.outcome) {
        case WriteOutcome::Written:
          ++stats.written;
          break;
        case WriteOutcome::Unchanged:
          ++stats.filtered;
          break;
        case WriteOutcome::Unmatched:
          ++stats.filtered;
          ++stats.unmatched;
          break;
        case WriteOutcome::Rejected:
          reject(in, w.reason);
          break;
        case WriteOutcome::Pending:
          break;  // counted when the sink reports it
      }
    };
    sink->on_outcome(account);
    std::optional<Checkpoint> checkpoint;
    if (!p.checkpoint.empty()) {
      if (p.dry_run)
        throw UsageError("--checkpoint and --dry-run: a dry run commits nothing to resume from");
      checkpoint.emplace(p.checkpoint);
      sink->use_checkpoint(*checkpoint);
    }
    auto write = [&](const Sourced& in) {
      if (checkpoint && checkpoint->already_committed(in.record)) {
        ++stats.filtered;
        ++stats.resumed;
        return;
      }
      account(in, sink->write(in));
    };
    std::optional<Watermark> watermark;
    if (!p.state_file.empty()) watermark.emplace(p.state_file, p.cursor);
    std::string no_cursor;
    Progress progress(tool, Progress::wanted(c.quiet, c.log_format));
    StopSignals stop_signals;
    for (const auto& address : p.sources) {
      if (StopSignals::requested()) break;
      auto source = reg.open_source(address, p.source_options);
      while (!StopSignals::requested() && source->next(rec)) {
        progress.tick(++stats.read);
        if (!rec.reject_reason.empty()) {
          reject(rec, rec.reject_reason);
          continue;
        }
        if (!p.tag_source.empty()) rec.record.set(p.tag_source, Value::string(address));
        if (watermark && !watermark->beyond(rec.record, no_cursor)) {
          if (no_cursor.empty())
            ++stats.filtered;  // at or before the watermark: an earlier run moved it
          else
            reject(rec, no_cursor);
          continue;
        }
        if (!p.mapping) {
          write(rec);
          continue;
        }
        std::size_t count = 0;
        if (!p.mapping->apply(rec.record, outputs, count)) {
          ++stats.filtered;
          continue;
        }
        stats.unnested += count - 1;
        mapped.where = rec.where;
        for (std::size_t i = 0; i < count; ++i) {
          if (!outputs[i].reject_reason.empty()) {
            reject(rec, outputs[i].reject_reason);  // the input record, so it can be fixed
            continue;
          }
          if (outputs[i].aggregated) {
            ++stats.aggregated;
            continue;
          }
          // Swap rather than copy: the output record keeps its shape for the next input.
          std::swap(mapped.record, outputs[i].record);
          write(mapped);
          std::swap(mapped.record, outputs[i].record);
        }
      }
    }
    stopped = StopSignals::requested();
    // Groups of part of the input would load wrong totals: an interrupted aggregate commits
    // nothing. Anything else commits what was read.
    bool aggregates = p.mapping && p.mapping->has_aggregate();
    if (stopped && aggregates) {
      progress.clear();
      std::string why = fmt::format(
          "stopped by {} before the end of input: the aggregate is "
          "not complete, nothing committed",
          signal_name(stopped));
      cli::report_run(c, stats.summary(tool) + "\n" + tool + ": " + why,
                      stats.report_json(tool, "interrupted", why));
      return 128 + stopped;
    }
    if (p.mapping) {
      mapped.where = Location{"aggregate", 0, ""};
      p.mapping->finish([&](const Record& group) {
        ++stats.groups;
        mapped.record = group;
        write(mapped);
      });
    }
    if (checkpoint && !stopped) checkpoint->end_of_input();
    progress.clear();
    stats.sink_counts = sink->counts();  // known before the commit, which may refuse the set
    if (p.dry_run)
      sink->discard();  // reports the outcomes still pending; commits nothing
    else
      sink->commit();
    rejects.commit();
    if (audit) audit->flush();
    // The watermark moves only after a complete run (an interrupted one may not have read
    // records below the greatest cursor it saw), and only when the load committed.
    if (watermark && !stopped) watermark->write_next();
    if (!p.commit_state.empty() && !stopped && !p.dry_run) Watermark::commit(p.commit_state);
  } catch (const BrokenPipe&) {
    throw;
  } catch (const UsageError&) {
    throw;  // nothing was read: no report, no summary
  } catch (const std::exception& e) {
    // The rejects so far are whole records with their reasons: kept, they show what stopped it.
    try {
      if (audit) audit->flush();
      if (rejects_file) rejects_file->commit();
    } catch (const std::exception&) {
      // the run's own error is the one to report
    }
    cli::report_run(c, stats.summary(tool), stats.report_json(tool, "error", e.what()));
    throw;
  }
  if (stopped) {
    std::string why = fmt::format("stopped by {}: the {} records read are committed",
                                  signal_name(stopped), stats.read);
    cli::report_run(c, stats.summary(tool) + "\n" + tool + ": " + why,
                    stats.report_json(tool, "interrupted", why));
    return 128 + stopped;
  }
  if (p.dry_run) {
    cli::report_run(c,
                    stats.summary(tool) + "\n" + tool +
                        ": dry run: nothing was written; these are the counts it would have made",
                    stats.report_json(tool, "dry-run", ""));
    return 0;
  }
  cli::report_run(c, stats.summary(tool), stats.report_json(tool, "ok", ""));
  return 0;
}

}  // namespace etl::tools
