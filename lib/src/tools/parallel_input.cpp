#include "parallel_input.hpp"

#include <utility>

#include "etl/formats/csv_reader.hpp"
#include "etl/formats/ndjson.hpp"

namespace etl::tools {

struct ParallelInput::Shared {
  Shared(const std::string& path, SplitFormat f, const std::string& encoding)
      : splitter(path, f.kind == SplitFormat::Csv ? f.delimiter : '\0', kChunkBytes, encoding),
        format(f) {}
  ChunkSplitter splitter;  // (text: cut as NDJSON is, at every newline)
  SplitFormat format;
  std::shared_ptr<const RecordEncoder> encoder;  // under mutex: set_encoder() arms it late
  bool compact = false;
  std::vector<std::string> projection;
  std::optional<std::string> csv_null;
  mapping::Mapping* folds = nullptr;
  std::vector<std::uint64_t> lane_next;  // each lane's next chunk to fold
  std::condition_variable lane_moved;    // a lane_next went on (or stop)
  std::exception_ptr fold_error;         // what folding threw (not a reject): the run stops
  std::vector<std::string> header;       // CSV, text: read before any worker starts
  std::mutex mutex;
  // Each waits for its own news, so that a chunk handed on wakes one thread, not every one (the
  // wake-ups of one shared variable were a tenth of a map's time on two cores).
  std::condition_variable slot_free;    // the splitter: a slot to fill
  std::condition_variable chunk_ready;  // workers: a chunk to parse (or the input's end)
  std::condition_variable batch_done;   // next(): the batch it hands out next
  void wake_all() {                     // stop, the end, an error: everyone looks again
    slot_free.notify_all();
    chunk_ready.notify_all();
    batch_done.notify_all();
    lane_moved.notify_all();
  }
  std::vector<Slot> slots;     // a ring: chunk n lives in slots[n % slots.size()]
  std::uint64_t filled = 0;    // chunks the splitter has handed over
  std::uint64_t taken = 0;     // chunks workers have taken
  std::uint64_t consumed = 0;  // chunks next() is done with
  bool handed = false;         // next() handed out chunk `consumed`
  bool split_done = false;
  bool splitter_exited = false;
  bool stop = false;
  std::exception_ptr split_error;  // what stopped the reading, after `filled` chunks
};

ParallelInput::ParallelInput(const std::string& path, SplitFormat format,
                             const std::string& encoding, unsigned workers,
                             const WorkerTasks& tasks)
    : m_shared(std::make_shared<Shared>(path, format, encoding)) {
  Shared& s = *m_shared;
  s.encoder = tasks.encoder;
  s.compact = tasks.compact;
  s.projection = tasks.projection;
  s.csv_null = tasks.csv_null;
  s.folds = tasks.folds;
  if (s.folds) s.lane_next.assign(s.folds->lanes(), 0);
  s.slots.resize(2 * std::size_t{workers} + 2);
  if (!tasks.names.empty())
    s.header = tasks.names;  // (every line a row: chunk 0 begins at line 1)
  else if (format.kind != SplitFormat::Ndjson)
    read_header(s);
  for (unsigned i = 0; i < workers; ++i)
    m_mappings.push_back(tasks.new_mapping ? tasks.new_mapping() : nullptr);
  m_splitter = std::thread([shared = m_shared] { split(*shared); });
  for (unsigned i = 0; i < workers; ++i)
    m_workers.emplace_back([this, i] { work(*m_shared, m_mappings[i].get()); });
}

// The header comes first, here, so that its errors are the run's and every worker knows it;
// the rows after it in the first chunk are chunk 0.
void ParallelInput::read_header(Shared& s) {
  TextChunk first;
  if (!s.splitter.next(first)) return;
  Slot& slot = s.slots[0];
  if (s.format.kind == SplitFormat::Csv) {
    CsvReader head(first, s.splitter.name(), s.format.delimiter, nullptr);
    s.header = head.header();
    first.bytes.erase(0, head.consumed());
    first.first_line = head.line();
  } else {
    std::size_t nl = std::min(first.bytes.find('\n'), first.bytes.size());
    TextRows head(s.format.delimiter);
    head.read_header(std::string_view(first.bytes).substr(0, nl), s.splitter.name());
    s.header = head.header();
    first.bytes.erase(0, nl + (nl < first.bytes.size() ? 1 : 0));
    first.first_line = 2;
  }
  slot.chunk = std::move(first);
  slot.state = SlotState::Filled;
  s.filled = 1;
}

ParallelInput::~ParallelInput() {
  {
    std::lock_guard<std::mutex> lock(m_shared->mutex);
    m_shared->stop = true;
  }
  m_shared->wake_all();
  for (auto& w : m_workers) w.join();
  bool exited = false;
  {
    std::lock_guard<std::mutex> lock(m_shared->mutex);
    exited = m_shared->splitter_exited;
  }
  // A splitter waiting on a pipe that says nothing more cannot be woken: it owns what it uses
  // and ends when the read returns (or with the process).
  if (!exited && m_shared->splitter.is_stdin())
    m_splitter.detach();
  else
    m_splitter.join();
}

void ParallelInput::split(Shared& s) {
  try {
    for (;;) {
      std::unique_lock<std::mutex> lock(s.mutex);
      Slot& slot = s.slots[s.filled % s.slots.size()];
      s.slot_free.wait(lock, [&] { return s.stop || slot.state == SlotState::Free; });
      if (s.stop) break;
      lock.unlock();  // the slot is the splitter's until it is marked filled
      bool more = s.splitter.next(slot.chunk);
      lock.lock();
      if (!more) {
        s.split_done = true;
        break;
      }
      slot.state = SlotState::Filled;
      ++s.filled;
      lock.unlock();  // (woken with the lock held, a worker would only wait for it)
      s.chunk_ready.notify_one();
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.split_error = std::current_exception();
    s.split_done = true;
  }
  std::lock_guard<std::mutex> lock(s.mutex);
  s.splitter_exited = true;
  s.wake_all();
}

void ParallelInput::work(Shared& s, mapping::Mapping* mapping) {
  Scratch scratch;
  for (;;) {
    std::unique_lock<std::mutex> lock(s.mutex);
    s.chunk_ready.wait(lock, [&] { return s.stop || s.taken < s.filled || s.split_done; });
    if (s.stop || s.taken == s.filled) return;  // (split_done: nothing more will come)
    Slot& slot = s.slots[s.taken % s.slots.size()];
    slot.number = s.taken++;
    slot.state = SlotState::Working;
    std::shared_ptr<const RecordEncoder> encoder = s.encoder;  // as it is when the chunk starts
    lock.unlock();
    parse(s, slot, mapping, scratch, encoder.get());
    if (s.folds) fold(s, slot);
    slot.batch.summarize(mapping != nullptr);
    lock.lock();
    slot.state = SlotState::Done;
    // next() waits for one batch, in input order: a later one done first would wake it in vain
    // (it looks again before it waits, so a batch it comes to later is not missed).
    bool awaited = slot.number == s.consumed;
    lock.unlock();
    if (awaited) s.batch_done.notify_one();
  }
}

// The chunk's outputs folded into each lane once the lane has folded every chunk before it:
// lanes in whatever order they come free, so two threads fold two chunks at once.
void ParallelInput::fold(Shared& s, Slot& slot) {
  unsigned lanes = s.folds->lanes();
  std::vector<char> folded(lanes, 0);
  try {
    for (unsigned left = lanes; left > 0; --left) {
      unsigned lane = 0;
      {
        std::unique_lock<std::mutex> lock(s.mutex);
        auto ready = [&] {
          for (lane = 0; lane < lanes; ++lane)
            if (!folded[lane] && s.lane_next[lane] == slot.number) return true;
          return false;
        };
        s.lane_moved.wait(lock, [&] { return s.stop || ready(); });
        if (s.stop) return;
      }
      fold_lane(slot.batch, *s.folds, lane);
      folded[lane] = 1;
      {
        std::lock_guard<std::mutex> lock(s.mutex);
        ++s.lane_next[lane];
      }
      s.lane_moved.notify_all();
    }
  } catch (...) {
    {
      std::lock_guard<std::mutex> lock(s.mutex);
      if (!s.fold_error) s.fold_error = std::current_exception();
      s.stop = true;
    }
    s.wake_all();
  }
}

// One lane's share of a batch, in input order; the groups of the outputs a little ahead are
// asked of the cache first (their slots, then their entries and states), so that folding them
// in does not wait for memory.
void ParallelInput::fold_lane(RecordBatch& b, mapping::Mapping& m, unsigned lane) {
  constexpr std::size_t kSlotsAhead = 16, kEntriesAhead = 8;
  auto& outputs = b.outputs;
  std::vector<std::uint32_t> mine;  // (the lanes fold a batch at once: each its own list)
  for (std::size_t i = 0; i < b.outputs_size; ++i)
    if (outputs[i].to_aggregate && m.lane_of(outputs[i]) == lane)
      mine.push_back(static_cast<std::uint32_t>(i));
  std::size_t n = mine.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kSlotsAhead < n) m.prefetch_group(outputs[mine[i + kSlotsAhead]], 0);
    if (i + kEntriesAhead < n) m.prefetch_group(outputs[mine[i + kEntriesAhead]], 1);
    m.aggregate(outputs[mine[i]], lane);
  }
}

