#pragma once
// etl-load --checkpoint NAME: how far a load's input is committed, kept as a row of the
// destination's etl_checkpoint table and written in the same transaction as each batch. A load
// killed at any moment reruns on the same input, skips the records its row says are committed,
// and goes on from there: nothing is lost and nothing is written twice.
//
// The row holds the count of records the sink was handed and committed, a running digest of
// them, the first and the last (for people), and whether the run reached the end of its input.
// A complete row never resumes: the next input loads from its start (a nightly job keeps one
// name) — unless the load also moves a watermark (--commit-state): then a stream that starts
// with the whole of the completed input is that input again, read by an extract whose
// watermark the completed load was killed before it moved, and it resumes. Otherwise a rerun holds
// back its first records, as many as the row counts, digesting them: when they digest as the
// committed ones did, they were committed and are skipped; when they do not (or the input ends
// first), the input is another one, and the held records are handed on from the first, so a new
// input is loaded whole even when it starts with the same records. Held records wait in an unlinked
// temporary file, not in memory.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "etl/source.hpp"
#include "etl/value.hpp"

namespace etl {

class SpillFile;

struct CheckpointRow {
  std::uint64_t records = 0;  // records handed to the sink and committed
  std::string first, last;    // the first and the last of them, as JSON text
  bool complete = false;      // the run reached the end of its input
  std::string digest;         // of the records, in order (empty in rows of older versions)
};

class Checkpoint {
 public:
  explicit Checkpoint(std::string name);
  ~Checkpoint();
  const std::string& name() const { return m_name; }

  // The load moves a watermark too (--commit-state): a complete row may resume (see above).
  void resume_complete() { m_resume_complete = true; }
  // The sink, before the first record: the row it found for name() in the destination.
  void found(std::optional<CheckpointRow> row) { m_found = std::move(row); }

  enum class Verdict {
    Pass,       // hand the record to the sink
    Hold,       // it may have been committed by an earlier run: held until that is known
    Committed,  // it ends what an earlier run committed: it and every held record are skipped
    Replay,     // another input: hand the held records, this one the last of them (replay())
  };
  // The pipeline, for each record it would hand to the sink, in order.
  Verdict offer(const Sourced& in);
  // Hands each held record to `hand`, in input order, as records of a new input.
  void replay(const std::function<void(const Sourced&)>& hand);
  // The pipeline, at the end of the input: true when records are still held (the input ended
  // before the committed count: another input), to be replayed. Marks the next rows complete.
  bool end_of_input();

  // The sink, before each commit: the row that covers the first `settled` records it was
  // handed in this run.
  CheckpointRow row(std::uint64_t settled) const;

  std::uint64_t skipped() const { return m_skipped; }  // committed by an earlier run

 private:
  void note_handed(const Record& r);
  std::string m_name;
  std::optional<CheckpointRow> m_found;
  bool m_resume_complete = false;
  bool m_resuming = false;   // the first record came, and a resume is being checked
  bool m_decided = false;    // resumed or not: offer() passes every record now
  std::uint64_t m_base = 0;  // records committed before this run (0 for a new input)
  std::uint64_t m_held = 0;  // records held while a resume is checked
  std::uint64_t m_hold_digest = 0;
  std::unique_ptr<SpillFile> m_spool;
  std::uint64_t m_skipped = 0;
  std::uint64_t m_handed = 0;  // in this run
  std::string m_first;         // the input's first record, as JSON text
  // The digests after the last two records handed and copies of those records (a sink commits
  // before or after taking the current one): only a commit turns one into text.
  std::uint64_t m_base_digest = 0, m_digest_previous = 0, m_digest_current = 0;
  Record m_previous, m_current;
  std::string m_text;  // reused for each record's JSON text
  bool m_complete = false;
};

}  // namespace etl
