// A sum or avg of a field the mapping computes takes the field's datum, not the number stored
// in the record and read back (Mapping::prepare_fold): it must fold exactly what the record
// would have given, for every number, null and reject.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "etl/json.hpp"
#include "etl/mapping/mapping.hpp"

namespace {

// The groups and reject reasons of the records through the mapping, as JSON lines.
std::string run(const char* text, const std::vector<etl::Record>& records) {
  etl::mapping::Diagnostics diags;
  auto m = etl::mapping::Mapping::compile_text(text, "m.json", ".", diags);
  INFO(diags.to_text());
  REQUIRE(m);
  std::vector<etl::mapping::Mapping::Output> outputs;
  std::string out;
  for (const auto& r : records) {
    std::size_t count = 0;
    if (!m->apply(r, outputs, count)) continue;
    for (std::size_t i = 0; i < count; ++i)
      if (!outputs[i].reject_reason.empty()) out += "reject: " + outputs[i].reject_reason + "\n";
  }
  m->finish([&](const etl::Record& group) {
    etl::append_json(out, group);
    out += '\n';
  });
  return out;
}

}  // namespace

TEST_CASE("a sum of a computed field folds what the stored field would give", "[aggregate]") {
  const std::vector<std::string> texts = {
      "1.50", "2",     "-0.005", "1e2", "0.000", "12345678901234567890.5",
      "7.25", "-3.10", "abc",    "",    "1E-3",  "99999999999999999999999999999999999999"};
  std::mt19937 rnd(20261202);
  std::vector<etl::Record> records;
  for (int i = 0; i < 3000; ++i) {
    etl::Record r;
    r.set("g", etl::Value::string("k" + std::to_string(rnd() % 17)));
    if (rnd() % 9 == 0)
      r.set("x", etl::Value());
    else
      r.set("x", etl::Value::string(texts[rnd() % texts.size()]));
    records.push_back(std::move(r));
  }
  // The field's datum, folded, against the stored number parsed again by decimal().
  std::string folded = run(R"json({ "fields": { "g": "g", "v": "decimal(x)" },
    "aggregate": { "group_by": ["g"], "fields": { "s": "sum(v)", "a": "avg(v)" } } })json",
                           records);
  std::string stored = run(R"json({ "fields": { "g": "g", "v": "decimal(x)" },
    "aggregate": { "group_by": ["g"],
                   "fields": { "s": "sum(decimal(v))", "a": "avg(decimal(v))" } } })json",
                           records);
  CHECK(folded.find("reject: field 'v'") != std::string::npos);
  CHECK(folded.find("\"s\":") != std::string::npos);
  CHECK(folded == stored);
  SECTION("a rule that reads the field sees its value") {
    std::string checked = run(R"json({ "fields": { "g": "g", "v": "decimal(x)" },
      "validate": { "small": "v == null or v < 1000" },
      "aggregate": { "group_by": ["g"], "fields": { "s": "sum(v)" } } })json",
                              records);
    CHECK(checked.find("reject: validate rule 'small' failed") != std::string::npos);
    CHECK(checked.find("\"s\":") != std::string::npos);
  }
}

TEST_CASE("a sum of a computed time is refused as the stored text would be", "[aggregate]") {
  etl::Record r;
  r.set("g", etl::Value::string("k"));
  r.set("t", etl::Value::string("2024-04-08T04:47:00Z"));
  std::string out = run(R"json({ "fields": { "g": "g", "w": "parse_time(t)" },
    "aggregate": { "group_by": ["g"], "fields": { "s": "sum(w)" } } })json",
                        {r});
  CHECK(out.find("reject: aggregate 's': sum() needs numbers, got string") != std::string::npos);
}
