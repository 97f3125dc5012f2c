#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "etl/correlate/key_index.hpp"
#include "etl/correlate/matcher.hpp"
#include "etl/correlate/record_store.hpp"
#include "etl/correlate/rule.hpp"
#include "etl/correlate/similarity.hpp"
#include "etl/error.hpp"
#include "etl/json.hpp"

using namespace etl::correlate;
using etl::Record;

namespace {

Record rec(const std::string& json) {
  Record r;
  bool not_object = false;
  REQUIRE_FALSE(etl::parse_json_record(json, r, not_object));
  return r;
}

double jw(const std::string& a, const std::string& b) {
  return jaro_winkler(code_points(a), code_points(b));
}
double lev(const std::string& a, const std::string& b) {
  return levenshtein_ratio(code_points(a), code_points(b));
}

// Keys of one side: (rule, key[, text]) per record, ordinal = position.
struct SideKeys {
  std::vector<std::vector<std::pair<std::string, std::string>>> records;  // per record, per rule
};

KeyIndex index_of(const SideKeys& side, std::size_t memory) {
  KeyIndex index(memory, "");
  for (std::size_t o = 0; o < side.records.size(); ++o)
    for (std::size_t r = 0; r < side.records[o].size(); ++r)
      if (!side.records[o][r].first.empty())
        index.add(static_cast<std::uint8_t>(r), static_cast<std::uint32_t>(o),
                  side.records[o][r].first, side.records[o][r].second);
  index.finish();
  return index;
}

MatchResult run(const std::vector<RuleSpec>& rules, const SideKeys& l, const SideKeys& r,
                bool allow_many, std::size_t memory = 1 << 20) {
  KeyIndex li = index_of(l, memory), ri = index_of(r, memory);
  return match_sides(rules, li, ri, static_cast<std::uint32_t>(l.records.size()),
                     static_cast<std::uint32_t>(r.records.size()), allow_many);
}

RuleSpec exact(const std::string& text) {
  return parse_rule(text);
}

}  // namespace

TEST_CASE("rules: exact, expressions, composite and fuzzy forms") {
  auto r = parse_rule("email=EMAIL_ADDR");
  CHECK_FALSE(r.fuzzy);
  CHECK(r.left == std::vector<std::string>{"email"});
  CHECK(r.right == std::vector<std::string>{"EMAIL_ADDR"});
  r = parse_rule("lower(trim(email)) = lower(EMAIL)");
  CHECK(r.left == std::vector<std::string>{"lower(trim(email))"});
  CHECK(r.right == std::vector<std::string>{"lower(EMAIL)"});
  r = parse_rule("zip,last_name=POSTCODE,SURNAME");
  CHECK(r.left == std::vector<std::string>{"zip", "last_name"});
  CHECK(r.right == std::vector<std::string>{"POSTCODE", "SURNAME"});
  // Commas and '=' inside calls, strings and comparisons do not split.
  r = parse_rule("concat(a, '=', b),x == 1=NAME,replace(Y, ',', '')");
  CHECK(r.left == std::vector<std::string>{"concat(a, '=', b)", "x == 1"});
  CHECK(r.right == std::vector<std::string>{"NAME", "replace(Y, ',', '')"});
  r = parse_rule("similar(lower(name), NAME) >= 0.92");
  CHECK(r.fuzzy);
  CHECK(r.metric == Metric::JaroWinkler);
  CHECK(r.threshold == Approx(0.92));
  CHECK(r.left == std::vector<std::string>{"lower(name)"});
  r = parse_rule("levenshtein(name, NAME)>=0.8");
  CHECK(r.metric == Metric::Levenshtein);
  CHECK(r.right == std::vector<std::string>{"NAME"});
  // A field called similar is an exact rule.
  CHECK_FALSE(parse_rule("similar=SIMILAR").fuzzy);
}

