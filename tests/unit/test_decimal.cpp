#include <catch2/catch.hpp>
#include <random>

#include "etl/decimal.hpp"

using etl::Decimal;
using etl::RoundingMode;

namespace {
Decimal d(const char* s) {
  return *Decimal::parse(s);
}
std::string str(const Decimal& x) {
  return x.to_string();
}
}  // namespace

TEST_CASE("decimal arithmetic is exact", "[decimal]") {
  CHECK(str(d("0.1") + d("0.2")) == "0.3");
  Decimal sum = d("0");
  for (int i = 0; i < 10; ++i) sum = sum + d("0.10");
  CHECK(str(sum) == "1.00");
  CHECK(str(d("19.99") * d("3")) == "59.97");
  CHECK(str(d("19.990") - d("0.99")) == "19.000");
  CHECK(str(d("-0.5") * d("0.5")) == "-0.25");
  CHECK(str(d("10") % d("3")) == "1");
  CHECK(str(d("-7.5") % d("2")) == "-1.5");
}

TEST_CASE("decimal division is exact when it terminates, else 28 significant digits", "[decimal]") {
  CHECK(str(d("10.00") / d("4")) == "2.50");
  CHECK(str(d("6") / d("2")) == "3");
  CHECK(str(d("6") / d("0.5")) == "12");
  CHECK(str(d("1") / d("3")) == "0.3333333333333333333333333333");
  CHECK(str(d("2") / d("3")) == "0.6666666666666666666666666667");
  CHECK_THROWS_WITH(d("1") / d("0"), "division by zero");
}

TEST_CASE("decimal parsing keeps scale and reads exponents", "[decimal]") {
  CHECK(str(d("19.990")) == "19.990");
  CHECK(str(d("1e-7")) == "0.0000001");
  CHECK(str(d("1.5e3")) == "1500");
  CHECK(str(d("-0.0")) == "0.0");
  CHECK(str(d("12345678901234567890")) == "12345678901234567890");
  CHECK_FALSE(Decimal::parse("abc"));
  CHECK_FALSE(Decimal::parse("1.2.3"));
  CHECK_FALSE(Decimal::parse(" 1"));
  CHECK_FALSE(Decimal::parse("1e"));
  CHECK_THROWS_AS(Decimal::parse("123456789012345678901234567890123456789"), etl::DecimalError);
}

TEST_CASE("decimal keeps 38 digits and reports overflow", "[decimal]") {
  Decimal big = d("99999999999999999999999999999999999999");  // 38 nines
  CHECK(str(big) == "99999999999999999999999999999999999999");
  CHECK_THROWS_WITH(big + d("1"), Catch::Contains("decimal overflow"));
  CHECK_THROWS_WITH(big * d("10"), Catch::Contains("decimal overflow"));
  CHECK(str(d("1234567890123456789012345678.9") * d("1")) == "1234567890123456789012345678.9");
}

TEST_CASE("decimal rounding modes", "[decimal]") {
  CHECK(str(d("2.345").round(2)) == "2.34");  // half-even by default
  CHECK(str(d("2.355").round(2)) == "2.36");
  CHECK(str(d("2.345").round(2, RoundingMode::HalfUp)) == "2.35");
  CHECK(str(d("-2.345").round(2, RoundingMode::HalfUp)) == "-2.35");
  CHECK(str(d("2.345").round(2, RoundingMode::HalfDown)) == "2.34");
  CHECK(str(d("2.349").round(2, RoundingMode::Down)) == "2.34");
  CHECK(str(d("2.341").round(2, RoundingMode::Up)) == "2.35");
  CHECK(str(d("-2.341").round(2, RoundingMode::Floor)) == "-2.35");
  CHECK(str(d("-2.349").round(2, RoundingMode::Ceiling)) == "-2.34");
  CHECK(str(d("2.5").round(2)) == "2.50");
  CHECK(str(d("1250").round(-2)) == "1200");
  CHECK(str(d("1350").round(-2)) == "1400");
  CHECK(etl::parse_rounding_mode("half_up") == RoundingMode::HalfUp);
  CHECK_FALSE(etl::parse_rounding_mode("nearest"));
}

TEST_CASE("decimal comparison across scales", "[decimal]") {
  CHECK(compare(d("1.0"), d("1")) == 0);
  CHECK(compare(d("-0.5"), d("0.3")) < 0);
  CHECK(compare(d("10.01"), d("10.1")) < 0);
  CHECK(compare(d("99999999999999999999999999999999999999"),
                d("0.00000000000000000000000000000000000001")) > 0);
  CHECK(d("5").to_int64() == 5);
  CHECK_FALSE(d("5.5").to_int64());
  CHECK(d("5.00").to_int64() == 5);
}

