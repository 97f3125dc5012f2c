#include "etl/decimal.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace etl {
namespace {

__extension__ typedef unsigned __int128 uint128;

constexpr std::array<int128, 39> make_powers() {
  std::array<int128, 39> p{};
  p[0] = 1;
  for (std::size_t i = 1; i < p.size(); ++i) p[i] = p[i - 1] * 10;
  return p;
}
constexpr std::array<int128, 39> kPow10 = make_powers();
constexpr int128 kLimit = kPow10[Decimal::kMaxDigits];  // coefficients stay below 10^38

[[noreturn]] void overflow() {
  throw DecimalError("decimal overflow (more than 38 significant digits)");
}

[[noreturn]] void too_small() {
  throw DecimalError("decimal result needs more than 76 digits after the point (round first)");
}

int128 checked(int128 v) {
  if (v >= kLimit || v <= -kLimit) overflow();
  return v;
}

int128 scale_up(int128 v, int by) {
  if (by > Decimal::kMaxDigits) {
    if (v == 0) return 0;
    overflow();
  }
  int128 r;
  if (__builtin_mul_overflow(v, kPow10[static_cast<std::size_t>(by)], &r)) overflow();
  return checked(r);
}

// Brings both coefficients to the larger scale.
int align(const Decimal& a, const Decimal& b, int128& ca, int128& cb) {
  int s = std::max(a.scale(), b.scale());
  ca = scale_up(a.coefficient(), s - a.scale());
  cb = scale_up(b.coefficient(), s - b.scale());
  return s;
}

int digit_count(uint128 v) {
  int n = 0;
  while (v != 0) {
    v /= 10;
    ++n;
  }
  return n;
}

// The next quotient digit of long division, floor(10r / d), leaving r = 10r mod d; r < d < 10^38.
// Ten times r can pass 2^128, so then it is built up one r at a time (below 2d each step).
int next_digit(uint128& r, uint128 d) {
  if (r <= ~uint128(0) / 10) {
    uint128 r10 = r * 10;
    r = r10 % d;
    return static_cast<int>(r10 / d);
  }
  uint128 acc = 0;
  int digit = 0;
  for (int k = 0; k < 10; ++k) {
    acc += r;
    if (acc >= d) {
      acc -= d;
      ++digit;
    }
  }
  r = acc;
  return digit;
}

}  // namespace

std::optional<RoundingMode> parse_rounding_mode(std::string_view name) {
  if (name == "half_even") return RoundingMode::HalfEven;
  if (name == "half_up") return RoundingMode::HalfUp;
  if (name == "half_down") return RoundingMode::HalfDown;
  if (name == "down") return RoundingMode::Down;
  if (name == "up") return RoundingMode::Up;
  if (name == "floor") return RoundingMode::Floor;
  if (name == "ceiling") return RoundingMode::Ceiling;
  return std::nullopt;
}

namespace {

// The common case in one pass: [-]digits[.digits] of at most 19 digits adds up in 64 bits with
// no checks. False for anything else (a sign of +, an exponent, more digits, no digit), which
// the general parse then reads or refuses.
bool parse_plain(std::string_view t, Decimal& out) {
  const char* p = t.data();
  const char* end = p + t.size();
  bool negative = p != end && *p == '-';
  p += negative;
  if (end - p > 20) return false;
  const char* first = p;
  std::uint64_t v = 0;  // (20 digits may wrap; they are refused below)
  auto digits = [&] {
    for (unsigned d; p != end && (d = static_cast<unsigned>(*p - '0')) < 10; ++p) v = v * 10 + d;
  };
  digits();
  int scale = 0;
  bool point = p != end && *p == '.';
  if (point) {
    const char* fraction = ++p;
    digits();
    scale = static_cast<int>(p - fraction);
  }
  long count = (p - first) - point;
  if (p != end || count == 0 || count > 19) return false;
  auto coef = static_cast<int128>(v);
  out = Decimal(negative ? -coef : coef, scale);
  return true;
}

}  // namespace