TEST_CASE("rules: malformed ones are usage errors that say what is expected") {
  auto message = [](const std::string& text) {
    try {
      parse_rule(text);
    } catch (const etl::UsageError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(
      message("email") ==
      "--on 'email': expected LEFT=RIGHT, e.g. 'email=EMAIL' or 'zip,last_name=POSTCODE,SURNAME'");
  CHECK(message("a,b=C") == "--on 'a,b=C': 2 expression(s) on the left but 1 on the right");
  CHECK(message("a,=C,D") == "--on 'a,=C,D': an empty expression");
  CHECK(message("similar(a, B) >= 1.5") ==
        "--on 'similar(a, B) >= 1.5': '1.5' is not a score; a fuzzy rule is similar(LEFT, "
        "RIGHT) >= SCORE, SCORE between 0 and 1");
  CHECK(message("similar(a) >= 0.9").find("it needs two expressions") != std::string::npos);
  CHECK(message("similar(a, B) > 0.9").find("expected '>=' after the call") != std::string::npos);
}

TEST_CASE("similarity: known Jaro-Winkler and Levenshtein values, over code points") {
  CHECK(jw("MARTHA", "MARHTA") == Approx(0.9611).epsilon(0.0001));
  CHECK(jw("DWAYNE", "DUANE") == Approx(0.84).epsilon(0.0001));
  CHECK(jw("DIXON", "DICKSONX") == Approx(0.8133).epsilon(0.0001));
  CHECK(jw("abc", "abc") == 1.0);
  CHECK(jw("", "") == 1.0);
  CHECK(jw("abc", "") == 0.0);
  CHECK(jw("abc", "xyz") == 0.0);
  CHECK(lev("kitten", "sitting") == Approx(1.0 - 3.0 / 7.0));
  CHECK(lev("", "") == 1.0);
  // One letter, not two bytes: ü is one code point.
  CHECK(lev("Müller", "Muller") == Approx(1.0 - 1.0 / 6.0));
  CHECK(jw("Müller", "Muller") == Approx(jw("Mxller", "Muller")));
  CHECK(code_points("Zoë").size() == 3);
}

TEST_CASE("record store: the same records back in memory and spilled, merged names applied") {
  MergedNames prefixed{"erp_", {}};
  MergedNames mapped{"", {{"NO", "erp_no"}, {"CITY", "erp_city"}}};
  std::vector<std::string> inputs = {
      R"({"NO":"K1","NAME":"Zoë \"Ace\"","CITY":"Köln","n":[1,{"a":"}"}],"x":null})",
      R"({"NO":2,"CITY":"Paris","amount":19.990})", R"({})"};
  for (std::size_t memory : {std::size_t{1} << 20, std::size_t{8}}) {
    RecordStore plain(memory, "", nullptr);
    RecordStore merged(memory, "", &prefixed);
    RecordStore only(memory, "", &mapped);
    for (const auto& in : inputs)
      for (auto* s : {&plain, &merged, &only}) s->add(rec(in));
    for (auto* s : {&plain, &merged, &only}) s->finish();
    CHECK(plain.spilled() == (memory == 8));
    etl::correlate::ReadBuffer buf, seq;
    std::string out;
    for (std::uint32_t i = 0; i < inputs.size(); ++i) {
      out.clear();
      plain.append_object(out, plain.get(i, seq, true));
      CHECK(out == inputs[i]);
      out.clear();
      plain.append_object(out, plain.get(i, buf));
      CHECK(out == inputs[i]);
      CHECK(plain.to_record(plain.get(i, buf)) == rec(inputs[i]));
    }
    out.clear();
    merged.append_merged_members(out, merged.get(0, buf));
    CHECK(out == R"("erp_NO":"K1","erp_NAME":"Zoë \"Ace\"","erp_CITY":"Köln",)"
                 R"("erp_n":[1,{"a":"}"}],"erp_x":null)");
    out.clear();
    only.append_merged_members(out, only.get(1, buf));
    CHECK(out == R"("erp_no":2,"erp_city":"Paris")");
    auto first = plain.get(0, buf);
    CHECK(plain.field_json(first, "NO") == "\"K1\"");
    CHECK(plain.field_json(first, "n") == R"([1,{"a":"}"}])");
    CHECK(plain.field_json(first, "x") == "null");
    CHECK(plain.field_json(first, "a").empty());  // nested keys are not fields
    CHECK(plain.field_json(plain.get(1, buf), "amount") == "19.990");
    CHECK(plain.field_json(plain.get(2, buf), "NO").empty());
  }
}

