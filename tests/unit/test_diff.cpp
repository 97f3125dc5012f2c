#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "etl/diff/blob_feed.hpp"
#include "etl/diff/change_set.hpp"
#include "etl/diff/compare.hpp"
#include "etl/diff/key.hpp"
#include "etl/diff/keyed_merge.hpp"
#include "etl/diff/prefix_sort.hpp"
#include "etl/diff/sorted_side.hpp"
#include "etl/error.hpp"
#include "etl/json.hpp"

namespace fs = std::filesystem;
using etl::Record;
using etl::Value;

namespace {

Record rec(const std::string& json) {
  Value v;
  REQUIRE_FALSE(etl::parse_json(json, v));
  Record r;
  r.fields() = v.members();
  return r;
}

std::string key_of(const std::string& json, const std::vector<std::string>& fields) {
  std::string sort_key;
  REQUIRE(etl::diff::make_key(rec(json), fields, sort_key).empty());
  return sort_key;
}

}  // namespace

TEST_CASE("keys order integers by value, before any other text", "[diff]") {
  auto k = [](const std::string& v) { return key_of("{\"id\":" + v + "}", {"id"}); };
  using etl::diff::compare_keys;
  CHECK(compare_keys(k("9"), k("10")) < 0);
  CHECK(compare_keys(k("10"), k("100")) < 0);
  CHECK(compare_keys(k("-10"), k("-9")) < 0);
  CHECK(compare_keys(k("-1"), k("0")) < 0);
  CHECK(compare_keys(k("99999999999999999999"), k("\"A-1\"")) < 0);  // integers first
  CHECK(compare_keys(k("\"00123\""), k("\"00124\"")) < 0);  // leading zeros: text, bytewise
  CHECK(compare_keys(k("\"00123\""), k("123")) > 0);
  CHECK(compare_keys(k("\"1001\""), k("1001")) == 0);  // a CSV string meets a typed number
  CHECK(compare_keys(k("1.5"), k("\"1.5\"")) == 0);
  CHECK(compare_keys(k("\"a\""), k("\"ab\"")) < 0);
}

TEST_CASE("numeric keys are keyed by value: as text, 1 and 1.0 are two keys", "[diff]") {
  auto k = [](const std::string& v, bool numeric) {
    std::string sort_key;
    REQUIRE(etl::diff::make_key(rec("{\"id\":" + v + "}"), {"id"}, sort_key, numeric).empty());
    return sort_key;
  };
  using etl::diff::compare_keys;
  CHECK(compare_keys(k("1", false), k("1.0", false)) != 0);
  CHECK(compare_keys(k("1", true), k("1.0", true)) == 0);
  CHECK(compare_keys(k("1001", true), k("1.001e3", true)) == 0);
  CHECK(compare_keys(k("1001", true), k("\"1001.00\"", true)) == 0);  // a CSV's string
  CHECK(compare_keys(k("-0.0", true), k("0", true)) == 0);
  CHECK(compare_keys(k("2.50", true), k("2.5", true)) == 0);
  CHECK(compare_keys(k("9.0", true), k("10", true)) < 0);          // integers by value
  CHECK(compare_keys(k("\"00123\"", true), k("123", true)) != 0);  // no JSON number: text
  CHECK(compare_keys(k("\"1e999999\"", true), k("\"1e999999\"", true)) == 0);  // too big: text
  std::string text;
  etl::diff::append_key_text(text, "1.000", true);
  CHECK(compare_keys(text, k("1", false)) == 0);  // a CSV row's field, keyed as its record's
}

TEST_CASE("composite keys compare field by field", "[diff]") {
  auto k = [](int a, const std::string& b) {
    return key_of("{\"a\":" + std::to_string(a) + ",\"b\":\"" + b + "\"}", {"a", "b"});
  };
  using etl::diff::compare_keys;
  CHECK(compare_keys(k(2, "a"), k(10, "a")) < 0);
  CHECK(compare_keys(k(2, "b"), k(2, "a")) > 0);
  CHECK(compare_keys(k(2, "ab"), k(2, "a")) > 0);
  // The field boundary is part of the key: ("ab","c") is not ("a","bc").
  std::string x = key_of(R"({"a":"ab","b":"c"})", {"a", "b"});
  std::string y = key_of(R"({"a":"a","b":"bc"})", {"a", "b"});
  CHECK(compare_keys(x, y) != 0);
}