void ParallelInput::parse(Shared& s, Slot& slot, mapping::Mapping* mapping, Scratch& scratch,
                          const RecordEncoder* encoder) {
  RecordBatch& b = slot.batch;
  b.size = 0;
  b.outputs_size = 0;
  b.error = nullptr;
  b.backslash_nulls = 0;
  b.encoded.clear();
  b.ends.clear();
  b.refused.clear();
  b.is_encoded = encoder != nullptr;
  b.lines.clear();
  b.source = s.splitter.name();
  Job job{encoder, encoder && s.compact, scratch};
  std::unique_ptr<Source> reader;
  NdjsonChunkReader* lines = nullptr;  // NDJSON: what can hold a record as its line
  RowSource* rows = nullptr;  // CSV or text rows encoded from their text, with no record made
  TextChunkReader* text = nullptr;
  std::unique_ptr<RowEncoder> row_encoder;
  try {
    if (s.format.kind == SplitFormat::Text) {
      auto chunk = std::make_unique<TextChunkReader>(std::move(slot.chunk), s.splitter.name(),
                                                     s.format.delimiter, s.header);
      text = chunk.get();
      rows = text;
      reader = std::move(chunk);
    } else if (s.format.kind == SplitFormat::Csv) {
      auto csv = std::make_unique<CsvReader>(std::move(slot.chunk), s.splitter.name(),
                                             s.format.delimiter, &s.header);
      csv->read_null_as(s.csv_null);
      rows = csv.get();
      reader = std::move(csv);
    } else {
      auto ndjson = std::make_unique<NdjsonChunkReader>(std::move(slot.chunk), s.splitter.name());
      lines = ndjson.get();
      job.projected = job.compact && mapping && !s.projection.empty();
      if (job.projected) ndjson->project(s.projection);
      reader = std::move(ndjson);
    }
    // Rows go from their text to the output's bytes when nothing needs their record.
    if (rows && job.compact && !mapping) row_encoder = encoder->row_encoder(s.header);
    if (!row_encoder) rows = nullptr;
    for (;;) {
      if (b.size == b.records.size()) {
        b.records.emplace_back();
        b.mapped.emplace_back();
        b.held.push_back(RecordBatch::kNotHeld);
      }
      // Compact: one record, hot in the cache, parsed into again and again; kept only when the
      // writing thread needs it.
      Sourced& rec = job.compact ? scratch.record : b.records[b.size];
      RecordBatch::Held hold;
      if (rows) {
        auto row = rows->next_fields(rec);
        if (row == RowSource::Row::End) break;
        if (row == RowSource::Row::Record && rows->row_has_null()) {  // (its text is no value)
          rows->record_of_row(rec);
          hold = process(job, b, rec, mapping);
        } else {
          hold = encode_row(b, *rows, *row_encoder, rec, row == RowSource::Row::Rejected);
        }
      } else {
        if (!reader->next(rec)) break;
        hold = process(job, b, rec, mapping);
      }
      if (hold == RecordBatch::kLine && !lines) hold = RecordBatch::kRecord;
      if (hold == RecordBatch::kLine) {
        b.lines.resize(b.size + 1);  // by record: those between held no line
        b.lines[b.size] = {lines->line_offset(), lines->line_size(), rec.where.line};
      }
      if (job.compact && hold == RecordBatch::kRecord) std::swap(b.records[b.size], rec);
      b.held[b.size] = hold;
      if (b.mapped[b.size++].failed) break;
    }
  } catch (...) {
    b.error = std::current_exception();
  }
  if (!b.lines.empty()) std::swap(b.text, lines->bytes());
  auto* csv = dynamic_cast<CsvReader*>(reader.get());
  if (csv) b.backslash_nulls = csv->backslash_nulls();
  // The chunk's buffer goes back to its slot, where the splitter reads a later chunk into it
  // as it is (a new one each time was grown, and so zero-filled, before every read); one that
  // grew for a long record is let go.
  std::string* used = lines  ? &lines->bytes()
                      : csv  ? &csv->buffer()
                      : text ? &text->bytes()
                             : nullptr;
  if (used && used->capacity() <= 4 * kChunkBytes) slot.chunk.bytes.swap(*used);
}