TEST_CASE("record store: a row stored as its values reads back as its record would") {
  // Rows of strings (plain, and needing escapes) against the same records added whole: every
  // reading of the store gives the same bytes, in memory and spilled, under any merged names.
  MergedNames prefixed{"erp_", {}};
  MergedNames mapped{"", {{"NO", "erp_no"}, {"CITY", "erp_city"}, {"CITY", "town"}}};
  std::vector<std::string> names = {"NO", "NAME", "CITY", "ZIP"};  // (a CSV header names each once)
  std::vector<std::vector<std::string>> rows = {
      {"K1", "Zo\xc3\xab \"Ace\" \\", "K\xc3\xb6ln\n", "dup"},
      {"", "", "", ""},
      {"2", "x", "y", "z"}};
  for (std::size_t memory : {std::size_t{1} << 20, std::size_t{8}})
    for (const MergedNames* m : std::vector<const MergedNames*>{nullptr, &prefixed, &mapped}) {
      RecordStore as_rows(memory, "", m), as_records(memory, "", m);
      as_rows.use_row_names(names);
      for (const auto& row : rows) {
        std::vector<std::string_view> values(row.begin(), row.end());
        bool plain = std::none_of(row.begin(), row.end(), [](const std::string& v) {
          return v.find_first_of("\"\\\n") != std::string::npos;
        });
        as_rows.add_row(values, plain);
        Record r;
        for (std::size_t i = 0; i < names.size(); ++i)
          r.fields().push_back({names[i], etl::Value::string(row[i])});
        as_records.add(r);
      }
      as_rows.finish();
      as_records.finish();
      etl::correlate::ReadBuffer a, b;
      for (std::uint32_t i = 0; i < rows.size(); ++i) {
        auto row = as_rows.get(i, a), record = as_records.get(i, b);
        std::string x, y;
        as_rows.append_object(x, row);
        as_records.append_object(y, record);
        CHECK(x == y);
        x.clear();
        y.clear();
        if (m) {
          as_rows.append_merged_members(x, row);
          as_records.append_merged_members(y, record);
          CHECK(x == y);
        }
        CHECK(as_rows.to_record(row) == as_records.to_record(record));
        for (std::string name : {"NO", "NAME", "CITY", "ZIP", "nothing"})
          CHECK(as_rows.field_json(row, name) == as_records.field_json(record, name));
      }
      CHECK(as_rows.bytes() < as_records.bytes());
    }
}

TEST_CASE("key index: spilled partitions hold the same entries as the arena") {
  auto entries = [](KeyIndex& index) {
    std::multiset<std::tuple<std::uint32_t, std::string, std::string>> out;
    for (std::size_t p = 0; p < kPartitions; ++p)
      index.for_each(1, p, kPartitions, [&](const KeyEntry& e) {
        CHECK(KeyIndex::partition_of(e.key(), kPartitions) == p);
        out.emplace(e.ordinal, std::string(e.key()), std::string(e.text()));
      });
    return out;
  };
  KeyIndex memory(1 << 20, ""), spilled(64, "");
  for (std::uint32_t i = 0; i < 1000; ++i)
    for (auto* index : {&memory, &spilled}) {
      index->add(0, i, "rule0-" + std::to_string(i), "");
      index->add(1, i, std::to_string(i % 97), i % 2 ? "text " + std::to_string(i) : "");
    }
  memory.finish();
  spilled.finish();
  CHECK(memory.partitions() == 1);
  CHECK(spilled.partitions() == kPartitions);
  auto a = entries(memory), b = entries(spilled);
  CHECK(a.size() == 1000);
  CHECK(a == b);
  CHECK(memory.count(1) == 1000);
  CHECK(spilled.count(1) == 1000);
}

