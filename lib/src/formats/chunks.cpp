#include "etl/formats/chunks.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "../byte_scan.hpp"

namespace etl {

RecordCut last_ndjson_end(std::string_view text) {
  std::size_t nl = text.rfind('\n');
  if (nl == std::string_view::npos) return {};
  auto end = nl + 1;
  return {end, scan::count(text.data(), text.data() + end, '\n')};
}

namespace {

// Walks the text with CsvReader's rules: a quote opens a quoted field only at a field's start,
// a doubled quote inside stays inside, a newline or CR outside quotes ends the row. Lines are
// counted as the reader counts them: every LF, and a CR that no LF follows outside quotes.
RecordCut walk_csv(std::string_view text, char delimiter) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  const char* p = begin;
  RecordCut cut;
  std::uint64_t lines = 0;
  bool field_start = true;
  while (p < end) {
    if (field_start && *p == '"') {
      const char* from = p + 1;
      for (;;) {
        const auto* q =
            static_cast<const char*>(std::memchr(from, '"', static_cast<std::size_t>(end - from)));
        if (q == nullptr || q + 1 == end) return cut;  // the field (or its row) is not complete
        lines += scan::count(from, q, '\n');
        if (q[1] != '"') {
          p = q + 1;
          break;
        }
        from = q + 2;
      }
      field_start = false;
      continue;
    }
    // The unquoted part of a field: a quote here is a byte like any other.
    const char* stop = scan::csv_special(p, end, delimiter);
    while (stop < end && *stop == '"') stop = scan::csv_special(stop + 1, end, delimiter);
    if (stop == end) return cut;
    field_start = true;
    if (*stop == delimiter) {
      p = stop + 1;
    } else if (*stop == '\n') {
      p = stop + 1;
      cut = {static_cast<std::size_t>(p - begin), ++lines};
    } else if (stop + 1 == end) {  // a CR at the end: an LF may follow in the next block
      return cut;
    } else if (stop[1] == '\n') {
      p = stop + 2;
      cut = {static_cast<std::size_t>(p - begin), ++lines};
    } else {
      p = stop + 1;
      ++lines;  // a lone CR ends a line (old Mac files)
    }
  }
  return cut;
}

}  // namespace

RecordCut last_csv_end_by_bytes(std::string_view text, char delimiter) {
  return walk_csv(text, delimiter);
}

namespace {

// The quotes, line ends, CRs and delimiters of the 64 bytes from p (of which `avail` are the
// text's), as bits: bit i for byte i.
struct Block64 {
  std::uint64_t quote = 0, newline = 0, cr = 0, delimiter = 0;
};

Block64 block64(const char* p, std::size_t avail, char delimiter) {
  if (avail < 64) {  // (the tail, through a zeroed copy: a zero byte is none of these)
    char tail[64] = {};
    std::memcpy(tail, p, avail);
    return block64(tail, 64, delimiter);
  }
  Block64 b;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), newline = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r'),
                delim = scan::broadcast(delimiter);
  for (int k = 0; k < 4; ++k) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    auto bits = [&](__m128i c) {
      return static_cast<std::uint64_t>(
                 static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, c))))
             << (16 * k);
    };
    b.quote |= bits(quote);
    b.newline |= bits(newline);
    b.cr |= bits(cr);
    b.delimiter |= bits(delim);
  }
#else
  for (int i = 0; i < 64; ++i) {
    std::uint64_t bit = std::uint64_t{1} << i;
    if (p[i] == '"') b.quote |= bit;
    if (p[i] == '\n') b.newline |= bit;
    if (p[i] == '\r') b.cr |= bit;
    if (p[i] == delimiter) b.delimiter |= bit;
  }
#endif
  return b;
}

// Bit i of the result: the parity of bits 0..i of x.
std::uint64_t prefix_xor(std::uint64_t x) {
  for (int shift = 1; shift < 64; shift *= 2) x ^= x << shift;
  return x;
}

// Quote by quote: a quote outside opens a field only right after a delimiter, a newline or the
// start (any other is a byte of its field); inside, a doubled quote is a byte of the field and
// a single one closes it. The last newline outside quoted fields ends the last record.
RecordCut csv_end_quote_by_quote(std::string_view text, char delimiter) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (std::memchr(begin, '\r', text.size()) != nullptr) return walk_csv(text, delimiter);
  auto find = [end](const char* from, char c) {
    return static_cast<const char*>(std::memchr(from, c, static_cast<std::size_t>(end - from)));
  };
  struct Quoted {
    const char* open;
    const char* close;  // end when the field is not complete
  };
  std::vector<Quoted> quoted;
  for (const char* p = begin; p < end;) {
    const char* quote = find(p, '"');
    if (quote == nullptr) break;
    p = quote + 1;
    if (quote != begin && quote[-1] != delimiter && quote[-1] != '\n') continue;  // a plain byte
    for (;;) {  // inside the quoted field
      const char* close = find(p, '"');
      if (close == nullptr || close + 1 == end) {  // not complete: cut before its row
        quoted.push_back({quote, end});
        p = end;
        break;
      }
      p = close + 2;
      if (close[1] != '"') {
        quoted.push_back({quote, close});
        p = close + 1;
        break;
      }
    }
  }
  // The last newline, unless it lies in a quoted field: then the last one before that field.
  const char* limit = end;
  std::size_t r = quoted.size();
  for (;;) {
    const auto* nl =
        static_cast<const char*>(memrchr(begin, '\n', static_cast<std::size_t>(limit - begin)));
    if (nl == nullptr) return {};
    while (r > 0 && quoted[r - 1].open > nl) --r;
    if (r > 0 && nl < quoted[r - 1].close) {
      limit = quoted[--r].open;
      continue;
    }
    auto cut = static_cast<std::size_t>(nl + 1 - begin);
    return {cut, scan::count(begin, nl + 1, '\n')};
  }
}

}  // namespace