// What the writing thread needs of a record read: mapped or encoded here, as far as can be.
RecordBatch::Held ParallelInput::process(Job& job, RecordBatch& b, const Sourced& rec,
                                         mapping::Mapping* mapping) {
  auto hold =
      !job.compact || !rec.reject_reason.empty() ? RecordBatch::kRecord : RecordBatch::kNotHeld;
  if (mapping) return std::max(map(job, b, rec, *mapping), hold);
  if (job.encoder && !encode(job, b, rec.record, rec.reject_reason.empty()))
    return RecordBatch::kRecord;
  return hold;
}

RecordBatch::Plainly RecordBatch::plainly(std::size_t i, bool with_mapping) const {
  if (held[i] == kRecord) return Plainly::Other;
  std::size_t item = i;
  if (with_mapping) {
    const Mapped& m = mapped[i];
    if (m.failed) return Plainly::Other;
    if (!m.kept) return Plainly::Filtered;
    const mapping::Mapping::Output& out = outputs[m.first];
    if (m.count != 1 || !out.reject_reason.empty() || out.to_aggregate) return Plainly::Other;
    if (out.aggregated) return Plainly::Folded;  // (its line was kept in case the fold rejected it)
    item = m.first;
  }
  if (held[i] != kNotHeld || refusal(item) != nullptr) return Plainly::Other;
  return Plainly::Written;
}