TEST_CASE("a key field missing or null is named", "[diff]") {
  std::string sk;
  CHECK(etl::diff::make_key(rec(R"({"a":1})"), {"a", "b"}, sk) == "b");
  CHECK(etl::diff::make_key(rec(R"({"a":null})"), {"a"}, sk) == "a");
  CHECK(etl::diff::make_key(rec(R"({"a":1,"b":"x"})"), {"b", "a"}, sk).empty());
}

TEST_CASE("a key's prefix never contradicts the full comparison", "[diff]") {
  std::vector<std::string> values = {"0",
                                     "7",
                                     "9",
                                     "10",
                                     "99",
                                     "100",
                                     "123456789012345678",
                                     "123456789012345679",
                                     "-1",
                                     "-9",
                                     "-10",
                                     "-123456789012345678",
                                     "\"\"",
                                     "\"a\"",
                                     "\"ab\"",
                                     "\"SO-00000001\"",
                                     "\"SO-00000002\"",
                                     "\"SO-000000010000000001\"",
                                     "\"SO-000000010000000002\"",
                                     "\"00123\"",
                                     "true"};
  std::string big(250, '9');
  values.push_back(big);
  values.push_back("1" + big);
  for (const auto& x : values)
    for (const auto& y : values) {
      std::string a = key_of("{\"k\":" + x + "}", {"k"});
      std::string b = key_of("{\"k\":" + y + "}", {"k"});
      auto pa = etl::diff::key_prefix(a), pb = etl::diff::key_prefix(b);
      INFO(x << " vs " << y);
      if (pa < pb) CHECK(etl::diff::compare_keys(a, b) < 0);
      if (pb < pa) CHECK(etl::diff::compare_keys(a, b) > 0);
      if (etl::diff::compare_keys(a, b) == 0) CHECK(pa == pb);
    }
}

TEST_CASE("values compare exactly unless a rule says otherwise", "[diff]") {
  etl::diff::CompareRules exact;
  Value ten = Value::number("10"), ten0 = Value::number("10.0"), ten_s = Value::string("10");
  Value null;
  CHECK_FALSE(etl::diff::values_equal("f", &ten, &ten0, exact));
  CHECK_FALSE(etl::diff::values_equal("f", &ten, &ten_s, exact));
  CHECK_FALSE(etl::diff::values_equal("f", &null, nullptr, exact));  // null is not absent
  CHECK(etl::diff::values_equal("f", nullptr, nullptr, exact));

  etl::diff::CompareRules numeric;
  numeric.numeric = true;
  CHECK(etl::diff::values_equal("f", &ten, &ten0, numeric));
  CHECK(etl::diff::values_equal("f", &ten_s, &ten0, numeric));
  Value text = Value::string("ten");
  CHECK_FALSE(etl::diff::values_equal("f", &text, &ten, numeric));

  etl::diff::CompareRules tolerant;
  etl::diff::add_tolerance(tolerant, "total=0.005");
  Value a = Value::number("10.004"), b = Value::number("10.010");
  CHECK(etl::diff::values_equal("total", &ten, &a, tolerant));
  CHECK_FALSE(etl::diff::values_equal("total", &ten, &b, tolerant));
  CHECK_FALSE(etl::diff::values_equal("other", &ten, &a, tolerant));
  CHECK_THROWS_AS(etl::diff::add_tolerance(tolerant, "total"), etl::UsageError);

  etl::diff::CompareRules loose;
  loose.trim = true;
  loose.ignore_case = true;
  Value x = Value::string("  Zoë Müller "), y = Value::string("ZOË MÜLLER");
  CHECK(etl::diff::values_equal("f", &x, &y, loose));
  CHECK_FALSE(etl::diff::values_equal("f", &x, &y, exact));
}

