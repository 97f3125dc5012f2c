// The expression language: each construct and function, and each error message.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "etl/json.hpp"
#include "etl/mapping/expr.hpp"
#include "etl/mapping/mapping.hpp"
#include "expression_runner.hpp"

using namespace etl::mapping;

namespace {

using Result = etl::test::ExprResult;

const char* kInput = R"({"id":7,"name":" Ada Lovelace ","email":"ADA@Example.COM","price":"19.99",
  "qty":3,"total":59.97,"status":"paid","zip":"01234","tags":["a","b"],"missing_not":null,
  "customer":{"email":"c@d.e","address":{"zip":"99"}},"items":[{"sku":"x1","q":2},{"sku":"x2","q":5}],
  "odd key":"odd","created":"2024-03-01T10:00:00+01:00","flag":"yes"})";

Result run(const std::string& expr, const char* zone = nullptr, DstPolicy dst = DstPolicy::Reject) {
  static std::map<std::string, Lookup> lookups{
      {"uom", Lookup{"uom", {{"pcs", etl::Value::string("EA")}}, etl::Value::string("XX")}},
      {"strict", Lookup{"strict", {{"1", etl::Value::string("one")}}, std::nullopt}}};
  CompileContext cc;
  cc.lookups = &lookups;
  if (zone) cc.zones.zone = find_zone(zone);
  cc.zones.dst = dst;
  return etl::test::run_expression(expr, kInput, cc, *parse_iso8601("2026-01-02T03:04:05Z", {}));
}

std::string value(const std::string& expr) {
  Result r = run(expr);
  INFO(expr << " → error: " << r.error << r.compile);
  CHECK(r.error.empty());
  CHECK(r.compile.empty());
  return r.value;
}

}  // namespace

TEST_CASE("literals, paths and missing fields", "[expr]") {
  CHECK(value("1.50") == "1.50");
  CHECK(value("\"double\"") == "\"double\"");
  CHECK(value("'a\\'b'") == "\"a'b\"");
  CHECK(value("true") == "true");
  CHECK(value("null") == "null");
  CHECK(value("total") == "59.97");
  CHECK(value("customer.address.zip") == "\"99\"");
  CHECK(value("items[1].sku") == "\"x2\"");
  CHECK(value("items[-1].q") == "5");
  CHECK(value("items[9]") == "null");
  CHECK(value("customer['email']") == "\"c@d.e\"");
  CHECK(value("`odd key`") == "\"odd\"");
  CHECK(value("nosuch") == "null");
  CHECK(value("nosuch.deeper") == "null");
  CHECK(value("zip") == "\"01234\"");  // text stays text
  CHECK(run("name.first").error == "cannot read .first of string ' Ada Lovelace '");
  CHECK(run("items['x']").error == "an array index must be a number, got string 'x'");
  CHECK(run("items[0.5]").error == "an array index must be an integer, got number 0.5");
  CHECK(run("status[0]").error == "cannot index string 'paid' with number 0");
}

TEST_CASE("arithmetic is exact decimal arithmetic", "[expr]") {
  CHECK(value("0.1 + 0.2") == "0.3");
  CHECK(value("decimal(price) * qty") == "59.97");
  CHECK(value("19.99 * 3") == "59.97");
  CHECK(value("10 / 4") == "2.5");
  CHECK(value("10 % 4") == "2");
  CHECK(value("-qty") == "-3");
  CHECK(value("2 + 3 * 4") == "14");
  CHECK(value("(2 + 3) * 4") == "20");
  CHECK(value("qty - 1 - 1") == "1");
  CHECK(value("'SO-' + zip") == "\"SO-01234\"");
  CHECK(value("nosuch + 1") == "null");  // null propagates
  CHECK(
      run("price * 2").error ==
      "cannot compute string '19.99' * number 2 (convert with decimal(), int() or string() first)");
  CHECK(run("1 / 0").error == "number 1 / number 0: division by zero");
  CHECK(run("99999999999999999999999999999999999999 + 1").error ==
        "number 99999999999999999999999999999999999999 + number 1: decimal overflow (more than 38 "
        "significant digits)");
  CHECK(run("-status").error == "cannot negate string 'paid'");
}

