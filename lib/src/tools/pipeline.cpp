#include "etl/tools/pipeline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <optional>
#include <thread>

#include "broadcast.hpp"
#include "etl/audit_log.hpp"
#include "etl/checkpoint.hpp"
#include "etl/error.hpp"
#include "etl/json.hpp"
#include "etl/mask.hpp"
#include "etl/progress.hpp"
#include "etl/read_ahead.hpp"
#include "etl/registry.hpp"
#include "etl/run_stats.hpp"
#include "etl/stop_signal.hpp"
#include "etl/watermark.hpp"
#include "parallel_input.hpp"

namespace etl::tools {
namespace {

const char* signal_name(int sig) {
  return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
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

// A worker's bytes for a record to write (made), or the encoder's reason to refuse it.
struct Encoded {
  bool made = false;
  std::string_view bytes;
  const std::string* refusal = nullptr;
};
Encoded encoded_item(const RecordBatch* batch, std::size_t item) {
  if (!batch || !batch->is_encoded) return {};
  return {true, batch->encoded_bytes(item), batch->refusal(item)};
}

// One run of the loop, in the order of its phases: open the destinations and what goes beside
// them (rejects, audit, checkpoint, watermark), read every source record by record (tag, cut at
// the watermark, map, write), finish (the aggregate's groups, held records), commit everything
// together, and say how it ended.
class Pipeline {
 public:
  Pipeline(const std::string& tool, const PipelineOptions& p, const cli::CommonOptions& c)
      : m_tool(tool), m_p(p), m_c(c), m_specs(p.targets) {
    if (m_specs.empty()) m_specs.push_back({p.destination, p.destination, p.sink_options});
    m_broadcast = m_specs.size() > 1;
  }

  int run() {
    try {
      open();
      read_sources();
      m_stopped = StopSignals::requested();
      if (m_stopped && m_p.mapping && m_p.mapping->has_aggregate()) return stop_partial_aggregate();
      finish_input();
      commit_all();
    } catch (const BrokenPipe&) {
      throw;
    } catch (const UsageError&) {
      throw;  // nothing was read: no report, no summary
    } catch (const std::exception& e) {
      report_failure(e);
      throw;
    }
    return conclude();
  }

 private:
  // ---- opening: everything before moving a record, so address and option errors exit early

  void open() {
    const Registry& reg = Registry::builtin();
    for (const auto& s : m_p.sources) reg.parse(s, m_p.source_options.format);
    if (m_broadcast && (!m_p.checkpoint.empty() || !m_p.audit.empty()))
      throw UsageError("--checkpoint and --audit take one destination, not several --to");
    open_targets();
    // With --checkpoint, rejects append as they happen: a rerun skips what they were part of.
    m_rejects.emplace(m_c.rejects, !m_p.checkpoint.empty());
    open_audit();
    for (auto& t : m_targets)
      if (t.sink)  // (a broadcast target that could not be opened has none)
        t.sink->on_outcome(
            [this, &t](const Sourced& in, const WriteResult& w) { account(t, in, w); });
    open_checkpoint();
    open_watermark();
  }

  void open_targets() {
    m_targets.resize(m_specs.size());
    for (std::size_t i = 0; i < m_specs.size(); ++i) {
      Target& t = m_targets[i];
      t.name = m_specs[i].name;
      t.counts = m_broadcast ? &t.own : &m_stats;
      m_specs[i].options.sink.dry_run = m_p.dry_run;
      m_specs[i].options.sink.one_transaction = m_p.all_or_nothing;
      // A broadcast destination that cannot be opened (its server is down, its file cannot be
      // made) fails alone, as one that fails later does; a usage mistake stops the run.
      try {
        t.sink = Registry::builtin().open_sink(m_specs[i].address, m_specs[i].options);
      } catch (const UsageError&) {
        throw;
      } catch (const Error& e) {
        if (!m_broadcast || m_p.all_or_nothing) throw;
        t.fail(e);
      }
    }
    if (m_broadcast && std::none_of(m_targets.begin(), m_targets.end(),
                                    [](const Target& t) { return t.sink != nullptr; }))
      throw IoError("no destination could be opened");
  }

  void open_audit() {
    if (m_p.audit.empty()) return;
    if (m_p.dry_run) throw UsageError("--audit and --dry-run: the audit log records what runs did");
    const ConnectorOptions& o = m_specs[0].options;  // the only destination
    m_audit.emplace(m_p.audit, o.sink.key,
                    o.sink.changes    ? "changes"
                    : o.table.empty() ? "file"
                                      : write_mode_name(o.sink.mode));
  }

  void open_checkpoint() {
    if (m_p.checkpoint.empty()) return;
    if (m_p.dry_run)
      throw UsageError("--checkpoint and --dry-run: a dry run commits nothing to resume from");
    m_checkpoint.emplace(m_p.checkpoint);
    if (!m_p.commit_state.empty()) m_checkpoint->resume_complete();
    m_targets[0].sink->use_checkpoint(*m_checkpoint);  // the only destination
  }

  // etl-extract --state: the watermark, and what a source may ask its system for.
  void open_watermark() {
    m_source_options = m_p.source_options;
    if (m_p.state_file.empty()) return;
    m_watermark.emplace(m_p.state_file, m_p.cursor, m_p.cursor_format);
    if (const Value* after = m_watermark->first_after()) {
      m_source_options.since.field = m_p.cursor.front();
      m_source_options.since.value = *after;
      m_source_options.since.instant = m_watermark->first_after_instant();
      m_source_options.since.iso_floor = m_watermark->first_after_iso_floor();
    }
  }

  // ---- reading: record by record

  void read_sources() {
    Progress progress(m_tool, Progress::wanted(m_c.quiet, m_c.log_format == cli::LogFormat::Json));
    m_signals.emplace();  // from here to the end of the run, SIGINT and SIGTERM stop it cleanly
    Sourced rec;
    // (every input before any is read: a later one refused would leave a half-read run)
    for (const auto& address : m_p.sources)
      Registry::builtin().check_source_options(
          Registry::builtin().parse(address, m_source_options.format), m_source_options);
    for (const auto& address : m_p.sources) {
      if (StopSignals::requested()) break;
      if (auto format = splittable(address)) {
        read_in_parallel(address, *format, progress);
        continue;
      }
      auto source = Registry::builtin().open_source(address, m_source_options);
      if (read_rows(address, *source, progress)) continue;
      ReadAheadSource* ahead = nullptr;
      if (threads() > 1 && source->read_ahead_pays()) {
        auto wrapped = std::make_unique<ReadAheadSource>(std::move(source));
        ahead = wrapped.get();
        source = std::move(wrapped);
      }
      while (!StopSignals::requested() && source->next(rec)) {
        progress.tick(++m_stats.read);
        take(address, rec);
      }
      if (ahead) ahead->stop();  // (stopped early, it may still be reading: notes come after)
      for (auto& note : source->notes()) m_stats.notes.push_back(std::move(note));
    }
    progress.clear();
    if (m_p.mapping && !StopSignals::requested()) note_fields_never_found();
  }

  // On one thread, a CSV, TSV or text-format file whose records need nothing but their bytes
  // written to one file (nothing maps, tags, audits or watches them): each row goes from its text
  // to the output's bytes, as the workers of read_in_parallel make them, with no record made; a
  // reject, a row with a null and a row the encoder refuses go the record way. False when the
  // source is not one of these (it is left unread).
  bool read_rows(const std::string& address, Source& source, Progress& progress) {
    auto* reader = dynamic_cast<RowSource*>(&source);
    if (!reader || !bytes_only()) return false;
    Target& t = m_targets[0];
    std::shared_ptr<const RecordEncoder> encoder = t.sink->encoder();
    std::unique_ptr<RowEncoder> rows = encoder ? encoder->row_encoder(reader->header()) : nullptr;
    if (!rows) return false;
    constexpr std::size_t kHandAt = std::size_t{1} << 18;
    std::string bytes, reason;
    std::uint64_t count = 0;  // the records whose bytes are in `bytes`
    auto hand_over = [&] {
      if (count == 0) return;
      t.sink->write_encoded_taking(m_not_held, bytes);
      bytes.clear();
      t.counts->written += count;
      count = 0;
    };
    Sourced& rec = m_row;
    for (;;) {
      if (StopSignals::requested()) break;
      RowSource::Row row;
      try {
        row = reader->next_fields(rec);
      } catch (...) {  // (a file cut short: the rows read before it go out before the error)
        hand_over();
        throw;
      }
      if (row == RowSource::Row::End) break;
      progress.tick(++m_stats.read);
      if (row == RowSource::Row::Record && !reader->row_has_null()) {
        std::size_t before = bytes.size();
        if (rows->encode(reader->fields(), reader->json_plain(), bytes, reason)) {
          ++count;
          if (bytes.size() >= kHandAt) hand_over();
          continue;
        }
        bytes.resize(before);  // refused: the sink refuses its record as well, and says why
      }
      hand_over();  // (what came before goes first)
      if (row == RowSource::Row::Record) reader->record_of_row(rec);
      take(address, rec);
    }
    hand_over();
    for (auto& note : source.notes()) m_stats.notes.push_back(std::move(note));
    return true;
  }

  // The one sink takes the bytes of records one after another, and nothing between reading
  // and writing needs the records themselves.
  bool bytes_only() const {
    return !m_p.mapping && m_p.tag_source.empty() && !m_broadcast && !m_checkpoint && !m_audit &&
           !m_watermark && m_targets.size() == 1 && m_targets[0].sink &&
           m_targets[0].sink->appends_encoded();
  }

  // A field the mapping read from every record and found in none is null in every output: most
  // likely a misspelt name, said rather than left to be found in the destination.
  void note_fields_never_found() {
    for (const auto& [name, near] : m_p.mapping->fields_never_found())
      m_stats.notes.push_back(fmt::format(
          "field '{}' was in none of the records the mapping read: it read as null in each{}", name,
          near.empty() ? "" : fmt::format(" (the records have '{}')", near)));
  }

  // --threads, or by default the cores; but one when loading a database server, which on this
  // machine needs a core more than the parsing does.
  unsigned threads() const {
    if (m_p.threads > 0) return m_p.threads;
    const Registry& reg = Registry::builtin();
    for (const auto& spec : m_specs) {
      const auto& o = spec.options;
      const ConnectorInfo* c = reg.find(reg.parse(spec.address, o.format, o.default_format).scheme);
      if (c && c->database_server) return 1;
    }
    return std::max(1U, std::thread::hardware_concurrency());
  }

  // With --threads, an NDJSON, CSV or text-format file is cut into chunks parsed and mapped on
  // several threads.
  std::optional<SplitFormat> splittable(const std::string& address) const {
    if (threads() < 2) return std::nullopt;
    if (m_p.mapping && !m_p.tag_source.empty()) return std::nullopt;  // the tag goes in first
    Address a = Registry::builtin().parse(address, m_source_options.format);
    auto delimiter = [&](char fallback) {
      return m_source_options.delimiter ? m_source_options.delimiter : fallback;
    };
    if (a.scheme == "ndjson") return SplitFormat{SplitFormat::Ndjson, '\0'};
    if (a.scheme == "csv") return SplitFormat{SplitFormat::Csv, delimiter(',')};
    if (a.scheme == "tsv") return SplitFormat{SplitFormat::Csv, delimiter('\t')};
    if (a.scheme == "text") return SplitFormat{SplitFormat::Text, delimiter('\t')};
    return std::nullopt;
  }

  void read_in_parallel(const std::string& address, SplitFormat format, Progress& progress) {
    WorkerTasks tasks;
    tasks.csv_null = m_source_options.csv_null;
    tasks.names = m_source_options.names;
    // The workers map, and fold an aggregate's groups in lanes, each in input order.
    if (m_p.mapping && m_p.mapping_copy)
      tasks.new_mapping = [this] {
        auto copy = m_p.mapping_copy();
        copy->defer_aggregate();
        return copy;
      };
    bool mapped_in_workers = static_cast<bool>(tasks.new_mapping);
    // The destination's bytes are made by the workers too when nothing between reading and
    // writing changes the record (a tag, a mapping run here) and one sink takes them in order.
    // (A sink may know its bytes only once it has written a record: then it is asked again.)
    Sink* sink = m_targets[0].sink.get();
    bool can_encode = (mapped_in_workers || !m_p.mapping) && m_p.tag_source.empty() &&
                      !m_broadcast && !m_checkpoint && sink;
    if (can_encode) tasks.encoder = sink->encoder();
    tasks.compact = !m_audit && !m_watermark;  // nothing here needs a record that is written
    if (mapped_in_workers && tasks.compact)
      if (auto read = m_p.mapping->fields_read(); read && !read->empty())
        tasks.projection = std::move(*read);
    if (mapped_in_workers && m_p.mapping->has_aggregate()) {
      m_p.mapping->fold_in_lanes(threads());
      tasks.folds = m_p.mapping;
    }
    ParallelInput input(Registry::builtin().parse(address, m_source_options.format).target, format,
                        m_source_options.encoding, threads(), tasks);
    bool armed = tasks.encoder != nullptr;
    // Runs of records that need nothing here but their bytes written go to the sink at once.
    bool runs = can_encode && tasks.compact && m_targets.size() == 1;
    while (RecordBatch* batch = input.next()) {
      for (std::size_t i = 0; i < batch->size; ++i) {
        if (StopSignals::requested()) return;
        if (runs && batch->is_encoded)
          if (std::size_t n = write_run(*batch, i, mapped_in_workers, m_targets[0], progress)) {
            i += n - 1;
            continue;
          }
        progress.tick(++m_stats.read);
        if (mapped_in_workers && batch->mapped[i].failed) std::rethrow_exception(batch->error);
        Prepared prepared{batch, i, mapped_in_workers};
        take(address, batch->held[i] == RecordBatch::kRecord ? batch->records[i] : m_not_held,
             &prepared);
      }
      if (batch->error) std::rethrow_exception(batch->error);
      if (can_encode && !armed)
        if (auto encoder = sink->encoder()) {
          input.set_encoder(std::move(encoder));
          armed = true;
        }
    }
    for (const auto& copy : input.mappings())
      if (copy) m_p.mapping->add_field_uses(*copy);
    for (auto& note : input.notes()) m_stats.notes.push_back(std::move(note));
  }

  // The records from `first` of a batch that need nothing of this thread but their bytes handed
  // to the sink, or counting: none rejected or refused; each made one output (written, or folded
  // by a worker), or none when filtered. Each is counted as take() would, without the steps that
  // do nothing for it. How many there were.
  std::size_t write_run(RecordBatch& b, std::size_t first, bool mapped, Target& t,
                        Progress& progress) {
    // A sink that only appends takes the bytes of records next to each other in one call (a
    // call for each was most of this thread's work); an audit sees each record.
    bool joined = t.sink->appends_encoded() && !m_audit;
    std::size_t from = 0, to = 0, count = 0;  // the bytes of `count` records not handed over
    auto hand_over = [&] {
      if (count == 0) return;
      t.sink->write_encoded(m_not_held, std::string_view(b.encoded).substr(from, to - from));
      t.counts->written += count;
      count = 0;
    };
    if (first == 0 && b.all_plain && joined) return write_plain_batch(b, t, progress);
    std::size_t i = first;
    for (; i < b.size; ++i) {
      RecordBatch::Plainly kind = b.plainly(i, mapped);
      if (kind == RecordBatch::Plainly::Other) break;
      progress.tick(++m_stats.read);
      if (kind == RecordBatch::Plainly::Filtered) {
        ++m_stats.filtered;
        continue;
      }
      if (kind == RecordBatch::Plainly::Folded) {
        ++m_stats.aggregated;
        continue;
      }
      std::string_view bytes = b.encoded_bytes(mapped ? b.mapped[i].first : i);
      if (!joined) {
        account(t, m_not_held, t.sink->write_encoded(m_not_held, bytes));
        continue;
      }
      auto at = static_cast<std::size_t>(bytes.data() - b.encoded.data());
      if (count > 0 && at != to) hand_over();
      if (count == 0) from = at;
      to = at + bytes.size();
      ++count;
    }
    hand_over();
    return i - first;
  }

  // A batch whose records are all plain (RecordBatch::all_plain): its bytes in one call, which
  // may take them (the batch is done with).
  std::size_t write_plain_batch(RecordBatch& b, Target& t, Progress& progress) {
    std::uint64_t before = m_stats.read;
    m_stats.read += b.size;
    m_stats.filtered += b.plain_filtered;
    m_stats.aggregated += b.plain_folded;
    progress.ticks(before, m_stats.read);
    if (std::size_t written = b.size - b.plain_filtered - b.plain_folded; written > 0) {
      t.sink->write_encoded_taking(m_not_held, b.encoded);
      t.counts->written += written;
    }
    return b.size;
  }

  // What worker threads did already for input record `index` of a batch.
  struct Prepared {
    RecordBatch* batch;
    std::size_t index;
    bool mapped;  // the mapping ran: batch->mapped[index] and its outputs
  };

  // One record read: rejected as read, tagged with its source, cut at the watermark, mapped
  // (or, when a worker mapped it already, what the mapping made of it: mapped and outputs).
  void take(const std::string& address, Sourced& rec, const Prepared* prepared = nullptr) {
    if (!rec.reject_reason.empty()) return reject(rec, rec.reject_reason);
    if (!m_p.tag_source.empty()) {
      if (rec.record.find(m_p.tag_source) != nullptr)  // never overwrite what was read
        return reject(rec, fmt::format("--tag-source {0}: the record has a field '{0}' already",
                                       m_p.tag_source));
      rec.record.set(m_p.tag_source, Value::string(mask_address(address)));
    }
    if (m_watermark && !m_watermark->beyond(rec.record, m_no_cursor)) {
      if (!m_no_cursor.empty()) return reject(rec, m_no_cursor);
      ++m_stats.filtered;  // at or before the watermark: an earlier run moved it
      return;
    }
    if (!m_p.mapping)
      return write(rec, prepared ? encoded_item(prepared->batch, prepared->index) : Encoded());
    if (prepared && prepared->mapped) {
      const RecordBatch::Mapped& m = prepared->batch->mapped[prepared->index];
      return deliver(rec, m.kept, prepared->batch->outputs.data() + m.first, m.count, prepared);
    }
    std::size_t count = 0;
    bool kept = m_p.mapping->apply(rec.record, m_outputs, count);
    deliver(rec, kept, m_outputs.data(), count);
  }

  // What the mapping made of rec: nothing (the filter dropped it), or count outputs (which
  // start at output `outputs - batch->outputs` when workers mapped it).
  void deliver(const Sourced& rec, bool kept, mapping::Mapping::Output* outputs, std::size_t count,
               const Prepared* prepared = nullptr) {
    const RecordBatch* batch = prepared ? prepared->batch : nullptr;
    if (!kept) {
      ++m_stats.filtered;
      return;
    }
    m_stats.unnested += count - 1;
    m_mapped.where = rec.where;
    // The input record, whole, for a reject: read again when a worker held only its line.
    const Sourced* input = &rec;
    auto whole_input = [&]() -> const Sourced& {
      if (input == &rec && batch && batch->held[prepared->index] == RecordBatch::kLine) {
        reread(*batch, prepared->index, m_reread_parser, m_reread);
        input = &m_reread;
      }
      return *input;
    };
    for (std::size_t i = 0; i < count; ++i) {
      if (outputs[i].to_aggregate) m_p.mapping->aggregate(outputs[i]);
      if (!outputs[i].reject_reason.empty()) {
        reject(whole_input(), outputs[i].reject_reason);  // the input record, so it can be fixed
        continue;
      }
      if (outputs[i].aggregated) {
        ++m_stats.aggregated;
        continue;
      }
      // Swap rather than copy: the output record keeps its shape for the next input.
      Encoded bytes;
      if (batch)
        bytes = encoded_item(batch, static_cast<std::size_t>(outputs - batch->outputs.data()) + i);
      if (bytes.refusal) m_mapped.where = whole_input().where;  // the reject names its place
      std::swap(m_mapped.record, outputs[i].record);
      write(m_mapped, bytes);
      std::swap(m_mapped.record, outputs[i].record);
    }
  }

  // With --checkpoint, records an earlier run may have committed are held until that is known:
  // then skipped (counted as filtered), or handed on when this is another input.
  // encoded: the destination's bytes for it, when a worker made them (see read_in_parallel).
  void write(const Sourced& in, const Encoded& encoded = {}) {
    if (!m_checkpoint) return hand(in, encoded);
    switch (m_checkpoint->offer(in)) {
      case Checkpoint::Verdict::Pass:
        return hand(in);
      case Checkpoint::Verdict::Hold:
        return;
      case Checkpoint::Verdict::Committed:
        m_stats.filtered += m_checkpoint->skipped();
        m_stats.resumed += m_checkpoint->skipped();
        return;
      case Checkpoint::Verdict::Replay:
        return m_checkpoint->replay([this](const Sourced& r) { hand(r); });
    }
  }

  void hand(const Sourced& in, const Encoded& encoded = {}) {
    for (auto& t : m_targets)
      guarded(t, [&] {
        if (encoded.refusal)
          account(t, in, {WriteOutcome::Rejected, *encoded.refusal});
        else if (encoded.made)
          account(t, in, t.sink->write_encoded(in, encoded.bytes));
        else
          account(t, in, t.sink->write(in));
      });
  }

  // A broadcast target's step: its failure is its own, except with --all-or-nothing (or a
  // single destination), where it is the run's.
  template <typename Step>
  void guarded(Target& t, Step&& step) {
    if (!t.sink) return;
    if (!m_broadcast || m_p.all_or_nothing) return step();
    try {
      step();
    } catch (const Error& e) {
      t.fail(e);
    }
  }

  void account(Target& t, const Sourced& in, const WriteResult& w) {
    if (m_audit && w.outcome != WriteOutcome::Rejected && w.outcome != WriteOutcome::Pending)
      m_audit->record(in, w);
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
  }

  bool beyond_max(std::uint64_t n) const {
    return m_c.max_errors >= 0 && n > static_cast<std::uint64_t>(m_c.max_errors);
  }

  // A reject before any destination (counts the run's), or by target t (counts t's own when
  // broadcasting). Beyond --max-errors the run stops; a broadcast target stops alone, when its
  // own rejects with the run's pass the limit.
  void reject(const Sourced& in, const std::string& reason, Target* t = nullptr) {
    RunStats& counts = t ? *t->counts : m_stats;
    ++counts.rejected;
    if (m_audit) m_audit->record(in, {WriteOutcome::Rejected, reason});
    m_rejects->write(in, reason, m_broadcast && t ? t->name : "");
    if (m_c.rejects.empty() && m_stats.first_reject.empty())
      m_stats.first_reject = in.where.to_string() + ": " + reason;
    auto error = [&](const char* what) {
      return DataError(fmt::format("{}: {} (more than --max-errors {} rejects; {} stopped)",
                                   in.where.to_string(), reason, m_c.max_errors, what));
    };
    bool alone = m_broadcast && !m_p.all_or_nothing;
    if (beyond_max(m_stats.rejected + (m_broadcast && t ? t->own.rejected : 0)))
      throw error(alone && t ? "this destination" : "the run");
    if (alone && !t)
      for (auto& other : m_targets)
        if (other.sink && beyond_max(m_stats.rejected + other.own.rejected))
          other.fail(error("this destination"));
  }

  // ---- finishing and committing

  // Groups of part of the input would load wrong totals: an interrupted aggregate commits
  // nothing.
  int stop_partial_aggregate() {
    std::string why = fmt::format(
        "stopped by {} before the end of input: the aggregate is not complete, nothing "
        "committed",
        signal_name(m_stopped));
    cli::report_run(m_c, summary() + "\n" + m_tool + ": " + why, report("interrupted", why));
    return 128 + m_stopped;
  }

  // The aggregate's groups, and records a checkpoint held to the end.
  void finish_input() {
    if (m_p.mapping) {
      m_mapped.where = Location{"aggregate", 0, ""};
      m_p.mapping->finish([this](const Record& group) {
        ++m_stats.groups;
        m_mapped.record = group;
        write(m_mapped);
      });
    }
    if (m_checkpoint && !m_stopped && m_checkpoint->end_of_input())
      m_checkpoint->replay([this](const Sourced& r) { hand(r); });
    // A file cut short by a stop signal never goes under its name.
    if (m_stopped)
      for (auto& t : m_targets)
        if (t.sink)
          if (std::string partial = t.sink->interrupted(); !partial.empty())
            m_partial_files.push_back(partial);
  }

  // What may fail for want of space goes first (the outputs' flush and sync, the new watermark
  // written), so that a full disk puts nothing in place. The watermark moves only after a
  // complete run (an interrupted one may not have read records below the greatest cursor it
  // saw), and after the outputs: a crash between leaves the data, not the mark.
  void commit_all() {
    if (!m_p.dry_run)
      for (auto& t : m_targets) guarded(t, [&] { t.sink->prepare(); });
    std::unique_ptr<OutputStream> next_watermark;
    if (m_watermark && !m_stopped) next_watermark = m_watermark->prepare_next();
    for (auto& t : m_targets) guarded(t, [&] { commit_target(t); });
    m_rejects->commit();
    if (m_audit) m_audit->flush();
    if (next_watermark) next_watermark->publish();
    bool all_committed = std::all_of(m_targets.begin(), m_targets.end(),
                                     [](const Target& t) { return t.failure.empty(); });
    if (!m_p.commit_state.empty() && !m_stopped && !m_p.dry_run && all_committed)
      Watermark::commit(m_p.commit_state);
  }

  void commit_target(Target& t) {
    // The counts are known before the commit, which may refuse a change set.
    t.counts->sink_counts = t.sink->counts();
    for (auto& note : t.sink->notes()) t.counts->notes.push_back(std::move(note));
    if (m_p.dry_run)
      t.sink->discard();  // reports the outcomes still pending; commits nothing
    else
      t.sink->commit();
    t.counts->sink_counts = t.sink->counts();  // with the last batch's outcomes
  }

  // ---- how it ended

  // The rejects so far are whole records with their reasons: kept, they show what stopped it.
  void report_failure(const std::exception& e) {
    try {
      if (m_audit) m_audit->flush();
      if (m_rejects) m_rejects->commit();
    } catch (const std::exception&) {
      // the run's own error is the one to report
    }
    if (!m_broadcast) note_failure(m_stats, m_targets.empty() ? nullptr : m_targets[0].sink.get());
    cli::report_run(m_c, summary(), report("error", e.what()));
  }

  int conclude() {
    if (m_stopped) return report_stopped();
    auto failed = std::find_if(m_targets.begin(), m_targets.end(),
                               [](const Target& t) { return !t.failure.empty(); });
    if (failed != m_targets.end()) {
      auto n = std::count_if(m_targets.begin(), m_targets.end(),
                             [](const Target& t) { return !t.failure.empty(); });
      std::string why =
          fmt::format("{} of {} destinations failed; the others are loaded", n, m_targets.size());
      cli::report_run(m_c, summary() + "\n" + m_tool + ": " + why, report("partial", why));
      return static_cast<int>(failed->failure_code);
    }
    refuse_nothing_written();
    if (m_p.dry_run) {
      cli::report_run(m_c,
                      summary() + "\n" + m_tool +
                          ": dry run: nothing was written; these are the counts it would have made",
                      report("dry-run", ""));
      return 0;
    }
    cli::report_run(m_c, summary(), report("ok", ""));
    return 0;
  }

  int report_stopped() {
    std::string why = fmt::format("stopped by {}: the {} records read are committed",
                                  signal_name(m_stopped), m_stats.read);
    for (const auto& partial : m_partial_files)
      why += fmt::format("; the output is kept as {}, not under its name", partial);
    cli::report_run(m_c, summary() + "\n" + m_tool + ": " + why, report("interrupted", why));
    return 128 + m_stopped;
  }

  // Records read, none written and some rejected: the data never arrived, whatever the reason
  // (a cron job must not take that for a quiet night).
  void refuse_nothing_written() {
    std::uint64_t written = 0, rejected = m_stats.rejected;
    for (const auto& t : m_targets) {
      written += t.counts->written;
      if (m_broadcast) rejected += t.own.rejected;
    }
    if (m_stats.read == 0 || written > 0 || rejected == 0) return;
    std::string why = fmt::format("every record read was rejected{}: nothing {} written",
                                  m_stats.filtered > 0 ? " or filtered" : "",
                                  m_p.dry_run ? "would have been" : "was");
    cli::report_run(m_c, summary(), report("error", why));
    throw DataError(why);  // shown even with --quiet, as every error is
  }

  // A broadcast's summary has a line per destination, and its report a "targets" array.
  std::string summary() const {
    if (!m_broadcast) return m_stats.summary(m_tool);
    double secs = m_stats.seconds();
    std::string out = fmt::format(
        "{}: read {}, filtered {}, rejected {} before the destinations in {:.2f}s ({:.0f} "
        "records/s)",
        m_tool, m_stats.read, m_stats.filtered, m_stats.rejected, secs,
        secs > 0 ? static_cast<double>(m_stats.read) / secs : 0.0);
    for (const auto& t : m_targets) out += "\n" + m_tool + ": to " + target_line(t, m_stats);
    return out + m_stats.first_reject_line(m_tool);
  }

  std::string report(const std::string& status, const std::string& error) {
    if (m_broadcast) m_stats.targets_json = targets_json(m_targets, m_stats, m_p.dry_run);
    return m_stats.report_json(m_tool, status, error);
  }

  const std::string& m_tool;
  const PipelineOptions& m_p;
  const cli::CommonOptions& m_c;
  std::vector<TargetSpec> m_specs;
  bool m_broadcast = false;
  RunStats m_stats;
  int m_stopped = 0;  // the signal that stopped the run early
  std::vector<Target> m_targets;
  std::optional<RejectWriter> m_rejects;
  std::optional<AuditLog> m_audit;
  std::optional<Checkpoint> m_checkpoint;
  std::optional<Watermark> m_watermark;
  ConnectorOptions m_source_options;         // with what the watermark lets a source ask for
  std::vector<std::string> m_partial_files;  // outputs an interrupted run kept as NAME.partial
  Sourced m_mapped;
  Sourced m_not_held;  // stands for a record a worker encoded and did not keep (compact)
  Sourced m_row;       // read_rows: a reject, or a row made a record
  JsonRecordParser m_reread_parser;  // reads a record a worker held as its line (kLine)
  Sourced m_reread;
  std::vector<mapping::Mapping::Output> m_outputs;
  std::string m_no_cursor;  // why a record has no cursor value
  std::optional<StopSignals> m_signals;
};

}  // namespace

std::string ndjson_input(const std::string& address) {
  Address a = Registry::builtin().parse(address, "", "ndjson");
  if ((a.scheme == "csv" || a.scheme == "tsv") && a.text == a.target)
    return a.scheme + ":" + address;
  return address;
}

int run_pipeline(const std::string& tool, const PipelineOptions& p, const cli::CommonOptions& c) {
  return Pipeline(tool, p, c).run();
}

}  // namespace etl::tools