TEST_CASE("objects compare without their members' order, arrays and values exactly", "[diff]") {
  etl::diff::CompareRules exact;
  Value a, b, c, d;
  REQUIRE_FALSE(etl::parse_json(R"({"langs":["de","en"],"pay":1.10,"o":{"x":1,"y":null}})", a));
  REQUIRE_FALSE(etl::parse_json(R"({"o":{"y":null,"x":1},"pay":1.10,"langs":["de","en"]})", b));
  REQUIRE_FALSE(etl::parse_json(R"({"o":{"y":null,"x":1},"pay":1.1,"langs":["de","en"]})", c));
  REQUIRE_FALSE(etl::parse_json(R"({"o":{"y":null,"x":1},"pay":1.10,"langs":["en","de"]})", d));
  CHECK(etl::diff::values_equal("f", &a, &b, exact));        // jsonb's order
  CHECK_FALSE(etl::diff::values_equal("f", &a, &c, exact));  // 1.10 is not 1.1
  CHECK_FALSE(etl::diff::values_equal("f", &a, &d, exact));  // arrays keep their order
  Value e;
  REQUIRE_FALSE(etl::parse_json(R"({"o":{"y":null,"x":1},"pay":1.10})", e));
  CHECK_FALSE(etl::diff::values_equal("f", &a, &e, exact));  // a member fewer
}

TEST_CASE("diff_records lists changed, added and dropped fields, never the key", "[diff]") {
  Record o = rec(R"({"id":1,"a":"x","b":2,"gone":true,"skip":1})");
  Record n = rec(R"({"id":"1","a":"y","b":2,"new":null,"skip":2})");
  etl::diff::CompareRules rules;
  rules.ignore = {"skip"};
  std::vector<etl::diff::FieldChange> out;
  etl::diff::diff_records(o, n, {"id"}, rules, out);
  REQUIRE(out.size() == 3);
  CHECK(*out[0].field == "a");
  CHECK(*out[1].field == "new");
  CHECK(out[1].old_value == nullptr);
  CHECK(*out[2].field == "gone");
  CHECK(out[2].new_value == nullptr);
  rules.only = {"b"};
  etl::diff::diff_records(o, n, {"id"}, rules, out);
  CHECK(out.empty());
}

TEST_CASE("change records written by etl-diff parse back for etl-load", "[diff]") {
  Record o = rec(R"({"id":7,"price":19.990,"tags":["a"]})");
  Record n = rec(R"({"id":7,"price":21.50})");
  std::vector<etl::diff::FieldChange> changes;
  etl::diff::diff_records(o, n, {"id"}, {}, changes);
  std::string line;
  etl::diff::append_change(line, etl::diff::ChangeOp::Change, R"({"id":7})", etl::to_json(n),
                           changes);
  CHECK(line == R"({"op":"change","key":{"id":7},"changes":{"price":{"old":19.990,"new":21.50},)"
                R"("tags":{"old":["a"]}},"record":{"id":7,"price":21.50}})"
                "\n");
  line.pop_back();
  etl::diff::Change c;
  REQUIRE(etl::diff::parse_change(rec(line), c).empty());
  CHECK(c.op == etl::diff::ChangeOp::Change);
  CHECK(etl::to_json(c.key) == R"({"id":7})");
  REQUIRE(c.updates.size() == 2);
  CHECK(etl::to_json(*c.updates[0].old_value) == "19.990");
  CHECK(etl::to_json(*c.updates[0].new_value) == "21.50");
  CHECK_FALSE(c.updates[1].new_value.has_value());
  CHECK_FALSE(etl::diff::parse_change(rec(R"({"op":"add","key":{"id":1}})"), c).empty());
  CHECK_FALSE(etl::diff::parse_change(rec(R"({"op":"add","key":{},"record":{}})"), c).empty());
}

