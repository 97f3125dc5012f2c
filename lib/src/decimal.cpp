#include "etl/decimal.hpp"

#include <algorithm>
#include <array>

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

std::optional<Decimal> Decimal::parse(std::string_view t) {
  std::size_t i = 0;
  bool negative = false;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) negative = t[i++] == '-';
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
    if (coef == 0 && c == '0') continue;  // leading zeros are not significant
    if (++digits > kMaxDigits) throw DecimalError("number has more than 38 significant digits");
    coef = coef * 10 + (c - '0');
  }
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
  if (scale > 2 * kMaxDigits) {
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

Decimal operator+(const Decimal& a, const Decimal& b) {
  int128 ca, cb, r;
  int s = align(a, b, ca, cb);
  if (__builtin_add_overflow(ca, cb, &r)) overflow();
  return Decimal(checked(r), s);
}

Decimal operator-(const Decimal& a, const Decimal& b) {
  return a + (-b);
}

Decimal operator*(const Decimal& a, const Decimal& b) {
  int128 r;
  if (__builtin_mul_overflow(a.coefficient(), b.coefficient(), &r)) overflow();
  Decimal d(checked(r), a.scale() + b.scale());
  if (d.scale() > Decimal::kMaxDigits) d = d.round(Decimal::kMaxDigits);
  return d;
}

Decimal operator/(const Decimal& a, const Decimal& b) {
  if (b.is_zero()) throw DecimalError("division by zero");
  bool negative = (a.coefficient() < 0) != (b.coefficient() < 0);
  uint128 n = static_cast<uint128>(a.coefficient() < 0 ? -a.coefficient() : a.coefficient());
  uint128 d = static_cast<uint128>(b.coefficient() < 0 ? -b.coefficient() : b.coefficient());
  int scale = a.scale() - b.scale();
  uint128 q = n / d, r = n % d;
  // Long division, one digit at a time: exact when the quotient terminates within 28
  // significant digits, otherwise rounded half-even at the 28th.
  while (scale < 0 ||
         (r != 0 && digit_count(q) < Decimal::kDivisionDigits && scale < Decimal::kMaxDigits)) {
    uint128 r10;
    if (__builtin_mul_overflow(r, uint128(10), &r10)) break;
    q = q * 10 + r10 / d;
    r = r10 % d;
    ++scale;
    if (q >= static_cast<uint128>(kLimit)) overflow();
  }
  if (r != 0 && (2 * r > d || (2 * r == d && (q & 1) != 0))) ++q;
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
  // Integer parts first, then fractions at scale 38: no step can overflow.
  auto split = [](const Decimal& x, int128& whole, int128& fraction) {
    int s = std::min(x.scale(), Decimal::kMaxDigits);
    int128 p = kPow10[static_cast<std::size_t>(s)];
    whole = x.coefficient() / p;
    fraction = (x.coefficient() % p) * kPow10[static_cast<std::size_t>(Decimal::kMaxDigits - s)];
  };
  int128 wa, fa, wb, fb;
  split(a, wa, fa);
  split(b, wb, fb);
  if (wa != wb) return wa < wb ? -1 : 1;
  return fa < fb ? -1 : fa > fb ? 1 : 0;
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
  int128 v = m_scale == 0 ? m_coef : m_coef / kPow10[static_cast<std::size_t>(m_scale)];
  if (v > INT64_MAX || v < INT64_MIN) return std::nullopt;
  return static_cast<std::int64_t>(v);
}

std::string Decimal::to_string() const {
  uint128 v = static_cast<uint128>(m_coef < 0 ? -m_coef : m_coef);
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v != 0);
  while (static_cast<int>(digits.size()) <= m_scale) digits.push_back('0');
  std::string out;
  if (m_coef < 0) out.push_back('-');
  for (std::size_t i = digits.size(); i-- > 0;) {
    out.push_back(digits[i]);
    if (m_scale > 0 && i == static_cast<std::size_t>(m_scale)) out.push_back('.');
  }
  return out;
}

}  // namespace etl
