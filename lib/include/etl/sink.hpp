#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "etl/source.hpp"

namespace etl {

class Checkpoint;

// Unchanged: the destination already held it (a change applied before, an unchanged record).
// Pending: the sink holds the record in a batch and reports its outcome later (on_outcome).
enum class WriteOutcome { Written, Unchanged, Unmatched, Rejected, Pending };
// What a Written record did to its row, where the sink can tell (upsert into a database).
enum class RowChange { Unknown, Inserted, Updated };

// A row of a child table that writing a record changed or found equal (etl-load --children),
// for the audit log.
struct ChildRowOutcome {
  std::string table;
  Record key;
  std::string outcome;  // inserted, updated, unchanged, deleted
};

struct WriteResult {
  WriteOutcome outcome = WriteOutcome::Written;
  std::string reason;  // for Rejected
  RowChange change = RowChange::Unknown;
  std::vector<ChildRowOutcome> children = {};  // with --audit only
};

// Makes a sink's bytes for rows of strings under fixed names (a CSV file's rows) straight from
// their text, with no record made: the bytes of the record {names[i]: values[i]}. One a thread.
class RowEncoder {
 public:
  virtual ~RowEncoder() = default;
  // Appends the row's bytes to out (true), or says why the sink would reject it (false).
  // json_plain: no value holds a byte that JSON escapes ('"', '\\', a control byte).
  virtual bool encode(const std::vector<std::string_view>& values, bool json_plain,
                      std::string& out, std::string& reason) = 0;
};

// Makes a sink's bytes for a record, on any thread.
class RecordEncoder {
 public:
  virtual ~RecordEncoder() = default;
  // Appends the record's bytes to out and returns true; or returns false, with the reason in
  // reason, where the sink would reject the record (out is then unchanged).
  virtual bool encode(const Record& record, std::string& out, std::string& reason) const = 0;
  // An encoder of rows under these names, or nullptr where this one takes records only.
  virtual std::unique_ptr<RowEncoder> row_encoder(const std::vector<std::string>& names) const {
    (void)names;
    return nullptr;
  }
};

class Sink {
 public:
  using OutcomeFn = std::function<void(const Sourced&, const WriteResult&)>;
  virtual ~Sink() = default;
  virtual WriteResult write(const Sourced& in) = 0;
  // A sink whose bytes for a record depend on that record alone can have them made on worker
  // threads (--threads): encoder() makes them, and write_encoded() is given them, in input
  // order, instead of write(); `in` then says no more than the record's place, and its record
  // may be empty (the workers keep only what the writing thread needs). nullptr while the sink
  // cannot tell yet (a CSV's columns come from the first record it writes): ask again later.
  virtual std::shared_ptr<const RecordEncoder> encoder() const { return nullptr; }
  virtual WriteResult write_encoded(const Sourced& in, std::string_view) { return write(in); }
  // True when write_encoded() only appends its bytes to the output, and always writes the
  // record: the bytes of many records may then be handed over in one call.
  virtual bool appends_encoded() const { return false; }
  // write_encoded(), where the sink may take the bytes rather than copy them: `bytes` comes
  // back holding anything (a buffer of the sink's, to be cleared and reused).
  virtual WriteResult write_encoded_taking(const Sourced& in, std::string& bytes) {
    return write_encoded(in, bytes);
  }
  // The single point where the output becomes durable (renamed into place, committed).
  virtual void commit() = 0;
  // What can fail in commit() for want of space or a bad disk, done first, so that a run puts
  // nothing in place until everything it commits together is ready (a file's flush and sync).
  virtual void prepare() {}
  // A stop signal ended the input early: a file about to be put in place goes under
  // NAME.partial instead (returned, for the summary); databases commit what they were given.
  virtual std::string interrupted() { return ""; }
  // --dry-run: ends the run without making anything durable, once every pending outcome is
  // reported (the destructor then rolls back, or removes the temporary file).
  virtual void discard() {}
  // Where a batching sink reports the outcome of each record it answered Pending, by the time
  // commit() returns.
  virtual void on_outcome(OutcomeFn) {}
  // etl-load --checkpoint: the sink reads the checkpoint's row from its destination now, and
  // writes the row in the same transaction as each commit. Sinks without transactions refuse.
  virtual void use_checkpoint(Checkpoint& checkpoint);
  // How many of the records it answered Written are durable now: what a failed run leaves in the
  // destination (databases commit batch by batch, an API keeps each accepted request, a file or
  // a change set keeps nothing); nullopt for a stream, where what went out stays out.
  virtual std::optional<std::uint64_t> committed() const { return std::nullopt; }
  // What the summary must say besides the counts: values the destination stored as another
  // type (a number into a text column), one line each.
  virtual std::vector<std::string> notes() const { return {}; }
  // Counts beyond written/filtered/rejected that this sink keeps (inserted, updated …), for the
  // summary and the report.
  virtual std::vector<std::pair<std::string, std::uint64_t>> counts() const { return {}; }
};

}  // namespace etl