TEST_CASE("decimal results are exact or an error, never silently rounded", "[decimal]") {
  // A product keeps the sum of the scales up to 76 places, then drops only trailing zeros.
  CHECK(str(d("1E-38") * d("1E-38")) == "0." + std::string(75, '0') + "1");
  CHECK_THROWS_WITH(d("1E-38") * d("1E-39"), Catch::Contains("more than 76 digits"));
  CHECK(str(d("0.5E-39") * d("0.2E-36")) == "0." + std::string(75, '0') + "1");
  CHECK(str(d("0") * d("1E-70") * d("1E-70")) == "0." + std::string(76, '0'));
  // Aligned operands may pass 38 digits while the sum fits.
  CHECK(str(d("1") - d("1E-38")) == "0." + std::string(38, '9'));
  CHECK_THROWS_WITH(d("10") - d("1E-38"), Catch::Contains("decimal overflow"));
  // Quotients: 28 significant digits at any scale, integer digits never rounded away.
  CHECK(str(d("1") / d("3E30")) == "0." + std::string(30, '0') + std::string(28, '3'));
  CHECK(str(d("2.2076927521447167211869941378980153672e-10") / d("-3440772.94")) ==
        "-0.00000000000000006416269805193006200481785171");
  CHECK(str(d("980110126257756495849268215466731.8815") / d("589820")) ==
        "1661710566372378854310244169");
  CHECK_THROWS_WITH(d("-7.0184324067328060819960598003998e-2") / d("1e-40"),
                    Catch::Contains("decimal overflow"));
  CHECK_THROWS_WITH(d("1E-60") / d("3E+20"), Catch::Contains("more than 76 digits"));
  // Comparison past 38 places, and zero at any scale.
  CHECK(compare(d("1e-40"), d("1e-39")) < 0);
  CHECK(compare(d("-1e-40"), d("1e-70")) < 0);
  CHECK(d("0e-50").to_int64() == 0);
}

TEST_CASE("decimal text reads and writes back unchanged at every length and scale", "[decimal]") {
  // Canonical texts of 1 to 38 significant digits at scales 0 to 76, signs and leading zeros
  // after the point included: to_string(parse(text)) is text. Parsing adds up the first digits
  // in 64 bits and writing makes them in 64 bits once the rest fits, so the lengths around 19
  // and 20 digits matter most.
  std::mt19937_64 rnd(20261130);
  for (int n = 0; n < 20000; ++n) {
    int digits = 1 + static_cast<int>(rnd() % 38);
    int scale = static_cast<int>(rnd() % 77);
    std::string coef;
    for (int i = 0; i < digits; ++i)
      coef.push_back(static_cast<char>('0' + (i == 0 ? 1 + rnd() % 9 : rnd() % 10)));
    if (static_cast<int>(coef.size()) <= scale)
      coef.insert(0, static_cast<std::size_t>(scale + 1) - coef.size(), '0');
    std::string text = coef;
    if (scale > 0) text.insert(text.size() - static_cast<std::size_t>(scale), ".");
    if (rnd() % 2) text.insert(0, "-");
    INFO(text);
    auto parsed = Decimal::parse(text);
    REQUIRE(parsed);
    CHECK(parsed->scale() == scale);
    CHECK(parsed->to_string() == text);
  }
  CHECK(d("0").to_string() == "0");
  CHECK(d("0.000").to_string() == "0.000");
  CHECK(d("-0.05").to_string() == "-0.05");
  CHECK(d("99999999999999999999999999999999999999").to_string() ==
        "99999999999999999999999999999999999999");
}

TEST_CASE("decimal parse reads plain numbers as the general parse does", "[decimal]") {
  // A plain [-]digits[.digits] of up to 19 digits is read in one 64-bit pass; a text with an
  // exponent is not. "e0" leaves a number's value and scale as they are, so text and text + "e0"
  // must read the same (or both not at all): every text of up to 5 characters of digits, signs
  // and points, then random ones around 19 and 20 digits.
  auto same = [](const std::string& text) {
    INFO(text);
    auto plain = Decimal::parse(text);
    auto general = Decimal::parse(text + "e0");
    REQUIRE(plain.has_value() == general.has_value());
    if (plain) {
      CHECK(plain->coefficient() == general->coefficient());
      CHECK(plain->scale() == general->scale());
    }
  };
  const std::string alphabet = "0159.-+";
  std::vector<std::string> texts{""};
  for (int length = 1; length <= 5; ++length) {
    std::vector<std::string> longer;
    for (const auto& t : texts)
      for (char c : alphabet)
        if (t.size() + 1 == static_cast<std::size_t>(length)) longer.push_back(t + c);
    for (const auto& t : longer) same(t);
    texts.insert(texts.end(), longer.begin(), longer.end());
  }
  std::mt19937_64 rnd(20261201);
  for (int n = 0; n < 20000; ++n) {
    std::string text = rnd() % 2 ? "-" : "";
    int digits = 17 + static_cast<int>(rnd() % 5);
    for (int i = 0; i < digits; ++i) text.push_back(static_cast<char>('0' + rnd() % 10));
    if (rnd() % 2) text.insert(text.size() - rnd() % static_cast<std::size_t>(digits), ".");
    same(text);
  }
  CHECK(d("18446744073709551615").to_string() == "18446744073709551615");
  CHECK(d("-9999999999999999999").to_string() == "-9999999999999999999");
  CHECK(d("99999999999999999999").to_string() == "99999999999999999999");
}
