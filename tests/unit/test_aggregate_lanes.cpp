// Groups folded in lanes (split by their key's hash, as --threads folds them) come out as one
// aggregator's: the same records in the same order, in memory and spilled.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "etl/json.hpp"
#include "etl/mapping/mapping.hpp"

namespace {

const char* kMapping = R"json({
  "fields": { "g": "g", "v": "v" },
  "aggregate": { "group_by": ["g"],
    "fields": { "n": "count()", "sum": "sum(v)", "low": "min(v)", "first": "first(v)",
                "last": "last(v)", "all": "collect(v)" } } })json";

// Folds the records with `lanes` lanes (and a memory budget, 0: the default); returns the groups
// and the reject reasons, as JSON lines.
std::string fold(const std::vector<etl::Record>& records, unsigned lanes, std::size_t budget) {
  etl::mapping::Diagnostics diags;
  auto m = etl::mapping::Mapping::compile_text(kMapping, "m.json", ".", diags);
  REQUIRE(m);
  if (budget) m->set_memory_budget(budget);
  m->fold_in_lanes(lanes);
  std::vector<etl::mapping::Mapping::Output> outputs;
  std::string out;
  for (const auto& r : records) {
    std::size_t count = 0;
    REQUIRE(m->apply(r, outputs, count));
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

TEST_CASE("groups folded in lanes come out as one aggregator's", "[aggregate]") {
  std::mt19937 rnd(20261130);
  std::vector<etl::Record> records;
  for (int i = 0; i < 5000; ++i) {
    etl::Record r;
    r.set("g", etl::Value::string("k" + std::to_string(rnd() % 300)));
    // Now and then a value sum() refuses: the record is rejected, in no lane's groups.
    r.set("v", i % 97 == 0 ? etl::Value::string("x") : etl::Value::number(std::to_string(i)));
    records.push_back(std::move(r));
  }
  std::string one = fold(records, 1, 0);
  CHECK(one.find("reject: aggregate 'sum'") != std::string::npos);
  CHECK(fold(records, 2, 0) == one);
  CHECK(fold(records, 3, 0) == one);
  SECTION("spilled: each lane's runs merged with the others'") {
    CHECK(fold(records, 1, 4096) == one);
    CHECK(fold(records, 3, 4096) == one);
  }
}
