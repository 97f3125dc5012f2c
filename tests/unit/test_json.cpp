#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "etl/json.hpp"
#include "etl/json_row.hpp"
#include "etl/json_writer.hpp"

namespace fs = std::filesystem;

static std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_CASE("numbers keep their exact text through parse and write", "[json]") {
  etl::Value v;
  std::string text = R"({"a":19.990,"b":0.1,"c":-0.0,"d":12345678901234567890,"e":1e-7})";
  REQUIRE_FALSE(etl::parse_json(text, v));
  CHECK(etl::to_json(v) == text);
}

TEST_CASE("JSONTestSuite: y_ accepted, n_ rejected with a location, i_ by policy", "[json]") {
  fs::path dir = fs::path(ETL_TEST_DATA) / "JSONTestSuite" / "test_parsing";
  int y = 0, n = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    std::string text = slurp(entry.path());
    etl::Value v;
    auto err = etl::parse_json(text, v);
    INFO(name);
    if (name.rfind("y_object_duplicated_key", 0) == 0) {
      // Policy: a key twice in one object is refused (which value counts would be a guess).
      REQUIRE(err);
      CHECK_THAT(err->message, Catch::StartsWith("duplicate key"));
    } else if (name.rfind("y_", 0) == 0) {
      CHECK_FALSE(err);
      ++y;
    } else if (name.rfind("n_", 0) == 0) {
      REQUIRE(err);
      CHECK(err->line >= 1);
      CHECK_FALSE(err->message.empty());
      ++n;
    } else if (name.rfind("i_number", 0) == 0) {
      // Policy: every valid number, however big or small, is kept as its exact text.
      REQUIRE_FALSE(err);
      CHECK(etl::to_json(v) == text.substr(0, text.find_last_not_of(" \n") + 1));
    } else if (name.find("string") != std::string::npos ||
               name.find("surrogate") != std::string::npos) {
      // Policy: invalid UTF-8, lone surrogates and UTF-16 input are rejected.
      CHECK(err);
    }
  }
  CHECK(y == 93);
  CHECK(n == 188);
}

TEST_CASE("numbers beyond a double's range keep their exact text", "[json]") {
  std::string digits(400, '9');
  std::string text = R"({"a":1e400,"b":[1E+309,0E+384,-1e-999999],"s":"1e400","d":)" + digits +
                     R"(,"n":{"e":-0.5E+100000}})";
  etl::Value v;
  REQUIRE_FALSE(etl::parse_json(text, v));
  CHECK(etl::to_json(v) == text);
  etl::Record r;
  bool not_object = false;
  REQUIRE_FALSE(etl::parse_json_record(text, r, not_object));
  CHECK(etl::to_json(r) == text);
  // An invalid number next to a huge one is still an error, at its place.
  auto err = etl::parse_json(R"([1e400, 01])", v);
  REQUIRE(err);
  CHECK(err->offset == 9);
}

TEST_CASE("deep nesting is an error, not a crash", "[json]") {
  etl::Value v;
  auto err = etl::parse_json(std::string(100000, '['), v);
  REQUIRE(err);
  CHECK(err->message == "nesting deeper than 512 levels");
}

TEST_CASE("records parse in place: members reused, shapes may change line to line", "[json]") {
  etl::Record r;
  bool not_object = false;
  const char* lines[] = {
      R"({"id":1,"name":"Anna","tags":["a",{"b":null}],"ok":true})",
      R"({"id":2,"name":"Bob","tags":[],"ok":false})",
      R"({"id":3,"other":{"x":1.50}})",
      R"({"a":1,"b":2,"id":"00123","name":null,"z":-0.0})",
      R"({})",
  };
  for (const char* line : lines) {
    REQUIRE_FALSE(etl::parse_json_record(line, r, not_object));
    CHECK(etl::to_json(r) == line);
  }
  for (const char* bad : {"[1,2]", "5", "\"text\"", "null", "true"}) {
    INFO(bad);
    CHECK(etl::parse_json_record(bad, r, not_object));
    CHECK(not_object);
  }
  CHECK(etl::parse_json_record(R"({"id":1,)", r, not_object));
  // A key twice is refused, in the record and in nested objects, whatever the previous shape.
  for (const char* twice : {R"({"a":1,"b":2,"a":3})", R"({"a":1,"b":{"c":1,"c":2}})"}) {
    INFO(twice);
    auto err = etl::parse_json_record(twice, r, not_object);
    REQUIRE(err);
    CHECK_THAT(err->message, Catch::StartsWith("duplicate key"));
  }
  REQUIRE_FALSE(etl::parse_json_record(R"({"a":1,"b":2,"c":3})", r, not_object));
  CHECK(etl::parse_json_record(R"({"a":1,"b":2,"b":3})", r, not_object));
  CHECK_FALSE(not_object);
  CHECK(etl::parse_json_record("{\"s\":\"\xff\"}", r, not_object));
  CHECK_FALSE(not_object);
}