TEST_CASE("matching: pairs, groups that are ambiguous, and rules in order") {
  std::vector<RuleSpec> rules = {exact("email=EMAIL"), exact("phone=PHONE")};
  SideKeys l{{{{"a@x", ""}, {"1", ""}},
              {{"b@x", ""}, {"2", ""}},
              {{"c@x", ""}, {"3", ""}},
              {{"", ""}, {"4", ""}},
              {{"e@x", ""}, {"", ""}}}};
  SideKeys r{{{{"a@x", ""}, {"9", ""}},
              {{"zz", ""}, {"2", ""}},
              {{"c@x", ""}, {"", ""}},
              {{"c@x", ""}, {"", ""}},
              {{"", ""}, {"4", ""}},
              {{"q@x", ""}, {"1", ""}}}};
  for (std::size_t memory : {std::size_t{1} << 20, std::size_t{16}}) {
    MatchResult m = run(rules, l, r, false, memory);
    // a@x by e-mail; b by phone 2; c@x twice on the right: ambiguous; 4 by phone; e unmatched.
    CHECK(m.left_state == etl::large_vector<std::uint8_t>{1, 2, kAmbiguous, 2, kUnmatched});
    CHECK(m.right_state ==
          etl::large_vector<std::uint8_t>{1, 2, kAmbiguous, kAmbiguous, 2, kUnmatched});
    CHECK(m.left_match[0] == 0);
    CHECK(m.left_match[1] == 1);
    CHECK(m.left_match[3] == 4);
    REQUIRE(m.ambiguous.size() == 1);
    CHECK(m.ambiguous[0].lefts == std::vector<std::uint32_t>{2});
    CHECK(m.ambiguous[0].rights == std::vector<std::uint32_t>{2, 3});
    CHECK(m.per_rule[0].pairs == 1);
    CHECK(m.per_rule[0].ambiguous_left == 1);
    CHECK(m.per_rule[0].ambiguous_right == 2);
    CHECK(m.per_rule[1].pairs == 2);
    // Left 0 was matched by rule 1: rule 2 does not pair it with right 5 (phone 1).
    CHECK(m.right_state[5] == kUnmatched);
  }
}

TEST_CASE("matching: allow_many pairs every candidate, and keeps right records available") {
  std::vector<RuleSpec> rules = {exact("customer_id=id"), exact("email=EMAIL")};
  SideKeys orders{{{{"7", ""}, {"", ""}},
                   {{"8", ""}, {"", ""}},
                   {{"7", ""}, {"", ""}},
                   {{"99", ""}, {"m@x", ""}}}};
  SideKeys customers{{{{"7", ""}, {"m@x", ""}}, {{"8", ""}, {"", ""}}}};
  MatchResult m = run(rules, orders, customers, true);
  std::vector<std::uint32_t> buf;
  CHECK(m.left_state == etl::large_vector<std::uint8_t>{1, 1, 1, 2});
  CHECK(std::vector<std::uint32_t>(m.matches_of(0, buf).begin(), m.matches_of(0, buf).end()) ==
        std::vector<std::uint32_t>{0});
  CHECK(m.left_match[3] == 0);  // customer 7 matched again, by the second rule
  CHECK(m.per_rule[0].pairs == 3);
  CHECK(m.per_rule[1].pairs == 1);
  CHECK(m.ambiguous.empty());
  // Many-to-many: a left with two candidates gets both, in input order.
  SideKeys one{{{{"k", ""}}}};
  SideKeys two{{{{"k", ""}}, {{"k", ""}}}};
  m = run({exact("a=B")}, one, two, true);
  auto both = m.matches_of(0, buf);
  CHECK(std::vector<std::uint32_t>(both.begin(), both.end()) == std::vector<std::uint32_t>{0, 1});
}