TEST_CASE("a side sorted in memory and one spilled to runs give the same order", "[diff]") {
  fs::path path = fs::temp_directory_path() / "etl_unit_side.ndjson";
  {
    std::ofstream f(path);
    for (int i = 0; i < 2000; ++i) f << "{\"id\":" << (i * 7919) % 2003 << ",\"n\":" << i << "}\n";
    f << "{\"id\":5,\"n\":\"second 5\"}\n";
  }
  auto read_all = [&](std::size_t memory) {
    etl::diff::SideOptions o;
    o.address = path.string();
    o.label = "OLD";
    o.key = {"id"};
    o.memory = memory;
    o.reject = [](const etl::Sourced&, const std::string&) { FAIL("nothing is rejected"); };
    etl::diff::SortedSide side(o);
    side.load();
    std::vector<std::string> out;
    std::string blob;
    while (side.next(blob)) out.emplace_back(side.record_json(etl::diff::Entry::decode(blob)));
    return std::make_pair(out, side.runs());
  };
  auto [in_memory, no_runs] = read_all(std::size_t{64} << 20);
  auto [spilled, runs] = read_all(4096);
  CHECK(no_runs == 0);
  CHECK(runs > 5);
  CHECK(in_memory == spilled);
  REQUIRE(in_memory.size() == 2001);
  // Equal keys keep their input order, in memory and across runs.
  auto first5 = std::find(in_memory.begin(), in_memory.end(), R"({"id":5,"n":603})");
  REQUIRE(first5 != in_memory.end());
  CHECK(*(first5 + 1) == R"({"id":5,"n":"second 5"})");
  fs::remove(path);
}

TEST_CASE("entries give back their record and key exactly, whatever the values hold", "[diff]") {
  fs::path path = fs::temp_directory_path() / "etl_unit_entries.ndjson";
  const std::vector<std::string> lines = {
      R"({"id":2,"s":"a,b\"c\\","n":[1,{"x":"]"}],"o":{"k":[","]},"z":null})",
      R"({"other":"shape","id":1})",
      R"({"id":3})",
  };
  {
    std::ofstream f(path);
    for (const auto& l : lines) f << l << "\n";
  }
  etl::diff::SideOptions o;
  o.address = path.string();
  o.key = {"id"};
  o.reject = [](const etl::Sourced&, const std::string&) { FAIL("nothing is rejected"); };
  etl::diff::SortedSide side(o);
  side.load();
  std::string blob;
  std::vector<std::string> records, keys;
  while (side.next(blob)) {
    auto e = etl::diff::Entry::decode(blob);
    records.push_back(side.record_json(e));
    keys.push_back(side.key_json(e));
  }
  CHECK(records == std::vector<std::string>{lines[1], lines[0], lines[2]});
  CHECK(keys == std::vector<std::string>{R"({"id":1})", R"({"id":2})", R"({"id":3})"});
  CHECK(side.columns() == std::set<std::string>{"id", "s", "n", "o", "z", "other"});
  fs::remove(path);
}

TEST_CASE("keyed merge groups each key across sides", "[diff]") {
  fs::path a = fs::temp_directory_path() / "etl_unit_merge_a.ndjson";
  fs::path b = fs::temp_directory_path() / "etl_unit_merge_b.ndjson";
  std::ofstream(a) << "{\"k\":3}\n{\"k\":1}\n{\"k\":3}\n";
  std::ofstream(b) << "{\"k\":2}\n{\"k\":3}\n";
  auto side = [](const fs::path& p) {
    etl::diff::SideOptions o;
    o.address = p.string();
    o.key = {"k"};
    o.reject = [](const etl::Sourced&, const std::string&) {};
    auto s = std::make_unique<etl::diff::SortedSide>(o);
    s->load();
    return s;
  };
  auto sa = side(a), sb = side(b);
  etl::diff::KeyedMerge m({sa.get(), sb.get()});
  std::vector<std::pair<std::size_t, std::size_t>> counts;
  while (m.next()) counts.emplace_back(m.count(0), m.count(1));
  CHECK(counts == std::vector<std::pair<std::size_t, std::size_t>>{{1, 0}, {0, 1}, {2, 1}});
  fs::remove(a);
  fs::remove(b);
}