TEST_CASE("JsonObject writes members in order, escaped, as the reports need", "[json]") {
  std::uint64_t big = 18446744073709551615ULL;
  std::string s = etl::JsonObject()
                      .add("tool", "etl-diff")
                      .add("say \"hi\"", "a\nb")
                      .add("n", big)
                      .add("neg", -3)
                      .add("ok", true)
                      .add_null("committed")
                      .add_seconds("seconds", 0.12345)
                      .add_strings("names", {"a", "b\"c"})
                      .add_raw("side", "{\"read\":1}")
                      .str();
  CHECK(s ==
        R"({"tool":"etl-diff","say \"hi\"":"a\nb","n":18446744073709551615,"neg":-3,"ok":true,)"
        R"("committed":null,"seconds":0.123,"names":["a","b\"c"],"side":{"read":1}})");
  etl::Value v;
  CHECK_FALSE(etl::parse_json(s, v));
  CHECK(etl::json_array({}) == "[]");
  CHECK(etl::JsonObject().str() == "{}");
}

// The fast record parser must agree with the full parser on every text: the same record or the
// same error, at the same place. Projected to `wanted`, its record may also be the full one's
// with only those fields (a line whose keys are not the last line's is read whole).
static void check_same_as_full(etl::JsonRecordParser& fast, etl::Record& fast_out,
                               const std::string& text,
                               const std::vector<std::string>* wanted = nullptr) {
  INFO(text);
  etl::Record full_out;
  bool fast_not_object = false, full_not_object = false;
  auto fast_err = fast.parse(text, fast_out, fast_not_object);
  auto full_err = etl::parse_json_record(text, full_out, full_not_object);
  REQUIRE(fast_err.has_value() == full_err.has_value());
  CHECK(fast_not_object == full_not_object);
  if (fast_err) {
    CHECK(fast_err->message == full_err->message);
    CHECK(fast_err->offset == full_err->offset);
    return;
  }
  etl::Record only;
  for (const auto& f : full_out.fields())
    if (wanted && std::find(wanted->begin(), wanted->end(), f.key) != wanted->end())
      only.fields().push_back(f);
  CHECK((fast_out == full_out || (wanted && fast_out == only)));
}

static void check_projected(etl::JsonRecordParser& fast, etl::Record& fast_out,
                            const std::string& text, const std::vector<std::string>& wanted) {
  check_same_as_full(fast, fast_out, text, &wanted);
}

