#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "etl/checkpoint.hpp"
#include "etl/error.hpp"

using etl::Checkpoint;
using etl::CheckpointRow;
using etl::Record;
using etl::Value;

namespace {

std::vector<Record> orders(int n, const char* prefix = "A") {
  std::vector<Record> out(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    out[static_cast<std::size_t>(i)].set("id", Value::number(std::to_string(i + 1)));
    out[static_cast<std::size_t>(i)].set("sku", Value::string(prefix + std::to_string(i + 1)));
  }
  return out;
}

// Hands records to a fresh checkpoint that found `row`; returns how many it skipped.
std::uint64_t resume(Checkpoint& cp, std::optional<CheckpointRow> row,
                     const std::vector<Record>& input) {
  cp.found(std::move(row));
  for (const auto& r : input) cp.already_committed(r);
  return cp.skipped();
}

}  // namespace

TEST_CASE("checkpoint: a row covers the records a commit settled, first and last as JSON") {
  auto in = orders(5);
  Checkpoint cp("n");
  cp.found(std::nullopt);
  for (int i = 0; i < 3; ++i) CHECK_FALSE(cp.already_committed(in[static_cast<std::size_t>(i)]));
  CheckpointRow before = cp.row(2);  // a sink that commits before taking record 3
  CHECK(before.records == 2);
  CHECK(before.first == R"({"id":1,"sku":"A1"})");
  CHECK(before.last == R"({"id":2,"sku":"A2"})");
  CHECK(cp.row(3).last == R"({"id":3,"sku":"A3"})");
  CHECK_FALSE(cp.row(3).complete);
  cp.already_committed(in[3]);
  cp.already_committed(in[4]);
  cp.end_of_input();
  CHECK(cp.row(5).complete);
  CHECK_FALSE(cp.row(4).complete);  // a commit before the last record is not the end
}

TEST_CASE("checkpoint: the same input resumes after the committed records") {
  auto in = orders(6);
  CheckpointRow row{4, R"({"id":1,"sku":"A1"})", R"({"id":4,"sku":"A4"})", false};
  Checkpoint cp("n");
  CHECK(resume(cp, row, in) == 4);
  CheckpointRow next = cp.row(2);
  CHECK(next.records == 6);
  CHECK(next.first == row.first);
  CHECK(next.last == R"({"id":6,"sku":"A6"})");
  cp.end_of_input();
  CHECK(cp.row(2).complete);

  Checkpoint nothing_new("n");
  CHECK(resume(nothing_new, row, orders(4)) == 4);
  CHECK(nothing_new.row(0).records == 4);
  CHECK(nothing_new.row(0).last == row.last);
}

TEST_CASE("checkpoint: another first record is a new input, loaded from its start") {
  CheckpointRow row{4, R"({"id":1,"sku":"A1"})", R"({"id":4,"sku":"A4"})", true};
  Checkpoint cp("n");
  CHECK(resume(cp, row, orders(3, "B")) == 0);
  CHECK(cp.row(3).records == 3);
  CHECK(cp.row(3).first == R"({"id":1,"sku":"B1"})");
}

TEST_CASE("checkpoint: an input that changed under the checkpoint is refused") {
  CheckpointRow row{4, R"({"id":1,"sku":"A1"})", R"({"id":4,"sku":"A4"})", false};
  auto changed = orders(6);
  changed[3].set("sku", Value::string("Z4"));
  Checkpoint cp("nightly");
  cp.found(row);
  for (int i = 0; i < 3; ++i) CHECK(cp.already_committed(changed[static_cast<std::size_t>(i)]));
  CHECK_THROWS_WITH(cp.already_committed(changed[3]),
                    Catch::Contains("input record 4 is not the one the checkpoint committed last"));

  Checkpoint shorter("nightly");
  resume(shorter, row, orders(2));
  CHECK_THROWS_AS(shorter.end_of_input(), etl::DataError);
}