void RecordBatch::summarize(bool with_mapping) {
  all_plain = is_encoded && !error;
  plain_filtered = plain_folded = 0;
  for (std::size_t i = 0; all_plain && i < size; ++i) {
    switch (plainly(i, with_mapping)) {
      case Plainly::Other:
        all_plain = false;
        break;
      case Plainly::Filtered:
        ++plain_filtered;
        break;
      case Plainly::Folded:
        ++plain_folded;
        break;
      case Plainly::Written:
        break;
    }
  }
}

void reread(const RecordBatch& b, std::size_t i, JsonRecordParser& parser, Sourced& out) {
  const RecordBatch::Line& line = b.lines.at(i);
  out.where = Location{b.source, line.number, {}};
  read_ndjson_line(parser, std::string_view(b.text).substr(line.offset, line.size), out);
}

// Item `item`'s bytes were refused by the encoder, for this reason.
static void refuse(RecordBatch& b, std::size_t item, std::string& reason) {
  b.refused.push_back(item);
  if (b.refusals.size() < b.refused.size()) b.refusals.emplace_back();
  b.refusals[b.refused.size() - 1].swap(reason);
}

// The next item's bytes, when it is to be written: false when the encoder refuses it (its
// reason is the item's refusal, for the writing thread to reject it with).
bool ParallelInput::encode(Job& job, RecordBatch& b, const Record& record, bool written) {
  std::string reason;
  bool ok = !written || job.encoder->encode(record, b.encoded, reason);
  if (!ok) refuse(b, b.ends.size(), reason);
  b.ends.push_back(b.encoded.size());
  return ok;
}

// A row's bytes, made from its text; its record is made only when the writing thread needs it:
// the row is a reject (rec holds it), or the encoder refuses it.
RecordBatch::Held ParallelInput::encode_row(RecordBatch& b, RowSource& rows, RowEncoder& encoder,
                                            Sourced& rec, bool rejected) {
  std::string reason;
  bool ok = rejected || encoder.encode(rows.fields(), rows.json_plain(), b.encoded, reason);
  if (!ok) refuse(b, b.ends.size(), reason);
  b.ends.push_back(b.encoded.size());
  if (rejected) return RecordBatch::kRecord;
  if (ok) return RecordBatch::kNotHeld;
  rows.record_of_row(rec);
  return RecordBatch::kRecord;
}