TEST_CASE("a CSV side's rows read as text make the entries their records make", "[diff]") {
  // Random rows: keys empty, repeated and numeric; values with quotes, delimiters, line ends,
  // backslashes, control bytes, characters past ASCII, bad bytes; rows of a field too many or
  // too few, the first row among them at times.
  std::mt19937 rnd(20261201);
  const std::vector<std::string> pieces = {"a",    "\"\"q\"\"", ",", "\n", "\xc3\xa9", "\\",
                                           "\x01", "\xff",      " ", "\t", "\"\"",     "7"};
  auto field = [&] {
    std::string f;
    for (std::size_t n = rnd() % 6; n > 0; --n) f += pieces[rnd() % pieces.size()];
    return "\"" + f + "\"";
  };
  fs::path path = fs::temp_directory_path() / "etl_unit_text_rows.csv";
  for (int round = 0; round < 40; ++round) {
    std::string text = "id,name,amount\n";
    for (int row = 0; row < 300; ++row) {
      std::string id = rnd() % 10 == 0 ? "" : std::to_string(rnd() % 250);
      if (rnd() % 7 == 0) id = "A-" + id;
      text += id + "," + field();
      int extra = rnd() % 25 == 0 ? static_cast<int>(rnd() % 3) - 1 : 0;
      if (extra >= 0) text += "," + field();
      if (extra > 0) text += "," + field();
      text += "\n";
    }
    { std::ofstream(path, std::ios::binary) << text; }
    struct Scenario {
      std::vector<std::string> key;
      std::vector<std::pair<std::string, std::string>> rename;
    };
    for (const Scenario& sc : {Scenario{{"id"}, {}}, Scenario{{"name", "id"}, {}},
                               Scenario{{"order"}, {{"id", "order"}}}, Scenario{{"nothing"}, {}}}) {
      auto read_all = [&](bool text_rows, std::size_t memory) {
        std::vector<std::string> out;
        etl::diff::SideOptions o;
        o.address = path.string();
        o.label = "OLD";
        o.key = sc.key;
        o.rename = sc.rename;
        o.memory = memory;
        o.csv_text_rows = text_rows;
        o.reject = [&out](const etl::Sourced& s, const std::string& why) {
          out.push_back("reject " + s.where.source + ":" + std::to_string(s.where.line) + " " +
                        why + " raw " + s.raw + " record " + etl::to_json(s.record));
        };
        etl::diff::SortedSide side(o);
        side.load();
        std::string blob;
        while (side.next(blob)) out.push_back(blob);
        for (const auto& u : side.unkeyed()) out.push_back("unkeyed " + u.where + " " + u.reason);
        out.push_back(std::to_string(side.read()) + " read, " + std::to_string(side.rejected()) +
                      " rejected, " + std::to_string(side.runs()) + " runs");
        for (const auto& c : side.columns()) out.push_back("column " + c);
        return out;
      };
      for (std::size_t memory : {std::size_t{64} << 20, std::size_t{8192}}) {
        auto as_text = read_all(true, memory);
        CHECK(as_text.size() > 250);
        CHECK(as_text == read_all(false, memory));
      }
    }
  }
  fs::remove(path);
}