// Without a CR, 64 bytes at a time: taken as though every quote opened or closed a quoted
// field, the parity of the quotes so far marks the bytes inside (a doubled quote closes and
// opens again at once, around no byte). That holds just when each quote that opens comes right
// after a delimiter, a newline, a closing quote (the pair) or the start: the reader takes any
// other quote as a byte of its field, and then the text is cut quote by quote. The last
// newline outside ends the last complete record. (Found quote to quote with memchr, this was a
// sixth of the splitting thread's time on rows with a quoted field each.)
RecordCut last_csv_end(std::string_view text, char delimiter) {
  const char* base = text.data();
  const std::size_t n = text.size();
  std::size_t last_at = 0;      // the last block with a newline outside quoted fields so far
  std::uint64_t last_ends = 0;  // and those newlines
  std::uint64_t inside = 0;     // all ones when the block starts in a quoted field
  std::uint64_t may_open = 1;   // bit 0: a quote may open at the block's first byte
  for (std::size_t at = 0; at < n; at += 64) {
    Block64 b = block64(base + at, std::min<std::size_t>(64, n - at), delimiter);
    if (b.cr != 0) return walk_csv(text, delimiter);
    std::uint64_t quoted = prefix_xor(b.quote) ^ inside;
    std::uint64_t opening = b.quote & quoted, closing = b.quote & ~quoted;
    std::uint64_t before_open = b.delimiter | b.newline | closing;
    if ((opening & ~((before_open << 1) | may_open)) != 0)
      return csv_end_quote_by_quote(text, delimiter);
    std::uint64_t ends = b.newline & ~quoted;
    last_at = ends != 0 ? at : last_at;
    last_ends = ends != 0 ? ends : last_ends;
    inside = (quoted >> 63) != 0 ? ~std::uint64_t{0} : 0;
    may_open = before_open >> 63;
  }
  if (last_ends == 0) return {};
  std::size_t end = last_at + 64 - static_cast<unsigned>(__builtin_clzll(last_ends));
  // (The lines counted apart: a popcount per block is a call without -mpopcnt.)
  return {end, scan::count(base, base + end, '\n')};
}

ChunkSplitter::ChunkSplitter(const std::string& path, char delimiter, std::size_t block,
                             const std::string& encoding)
    : m_in(path, encoding), m_delimiter(delimiter), m_block(block), m_stdin(path == "-") {}

RecordCut ChunkSplitter::cut(std::string_view text) const {
  return m_delimiter == 0 ? last_ndjson_end(text) : last_csv_end(text, m_delimiter);
}

// m_pending keeps its size between reads, with m_used bytes of it in use: growing a string
// writes zeros over all that read() then fills, and a buffer that came back (the chunk's, once
// a worker is done) is mostly large enough already.
bool ChunkSplitter::next(TextChunk& out) {
  std::size_t want = m_block;
  for (;;) {
    if (!m_eof && !m_error) {
      if (m_pending.size() < m_used + want) m_pending.resize(m_used + want);
      std::size_t got = 0;
      // Fill the block (a pipe hands out a little at a time), so chunks are worth a thread.
      try {
        while (got < want) {
          std::size_t n = m_in.read(m_pending.data() + m_used + got, want - got);
          if (n == 0) {
            m_eof = true;
            break;
          }
          got += n;
        }
      } catch (...) {
        m_error = std::current_exception();
      }
      m_used += got;
    }
    if (m_error) return next_before_error(out);
    if (m_used == 0) return false;
    std::string_view text(m_pending.data(), m_used);
    RecordCut c = m_eof ? RecordCut{m_used, 0} : cut(text);
    if (c.end > 0) {
      hand_out(c, out);
      return true;
    }
    want = std::max(m_block, m_used);  // no record ended yet: read as much again
  }
}

// A read that failed (a gzip stream cut short) ends the input with its error, but the whole
// records read before it go out first, as a reader on one thread hands them out: the record
// the failure cut in two does not.
bool ChunkSplitter::next_before_error(TextChunk& out) {
  RecordCut c = cut(std::string_view(m_pending.data(), m_used));
  if (c.end == 0) std::rethrow_exception(m_error);
  hand_out(c, out);
  m_used = 0;
  return true;
}

void ChunkSplitter::hand_out(RecordCut c, TextChunk& out) {
  out.first_line = m_line;
  m_line += c.lines;
  out.bytes.swap(m_pending);  // (m_pending now has the buffer out held)
  std::size_t rest = m_used - c.end;
  if (m_pending.size() < rest) m_pending.resize(rest);
  std::memcpy(m_pending.data(), out.bytes.data() + c.end, rest);
  m_used = rest;
  out.bytes.resize(c.end);
}

bool next_chunk_line(std::string_view text, std::size_t& pos, std::string_view& line) {
  if (pos >= text.size()) return false;
  const char* start = text.data() + pos;
  const auto* nl = static_cast<const char*>(std::memchr(start, '\n', text.size() - pos));
  std::size_t len = nl ? static_cast<std::size_t>(nl - start) : text.size() - pos;
  line = std::string_view(start, len);
  pos += len + 1;
  return true;
}

}  // namespace etl
