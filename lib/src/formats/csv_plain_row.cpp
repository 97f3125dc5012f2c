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

// A quoted field's text with each doubled quote made one, owned by the row.
void CsvReader::undouble(FieldRef& f) {
  if (m_owned_used == m_owned.size()) m_owned.emplace_back();
  std::string& text = m_owned[m_owned_used];
  text.clear();
  std::string_view raw(m_buf.data() + m_row_start + f.begin, f.size);
  for (std::size_t at = 0; at < raw.size();) {
    std::size_t quote = std::min(raw.find('"', at), raw.size());
    text.append(raw, at, quote - at + (quote < raw.size() ? 1 : 0));
    at = quote + 2;  // (past the second quote of the pair)
  }
  f.owned = static_cast<int>(m_owned_used++);
}

bool CsvReader::read_plain_row() {
  // (locals, not members, in the loop: a member written through `this` is read back from
  // memory after every store the compiler cannot tell apart from it)
  const char* base = m_buf.data();
  const std::size_t size = m_buf.size();
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
  FieldRef* refs = m_refs.data();
  std::size_t count = 0, room = m_refs.size();
  auto add = [&](std::size_t begin, std::size_t length) {
    if (count == room) {
      m_refs.resize(2 * room + 8);
      refs = m_refs.data();
      room = m_refs.size();
    }
    refs[count++] = {begin - row_start, length, -1};
  };
  auto decline = [&] {
    m_nrefs = 0;
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
        if (doubled) undouble(refs[count - 1]);
        doubled = false;
        quoted_from = SIZE_MAX;
        field = SIZE_MAX;  // the field is done; its delimiter or line end comes next
        from = i + 1;
        continue;
      }
      unsigned s = (b.delim | b.quote | b.newline | b.cr) & rest;
      if (s == 0) {
        escapes = escapes || (b.escaped & in_block) != 0;
        break;
      }
      auto i = static_cast<unsigned>(__builtin_ctz(s));
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
      if (c == delim) {
        field = pos + 1;
        continue;
      }
      m_pos = pos + 1;  // the line end
      m_line = line + 1;
      m_nrefs = count;
      m_row_high = high;
      m_high_from = high ? high_from - row_start : 0;
      m_high_to = high ? std::min(high_to, pos) - row_start : 0;
      m_json_plain = !escapes && (b.escaped & ((1U << i) - 1)) == 0;
      make_views();
      return true;
    }
  }
  return decline();  // the row goes on past the buffer (or never ends)
}

}  // namespace etl
