// The fast path of CsvReader::read_row: most rows lie whole in the buffer and have no CR and
// nothing after a closing quote. Such a row is read from bit masks of its delimiters, quotes and
// line ends, sixteen bytes at a time, its fields views of the buffer (a field with a doubled
// quote is rebuilt without it). Any other row is left, untouched, to the byte-by-byte reader,
// which decides it (and its errors).
#include <algorithm>
#include <cstdint>

#include "../byte_scan.hpp"
#include "etl/formats/csv_reader.hpp"

namespace etl {
namespace {

// The bytes of one block that matter, as bits (bit i: byte i of the block).
struct Block {
  unsigned delim = 0, quote = 0, newline = 0, cr = 0, high = 0;
  unsigned escaped = 0;  // '\\' and control bytes: what JSON escapes in a string (with '"')
};

Block block_at(const char* p, std::size_t avail, char delimiter) {
  Block b;
#if defined(__SSE2__)
  if (avail >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    auto bits = [&](char c) {
      return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c))));
    };
    b.delim = bits(delimiter);
    b.quote = bits('"');
    b.newline = bits('\n');
    b.cr = bits('\r');
    b.high = static_cast<unsigned>(_mm_movemask_epi8(v));
    __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
    b.escaped = bits('\\') | static_cast<unsigned>(_mm_movemask_epi8(control));
    return b;
  }
#endif
  for (std::size_t i = 0; i < avail && i < 16; ++i) {
    unsigned bit = 1U << i;
    if (p[i] == delimiter) b.delim |= bit;
    if (p[i] == '"') b.quote |= bit;
    if (p[i] == '\n') b.newline |= bit;
    if (p[i] == '\r') b.cr |= bit;
    if (static_cast<unsigned char>(p[i]) >= 0x80) b.high |= bit;
    if (p[i] == '\\' || static_cast<unsigned char>(p[i]) < 0x20) b.escaped |= bit;
  }
  return b;
}

}  // namespace

// A quoted field's text with each doubled quote made one, owned by the row (m_owned is a deque:
// the views of the row's other rebuilt fields stay good as it grows).
void CsvReader::undouble(std::string_view& field) {
  if (m_owned_used == m_owned.size()) m_owned.emplace_back();
  std::string& text = m_owned[m_owned_used++];
  text.clear();
  for (std::size_t at = 0; at < field.size();) {
    std::size_t quote = std::min(field.find('"', at), field.size());
    text.append(field, at, quote - at + (quote < field.size() ? 1 : 0));
    at = quote + 2;  // (past the second quote of the pair)
  }
  field = text;
}

bool CsvReader::read_plain_row() {
  // (locals, not members, in the loop: a member written through `this` is read back from
  // memory after every store the compiler cannot tell apart from it)
  const char* base = m_buf.data();
  const std::size_t size = m_end;
  const std::size_t row_start = m_row_start;
  const char delim = m_delim;
  std::uint64_t line = m_line;
  std::size_t field = m_pos;           // where the field being read begins
  std::size_t quoted_from = SIZE_MAX;  // inside a quoted field: where its text begins
  bool doubled = false;                // the quoted field holds a doubled quote
  unsigned skip = 0;                   // the next block's first bit: a doubled quote's second
  std::size_t high_from = SIZE_MAX, high_to = 0;  // the blocks holding bytes past ASCII
  bool high = false;
  bool escapes = false;  // a value holds a byte JSON escapes
  // The fields are written as views straight into m_views (no refill can come: a row that goes
  // past the buffer is declined), which keeps the size of the row before.
  std::string_view* views = m_views.data();
  std::size_t count = 0, room = m_views.size();
  auto add = [&](std::size_t begin, std::size_t length) {
    if (count == room) {
      m_views.resize(2 * room + 8);
      views = m_views.data();
      room = m_views.size();
    }
    views[count++] = std::string_view(base + begin, length);
  };
  auto decline = [&] {
    m_owned_used = 0;
    return false;
  };
  for (std::size_t at = m_pos; at < size; at += 16) {
    std::size_t avail = size - at;
    Block b = block_at(base + at, avail, delim);
    unsigned in_block = avail >= 16 ? 0xFFFFU : (1U << avail) - 1;
    if ((b.high & in_block) != 0) {
      high = true;
      high_from = std::min(high_from, at);
      high_to = at + 16;
    }
    unsigned from = skip;  // bits below are done
    skip = 0;
    for (;;) {
      unsigned rest = in_block & ~((1U << from) - 1);
      if (quoted_from != SIZE_MAX) {  // inside quotes only the closing quote matters
        unsigned q = b.quote & rest;
        unsigned upto = q ? (q & (~q + 1)) - 1 : 0xFFFFU;
        if (unsigned lines = b.newline & rest & upto)  // (rare: no call to count them)
          line += static_cast<unsigned>(__builtin_popcount(lines));
        if (q == 0) {
          escapes = escapes || (b.escaped & in_block) != 0;
          break;
        }
        auto i = static_cast<unsigned>(__builtin_ctz(q));
        std::size_t close = at + i;
        if (close + 1 >= size) return decline();  // the buffer's end
        if (base[close + 1] == '"') {             // a doubled quote: a quote of the text
          doubled = escapes = true;
          if (i + 2 < 16) {
            from = i + 2;
            continue;
          }
          skip = i + 2 - 16;  // (its second quote is the next block's first byte)
          break;
        }
        if (base[close + 1] != delim && base[close + 1] != '\n')  // bytes after the closing one
          return decline();
        add(quoted_from, close - quoted_from);
        if (doubled) undouble(views[count - 1]);
        doubled = false;
        quoted_from = SIZE_MAX;
        field = SIZE_MAX;  // the field is done; its delimiter or line end comes next
        from = i + 1;
        continue;
      }
      // The delimiters before the block's next quote or line end (most often all there are) end
      // their fields in a loop of their own.
      unsigned other = (b.quote | b.newline | b.cr) & rest;
      unsigned delims = b.delim & rest & (other != 0 ? (other & (~other + 1)) - 1 : 0xFFFFU);
      for (; delims != 0; delims &= delims - 1) {
        std::size_t pos = at + static_cast<unsigned>(__builtin_ctz(delims));
        if (field != SIZE_MAX) add(field, pos - field);
        field = pos + 1;
      }
      if (other == 0) {
        escapes = escapes || (b.escaped & in_block) != 0;
        break;
      }
      auto i = static_cast<unsigned>(__builtin_ctz(other));
      std::size_t pos = at + i;
      char c = base[pos];
      from = i + 1;
      if (c == '"') {
        if (pos == field)
          quoted_from = pos + 1;
        else
          escapes = true;  // a byte of its field
        continue;
      }
      if (c == '\r') return decline();
      if (field != SIZE_MAX) add(field, pos - field);
      m_pos = pos + 1;  // the line end
      m_line = line + 1;
      if (count != m_views.size()) m_views.resize(count);
      m_row_high = high;
      m_high_from = high ? high_from - row_start : 0;
      m_high_to = high ? std::min(high_to, pos) - row_start : 0;
      m_json_plain = !escapes && (b.escaped & ((1U << i) - 1)) == 0;
      return true;
    }
  }
  return decline();  // the row goes on past the buffer (or never ends)
}

}  // namespace etl
