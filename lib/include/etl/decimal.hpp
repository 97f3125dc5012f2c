#pragma once
// Exact decimal arithmetic for money: a 128-bit coefficient and a decimal scale, so 0.1 + 0.2 is
// 0.3 and 19.99 * 3 is 59.97. Up to 38 significant digits and 76 digits after the point; + - *
// are exact or an error (never a wrap, never a silent rounding); / is exact when the quotient
// ends within 28 significant digits, else rounded half-even at the 28th.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace etl {

__extension__ typedef __int128 int128;
__extension__ typedef unsigned __int128 uint128;

struct DecimalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class RoundingMode { HalfEven, HalfUp, HalfDown, Down, Up, Floor, Ceiling };

// Parses "half_even", "half_up", "half_down", "down", "up", "floor", "ceiling".
std::optional<RoundingMode> parse_rounding_mode(std::string_view name);

class Decimal {
 public:
  static constexpr int kMaxDigits = 38;
  static constexpr int kMaxScale = 76;        // digits after the point
  static constexpr int kDivisionDigits = 28;  // significant digits of a non-terminating quotient

  Decimal() = default;
  Decimal(int128 coefficient, int scale) : m_coef(coefficient), m_scale(scale) {}
  static Decimal from_int(std::int64_t v) { return Decimal(v, 0); }
  // Parses a JSON number literal or a plain decimal string ("19.990", "-1e-7", " 3 " is not).
  // Returns nullopt when text is not a number; throws DecimalError when it does not fit.
  static std::optional<Decimal> parse(std::string_view text);

  int128 coefficient() const { return m_coef; }
  int scale() const { return m_scale; }
  bool is_zero() const { return m_coef == 0; }
  bool is_negative() const { return m_coef < 0; }
  bool is_integer() const;

  Decimal operator-() const { return Decimal(-m_coef, m_scale); }
  friend Decimal operator+(const Decimal& a, const Decimal& b);
  friend Decimal operator-(const Decimal& a, const Decimal& b);
  friend Decimal operator*(const Decimal& a, const Decimal& b);
  friend Decimal operator/(const Decimal& a, const Decimal& b);  // throws on division by zero
  friend Decimal operator%(const Decimal& a, const Decimal& b);  // sign of a, like C and SQL
  friend int compare(const Decimal& a, const Decimal& b);
  friend bool operator==(const Decimal& a, const Decimal& b) { return compare(a, b) == 0; }

  // Rounds to `places` digits after the point (negative: to tens, hundreds …); the result has
  // exactly max(places, 0) digits after the point, so round(2.5, 2) is 2.50.
  Decimal round(int places, RoundingMode mode = RoundingMode::HalfEven) const;
  Decimal abs() const { return m_coef < 0 ? -*this : *this; }
  // Drops trailing fractional zeros down to min_scale.
  Decimal trimmed(int min_scale = 0) const;

  // The integer value when the number is integral and fits; nullopt otherwise.
  std::optional<std::int64_t> to_int64() const;
  // Plain notation, never an exponent: 1e-7 is "0.0000001", scale is kept ("1.00").
  std::string to_string() const;
  // The same text written into buf, which the view points into (no allocation).
  static constexpr std::size_t kMaxText = 80;  // a sign, "0." and 76 digits after the point
  std::string_view format(char (&buf)[kMaxText]) const;

 private:
  int128 m_coef = 0;
  int m_scale = 0;
};

}  // namespace etl