TEST_CASE("sorting by key prefixes is a stable sort by them", "[diff]") {
  // Prefixes that differ in a few bytes, in many, or not at all, with ties, at several sizes;
  // bytes of a few values (several make one digit) or of any (a digit each).
  std::mt19937_64 rnd(20261130);
  struct Item {
    etl::diff::KeyPrefix prefix;
    std::size_t place;
  };
  for (std::size_t n : {0, 1, 2, 3, 1000, 5000}) {
    for (int varying : {0, 1, 3, 16, 40}) {
      std::vector<Item> items, spare;
      std::uint64_t values = varying == 40 ? 256 : 4;  // few values: many ties
      for (std::size_t i = 0; i < n; ++i) {
        etl::diff::KeyPrefix p{0x3253'4f2d'3030'0000ULL, 0x4142'4344'0000'0000ULL};
        for (int b = 0; b < varying; ++b) {
          int at = static_cast<int>(rnd() % 16);
          std::uint64_t bits = (rnd() % values) << (8 * (at % 8));
          (at < 8 ? p.lo : p.hi) ^= bits;
        }
        items.push_back({p, i});
      }
      auto expected = items;
      std::stable_sort(expected.begin(), expected.end(),
                       [](const Item& a, const Item& b) { return a.prefix < b.prefix; });
      etl::diff::sort_by_prefix(
          items, spare, [](const Item& i) -> const etl::diff::KeyPrefix& { return i.prefix; });
      REQUIRE(items.size() == expected.size());
      for (std::size_t i = 0; i < n; ++i) CHECK(items[i].place == expected[i].place);
    }
  }
}

TEST_CASE("records of the same values under other names are not the same record", "[diff]") {
  // Shapes alternate between keys, so a pair of shapes met before is met again after another.
  fs::path old_path = fs::temp_directory_path() / "etl_unit_same_old.ndjson";
  fs::path new_path = fs::temp_directory_path() / "etl_unit_same_new.ndjson";
  {
    std::ofstream o(old_path), n(new_path);
    for (int id = 1; id <= 6; ++id) {
      o << "{\"id\":" << id << ",\"a\":7}\n";
      n << "{\"id\":" << id << (id % 2 ? ",\"b\":7}\n" : ",\"a\":7}\n");
    }
  }
  auto side = [](const fs::path& p) {
    etl::diff::SideOptions o;
    o.address = p.string();
    o.key = {"id"};
    o.reject = [](const etl::Sourced&, const std::string&) { FAIL("nothing is rejected"); };
    auto s = std::make_unique<etl::diff::SortedSide>(o);
    s->load();
    return s;
  };
  auto old_side = side(old_path), new_side = side(new_path);
  etl::diff::KeyedMerge merge({old_side.get(), new_side.get()});
  etl::diff::SameRecord same(*old_side, *new_side);
  std::vector<bool> got;
  while (merge.next())
    got.push_back(
        same(etl::diff::Entry::decode(merge.blob(0)), etl::diff::Entry::decode(merge.blob(1))));
  CHECK(got == std::vector<bool>{false, true, false, true, false, true});
  fs::remove(old_path);
  fs::remove(new_path);
}