TEST_CASE("matching: fuzzy rules link within a block, clusters with more are ambiguous") {
  std::vector<RuleSpec> rules = {parse_rule("similar(name, NAME) >= 0.9")};
  // Block "10": Anna Nowak ~ Anna Nowak; block "20": two lefts both close to one right.
  SideKeys l{{{{"10", "Anna Nowak"}},
              {{"20", "Sven Lee"}},
              {{"20", "Sven Lea"}},
              {{"30", "Otto Brandt"}},
              {{"10", "Zed Zulu"}}}};
  SideKeys r{{{{"10", "Anna Nowack"}}, {{"20", "Sven Lee"}}, {{"40", "Otto Brandt"}}}};
  for (std::size_t memory : {std::size_t{1} << 20, std::size_t{16}}) {
    MatchResult m = run(rules, l, r, false, memory);
    CHECK(m.left_state ==
          etl::large_vector<std::uint8_t>{1, kAmbiguous, kAmbiguous, kUnmatched, kUnmatched});
    CHECK(m.right_state == etl::large_vector<std::uint8_t>{1, kAmbiguous, kUnmatched});
    CHECK(m.score(0, 0) == Approx(jw("Anna Nowak", "Anna Nowack")));
    REQUIRE(m.ambiguous.size() == 1);
    CHECK(m.ambiguous[0].lefts == std::vector<std::uint32_t>{1, 2});
    CHECK(m.ambiguous[0].rights == std::vector<std::uint32_t>{1});
    CHECK(m.ambiguous[0].links.size() == 2);
  }
}

TEST_CASE("matching: nothing on a side pairs nothing") {
  SideKeys none{};
  SideKeys some{{{{"k", ""}}}};
  MatchResult m = run({exact("a=B")}, none, some, false);
  CHECK(m.left_state.empty());
  CHECK(m.right_state == etl::large_vector<std::uint8_t>{kUnmatched});
  m = run({exact("a=B")}, some, none, false);
  CHECK(m.left_state == etl::large_vector<std::uint8_t>{kUnmatched});
}

TEST_CASE("matching: many keys match on two threads with the same result as in partitions") {
  // Above 100000 keys both sides in memory are matched as two partitions on two threads; a
  // small budget spills them to 64 partitions matched one by one. Both must agree.
  std::vector<RuleSpec> rules = {exact("id=ID"), exact("email=EMAIL")};
  SideKeys l, r;
  for (int i = 0; i < 90000; ++i)
    l.records.push_back({{std::to_string(i % 70000), ""}, {"e" + std::to_string(i % 1000), ""}});
  for (int i = 0; i < 60000; ++i)
    r.records.push_back({{std::to_string(i * 2), ""}, {"e" + std::to_string(i % 1500), ""}});
  for (bool many : {false, true}) {
    MatchResult a = run(rules, l, r, many, std::size_t{64} << 20);
    MatchResult b = run(rules, l, r, many, 4096);
    CHECK(a.left_state == b.left_state);
    CHECK(a.right_state == b.right_state);
    CHECK(a.left_match == b.left_match);
    CHECK(a.per_rule[0].pairs == b.per_rule[0].pairs);
    CHECK(a.per_rule[1].ambiguous_left == b.per_rule[1].ambiguous_left);
    CHECK(a.ambiguous.size() == b.ambiguous.size());
    std::vector<std::uint32_t> x, y;
    for (std::uint32_t i = 0; i < l.records.size(); i += 997) {
      auto ma = a.matches_of(i, x);
      auto mb = b.matches_of(i, y);
      CHECK(std::vector<std::uint32_t>(ma.begin(), ma.end()) ==
            std::vector<std::uint32_t>(mb.begin(), mb.end()));
    }
    CHECK(a.per_rule[0].pairs > 0);
  }
}