std::optional<Decimal> Decimal::parse(std::string_view t) {
  if (Decimal plain; parse_plain(t, plain)) return plain;
  std::size_t i = 0;
  bool negative = false;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) negative = t[i++] == '-';
  // The first 19 significant digits add up in 64 bits (128-bit steps cost several multiplies).
  std::uint64_t low = 0;
  int128 coef = 0;
  int digits = 0, frac = 0;
  bool any = false, point = false;
  for (; i < t.size(); ++i) {
    char c = t[i];
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    any = true;
    if (point) ++frac;
    if (digits == 0 && c == '0') continue;  // leading zeros are not significant
    if (++digits > kMaxDigits) throw DecimalError("number has more than 38 significant digits");
    if (digits <= 19)
      low = low * 10 + static_cast<std::uint64_t>(c - '0');
    else
      coef = (digits == 20 ? static_cast<int128>(low) : coef) * 10 + (c - '0');
  }
  if (digits <= 19) coef = static_cast<int128>(low);
  if (!any) return std::nullopt;
  long exponent = 0;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) exp_negative = t[i++] == '-';
    if (i == t.size()) return std::nullopt;
    for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i)
      exponent = std::min(exponent * 10 + (t[i] - '0'), 100000L);
    if (exp_negative) exponent = -exponent;
  }
  if (i != t.size()) return std::nullopt;
  long scale = frac - exponent;
  if (scale < 0) {
    coef = scale_up(coef, static_cast<int>(std::min(-scale, 1000L)));
    scale = 0;
  }
  if (scale > kMaxScale) {
    if (coef != 0) throw DecimalError("number is too small for a decimal (scale above 76)");
    scale = 0;
  }
  return Decimal(negative ? -coef : coef, static_cast<int>(scale));
}

bool Decimal::is_integer() const {
  if (m_scale == 0) return true;
  if (m_scale > kMaxDigits) return m_coef == 0;
  return m_coef % kPow10[static_cast<std::size_t>(m_scale)] == 0;
}

// Exact, or an error. The operands are brought to the larger scale as magnitudes: one may pass
// 10^38 there (1 - 1E-38) while the sum still fits; past 2·10^38 no sum with the other can.
Decimal operator+(const Decimal& a, const Decimal& b) {
  int s = std::max(a.scale(), b.scale());
  auto magnitude = [s](const Decimal& x) {
    auto m = static_cast<uint128>(x.coefficient() < 0 ? -x.coefficient() : x.coefficient());
    int by = s - x.scale();
    if (m == 0 || by == 0) return m;
    uint128 r;
    if (by > Decimal::kMaxDigits ||
        __builtin_mul_overflow(m, static_cast<uint128>(kPow10[static_cast<std::size_t>(by)]), &r) ||
        r > 2 * static_cast<uint128>(kLimit))
      overflow();
    return r;
  };
  uint128 ma = magnitude(a), mb = magnitude(b);
  bool na = a.coefficient() < 0, nb = b.coefficient() < 0;
  uint128 m = na == nb ? ma + mb : ma >= mb ? ma - mb : mb - ma;
  bool negative = na == nb ? na : ma >= mb ? na : nb;
  if (m >= static_cast<uint128>(kLimit)) overflow();
  auto coef = static_cast<int128>(m);
  return Decimal(negative ? -coef : coef, s);
}

Decimal operator-(const Decimal& a, const Decimal& b) {
  return a + (-b);
}

// Exact, or an error: a product is never rounded (round() it, or its factors, first). Its scale
// is the sum of the factors' scales; past 76, only as many trailing zeros as needed are dropped,
// taken as factors of 2 and 5 out of the factors before they are multiplied.
Decimal operator*(const Decimal& a, const Decimal& b) {
  int128 ca = a.coefficient(), cb = b.coefficient();
  int scale = a.scale() + b.scale();
  if (ca == 0 || cb == 0) return Decimal(0, std::min(scale, Decimal::kMaxScale));
  if (scale > Decimal::kMaxScale) {
    int zeros = scale - Decimal::kMaxScale;
    for (int prime : {2, 5}) {
      int need = zeros;
      for (int128* c : {&ca, &cb})
        while (need > 0 && *c % prime == 0) {
          *c /= prime;
          --need;
        }
      if (need > 0) too_small();
    }
    scale = Decimal::kMaxScale;
  }
  int128 r;
  if (__builtin_mul_overflow(ca, cb, &r)) overflow();
  return Decimal(checked(r), scale);
}

