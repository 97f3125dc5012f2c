#pragma once
// etl-load --checkpoint NAME: how far a load's input is committed, kept as a row of the
// destination's etl_checkpoint table and written in the same transaction as each batch. A load
// killed at any moment reruns on the same input, skips the records its row says are committed,
// and goes on from there: nothing is lost and nothing is written twice.
//
// The row holds the count of records the sink was handed and committed, and the first and the
// last of them as JSON text. A rerun whose first record is the row's first is the same input
// resumed; the record at the count must then be the row's last, or the input changed and the
// run stops before writing. Any other first record is a new input, loaded from its beginning
// (a nightly job can reuse one name).
#include <cstdint>
#include <optional>
#include <string>

#include "etl/value.hpp"

namespace etl {

struct CheckpointRow {
  std::uint64_t records = 0;  // records handed to the sink and committed
  std::string first, last;    // the first and the last of them, as JSON text
  bool complete = false;      // the run reached the end of its input
};

class Checkpoint {
 public:
  explicit Checkpoint(std::string name) : m_name(std::move(name)) {}
  const std::string& name() const { return m_name; }

  // The sink, before the first record: the row it found for name() in the destination.
  void found(std::optional<CheckpointRow> row) { m_found = std::move(row); }

  // The pipeline, for each record it would hand to the sink, in order: true when an earlier
  // run committed it (skip it); otherwise the record is noted as handed. Throws DataError when
  // the input is not the one the row was written for.
  bool already_committed(const Record& r);
  // The pipeline, at the end of the input: throws DataError when the input ended before the
  // records the row counts; otherwise the next row is marked complete.
  void end_of_input();

  // The sink, before each commit: the row that covers the first `settled` records it was
  // handed in this run.
  CheckpointRow row(std::uint64_t settled) const;

  std::uint64_t skipped() const { return m_skipped; }  // committed by an earlier run

 private:
  std::string m_name;
  std::optional<CheckpointRow> m_found;
  bool m_decided = false;    // whether this run resumes (decided on its first record)
  std::uint64_t m_base = 0;  // records committed before this run (0 for a new input)
  std::uint64_t m_skipped = 0;
  std::uint64_t m_handed = 0;  // in this run
  std::string m_first;         // the input's first record, as JSON text
  // The last two records handed (a sink commits before or after taking the current one), as
  // copies that reuse their storage: only a commit turns one into text.
  Record m_previous, m_current;
  bool m_complete = false;
};

}  // namespace etl