TEST_CASE("the fast record parser agrees with the full parser", "[json]") {
  etl::JsonRecordParser fast;
  etl::Record out;
  bool not_object = false;
  SECTION("JSONTestSuite, every file") {
    fs::path dir = fs::path(ETL_TEST_DATA) / "JSONTestSuite" / "test_parsing";
    for (const auto& entry : fs::directory_iterator(dir))
      check_same_as_full(fast, out, slurp(entry.path()));
  }
  SECTION("lines of one stream, keys repeating, changing and repeated") {
    for (std::string line : {R"({"a":1,"b":"x"})",
                             R"({"a":2,"b":"y"})",
                             R"({"a":2,"a":3})",
                             R"({"a":1,"b":"x"})",
                             R"({"b":1,"a":2})",
                             R"({"a":1})",
                             R"({"a":1,"b":2,"c":3})",
                             R"({})",
                             R"({"a":{"k":1,"k":2}})",
                             R"({"a":[1,{"x":[]},null,true,false,"s"]})",
                             R"({"a":"\u00e9\ud83d\ude00\n\t\"\\\/"})",
                             R"({"a":"\ud800"})",
                             R"({"a":"\udc00x"})",
                             R"({"a":"\ud800\u0041"})",
                             "{\"a\":\"\x01\"}",
                             "{\"a\":\"\xc3\"}",
                             "{\"\xff\":1}",
                             R"({"a":01})",
                             R"({"a":1.})",
                             R"({"a":-})",
                             R"({"a":1e400,"b":-0.0E+5})",
                             R"({"a":1,})",
                             R"({"a" 1})",
                             R"({"a":1} x)",
                             "{\"a\":1}\0",
                             R"( {"a" : [ 1 , 2 ] } )",
                             R"([1,2])",
                             R"("s")",
                             R"({"a":tru})",
                             R"({"a":nul})",
                             R"({"a":"x)",
                             R"({"a":)",
                             R"({"a":"\x"})",
                             R"({"a":"\u12G4"})",
                             R"({"a":"\u00"})",
                             "{\"\\u0000\":\"\\u0000\"}",
                             R"({"a":"long string with no escapes at all, well past eight bytes"})",
                             R"({"a":"long string with an escape \" in the middle and a tail"})"})
      check_same_as_full(fast, out, line);
  }
  SECTION("projected: what is left out is checked as fully, and a new shape is read whole") {
    fast.project({"a", "c"});
    for (std::string line :
         {R"({"a":1,"b":"x","c":3})", R"({"a":2,"b":01,"c":3})", "{\"a\":2,\"b\":\"\xc3\",\"c\":3}",
          R"({"a":2,"b":"\ud800","c":3})", R"({"a":2,"b":{"k":1,"k":2},"c":3})",
          R"({"a":2,"b":"\x","c":3})", R"({"a":2,"b":[1,],"c":3})", R"({"a":2,"b":tru,"c":3})",
          R"({"a":2,"b":1,"c":3} x)", R"({"a":2,"b":1,"b":2,"c":3})", R"({"a":2,"a":1,"c":3})",
          R"({"a":2,"b":1})"}) {
      // (each after a good line of the shape: an error forgets the keys known)
      check_projected(fast, out, R"({"a":0,"b":"x","c":0})", {"a", "c"});
      check_projected(fast, out, line, {"a", "c"});
    }
  }
  SECTION("projected: a known shape keeps only the fields wanted, in their order") {
    fast.project({"c", "a"});
    REQUIRE_FALSE(fast.parse(R"({"a":1,"b":"x","c":3})", out, not_object));
    CHECK(to_json(out) == R"({"a":1,"b":"x","c":3})");  // the first of a shape: read whole
    REQUIRE_FALSE(fast.parse(R"({"a":2,"b":"y\n","c":[4]})", out, not_object));
    CHECK(to_json(out) == R"({"a":2,"c":[4]})");
    REQUIRE_FALSE(fast.parse(R"({"a":5,"c":6,"b":7})", out, not_object));
    CHECK(to_json(out) == R"({"a":5,"c":6,"b":7})");  // another shape: whole again
  }
  SECTION("keys taken as the known key's bytes only when they are those bytes") {
    // A known key is matched against the text in its quotes; a key written another way (escaped,
    // spaced, longer, shorter) is read and compared as before.
    std::string known = R"({"a":1,"b\"q":2,"c\\d":3,"é":4})";
    for (std::string line : {known, std::string(R"({"\u0061":1,"b\"q":2,"c\\d":3,"\u00e9":4})"),
                             std::string(R"({ "a" : 1 , "b\"q" :2,"c\\d": 3,"é" :4 })"),
                             std::string(R"({"ab":1,"b\"q":2,"c\\d":3,"é":4})"),
                             std::string(R"({"":1,"b\"q":2,"c\\d":3,"é":4})"),
                             std::string(R"({"a":1,"b\"q":2,"c\\d":3,"é":4,"f":5})"),
                             std::string(R"({"a":1,"b\"q":2})"), std::string(R"({"a":1,"a":2})"),
                             std::string(R"({"a":1,"é":2,"é":3,"f":4})"), std::string(R"({"a")"),
                             std::string(R"({"a"1})"), std::string(R"({"a":)"),
                             std::string("{\"a\":1,\"b\\\"q\":2,\"c\\\\d\":3,\"\xc3\":4}")}) {
      check_same_as_full(fast, out, known);
      check_same_as_full(fast, out, line);
    }
  }
  SECTION("keys of every length that differ from the last line's in one byte") {
    // Key compares read words: a difference at any place of a key of any length is seen.
    for (std::size_t n = 1; n <= 24; ++n)
      for (std::size_t at = 0; at < n; ++at) {
        std::string key(n, 'k'), other = key;
        other[at] = 'q';
        check_same_as_full(fast, out, "{\"" + key + "\":1,\"z\":2}");
        check_same_as_full(fast, out, "{\"" + other + "\":1,\"z\":2}");
      }
  }
  SECTION("projected: keys that differ from the known ones in one byte are a new shape") {
    for (std::size_t n = 1; n <= 24; ++n)
      for (std::size_t at = 0; at < n; ++at) {
        std::string key(n, 'k'), other = key;
        other[at] = 'q';
        fast.project({key});
        check_projected(fast, out, "{\"" + key + "\":1,\"z\":2}", {key});
        check_projected(fast, out, "{\"" + key + "\":1,\"z\":2}", {key});
        check_projected(fast, out, "{\"" + other + "\":1,\"z\":2}", {key});
      }
  }
  SECTION("nesting past the fast path's depth") {
    std::string deep = "{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}";
    check_same_as_full(fast, out, deep);
    std::string too_deep = "{\"a\":" + std::string(600, '[') + std::string(600, ']') + "}";
    check_same_as_full(fast, out, too_deep);
  }
}

