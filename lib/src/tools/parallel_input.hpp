#pragma once
// One file read on several threads: a reader thread cuts it into chunks at record ends, workers
// parse each chunk and map its records, and next() hands the batches back in input order, so the
// loop that writes sees exactly the records, rejects and outputs one thread would have made.
#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "etl/formats/chunks.hpp"
#include "etl/formats/csv_reader.hpp"
#include "etl/formats/text_format.hpp"
#include "etl/json.hpp"
#include "etl/mapping/mapping.hpp"
#include "etl/sink.hpp"
#include "etl/source.hpp"

namespace etl::tools {

// A chunk's records, and what the mapping made of each (when there is one).
struct RecordBatch {
  struct Mapped {
    bool kept = false;      // false: the filter dropped it
    bool failed = false;    // the mapping threw error: the batch ends with this record
    std::size_t first = 0;  // its outputs are outputs[first, first + count)
    std::size_t count = 0;
  };
  // How the writing thread gets record i: not at all (compact: it needs none), records[i], or,
  // for a record it needs only should it be rejected (what an aggregate folds, read as NDJSON),
  // its line, read again by reread() if it is. Parsing the few rejected again costs less than
  // keeping every record.
  enum Held : char { kNotHeld, kLine, kRecord };  // in order: what needs more wins
  std::vector<Sourced> records;
  std::size_t size = 0;  // records[0, size) are this batch's
  std::vector<Held> held;
  struct Line {
    std::size_t offset = 0;  // in text
    std::size_t size = 0;
    std::uint64_t number = 0;
  };
  std::vector<Line> lines;  // lines[i]: record i's, when it is held as kLine
  std::string text;         // the chunk's text, when one is
  std::string source;       // the name records are read from
  std::vector<Mapped> mapped;
  std::vector<mapping::Mapping::Output> outputs;
  std::size_t outputs_size = 0;
  std::exception_ptr error;           // what stopped the input after records[0, size)
  std::uint64_t backslash_nulls = 0;  // CSV: CsvReader::backslash_nulls
  // is_encoded: the bytes of each record to write (an output with a mapping, else an input
  // record; one that is rejected has none) are made: item i's are encoded[ends[i-1], ends[i]),
  // or, when refusal(i) is not null, the encoder refused it for that reason.
  bool is_encoded = false;
  std::string encoded;
  std::vector<std::size_t> ends;
  // The items refused, in order, and why: refusals[k] for refused[k]. (Few or none: a reason
  // kept for every item was a fiftieth of making CSV rows into NDJSON.)
  std::vector<std::size_t> refused;
  std::vector<std::string> refusals;
  const std::string* refusal(std::size_t item) const {
    if (refused.empty()) return nullptr;
    auto at = std::lower_bound(refused.begin(), refused.end(), item);
    return at != refused.end() && *at == item
               ? &refusals[static_cast<std::size_t>(at - refused.begin())]
               : nullptr;
  }
  std::string_view encoded_bytes(std::size_t i) const {
    std::size_t from = i == 0 ? 0 : ends[i - 1];
    return std::string_view(encoded).substr(from, ends[i] - from);
  }