namespace {

// Each key's group as the keyed merge hands it out: counts, then the entries' records.
struct KeyGroup {
  std::size_t count[2];
  std::vector<std::string> records;
  bool operator==(const KeyGroup& o) const {
    return count[0] == o.count[0] && count[1] == o.count[1] && records == o.records;
  }
};

std::vector<KeyGroup> groups_of(etl::diff::KeyedMerge& merge, const etl::diff::SortedSide& a,
                                const etl::diff::SortedSide& b) {
  std::vector<KeyGroup> out;
  while (merge.next()) {
    KeyGroup g{{merge.count(0), merge.count(1)}, {}};
    for (std::size_t side = 0; side < 2; ++side)
      for (std::size_t n = 0; n < g.count[side]; ++n) {
        auto e = etl::diff::Entry::decode(merge.blob(side, n));
        g.records.push_back((e.unreadable ? "unreadable " : "") +
                            (side == 0 ? a : b).record_json(e));
      }
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace

TEST_CASE("a pair scan leaves out just the keys the same on both sides, on any threads",
          "[diff][pair scan]") {
  // Keys on one side only, changed and unchanged, renamed fields, a key held 20000 times
  // across where the ranges are cut, and rows of a field too many (unreadable, keyed).
  fs::path old_path = fs::temp_directory_path() / "etl_unit_scan_old.csv";
  fs::path new_path = fs::temp_directory_path() / "etl_unit_scan_new.csv";
  {
    std::ofstream o(old_path), n(new_path);
    o << "id,v\n";
    n << "id,v\n";
    std::mt19937 rng(7);
    for (int id = 0; id < 60000; ++id) {
      int what = static_cast<int>(rng() % 100);
      if (what < 3) o << id << ",only old\n";
      if (what >= 3 && what < 6) n << id << ",only new\n";
      if (what >= 6 && what < 10) o << id << ",was\n", n << id << ",is\n";
      if (what == 10) o << id << ",x,one too many\n", n << id << ",x\n";
      if (what == 11) o << id << ",x,y\n", n << id << ",x,y\n";
      if (what >= 12)
        o << id << ",same " << id % 97 << "\n", n << id << ",same " << id % 97 << "\n";
      if (id == 30000)
        for (int k = 0; k < 20000; ++k) o << "30000,dup\n";
    }
  }
  auto side = [](const fs::path& p) {
    etl::diff::SideOptions o;
    o.address = p.string();
    o.key = {"id"};
    o.reject = [](const etl::Sourced&, const std::string&) {};
    auto s = std::make_unique<etl::diff::SortedSide>(o);
    s->load();
    REQUIRE(s->sorted_in_memory());
    return s;
  };
  auto old_side = side(old_path), new_side = side(new_path);
  std::vector<KeyGroup> expected;
  std::uint64_t expected_same = 0;
  {
    auto old_stream = side(old_path), new_stream = side(new_path);
    etl::diff::KeyedMerge all({old_stream.get(), new_stream.get()});
    for (auto& g : groups_of(all, *old_stream, *new_stream)) {
      bool same = g.count[0] == 1 && g.count[1] == 1 && g.records[0] == g.records[1] &&
                  !g.records[0].starts_with("unreadable");
      if (same)
        ++expected_same;
      else
        expected.push_back(std::move(g));
    }
  }
  REQUIRE(expected_same > 40000);
  REQUIRE(expected.size() > 5000);
  for (unsigned threads : {1U, 2U, 3U, 8U}) {
    CAPTURE(threads);
    etl::diff::KeyedMerge scan({old_side.get(), new_side.get()}, true, threads);
    CHECK(groups_of(scan, *old_side, *new_side) == expected);
    CHECK(scan.skipped() == expected_same);
  }
  fs::remove(old_path);
  fs::remove(new_path);
}

namespace {

// Blobs of "<one length byte><that many bytes>", as the feed's tests make them.
std::size_t counted_size(std::string_view at) {
  return 1 + static_cast<unsigned char>(at[0]);
}

std::string counted_blob(std::size_t i) {
  std::string body(i % 200, static_cast<char>('a' + i % 26));
  return static_cast<char>(body.size()) + body;
}

}  // namespace

TEST_CASE("a blob feed hands out every blob in order, then the producer's error", "[diff]") {
  constexpr std::size_t kBlobs = 20000;  // several batches
  for (bool fails : {false, true}) {
    std::size_t made = 0;
    etl::diff::BlobFeed feed(
        [&](std::string& out) {
          if (made == kBlobs) {
            if (fails) throw etl::IoError("damaged run");
            return false;
          }
          out += counted_blob(made++);
          return true;
        },
        counted_size);
    std::string blob;
    std::size_t got = 0;
    bool in_order = true;
    auto drain = [&] {
      while (feed.next(blob)) in_order = in_order && blob == counted_blob(got++);
    };
    if (fails)
      CHECK_THROWS_WITH(drain(), "damaged run");
    else
      drain();
    CHECK(got == kBlobs);
    CHECK(in_order);
  }
}

TEST_CASE("a blob feed left in the middle stops its thread", "[diff]") {
  std::size_t made = 0;
  {
    etl::diff::BlobFeed feed(
        [&](std::string& out) {
          out += counted_blob(made++);
          return true;  // endless
        },
        counted_size);
    std::string blob;
    REQUIRE(feed.next(blob));
    CHECK(blob == counted_blob(0));
  }
  CHECK(made > 0);
}