#include "etl/error.hpp"
#include "etl/formats/json_walker.hpp"

TEST_CASE("json record walker keeps the page around its records", "[json]") {
  std::string page =
      R"({"links":[{"rel":"self"}],"data":{"before":1,"items":[{"a":1},2,{"b":[3]}],)"
      R"("after":"x"},"meta":{"pagination":{"total":3,"links":{"next":"?page=2"}}}})";
  std::size_t at = 0;
  etl::JsonStream json([&](char* buf, std::size_t n) {  // a byte at a time: any cut holds
    if (n == 0 || at == page.size()) return std::size_t{0};
    buf[0] = page[at++];
    return std::size_t{1};
  });
  etl::JsonRecordWalker walker(json, "/data/items",
                               [](auto, const std::string& m) { throw etl::DataError(m); });
  etl::Value envelope, item;
  walker.start(&envelope);
  std::vector<std::string> items;
  while (walker.next(item)) items.push_back(etl::to_json(item));
  CHECK(items == std::vector<std::string>{R"({"a":1})", "2", R"({"b":[3]})"});
  CHECK(etl::to_json(envelope) ==
        R"({"links":[{"rel":"self"}],"data":{"before":1,"items":[],"after":"x"},)"
        R"("meta":{"pagination":{"total":3,"links":{"next":"?page=2"}}}})");
}

TEST_CASE("json record walker refuses what a page must not be", "[json]") {
  auto problem = [](const std::string& text, const std::string& path) {
    std::size_t at = 0;
    etl::JsonStream json([&](char* buf, std::size_t n) {
      std::size_t k = std::min(n, text.size() - at);
      std::copy_n(text.data() + at, k, buf);
      at += k;
      return k;
    });
    std::string said;
    etl::JsonRecordWalker walker(json, path, [&](auto, const std::string& m) {
      said = m;
      throw etl::DataError(m);
    });
    etl::Value envelope, item;
    try {
      walker.start(&envelope);
      while (walker.next(item)) {
      }
    } catch (const etl::DataError&) {
    }
    return said;
  };
  CHECK(problem(R"({"data":[1],"data":[2]})", "/data") ==
        "key 'data' of the records path '/data' appears twice");
  CHECK(problem(R"({"data":[1])", "/data") == "the document ends before its closing '}'");
  CHECK(problem(R"({"other":[1]})", "/data") == "records path '/data' not found");
  CHECK(problem(R"({"data":7})", "/data") == "records path '/data' is not an array or an object");
  CHECK(problem(R"({"data":[1]})", "").rfind("records path '/' is not an array (use", 0) == 0);
  CHECK(problem(R"({"data":[1,]})", "/data") != "");
  CHECK(problem(R"({"meta":1,"data":[1],"meta":2})", "/data") == "key 'meta' appears twice");
}