  // Record i, when all the writing thread has to do for it is count it and, written, hand its
  // bytes over: none rejected, refused or failed, and one output, written or folded by a worker,
  // or none (filtered). Other: anything more. (with_mapping: the workers ran the mapping.)
  enum class Plainly : char { Other, Filtered, Folded, Written };
  Plainly plainly(std::size_t i, bool with_mapping) const;
  // Whether every record is Filtered, Folded or Written, and how many were filtered and folded
  // (set by summarize() once the workers are done with the batch): then `encoded` is the bytes
  // of those written, in order, and is handed over whole (record by record, the checks were the
  // writing thread's largest part of a map).
  bool all_plain = false;
  std::size_t plain_filtered = 0, plain_folded = 0;
  void summarize(bool with_mapping);
};

// What the worker threads do besides parsing.
struct WorkerTasks {
  // Makes each worker its own copy of the mapping to run (empty: no mapping in the workers).
  std::function<std::unique_ptr<mapping::Mapping>()> new_mapping;
  // Makes the bytes to write (nullptr: the sink does, or set_encoder() arms one later).
  std::shared_ptr<const RecordEncoder> encoder;
  // With an encoder: the writing thread needs a record only when it is rejected, so the others
  // are not kept (records written then have an empty record; only their bytes count).
  bool compact = false;
  // With an aggregate: the mapping whose groups the workers fold in (in lanes, see
  // Mapping::fold_in_lanes): each chunk's outputs, lane by lane, each lane in input order.
  mapping::Mapping* folds = nullptr;
  // Compact, with a mapping: the fields it reads. NDJSON records are then read with only those
  // (the others checked and left out); one that is rejected is read again whole, from its line.
  std::vector<std::string> projection;
  // CSV: --null TEXT (CsvReader::read_null_as).
  std::optional<std::string> csv_null;
  // CSV and text: --names, the fields of an input with no header row.
  std::vector<std::string> names;
};

// Record i of batch b, held as its line (b.held[i] == kLine), read again into out.
void reread(const RecordBatch& b, std::size_t i, JsonRecordParser& parser, Sourced& out);

// What a file that can be cut into chunks holds: NDJSON, CSV or the text format (and its
// delimiter). NDJSON and text rows end at every newline; CSV's at those outside quotes.
struct SplitFormat {
  enum Kind { Ndjson, Csv, Text } kind = Ndjson;
  char delimiter = 0;
};

class ParallelInput {
 public:
  // encoding: the text's (--encoding; "": UTF-8).
  ParallelInput(const std::string& path, SplitFormat format, const std::string& encoding,
                unsigned workers, const WorkerTasks& tasks);
  ~ParallelInput();  // stops the threads, even in the middle of the input
  ParallelInput(const ParallelInput&) = delete;
  ParallelInput& operator=(const ParallelInput&) = delete;

  // The next batch in input order, valid until the next call; nullptr at the end.
  RecordBatch* next();
  // The encoder for the chunks workers start from now on (a sink that knows its bytes late).
  void set_encoder(std::shared_ptr<const RecordEncoder> encoder);
  // The workers' copies of the mapping (none without WorkerTasks::new_mapping); once next() has
  // returned nullptr, what they saw of every chunk.
  const std::vector<std::unique_ptr<mapping::Mapping>>& mappings() const { return m_mappings; }
  // What to say of the input, as Source::notes (CSV: a header that looks cut wrong).
  std::vector<std::string> notes() const;

  // The chunk size: large enough that handing a chunk over costs next to nothing, small enough
  // that the slots in flight (a few per worker) stay a few megabytes. (128 KiB woke threads
  // twice as often: the bench's map took 0.217 s and 0.380 s of CPU where 256 KiB takes 0.205 s
  // and 0.368 s; 512 KiB saved little more and held 7 MB more.)
  static constexpr std::size_t kChunkBytes = std::size_t{1} << 18;

 private:
  enum class SlotState { Free, Filled, Working, Done };
  struct Slot {
    SlotState state = SlotState::Free;
    std::uint64_t number = 0;  // of its chunk, from 0
    TextChunk chunk;
    RecordBatch batch;
  };
  struct Shared;

  static void split(Shared& s);
  static void read_header(Shared& s);
  // What a worker reuses from record to record.
  struct Scratch {
    Sourced record;
    std::vector<mapping::Mapping::Output> outputs;
  };
  // One chunk's work: its encoder (or none yet), and whether its batch is compact.
  struct Job {
    const RecordEncoder* encoder;
    bool compact;
    Scratch& scratch;
    bool projected = false;  // records hold only the fields the mapping reads
  };
  static void work(Shared& s, mapping::Mapping* mapping);
  static void fold(Shared& s, Slot& slot);
  static void fold_lane(RecordBatch& b, mapping::Mapping& m, unsigned lane);
  static void parse(Shared& s, Slot& slot, mapping::Mapping* mapping, Scratch& scratch,
                    const RecordEncoder* encoder);
  static RecordBatch::Held map(Job& job, RecordBatch& b, const Sourced& rec,
                               mapping::Mapping& mapping);
  static RecordBatch::Held process(Job& job, RecordBatch& b, const Sourced& rec,
                                   mapping::Mapping* mapping);
  static bool encode(Job& job, RecordBatch& b, const Record& record, bool written);
  static RecordBatch::Held encode_row(RecordBatch& b, RowSource& rows, RowEncoder& encoder,
                                      Sourced& rec, bool rejected);

  std::shared_ptr<Shared> m_shared;
  std::vector<std::unique_ptr<mapping::Mapping>> m_mappings;  // one a worker
  std::uint64_t m_backslash_nulls = 0;                        // in the batches next() handed out
  std::vector<std::thread> m_workers;
  std::thread m_splitter;
};

}  // namespace etl::tools