TEST_CASE("comparisons, logic, conditionals and null-coalescing", "[expr]") {
  CHECK(value("status == 'paid'") == "true");
  CHECK(value("status != 'paid'") == "false");
  CHECK(value("qty > 2 and qty <= 3") == "true");
  CHECK(value("qty < 2 or not (qty == 3)") == "false");
  CHECK(value("total >= 59.970") == "true");
  CHECK(value("nosuch == null") == "true");
  CHECK(value("nosuch != 1") == "true");
  CHECK(value("nosuch > 1") == "null");
  CHECK(value("not nosuch") == "true");   // null counts as false
  CHECK(value("qty == '3'") == "false");  // different types are never equal
  CHECK(value("if(qty > 2, 'many', 'few')") == "\"many\"");
  CHECK(value("qty > 5 ? 'many' : qty > 2 ? 'some' : 'few'") == "\"some\"");
  CHECK(value("if(nosuch, 1, 2)") == "2");
  CHECK(value("nosuch ?? missing_not ?? 'fallback'") == "\"fallback\"");
  CHECK(value("coalesce(nosuch, email)") == "\"ADA@Example.COM\"");
  CHECK(value("qty == 3 && status == 'paid' || false") == "true");
  CHECK(run("qty > '2'").error ==
        "cannot compare number 3 > string '2' (convert with int(), decimal() or string() first)");
  CHECK(run("if(status, 1, 2)").error == "the condition must be true or false, got string 'paid'");
  CHECK(run("status and true").error ==
        "the left side of and must be true or false, got string 'paid'");
}

TEST_CASE("string functions", "[expr]") {
  CHECK(value("trim(name)") == "\"Ada Lovelace\"");
  CHECK(value("ltrim(name)") == "\"Ada Lovelace \"");
  CHECK(value("rtrim(name)") == "\" Ada Lovelace\"");
  CHECK(value("lower(email)") == "\"ada@example.com\"");
  CHECK(value("upper('straße ä')") == "\"STRAßE Ä\"");  // simple case mapping: ß has no capital
  CHECK(value("lower('ÄÖÜ')") == "\"äöü\"");
  CHECK(value("lpad(string(id), 5, '0')") == "\"00007\"");
  CHECK(value("rpad('ab', 4)") == "\"ab  \"");
  CHECK(value("lpad('abcdef', 3, '0')") == "\"abcdef\"");
  CHECK(value("substr('Grüße', 2, 2)") == "\"üß\"");
  CHECK(value("substr('abcdef', -2)") == "\"ef\"");
  CHECK(value("split('a,b,,c', ',')") == "[\"a\",\"b\",\"\",\"c\"]");
  CHECK(value("split(trim(name), ' ')[1]") == "\"Lovelace\"");
  CHECK(value("join(tags, '|')") == "\"a|b\"");
  CHECK(value("replace('a-b-c', '-', '+')") == "\"a+b+c\"");
  CHECK(value("concat('n=', qty, ' ', nosuch, true)") == "\"n=3 true\"");
  CHECK(value("length('Grüße')") == "5");
  CHECK(value("length(items)") == "2");
  CHECK(value("contains(email, '@')") == "true");
  CHECK(value("starts_with(zip, '01')") == "true");
  CHECK(value("ends_with(zip, '5')") == "false");
  CHECK(value("regex_match(email, '^[A-Z]+@')") == "true");
  CHECK(value("regex_extract(email, '@(.*)$')") == "\"Example.COM\"");
  CHECK(value("regex_extract(email, '(\\w+)@(\\w+)', 2)") == "\"Example\"");
  CHECK(value("regex_extract(email, 'zzz')") == "null");
  CHECK(value("regex_replace(zip, '^0+', '')") == "\"1234\"");
  CHECK(value("regex_replace('a1b22', '(\\d+)', '<\\1>')") == "\"a<1>b<22>\"");
  CHECK(value("upper(nosuch)") == "null");
  CHECK(run("upper(qty)").error == "upper(): argument 1 must be a string, got number 3");
  CHECK(run("lpad('a', 3, 'xy')").error == "lpad(): the fill must be one character, got 'xy'");
  CHECK(run("join(name, ',')").error ==
        "join(): argument 1 must be an array, got string ' Ada Lovelace '");
}