TEST_CASE("a row of strings is written as append_json writes its record", "[json]") {
  // Values with quotes, backslashes, control bytes and characters past ASCII, or plain; names
  // that need escapes too; objects, and members alone of some of the fields in another order.
  std::mt19937 rnd(20261130);
  const std::vector<std::string> pieces = {"a", "\"", "\\", "\x01", "\n", "\xc3\xa9", "7", " "};
  auto text = [&] {
    std::string s;
    for (std::size_t n = rnd() % 5; n > 0; --n) s += pieces[rnd() % pieces.size()];
    return s;
  };
  for (int round = 0; round < 2000; ++round) {
    std::size_t count = rnd() % 5;
    std::vector<std::string> names, values;
    for (std::size_t i = 0; i < count; ++i) {
      names.push_back("n" + std::to_string(i) + text());
      values.push_back(rnd() % 2 ? text() : "plain");
    }
    std::vector<std::string_view> views(values.begin(), values.end());
    bool plain = true;
    for (const auto& v : values)
      for (char c : v)
        plain = plain && c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20;
    // The whole row as an object.
    etl::Record r;
    for (std::size_t i = 0; i < count; ++i)
      r.fields().push_back({names[i], etl::Value::string(values[i])});
    std::string expected = etl::to_json(r), got;
    etl::JsonRowWriter(names, etl::JsonRowWriter::all_fields(count), true)
        .append(views, plain, got);
    CHECK(got == expected);
    if (!plain) {  // told it is plain only when it is: the scan decides
      got.clear();
      etl::JsonRowWriter(names, etl::JsonRowWriter::all_fields(count), true)
          .append(views, false, got);
      CHECK(got == expected);
    }
    // Some fields, reversed, as members.
    std::vector<std::size_t> fields;
    std::vector<std::string> some_names;
    etl::Record some;
    for (std::size_t i = count; i-- > 0;)
      if (rnd() % 2) {
        fields.push_back(i);
        some_names.push_back(names[i]);
        some.fields().push_back({names[i], etl::Value::string(values[i])});
      }
    std::string object = etl::to_json(some);
    got = "<";
    etl::JsonRowWriter(some_names, fields, false).append(views, plain, got);
    CHECK(got == "<" + object.substr(1, object.size() - 2));
  }
}

TEST_CASE("a string of any length is escaped wherever its quote, backslash or control is",
          "[json]") {
  // The scans read 16, 8 and 4 bytes at a time, overlapping at the end: each place of each
  // length is tried against escaping byte by byte.
  auto escaped = [](const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"')
        out += "\\\"";
      else if (c == '\\')
        out += "\\\\";
      else if (c == '\n')
        out += "\\n";
      else if (c == '\x01')
        out += "\\u0001";
      else
        out.push_back(c);
    }
    return out + "\"";
  };
  for (std::size_t n = 0; n <= 40; ++n) {
    std::string plain(n, 'x');
    std::string out;
    etl::append_json_string(out, plain);
    CHECK(out == escaped(plain));
    for (std::size_t at = 0; at < n; ++at)
      for (char special : {'"', '\\', '\n', '\x01'}) {
        std::string s = plain;
        s[at] = special;
        out.clear();
        etl::append_json_string(out, s);
        CHECK(out == escaped(s));
      }
  }
}