// Exact when the quotient ends within 28 significant digits; otherwise rounded half-even at the
// 28th, or at the units when the integer part is longer (integer digits are never rounded away).
Decimal operator/(const Decimal& a, const Decimal& b) {
  if (b.is_zero()) throw DecimalError("division by zero");
  bool negative = (a.coefficient() < 0) != (b.coefficient() < 0);
  uint128 n = static_cast<uint128>(a.coefficient() < 0 ? -a.coefficient() : a.coefficient());
  uint128 d = static_cast<uint128>(b.coefficient() < 0 ? -b.coefficient() : b.coefficient());
  int scale = a.scale() - b.scale();
  uint128 q = n / d, r = n % d;
  // Long division, one digit at a time, up to the units and then to 28 significant digits.
  while (scale < 0 || (r != 0 && digit_count(q) < Decimal::kDivisionDigits)) {
    if (scale >= Decimal::kMaxScale) break;
    if (q >= static_cast<uint128>(kLimit / 10)) overflow();
    q = q * 10 + static_cast<uint128>(next_digit(r, d));
    ++scale;
  }
  if (r != 0 && digit_count(q) < Decimal::kDivisionDigits) too_small();
  // Where the rounding falls: at q's last digit (the rest is r/d), or further left when q has
  // more than 28 significant digits after the point.
  int extra = std::min(digit_count(q) - Decimal::kDivisionDigits, scale);
  int half;  // the part dropped against one half: <0, 0, >0
  if (extra > 0) {
    uint128 unit = static_cast<uint128>(kPow10[static_cast<std::size_t>(extra)]);
    uint128 dropped = q % unit;
    q /= unit;
    scale -= extra;
    half = 2 * dropped > unit ? 1 : 2 * dropped < unit ? -1 : (r != 0 ? 1 : 0);
  } else {
    half = 2 * r > d ? 1 : 2 * r < d ? -1 : 0;
  }
  if (r != 0 || extra > 0)
    if (half > 0 || (half == 0 && (q & 1) != 0)) ++q;
  int128 coef = checked(static_cast<int128>(q));
  return Decimal(negative ? -coef : coef, scale).trimmed(std::max(a.scale(), b.scale()));
}

Decimal operator%(const Decimal& a, const Decimal& b) {
  if (b.is_zero()) throw DecimalError("division by zero");
  int128 ca, cb;
  int s = align(a, b, ca, cb);
  return Decimal(ca % cb, s);
}

int compare(const Decimal& a, const Decimal& b) {
  if (a.scale() == b.scale())
    return a.coefficient() < b.coefficient() ? -1 : a.coefficient() > b.coefficient() ? 1 : 0;
  // Integer parts first (a scale above 38 has none), then the fractions digit by digit.
  auto split = [](const Decimal& x, int128& whole, uint128& fraction) {
    int s = std::min(x.scale(), Decimal::kMaxDigits);
    whole = x.coefficient() / kPow10[static_cast<std::size_t>(s)];
    int128 f = x.coefficient() - whole * kPow10[static_cast<std::size_t>(s)];
    fraction = static_cast<uint128>(f < 0 ? -f : f);
  };
  auto sign_of = [](const Decimal& x) { return x.coefficient() < 0 ? -1 : x.is_zero() ? 0 : 1; };
  int sign = sign_of(a);
  if (sign != sign_of(b)) return sign < sign_of(b) ? -1 : 1;
  int128 wa, wb;
  uint128 fa, fb;
  split(a, wa, fa);
  split(b, wb, fb);
  if (wa != wb) return wa < wb ? -1 : 1;
  // Digit i after the point of fraction f at scale s (both below 10^38).
  auto digit = [](uint128 f, int s, int i) -> int {
    if (i >= s) return 0;
    int from_end = s - 1 - i;
    for (int k = 0; k < from_end && f != 0; ++k) f /= 10;
    return static_cast<int>(f % 10);
  };
  int sa = a.scale(), sb = b.scale();
  for (int i = 0; i < std::max(sa, sb); ++i) {
    int da = digit(fa, sa, i), db = digit(fb, sb, i);
    if (da != db) return da < db ? -sign : sign;
  }
  return 0;
}

