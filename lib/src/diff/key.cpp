#include "etl/diff/key.hpp"

#include <cstdint>
#include <cstring>

#include "etl/bytes.hpp"
#include "etl/decimal.hpp"
#include "etl/json.hpp"

namespace etl::diff {
namespace {

// Field classes, in key order.
constexpr char kNegativeInteger = '0';
constexpr char kInteger = '1';
constexpr char kText = '2';

char class_of(std::string_view t) {
  bool negative = !t.empty() && t[0] == '-';
  std::string_view digits = negative ? t.substr(1) : t;
  if (digits.empty() || (digits.size() > 1 && digits[0] == '0') || (negative && digits == "0"))
    return kText;
  for (char c : digits)
    if (c < '0' || c > '9') return kText;
  return negative ? kNegativeInteger : kInteger;
}

int compare_bytes(std::string_view a, std::string_view b) {
  int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  if (c != 0) return c;
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

// A number's text as its value's plain text ("1.0", "1e0" → "1"); other text as it is.
std::string_view value_text(std::string_view text, char (&buf)[Decimal::kMaxText]) {
  if (text.empty() || !(text[0] == '-' || (text[0] >= '0' && text[0] <= '9')) ||
      !is_json_number(text))
    return text;
  try {
    if (auto d = Decimal::parse(text)) return d->trimmed().format(buf);
  } catch (const DecimalError&) {  // more digits than a decimal holds: keyed by its text
  }
  return text;
}

}  // namespace

void append_key_text(std::string& sort_key, std::string_view text, bool numeric) {
  char buf[Decimal::kMaxText];
  if (numeric) text = value_text(text, buf);
  sort_key.push_back(class_of(text));
  auto n = static_cast<std::uint32_t>(text.size());
  char len[4];
  std::memcpy(len, &n, 4);
  sort_key.append(len, 4);
  sort_key.append(text);
}

std::string make_key(const Record& rec, const std::vector<std::string>& fields,
                     std::string& sort_key, bool numeric) {
  sort_key.clear();
  for (const auto& f : fields) {
    const Value* v = rec.find(f);
    if (v == nullptr || v->is_null()) return f;
    switch (v->kind()) {
      case Value::Kind::Number:
      case Value::Kind::String:
        append_key_text(sort_key, v->text(), numeric);
        break;
      case Value::Kind::Bool:
        append_key_text(sort_key, v->as_bool() ? "true" : "false");
        break;
      default:
        append_key_text(sort_key, to_json(*v));
    }
  }
  return {};
}

int compare_keys(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    char ca = a[i], cb = b[j];
    std::uint32_t na, nb;
    std::memcpy(&na, a.data() + i + 1, 4);
    std::memcpy(&nb, b.data() + j + 1, 4);
    std::string_view ta = a.substr(i + 5, na), tb = b.substr(j + 5, nb);
    if (ca != cb) return ca < cb ? -1 : 1;
    int c = 0;
    if (ca == kInteger) {
      c = na != nb ? (na < nb ? -1 : 1) : std::memcmp(ta.data(), tb.data(), na);
    } else if (ca == kNegativeInteger) {  // the longer magnitude is the smaller number
      c = na != nb ? (na > nb ? -1 : 1) : -std::memcmp(ta.data(), tb.data(), na);
    } else {
      c = compare_bytes(ta, tb);
    }
    if (c != 0) return c < 0 ? -1 : 1;
    i += 5 + na;
    j += 5 + nb;
  }
  return i < a.size() ? 1 : j < b.size() ? -1 : 0;
}

KeyPrefix key_prefix(std::string_view sort_key) {
  unsigned char p[16] = {};
  if (sort_key.size() >= 5) {
    char cls = sort_key[0];
    std::uint32_t n;
    std::memcpy(&n, sort_key.data() + 1, 4);
    std::string_view text = sort_key.substr(5, n);
    p[0] = static_cast<unsigned char>(cls);
    if (cls == kText) {
      copy_bytes(reinterpret_cast<char*>(p + 1), text.data(),
                 std::min<std::size_t>(text.size(), 15));
    } else {
      // Integers: the digit count, then the leading digits. Past 200 digits only the class and
      // the count byte are kept, and compare_keys decides.
      std::string_view digits = cls == kNegativeInteger ? text.substr(1) : text;
      bool negative = cls == kNegativeInteger;
      auto len = static_cast<unsigned char>(std::min<std::size_t>(digits.size(), 201));
      p[1] = negative ? static_cast<unsigned char>(255 - len) : len;
      std::size_t kept = digits.size() <= 200 ? std::min<std::size_t>(digits.size(), 14) : 0;
      copy_bytes(reinterpret_cast<char*>(p + 2), digits.data(), kept);
      if (negative)
        for (std::size_t i = 0; i < kept; ++i)
          p[2 + i] = static_cast<unsigned char>(255 - p[2 + i]);
    }
  }
  // The bytes as two big-endian words: their order as numbers is the bytes' order.
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the words are loaded little-endian");
  std::uint64_t hi, lo;
  std::memcpy(&hi, p, 8);
  std::memcpy(&lo, p + 8, 8);
  return KeyPrefix{__builtin_bswap64(hi), __builtin_bswap64(lo)};
}

}  // namespace etl::diff
