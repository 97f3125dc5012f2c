#include "etl/tools/pipeline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <iostream>
#include <optional>

#include "etl/audit_log.hpp"
#include "etl/checkpoint.hpp"
#include "etl/error.hpp"
#include "etl/json.hpp"
#include "etl/mask.hpp"
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

// One destination of the run. etl-load --to loads one stream into several (broadcast): each
// counts its own outcomes, and one that fails stops alone unless --all-or-nothing.
struct Target {
  std::string name;
  std::unique_ptr<Sink> sink;  // null once it failed
  RunStats own;                // a broadcast target's counts
  RunStats* counts = nullptr;  // &own, or the run's own stats when it is the only destination
  std::string failure;         // why it stopped
  ExitCode failure_code = ExitCode::Ok;
};

// "erp: written 5, filtered 1, rejected 2" — what never reached a destination counts for each.
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

// A failed run's summary still adds up: what was in hand when it failed, and what the
// destination keeps of what was written.
void note_failure(RunStats& stats, const Sink* sink) {
  stats.failed = true;
  std::uint64_t in = stats.read + stats.unnested + stats.groups;
  std::uint64_t out = stats.written + stats.aggregated + stats.filtered + stats.rejected;
  stats.in_flight = in > out ? in - out : 0;
  stats.committed = sink ? sink->committed() : std::optional<std::uint64_t>(0);
}

}  // namespace