// The mapping's outputs for record rec, into the batch: their records swapped in (so the
// allocations go round rather than being made again), or, compact, encoded and left out.
// What the writing thread needs of the input record: the record when an output was rejected or
// refused by the encoder; its line when an output is left to fold into a group (where it may be
// rejected).
RecordBatch::Held ParallelInput::map(Job& job, RecordBatch& b, const Sourced& rec,
                                     mapping::Mapping& mapping) {
  auto& outputs = job.scratch.outputs;
  RecordBatch::Mapped& m = b.mapped[b.size];
  m = {};
  if (!rec.reject_reason.empty()) return RecordBatch::kNotHeld;  // rejected as read: not mapped
  std::size_t count = 0;
  try {
    m.kept = mapping.apply(rec.record, outputs, count);
  } catch (...) {
    m.failed = true;
    b.error = std::current_exception();
    return RecordBatch::kNotHeld;
  }
  if (!m.kept) return RecordBatch::kNotHeld;
  m.first = b.outputs_size;
  m.count = count;
  auto needed = RecordBatch::kNotHeld;
  for (std::size_t k = 0; k < count; ++k, ++b.outputs_size) {
    if (b.outputs_size == b.outputs.size()) b.outputs.emplace_back();
    mapping::Mapping::Output& out = b.outputs[b.outputs_size];
    out.reject_reason = outputs[k].reject_reason;
    out.aggregated = outputs[k].aggregated;
    out.to_aggregate = outputs[k].to_aggregate;
    if (out.to_aggregate) std::swap(out.fold, outputs[k].fold);
    bool written = out.reject_reason.empty() && !out.aggregated && !out.to_aggregate;
    bool refused = job.encoder && !encode(job, b, outputs[k].record, written);
    bool keep_record = !job.compact || out.to_aggregate || refused;
    if (!out.reject_reason.empty() || refused)
      needed = job.projected ? std::max(needed, RecordBatch::kLine) : RecordBatch::kRecord;
    else if (out.to_aggregate)
      needed = std::max(needed, RecordBatch::kLine);
    if (keep_record)
      std::swap(out.record, outputs[k].record);
    else
      out.record.clear();
  }
  return needed;
}

std::vector<std::string> ParallelInput::notes() const {
  const Shared& s = *m_shared;
  if (s.format.kind != SplitFormat::Csv) return {};
  return CsvReader::notes_of(s.splitter.name(), s.header, s.format.delimiter, m_backslash_nulls);
}

void ParallelInput::set_encoder(std::shared_ptr<const RecordEncoder> encoder) {
  std::lock_guard<std::mutex> lock(m_shared->mutex);
  m_shared->encoder = std::move(encoder);
}

RecordBatch* ParallelInput::next() {
  Shared& s = *m_shared;
  std::unique_lock<std::mutex> lock(s.mutex);
  if (s.handed) {
    s.slots[s.consumed % s.slots.size()].state = SlotState::Free;
    ++s.consumed;
    s.handed = false;
    // The splitter, far quicker than the workers, waits for a slot at nearly every chunk: it is
    // woken when half the ring is free, to fill it at one go (a wake-up costs more than a read).
    if (s.slots.size() - (s.filled - s.consumed) >= s.slots.size() / 2) {
      lock.unlock();
      s.slot_free.notify_one();  // (the splitter is its only waiter)
      lock.lock();
    }
  }
  Slot& slot = s.slots[s.consumed % s.slots.size()];
  s.batch_done.wait(lock, [&] {
    return (s.consumed < s.filled && slot.state == SlotState::Done) ||
           (s.split_done && s.consumed == s.filled) || s.fold_error;
  });
  if (s.fold_error) std::rethrow_exception(s.fold_error);
  if (s.consumed == s.filled) {
    if (s.split_error) std::rethrow_exception(s.split_error);
    return nullptr;
  }
  s.handed = true;
  m_backslash_nulls += slot.batch.backslash_nulls;
  return &slot.batch;
}

}  // namespace etl::tools