TEST_CASE("every byte is escaped as RFC 8259 says, in strings of any length and in records",
          "[json]") {
  // Random bytes (all 256 values), at lengths about where text is escaped in pieces rather than
  // in place (kJsonEscapedInPlace); and put_json_string_body never writes past six bytes a byte.
  auto escaped = [](std::string_view s) {
    std::string out;
    for (char ch : s) {
      auto c = static_cast<unsigned char>(ch);
      const char* two = c == '"'    ? "\\\""
                        : c == '\\' ? "\\\\"
                        : c == '\n' ? "\\n"
                        : c == '\r' ? "\\r"
                        : c == '\t' ? "\\t"
                        : c == '\b' ? "\\b"
                        : c == '\f' ? "\\f"
                                    : nullptr;
      if (two != nullptr)
        out += two;
      else if (c < 0x20)
        out += fmt::format("\\u{:04x}", c);
      else
        out.push_back(ch);
    }
    return out;
  };
  std::mt19937 rnd(20261203);
  const std::size_t piece = etl::kJsonEscapedInPlace;
  for (std::size_t n :
       {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{15}, std::size_t{16},
        std::size_t{17}, std::size_t{100}, piece - 1, piece, piece + 1, 2 * piece + 5}) {
    for (int round = 0; round < 4; ++round) {
      std::string s;
      for (std::size_t i = 0; i < n; ++i)  // (round 0: every byte; then mostly plain ones)
        s.push_back(
            static_cast<char>(round == 0 || rnd() % 8 == 0 ? rnd() % 256 : 'a' + rnd() % 26));
      std::string got = "<";
      etl::append_json_string_body(got, s);
      CHECK(got == "<" + escaped(s));
      std::string room(etl::kJsonEscapedMost * n + 1, '#');
      char* end = etl::put_json_string_body(room.data(), s);
      CHECK(std::string(room.data(), end) == escaped(s));
      CHECK(room.back() == '#');
      etl::Record r;  // a flat record with the string among plain values
      r.fields().push_back({"a", etl::Value::string("x")});
      r.fields().push_back({"s", etl::Value::string(s)});
      r.fields().push_back({"n", etl::Value::number("12")});
      CHECK(etl::to_json(r) == "{\"a\":\"x\",\"s\":\"" + escaped(s) + "\",\"n\":12}");
      std::string row;  // the same as a row of text
      etl::JsonRowWriter({"a", "s"}, etl::JsonRowWriter::all_fields(2), true)
          .append({"x", s}, false, row);
      CHECK(row == "{\"a\":\"x\",\"s\":\"" + escaped(s) + "\"}");
    }
  }
}

namespace {
// JSON as written byte by byte, to hold the writer's one-append path for flat records to.
std::string written_slowly(const etl::Value& v);
std::string quoted_slowly(const std::string& s) {
  std::string out;
  etl::append_json_string(out, s);
  return out;
}
std::string members_slowly(const std::vector<etl::Member>& members) {
  std::string out = "{";
  for (const auto& m : members) {
    if (out.size() > 1) out += ",";
    out += quoted_slowly(m.key) + ":" + written_slowly(m.value);
  }
  return out + "}";
}
std::string written_slowly(const etl::Value& v) {
  switch (v.kind()) {
    case etl::Value::Kind::Null:
      return "null";
    case etl::Value::Kind::Bool:
      return v.as_bool() ? "true" : "false";
    case etl::Value::Kind::Number:
      return v.text();
    case etl::Value::Kind::String:
      return quoted_slowly(v.text());
    case etl::Value::Kind::Array: {
      std::string out = "[";
      for (const auto& item : v.items()) out += (out.size() > 1 ? "," : "") + written_slowly(item);
      return out + "]";
    }
    case etl::Value::Kind::Object:
      return members_slowly(v.members());
  }
  return "";
}
}  // namespace

TEST_CASE("records of every kind of member are written as byte by byte", "[json]") {
  std::mt19937 random(7);
  const std::vector<std::string> keys = {"a", "order_no", "with \"quote\"", "", "é", "tab\there"};
  auto pick_value = [&](int depth) {
    etl::Value v;
    switch (random() % (depth == 0 ? 7 : 5)) {
      case 0:
        return etl::Value::null();
      case 1:
        return etl::Value::boolean(random() % 2 == 0);
      case 2:
        return etl::Value::number("-12.50e3");
      case 3:
        return etl::Value::string("plain text of some length");
      case 4:
        return etl::Value::string("line\nbreak \\ and \"quotes\"");
      case 5:
        v = etl::Value::array();
        v.items().push_back(etl::Value::string("x"));
        return v;
      default:
        v = etl::Value::object();
        v.members().push_back({"k", etl::Value::number("1")});
        return v;
    }
  };
  for (int round = 0; round < 2000; ++round) {
    etl::Record r;
    std::size_t n = random() % 6;
    for (std::size_t i = 0; i < n; ++i)
      r.fields().push_back({keys[random() % keys.size()], pick_value(0)});
    std::string out = "prefix";
    etl::append_json(out, r);
    CHECK(out == "prefix" + members_slowly(r.fields()));
  }
}