int run_pipeline(const std::string& tool, const PipelineOptions& p, const cli::CommonOptions& c) {
  const Registry& reg = Registry::builtin();
  RunStats stats;
  int stopped = 0;  // the signal that stopped the run early
  std::optional<RejectWriter> rejects_file;
  std::optional<AuditLog> audit;
  std::vector<Target> targets;
  std::vector<std::string> partial_files;  // outputs an interrupted run kept as NAME.partial
  std::vector<TargetSpec> specs = p.targets;
  if (specs.empty()) specs.push_back({p.destination, p.destination, p.sink_options});
  const bool broadcast = specs.size() > 1;
  // A broadcast's summary has a line per destination, and its report a "targets" array.
  auto summary = [&] {
    if (!broadcast) return stats.summary(tool);
    double secs = stats.seconds();
    std::string out = fmt::format(
        "{}: read {}, filtered {}, rejected {} before the destinations in {:.2f}s ({:.0f} "
        "records/s)",
        tool, stats.read, stats.filtered, stats.rejected, secs,
        secs > 0 ? static_cast<double>(stats.read) / secs : 0.0);
    for (const auto& t : targets) out += "\n" + tool + ": to " + target_line(t, stats);
    return out;
  };
  auto report = [&](const std::string& status, const std::string& error) {
    if (broadcast) stats.targets_json = targets_json(targets, stats, p.dry_run);
    return stats.report_json(tool, status, error);
  };
  try {
    // Open everything before moving a record, so address and option errors exit early.
    for (const auto& s : p.sources) reg.parse(s, p.source_options.format);
    if (broadcast && (!p.checkpoint.empty() || !p.audit.empty()))
      throw UsageError("--checkpoint and --audit take one destination, not several --to");
    targets.resize(specs.size());
    for (std::size_t i = 0; i < specs.size(); ++i) {
      targets[i].name = specs[i].name;
      targets[i].counts = broadcast ? &targets[i].own : &stats;
    }
    for (std::size_t i = 0; i < specs.size(); ++i) {
      specs[i].options.dry_run = p.dry_run;
      specs[i].options.one_transaction = p.all_or_nothing;
      // A broadcast destination that cannot be opened (its server is down, its file cannot be
      // made) fails alone, as one that fails later does; a usage mistake stops the run.
      try {
        targets[i].sink = reg.open_sink(specs[i].address, specs[i].options);
      } catch (const UsageError&) {
        throw;
      } catch (const Error& e) {
        if (!broadcast || p.all_or_nothing) throw;
        targets[i].failure = e.what();
        targets[i].failure_code = e.code();
      }
    }
    if (broadcast && std::all_of(targets.begin(), targets.end(), [](auto& t) { return !t.sink; }))
      throw IoError("no destination could be opened");
    Sink* sink = targets[0].sink.get();  // the only one, where broadcasting is refused
    // With --checkpoint, rejects append as they happen: a rerun skips what they were part of.
    RejectWriter& rejects = rejects_file.emplace(c.rejects, !p.checkpoint.empty());
    if (!p.audit.empty() && p.dry_run)
      throw UsageError("--audit and --dry-run: the audit log records what runs did");
    if (!p.audit.empty()) {
      const ConnectorOptions& o = specs[0].options;  // the only destination
      audit.emplace(p.audit, o.key, o.changes ? "changes" : o.table.empty() ? "file" : o.mode);
    }
    // A broadcast target that fails is closed (its open batch rolls back); the others go on.
    auto fail_target = [](Target& t, const Error& e) {
      t.failure = e.what();
      t.failure_code = e.code();
      t.sink.reset();
    };
    auto beyond_max = [&](std::uint64_t n) {
      return c.max_errors >= 0 && n > static_cast<std::uint64_t>(c.max_errors);
    };
    // A reject before any destination (counts stats), or by target t (counts t's own when
    // broadcasting). Beyond --max-errors the run stops; a broadcast target stops alone, when
    // its own rejects with the run's pass the limit.
    auto reject = [&](const Sourced& in, const std::string& reason, Target* t = nullptr) {
      RunStats& counts = t ? *t->counts : stats;
      ++counts.rejected;
      if (audit) audit->record(in, {WriteOutcome::Rejected, reason});
      rejects.write(in, reason, broadcast && t ? t->name : "");
      auto error = [&](const char* what) {
        return DataError(fmt::format("{}: {} (more than --max-errors {} rejects; {} stopped)",
                                     in.where.to_string(), reason, c.max_errors, what));
      };
      bool alone = broadcast && !p.all_or_nothing;
      if (beyond_max(stats.rejected + (broadcast && t ? t->own.rejected : 0)))
        throw error(alone && t ? "this destination" : "the run");
      if (alone && !t)
        for (auto& other : targets)
          if (other.sink && beyond_max(stats.rejected + other.own.rejected))
            fail_target(other, error("this destination"));
    };
    Sourced rec, mapped;
    std::vector<mapping::Mapping::Output> outputs;
    auto account = [&](Target& t, const Sourced& in, const WriteResult& w) {
      if (audit && w.outcome != WriteOutcome::Rejected && w.outcome != WriteOutcome::Pending)
        audit->record(in, w);
      RunStats& counts = *t.counts;
      switch (w.outcome) {
        case WriteOutcome::Written:
          ++counts.written;
          break;
        case WriteOutcome::Unchanged:
          ++counts.filtered;
          break;
        case WriteOutcome::Unmatched:
          ++counts.filtered;
          ++counts.unmatched;
          break;
        case WriteOutcome::Rejected:
          reject(in, w.reason, &t);
          break;
        case WriteOutcome::Pending:
          break;  // counted when the sink reports it
      }
    };
    for (auto& t : targets)
      if (t.sink)  // (a broadcast target that could not be opened has none)
        t.sink->on_outcome(
            [&account, &t](const Sourced& in, const WriteResult& w) { account(t, in, w); });
    // A broadcast target's step: its failure is its own, except with --all-or-nothing (or a
    // single destination), where it is the run's.
    auto guarded = [&](Target& t, auto&& step) {
      if (!t.sink) return;
      if (!broadcast || p.all_or_nothing) return step();
      try {
        step();
      } catch (const Error& e) {
        fail_target(t, e);
      }
    };
    std::optional<Checkpoint> checkpoint;
    if (!p.checkpoint.empty()) {
      if (p.dry_run)
        throw UsageError("--checkpoint and --dry-run: a dry run commits nothing to resume from");
      checkpoint.emplace(p.checkpoint);
      if (!p.commit_state.empty()) checkpoint->resume_complete();
      sink->use_checkpoint(*checkpoint);
    }
    auto hand = [&](const Sourced& in) {
      for (auto& t : targets) guarded(t, [&] { account(t, in, t.sink->write(in)); });
    };
    // With --checkpoint, records an earlier run may have committed are held until that is
    // known: then skipped (counted as filtered), or handed on when this is another input.
    auto write = [&](const Sourced& in) {
      if (!checkpoint) return hand(in);
      switch (checkpoint->offer(in)) {
        case Checkpoint::Verdict::Pass:
          return hand(in);
        case Checkpoint::Verdict::Hold:
          return;
        case Checkpoint::Verdict::Committed:
          stats.filtered += checkpoint->skipped();
          stats.resumed += checkpoint->skipped();
          return;
        case Checkpoint::Verdict::Replay:
          return checkpoint->replay(hand);
      }
    };
    std::optional<Watermark> watermark;
    ConnectorOptions source_options = p.source_options;
    if (!p.state_file.empty()) {
      watermark.emplace(p.state_file, p.cursor, p.cursor_format);
      if (const Value* after = watermark->first_after()) {
        source_options.since_field = p.cursor.front();
        source_options.since_value = *after;
        source_options.since_instant = watermark->first_after_instant();
        source_options.since_iso_floor = watermark->first_after_iso_floor();
      }
    }
    std::string no_cursor;
    Progress progress(tool, Progress::wanted(c.quiet, c.log_format));
    StopSignals stop_signals;
    for (const auto& address : p.sources) {
      if (StopSignals::requested()) break;
      auto source = reg.open_source(address, source_options);
      while (!StopSignals::requested() && source->next(rec)) {
        progress.tick(++stats.read);
        if (!rec.reject_reason.empty()) {
          reject(rec, rec.reject_reason);
          continue;
        }
        if (!p.tag_source.empty()) {
          if (rec.record.find(p.tag_source) != nullptr) {  // never overwrite what was read
            reject(rec, fmt::format("--tag-source {0}: the record has a field '{0}' already",
                                    p.tag_source));
            continue;
          }
          rec.record.set(p.tag_source, Value::string(mask_address(address)));
        }
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
      for (auto& note : source->notes()) stats.notes.push_back(std::move(note));
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
      cli::report_run(c, summary() + "\n" + tool + ": " + why, report("interrupted", why));
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
    if (checkpoint && !stopped && checkpoint->end_of_input()) checkpoint->replay(hand);
    progress.clear();
    // A file cut short by a stop signal never goes under its name.
    if (stopped)
      for (auto& t : targets)
        if (t.sink)
          if (std::string partial = t.sink->interrupted(); !partial.empty())
            partial_files.push_back(partial);
    // What may fail for want of space goes first (the outputs' flush and sync, the new
    // watermark written), so that a full disk puts nothing in place. The watermark moves only
    // after a complete run (an interrupted one may not have read records below the greatest
    // cursor it saw), and after the outputs: a crash between leaves the data, not the mark.
    if (!p.dry_run)
      for (auto& t : targets) guarded(t, [&] { t.sink->prepare(); });
    std::unique_ptr<OutputStream> next_watermark;
    if (watermark && !stopped) next_watermark = watermark->prepare_next();
    for (auto& t : targets)
      guarded(t, [&] {
        // The counts are known before the commit, which may refuse a change set.
        t.counts->sink_counts = t.sink->counts();
        for (auto& note : t.sink->notes()) t.counts->notes.push_back(std::move(note));
        if (p.dry_run)
          t.sink->discard();  // reports the outcomes still pending; commits nothing
        else
          t.sink->commit();
        t.counts->sink_counts = t.sink->counts();  // with the last batch's outcomes
      });
    rejects.commit();
    if (audit) audit->flush();
    if (next_watermark) next_watermark->publish();
    bool all_committed =
        std::all_of(targets.begin(), targets.end(), [](auto& t) { return t.failure.empty(); });
    if (!p.commit_state.empty() && !stopped && !p.dry_run && all_committed)
      Watermark::commit(p.commit_state);
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
    if (!broadcast) note_failure(stats, targets.empty() ? nullptr : targets[0].sink.get());
    cli::report_run(c, summary(), report("error", e.what()));
    throw;
  }
  if (stopped) {
    std::string why = fmt::format("stopped by {}: the {} records read are committed",
                                  signal_name(stopped), stats.read);
    for (const auto& partial : partial_files)
      why += fmt::format("; the output is kept as {}, not under its name", partial);
    cli::report_run(c, summary() + "\n" + tool + ": " + why, report("interrupted", why));
    return 128 + stopped;
  }
  auto failed =
      std::find_if(targets.begin(), targets.end(), [](auto& t) { return !t.failure.empty(); });
  if (failed != targets.end()) {
    std::size_t n = static_cast<std::size_t>(
        std::count_if(targets.begin(), targets.end(), [](auto& t) { return !t.failure.empty(); }));
    std::string why =
        fmt::format("{} of {} destinations failed; the others are loaded", n, targets.size());
    cli::report_run(c, summary() + "\n" + tool + ": " + why, report("partial", why));
    return static_cast<int>(failed->failure_code);
  }
  // Records read, none written and some rejected: the data never arrived, whatever the reason
  // (a cron job must not take that for a quiet night).
  std::uint64_t written = 0, rejected = stats.rejected;
  for (const auto& t : targets) {
    written += t.counts->written;
    if (broadcast) rejected += t.own.rejected;
  }
  if (stats.read > 0 && written == 0 && rejected > 0) {
    std::string why = fmt::format("every record read was rejected{}: nothing {} written",
                                  stats.filtered > 0 ? " or filtered" : "",
                                  p.dry_run ? "would have been" : "was");
    cli::report_run(c, summary(), report("error", why));
    throw DataError(why);  // shown even with --quiet, as every error is
  }
  if (p.dry_run) {
    cli::report_run(c,
                    summary() + "\n" + tool +
                        ": dry run: nothing was written; these are the counts it would have made",
                    report("dry-run", ""));
    return 0;
  }
  cli::report_run(c, summary(), report("ok", ""));
  return 0;
}

}  // namespace etl::tools