Decimal Decimal::round(int places, RoundingMode mode) const {
  int target = std::max(places, 0);
  if (places >= m_scale) return Decimal(scale_up(m_coef, target - m_scale), target);
  int drop = m_scale - places;
  int128 q = 0, r = m_coef;
  uint128 unit;  // 10^drop, the weight of one step of q
  if (drop <= kMaxDigits) {
    int128 p = kPow10[static_cast<std::size_t>(drop)];
    q = m_coef / p;
    r = m_coef % p;
    unit = static_cast<uint128>(p);
  } else {
    unit = ~uint128(0);  // larger than any remainder
  }
  if (r != 0) {
    int sign = m_coef < 0 ? -1 : 1;
    uint128 twice = static_cast<uint128>(r < 0 ? -r : r) * 2;
    bool away = false;
    switch (mode) {
      case RoundingMode::Down:
        break;
      case RoundingMode::Up:
        away = true;
        break;
      case RoundingMode::Floor:
        away = sign < 0;
        break;
      case RoundingMode::Ceiling:
        away = sign > 0;
        break;
      case RoundingMode::HalfUp:
        away = twice >= unit;
        break;
      case RoundingMode::HalfDown:
        away = twice > unit;
        break;
      case RoundingMode::HalfEven:
        away = twice > unit || (twice == unit && (q & 1) != 0);
        break;
    }
    if (away) {
      if (drop > kMaxDigits) overflow();
      q += sign;
    }
  }
  if (places < 0) return Decimal(scale_up(q, -places), 0);
  return Decimal(checked(q), target);
}

Decimal Decimal::trimmed(int min_scale) const {
  Decimal d = *this;
  while (d.m_scale > min_scale && d.m_coef % 10 == 0) {
    d.m_coef /= 10;
    --d.m_scale;
  }
  return d;
}

std::optional<std::int64_t> Decimal::to_int64() const {
  if (!is_integer()) return std::nullopt;
  if (m_coef == 0) return 0;
  int128 v = m_scale == 0 ? m_coef : m_coef / kPow10[static_cast<std::size_t>(m_scale)];
  if (v > INT64_MAX || v < INT64_MIN) return std::nullopt;
  return static_cast<std::int64_t>(v);
}

namespace {

constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Writes v's last `width` digits, zeros in front as needed, to end at `end`; returns their start.
char* put_digits(char* end, std::uint64_t v, int width) {
  for (; width >= 2; width -= 2, v /= 100) {
    end -= 2;
    std::memcpy(end, kDigitPairs + 2 * (v % 100), 2);
  }
  if (width == 1) *--end = static_cast<char>('0' + v % 10);
  return end;
}

// Writes v, at least one digit, to end at `end`; returns its start.
char* put_number(char* end, std::uint64_t v) {
  for (; v >= 100; v /= 100) {
    end -= 2;
    std::memcpy(end, kDigitPairs + 2 * (v % 100), 2);
  }
  if (v >= 10) {
    end -= 2;
    std::memcpy(end, kDigitPairs + 2 * v, 2);
    return end;
  }
  *--end = static_cast<char>('0' + v);
  return end;
}

}  // namespace

std::string_view Decimal::format(char (&buf)[kMaxText]) const {
  char* end = buf + kMaxText;
  char* p = end;
  uint128 v = static_cast<uint128>(m_coef < 0 ? -m_coef : m_coef);
  if ((v >> 64) == 0 && m_scale <= 19) {  // the common case: the digits fit in 64 bits
    auto w = static_cast<std::uint64_t>(v);
    if (m_scale > 0) {
      auto pow = static_cast<std::uint64_t>(kPow10[static_cast<std::size_t>(m_scale)]);
      p = put_digits(p, w % pow, m_scale);
      *--p = '.';
      w /= pow;
    }
    p = put_number(p, w);
  } else {
    // Digits from the right, the point after `scale` of them, at least one before it (0.05);
    // 64-bit steps once the rest fits.
    int written = 0;
    auto put = [&](unsigned digit) {
      *--p = static_cast<char>('0' + digit);
      if (++written == m_scale) *--p = '.';
    };
    for (; v >> 64; v /= 10) put(static_cast<unsigned>(v % 10));
    for (auto w = static_cast<std::uint64_t>(v); w != 0 || written <= m_scale; w /= 10)
      put(static_cast<unsigned>(w % 10));
  }
  if (m_coef < 0) *--p = '-';
  return std::string_view(p, static_cast<std::size_t>(end - p));
}

std::string Decimal::to_string() const {
  char buf[kMaxText];
  return std::string(format(buf));
}

}  // namespace etl
