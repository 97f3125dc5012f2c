#pragma once
// An input cut into chunks at record ends, so that several threads can parse one file: NDJSON at
// newlines, CSV at newlines outside quoted fields (found by the reader's own quoting rules).
// Each chunk knows the line its first byte is on, so records keep their place in messages.
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include "etl/io.hpp"

namespace etl {

struct TextChunk {
  std::string bytes;
  std::uint64_t first_line = 1;
};

// Where the last complete record of a text (beginning at a record's start) ends, and how many
// lines the reader counts up to there; end 0 when no record is complete yet.
struct RecordCut {
  std::size_t end = 0;
  std::uint64_t lines = 0;
};
RecordCut last_ndjson_end(std::string_view text);
RecordCut last_csv_end(std::string_view text, char delimiter);
// The same, found by walking the text byte by byte as CsvReader reads it (what last_csv_end
// does for a text with a CR; tests hold the two to the same cuts).
RecordCut last_csv_end_by_bytes(std::string_view text, char delimiter);

// The line of a chunk's text at pos (without its newline), pos moved past it; false at the
// end. Lines are cut as LineReader cuts them: each newline ends one, and a last line without
// one counts.
bool next_chunk_line(std::string_view text, std::size_t& pos, std::string_view& line);

class ChunkSplitter {
 public:
  // delimiter 0: NDJSON; else CSV with that delimiter. Chunks are about `block` bytes, or one
  // record when a record is longer.
  ChunkSplitter(const std::string& path, char delimiter, std::size_t block,
                const std::string& encoding = "");
  // The next chunk (whole records, but the last one may end without a newline); false at the end.
  // The buffer out.bytes holds is read into again, for a later chunk.
  bool next(TextChunk& out);
  const std::string& name() const { return m_in.name(); }
  bool is_stdin() const { return m_stdin; }

 private:
  RecordCut cut(std::string_view text) const;
  bool next_before_error(TextChunk& out);
  void hand_out(RecordCut c, TextChunk& out);
  InputStream m_in;
  char m_delimiter;
  std::size_t m_block;
  std::string m_pending;  // its first m_used bytes: read and not yet handed out
  std::size_t m_used = 0;
  std::uint64_t m_line = 1;
  bool m_eof = false;
  std::exception_ptr m_error;  // what the read threw: thrown once the whole records are out
  bool m_stdin;
};

}  // namespace etl