TEST_CASE("number functions and casts", "[expr]") {
  CHECK(value("decimal('19.990')") == "19.990");
  CHECK(value("decimal('2.345', 2)") == "2.34");
  CHECK(value("round(2.345, 2)") == "2.34");
  CHECK(value("round(2.345, 2, 'half_up')") == "2.35");
  CHECK(value("round(2.5)") == "2");
  CHECK(value("floor(-2.5)") == "-3");
  CHECK(value("ceil(2.1)") == "3");
  CHECK(value("abs(-4.20)") == "4.20");
  CHECK(value("min(3, 1.5, 2)") == "1.5");
  CHECK(value("max('b', 'a')") == "\"b\"");
  CHECK(value("sum_of(items, 'q')") == "7");
  CHECK(value("sum_of(items, 'q', 'q')") == "29");
  CHECK(run("sum_of(items, 'sku')").error == "sum_of(): element 0: 'sku' is not a number: x1");
  CHECK(run("sum_of(items, 'nope')").error == "sum_of(): element 0 has no number 'nope'");
  CHECK(value("int('42')") == "42");
  CHECK(value("int(5.00)") == "5");
  CHECK(value("string(total)") == "\"59.97\"");
  CHECK(value("string(true)") == "\"true\"");
  CHECK(value("bool(flag)") == "true");
  CHECK(value("bool(0)") == "false");
  CHECK(value("is_null(nosuch)") == "true");
  CHECK(value("sha256('abc')") ==
        "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"");
  CHECK(value("sha256('ab', 'c') != sha256('a', 'bc')") == "true");
  CHECK(run("int(2.5)").error == "int(): number 2.5 is not a whole number (round it first)");
  CHECK(run("int('12abc')").error == "int(): cannot convert string '12abc' to a number");
  CHECK(run("decimal(' 1')").error == "decimal(): cannot convert string ' 1' to a number");
  CHECK(run("bool('maybe')").error ==
        "bool(): cannot convert string 'maybe' to a boolean (true/false, t/f, yes/no, y/n, 1/0)");
  CHECK(
      run("round(price, 2)").error ==
      "round(): argument 1 must be a number (convert with decimal() or int()), got string '19.99'");
  CHECK(run("min(1, 'a')").error ==
        "cannot compare string 'a' min number 1 (convert with int(), decimal() or string() first)");
}

TEST_CASE("parse_number reads numbers written with marks, exactly or not at all", "[expr]") {
  struct Case {
    const char* text;
    const char* style;
    const char* want;  // "" when it must reject
  };
  const Case cases[] = {
      {"1.234.567,89", "1.234,56", "1234567.89"},
      {"-1.234,50", "1.234,56", "-1234.50"},
      {"1234,5", "1.234,56", "1234.5"},
      {"999", "1.234,56", "999"},
      {"+0,001", "1.234,56", "0.001"},
      {"1,234,567.5", "1,234.56", "1234567.5"},
      {"12 345,60", "1 234,56", "12345.60"},
      {"1\xC2\xA0"
       "234,5",
       "1 234,56", "1234.5"},
      {"1\xE2\x80\xAF"
       "234",
       "1 234,56", "1234"},
      {"1'234.5", "1'234.56", "1234.5"},
      {"1234,56", "1234,56", "1234.56"},
      {"1.23,4", "1.234,56", ""},
      {"1.2345,0", "1.234,56", ""},
      {"1234.567,0", "1.234,56", ""},
      {"1,", "1.234,56", ""},
      {",5", "1.234,56", ""},
      {".234", "1.234,56", ""},
      {" 1", "1.234,56", ""},
      {"1 ", "1.234,56", ""},
      {"$5", "1,234.56", ""},
      {"1.5", "1.234,56", ""},
      {"1,234", "1234,56", "1.234"},
      {"1-", "1.234,56", ""},
      {"--1", "1.234,56", ""},
      {"", "1.234,56", ""},
      {"1.234.5", "1.234,56", ""},
  };
  for (const auto& c : cases) {
    Result r = run(fmt::format("parse_number(\"{}\", \"{}\")", c.text, c.style));
    INFO(c.text << " as " << c.style << " → " << r.value << r.error << r.compile);
    CHECK(r.compile.empty());
    if (*c.want)
      CHECK(r.value == c.want);
    else
      CHECK(r.error.find("is not a number written as") != std::string::npos);
  }
  CHECK(value("parse_number(nosuch, '1.234,56')") == "null");
  CHECK(run("parse_number('1', '1_234.56')").compile.find("is not one of") != std::string::npos);
  CHECK(run("parse_number('1', '1,234,56')").compile.find("is not one of") != std::string::npos);
}

TEST_CASE("lookups", "[expr]") {
  CHECK(value("lookup('uom', 'pcs')") == "\"EA\"");
  CHECK(value("lookup('uom', 'box')") == "\"XX\"");
  CHECK(value("lookup('strict', 1)") == "\"one\"");
  CHECK(value("lookup('strict', 2, 'two?')") == "\"two?\"");
  CHECK(run("lookup('strict', 'x')").error ==
        "lookup(): lookup 'strict' has no entry for string 'x' and no default");
}

TEST_CASE("dates, times and zones", "[expr]") {
  CHECK(value("parse_time(created)") == "\"2024-03-01T10:00:00+01:00\"");
  CHECK(value("to_zone(parse_time(created), 'UTC')") == "\"2024-03-01T09:00:00Z\"");
  CHECK(value("format_time(to_zone(created, 'America/New_York'), '%Y-%m-%d %H:%M %Z')") ==
        "\"2024-03-01 04:00 EST\"");
  CHECK(value("parse_time('01.03.2024 10:30', '%d.%m.%Y %H:%M')") == "\"2024-03-01T10:30:00Z\"");
  CHECK(value("parse_time('2024-03-01 10:30 +0200', '%Y-%m-%d %H:%M %z')") ==
        "\"2024-03-01T10:30:00+02:00\"");
  CHECK(value("parse_time('01-Mar-2024 10:30 -0530', '%d-%b-%Y %H:%M %z')") ==
        "\"2024-03-01T10:30:00-05:30\"");
  CHECK(value("parse_time('2024-03-01 10:30 -5:30', '%Y-%m-%d %H:%M %Ez')") ==
        "\"2024-03-01T10:30:00-05:30\"");
  // A minus sign without the offset's digits does not match (and the date library, which
  // overflows on it, never reads it).
  CHECK(run("parse_time('2024-03-01 10:30 -x', '%Y-%m-%d %H:%M %z')").error ==
        "parse_time(): '2024-03-01 10:30 -x' does not match the format '%Y-%m-%d %H:%M %z'");
  // parse_time's own strptime, conversion by conversion.
  CHECK(value("parse_time('5/9/2017 6:07 pm', '%m/%d/%Y %I:%M %p')") == "\"2017-05-09T18:07:00Z\"");
  CHECK(value("parse_time('12:30 AM 01-Mar-24', '%I:%M %p %d-%b-%y')") ==
        "\"2024-03-01T00:30:00Z\"");
  CHECK(value("parse_time('Friday, 1 March 2024', '%A, %e %B %Y')") == "\"2024-03-01T00:00:00Z\"");
  CHECK(value("parse_time('2024/061 10:00:05.5', '%Y/%j %T')") == "\"2024-03-01T10:00:05.5Z\"");
  CHECK(value("parse_time('03/01/69', '%D')") == "\"1969-03-01T00:00:00Z\"");
  CHECK(value("parse_time('2024-03-01   10:00 +05:30', '%F %R %Ez')") ==
        "\"2024-03-01T10:00:00+05:30\"");
  CHECK(value("parse_time('2024-03-01 10:00 Z', '%F %R %z')") == "\"2024-03-01T10:00:00Z\"");
  CHECK(value("parse_time('2024-03-01 10:00 CET', '%F %R %Z', 'Europe/Berlin')") ==
        "\"2024-03-01T10:00:00+01:00\"");
  for (const char* bad :
       {"parse_time('2023-02-29', '%F')", "parse_time('13:00 pm 2024-03-01', '%I:%M %p %F')",
        "parse_time('2024-03-01 24:00', '%F %R')", "parse_time('10:00', '%R')",
        "parse_time('2023/366', '%Y/%j')", "parse_time('2024-03-01x', '%F')",
        "parse_time('2024-03-01 +2400', '%F %z')"})
    CHECK(run(bad).error.find("does not match the format") != std::string::npos);
  CHECK(run("parse_time('1', '%U')").compile.find("'%U' is not a time format conversion") !=
        std::string::npos);
  CHECK(run("parse_time('1', '%Y%t22222222222')").error ==
        "parse_time(): '1' does not match the format '%Y%t22222222222'");
  CHECK(run("parse_time('2024-03-01 10:30 -', '%Y-%m-%d %H:%M %Ez')").error ==
        "parse_time(): '2024-03-01 10:30 -' does not match the format '%Y-%m-%d %H:%M %Ez'");
  CHECK(value("parse_time('2024-07-01 10:00', '%Y-%m-%d %H:%M', 'Europe/Berlin')") ==
        "\"2024-07-01T10:00:00+02:00\"");
  // %S has one width whatever the fraction; %f asks for the microseconds.
  CHECK(value("format_time('2024-03-01T10:00:05.25Z', '%H:%M:%S')") == "\"10:00:05\"");
  CHECK(value("format_time('2024-03-01T10:00:05Z', '%H:%M:%S.%f')") == "\"10:00:05.000000\"");
  CHECK(value("format_time('1969-12-31T23:59:59.25Z', '%S.%f %%f')") == "\"59.250000 %f\"");
  CHECK(run("parse_time('1', '%f')").compile ==
        "m.json:1:17: error: parse_time(): '%f' is not a time format conversion (use %Y %m %d %H "
        "%M %S %z …)\n");
  CHECK(value("from_epoch(1700000000)") == "\"2023-11-14T22:13:20Z\"");
  CHECK(value("from_epoch_ms(1700000000123)") == "\"2023-11-14T22:13:20.123Z\"");
  CHECK(value("epoch(created)") == "1709283600");
  CHECK(value("epoch_ms('1970-01-01T00:00:01.5Z')") == "1500");
  CHECK(value("add_hours(created, 24)") == "\"2024-03-02T10:00:00+01:00\"");
  CHECK(value("diff_days('2024-03-10T00:00:00Z', '2024-03-01T12:00:00Z')") == "8");
  CHECK(value("diff_hours('2024-03-01T12:00:00Z', '2024-03-01T00:00:00Z')") == "12");
  CHECK(value("date(created)") == "\"2024-03-01\"");
  CHECK(value("date('2024-02-29')") == "\"2024-02-29\"");
  CHECK(value("now()") == "\"2026-01-02T03:04:05Z\"");
  // add_days keeps the wall-clock time across a daylight-saving change.
  CHECK(value("add_days(to_zone('2024-03-30T10:00:00Z', 'Europe/Berlin'), 1)") ==
        "\"2024-03-31T11:00:00+02:00\"");
  CHECK(run("parse_time('2024-13-01')").error ==
        "parse_time(): '2024-13-01' is not an ISO 8601 or RFC 2822 timestamp");
  // What platforms write: BigCommerce's RFC 2822, NetSuite's one-digit hour, a list of formats.
  CHECK(value("parse_time('Tue, 19 Jan 2021 08:50:25 +0000')") == "\"2021-01-19T08:50:25Z\"");
  CHECK(value("parse_time('Tue, 19 Jan 2021 08:50:25 -0500')") == "\"2021-01-19T08:50:25-05:00\"");
  CHECK(value("parse_time('2017-05-09 6:07:35')") == "\"2017-05-09T06:07:35Z\"");
  CHECK(value("parse_time('2017-05-09T6:07')") == "\"2017-05-09T06:07:00Z\"");
  CHECK(value("parse_time('2024-03-01 10:30:00.25+01:00')") == "\"2024-03-01T10:30:00.25+01:00\"");
  CHECK(value("parse_time('20240301', ['%d.%m.%Y', '%Y%m%d'])") == "\"2024-03-01T00:00:00Z\"");
  CHECK(run("parse_time('x', ['%d.%m.%Y', '%Y%m%d'])").error ==
        "parse_time(): 'x' does not match the formats [\"%d.%m.%Y\",\"%Y%m%d\"]");
  CHECK(run("parse_time('2017-05-09 6:7:35')").error ==
        "parse_time(): '2017-05-09 6:7:35' is not an ISO 8601 or RFC 2822 timestamp");
  CHECK(run("parse_time('1.3.2024', '%Y')").error ==
        "parse_time(): '1.3.2024' does not match the format '%Y'");
  CHECK(run("date('2023-02-29')").error == "date(): cannot convert string '2023-02-29' to a date");
}

TEST_CASE("a zone-less time follows the declared zone and daylight-saving policy", "[expr]") {
  CHECK(run("parse_time('2024-03-01T10:00:00')", "Europe/Berlin").value ==
        "\"2024-03-01T10:00:00+01:00\"");
  // 02:30 on 2024-03-31 does not exist in Berlin; 02:30 on 2024-10-27 happens twice.
  CHECK(run("parse_time('2024-03-31T02:30:00')", "Europe/Berlin").error ==
        "local time 2024-03-31 02:30:00 does not exist in Europe/Berlin (skipped by a "
        "daylight-saving change); the mapping's dst policy is reject");
  CHECK(run("parse_time('2024-10-27T02:30:00')", "Europe/Berlin").error ==
        "local time 2024-10-27 02:30:00 happens twice in Europe/Berlin (repeated by a "
        "daylight-saving change); the mapping's dst policy is reject");
  CHECK(
      run("to_zone(parse_time('2024-10-27T02:30:00'), 'UTC')", "Europe/Berlin", DstPolicy::Earliest)
          .value == "\"2024-10-27T00:30:00Z\"");
  CHECK(run("to_zone(parse_time('2024-10-27T02:30:00'), 'UTC')", "Europe/Berlin", DstPolicy::Latest)
            .value == "\"2024-10-27T01:30:00Z\"");
  CHECK(run("to_zone(parse_time('2024-03-31T02:30:00'), 'UTC')", "Europe/Berlin", DstPolicy::Latest)
            .value == "\"2024-03-31T01:00:00Z\"");
}

TEST_CASE("compile errors name the place and suggest a fix", "[expr][errors]") {
  CHECK(run("lowr(email)").compile ==
        "m.json:1:1: error: unknown function 'lowr' (did you mean 'lower'?)\n");
  CHECK(run("upper(a, b)").compile == "m.json:1:1: error: upper() takes 1 argument, got 2\n");
  CHECK(run("lpad(a)").compile == "m.json:1:1: error: lpad() takes 2 to 3 arguments, got 1\n");
  CHECK(run("if(a, b)").compile == "m.json:1:1: error: if() takes 3 arguments, got 2\n");
  CHECK(run("a = 1").compile == "m.json:1:3: error: '=' is not an operator; compare with '=='\n");
  CHECK(run("(a + 1").compile ==
        "m.json:1:7: error: expected ')', found the end of the expression\n");
  CHECK(run("a +").compile == "m.json:1:4: error: unexpected end of the expression\n");
  CHECK(run("a b").compile == "m.json:1:3: error: unexpected a name after the expression\n");
  CHECK(run("'abc").compile == "m.json:1:1: error: unterminated string literal\n");
  CHECK(run("a # b").compile == "m.json:1:3: error: unexpected character '#'\n");
  CHECK(run("1 < 2 < 3").compile ==
        "m.json:1:7: error: comparisons do not chain; combine them with 'and'\n");
  CHECK(run("a.").compile ==
        "m.json:1:3: error: expected a field name after '.', found the end of the expression\n");
  CHECK(value("'a\\q'") == "\"a\\\\q\"");  // an unknown escape keeps its backslash
  CHECK(run("regex_match(a, '(')").compile ==
        "m.json:1:16: error: regex_match(): invalid regular expression: missing ): (\n");
  CHECK(run("regex_match(a, b)").compile ==
        "m.json:1:16: error: regex_match(): the pattern must be a string literal\n");
  CHECK(run("round(a, 2, 'nearest')").compile ==
        "m.json:1:13: error: round(): unknown rounding mode 'nearest' (use half_even, half_up, "
        "half_down, down, "
        "up, floor or ceiling)\n");
  CHECK(run("to_zone(a, 'Europe/Berln')").compile ==
        "m.json:1:12: error: unknown time zone 'Europe/Berln' (did you mean 'Europe/Berlin'?)\n");
  CHECK(run("lookup('uon', a)").compile ==
        "m.json:1:8: error: unknown lookup 'uon' (did you mean 'uom'?)\n");
  CHECK(run("lookup(a, b)").compile ==
        "m.json:1:8: error: lookup(): the lookup name must be a string literal\n");
  CHECK(run("99999999999999999999999999999999999999999").compile ==
        "m.json:1:1: error: number 99999999999999999999999999999999999999999 does not fit a "
        "decimal: number "
        "has more than 38 significant digits\n");
  // Several errors in one expression are all reported.
  CHECK(run("lowr(a) + uppr(b)").compile ==
        "m.json:1:1: error: unknown function 'lowr' (did you mean 'lower'?)\n"
        "m.json:1:11: error: unknown function 'uppr' (did you mean 'upper'?)\n");
}

#include "etl/mapping/zone_rules.hpp"

TEST_CASE("POSIX TZ rules from zone files' footers", "[time]") {
  using etl::mapping::parse_posix_rule;
  auto ny = parse_posix_rule("EST5EDT,M3.2.0,M11.1.0");
  REQUIRE(ny);
  CHECK(ny->std_offset == -5 * 3600);
  CHECK(ny->dst_offset == -4 * 3600);
  CHECK(ny->start.month == 3);
  CHECK(ny->start.week == 2);
  CHECK(ny->end.time == 7200);
  auto lord_howe = parse_posix_rule("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
  REQUIRE(lord_howe);
  CHECK(lord_howe->std_abbrev == "+1030");
  CHECK(lord_howe->std_offset == 10 * 3600 + 30 * 60);
  CHECK(lord_howe->dst_offset == 11 * 3600);
  auto godthab = parse_posix_rule("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
  REQUIRE(godthab);
  CHECK(godthab->start.time == -3600);
  auto dublin = parse_posix_rule("IST-1GMT0,M10.5.0,M3.5.0/1");  // negative DST: GMT in winter
  REQUIRE(dublin);
  CHECK(dublin->std_offset == 3600);
  CHECK(dublin->dst_offset == 0);
  auto no_dst = parse_posix_rule("IST-5:30");
  REQUIRE(no_dst);
  CHECK_FALSE(no_dst->has_dst);
  CHECK(no_dst->std_offset == 5 * 3600 + 30 * 60);
  for (const char* bad : {"", "E5", "EST", "EST5EDT,M13.1.0,M11.1.0", "EST5EDT,M3.2.0", "<+03"})
    CHECK_FALSE(parse_posix_rule(bad));
}

TEST_CASE("expressions nested past the limit are a compile error, never a crash",
          "[expr][errors]") {
  const int n = 20000;
  auto repeat = [](const std::string& s, int times) {
    std::string out;
    for (int i = 0; i < times; ++i) out += s;
    return out;
  };
  std::string chain_plus = "1";
  for (int i = 0; i < n; ++i) chain_plus += " + 1";
  for (const std::string& deep :
       {repeat("(", n) + "1" + repeat(")", n), repeat("-", n) + "1", repeat("not ", n) + "true",
        repeat("abs(", n) + "1" + repeat(")", n), repeat("true ? ", n) + "1" + repeat(" : 2", n),
        "tags" + repeat("[0]", n), chain_plus}) {
    INFO(deep.substr(0, 20));
    Result r = run(deep);
    CHECK_THAT(r.compile, Catch::Contains("expression nested deeper than 500 levels"));
  }
  CHECK(run(repeat("(", 400) + "1" + repeat(")", 400)).value == "1");  // deep, but allowed
}

TEST_CASE("a time format with an unknown conversion is a compile error", "[time][errors]") {
  CHECK_THAT(run("format_time(parse_time(created), '%Y-%Q')").compile,
             Catch::Contains("'%Q' is not a time format conversion"));
  CHECK_THAT(run("parse_time('2024', '%Y %')").compile,
             Catch::Contains("'%%' is not a time format conversion"));
  CHECK(run("format_time(parse_time(created), '%Y-%m-%d %H:%M:%S %z %%')").compile.empty());
}

TEST_CASE("a field copied as it is gets what an expression reading it gets", "[expr]") {
  // "a" is copied without a datum between; "b" goes through coalesce(), a datum stored. The
  // outputs are reused from record to record, so each kind follows each other kind.
  etl::mapping::Diagnostics diags;
  auto m = etl::mapping::Mapping::compile_text(
      R"json({"fields": {"a": "x", "b": "coalesce(x)"}})json", "m.json", ".", diags);
  REQUIRE(m);
  const std::vector<const char*> inputs = {
      R"({"x":null})",    R"({"x":true})", R"({"x":false})",
      R"({"x":1.50})",    R"({"x":"s"})",  R"({"x":[1,"t"]})",
      R"({"x":{"k":1}})", R"({"y":1})",    R"({"x":"longer text, past the small buffer"})"};
  std::vector<etl::mapping::Mapping::Output> outputs;
  for (const char* first : inputs)
    for (const char* second : inputs)
      for (const char* json : {first, second}) {
        etl::Value parsed;
        REQUIRE_FALSE(etl::parse_json(json, parsed));
        etl::Record in;
        for (auto& member : parsed.members()) in.set(member.key, member.value);
        std::size_t count = 0;
        REQUIRE(m->apply(in, outputs, count));
        REQUIRE(count == 1);
        const etl::Record& out = outputs[0].record;
        INFO(json);
        CHECK(etl::to_json(*out.find("a")) == etl::to_json(*out.find("b")));
        CHECK(*out.find("a") == *out.find("b"));
      }
}

TEST_CASE("a datum copied, moved and assigned over another keeps what it holds", "[expr]") {
  // Every kind a datum holds shares one place: each copied, moved and assigned over each other
  // kind must come out the same, and free what it held (the sanitizer build sees a leak or a
  // double free).
  etl::Value owner = etl::Value::object();
  owner.members().push_back({"k", etl::Value::string(std::string(100, 'v'))});
  auto kept = std::make_shared<const etl::Value>(owner);
  etl::Value number = etl::Value::number("12.50");
  const std::vector<Datum> kinds = {
      Datum(),
      Datum::boolean(true),
      Datum::number(etl::Decimal(1234, 2)),
      Datum::string(std::string(64, 's')),  // past the short-string buffer
      Datum::string("short"),
      Datum::time(TimeValue{1700000000000000, nullptr, 3600}),
      Datum::json(owner),
      Datum::borrow(number),
      Datum::borrow_within(kept->members()[0].value, kept),
  };
  auto same = [](const Datum& a, const Datum& b) {
    return a.type() == b.type() && a.describe() == b.describe() && a.text() == b.text() &&
           a.keeper() == b.keeper() && a.time_value().micros == b.time_value().micros;
  };
  for (const Datum& a : kinds) {
    Datum copy(a);
    CHECK(same(copy, a));
    Datum moved(std::move(copy));
    CHECK(same(moved, a));
    for (const Datum& b : kinds) {
      Datum over = b;
      over = a;
      CHECK(same(over, a));
      Datum over_moved = b;
      Datum from = a;
      over_moved = std::move(from);
      CHECK(same(over_moved, a));
    }
  }
  CHECK(kinds[2].decimal() == etl::Decimal(1234, 2));
  CHECK(kinds[7].decimal() == etl::Decimal(1250, 2));
  CHECK(kinds[8].keeper() == kept);
  CHECK(kinds[8].text() == std::string(100, 'v'));
  CHECK(kinds[6].json_value() == owner);
}
