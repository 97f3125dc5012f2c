#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "etl/checkpoint.hpp"
#include "etl/json.hpp"

using etl::Checkpoint;
using etl::CheckpointRow;
using etl::Record;
using etl::Sourced;
using etl::Value;
using Verdict = Checkpoint::Verdict;

namespace {

std::vector<Sourced> orders(int n, const char* prefix = "A") {
  std::vector<Sourced> out(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto& s = out[static_cast<std::size_t>(i)];
    s.record.set("id", Value::number(std::to_string(i + 1)));
    s.record.set("sku", Value::string(prefix + std::to_string(i + 1)));
    s.where.source = "in.ndjson";
    s.where.line = static_cast<std::uint64_t>(i + 1);
  }
  return out;
}

// Runs input through a checkpoint as the pipeline does; returns the ids handed to the sink.
std::vector<std::string> run(Checkpoint& cp, std::optional<CheckpointRow> row,
                             const std::vector<Sourced>& input) {
  std::vector<std::string> handed;
  auto hand = [&](const Sourced& s) { handed.push_back(s.record.find("id")->text()); };
  cp.found(std::move(row));
  for (const auto& s : input) {
    switch (cp.offer(s)) {
      case Verdict::Pass:
        hand(s);
        break;
      case Verdict::Replay:
        cp.replay(hand);
        break;
      default:
        break;
    }
  }
  if (cp.end_of_input()) cp.replay(hand);
  return handed;
}

// The row a complete first run of `input` leaves when its sink commits after `n` records.
CheckpointRow committed_row(const std::vector<Sourced>& input, std::uint64_t n) {
  Checkpoint cp("n");
  cp.found(std::nullopt);
  for (std::uint64_t i = 0; i < n; ++i) CHECK(cp.offer(input[i]) == Verdict::Pass);
  return cp.row(n);
}

using Ids = std::vector<std::string>;

}  // namespace

TEST_CASE("checkpoint: a row covers the records a commit settled, first and last as JSON") {
  auto in = orders(5);
  Checkpoint cp("n");
  cp.found(std::nullopt);
  for (int i = 0; i < 3; ++i) CHECK(cp.offer(in[static_cast<std::size_t>(i)]) == Verdict::Pass);
  CheckpointRow before = cp.row(2);  // a sink that commits before taking record 3
  CHECK(before.records == 2);
  CHECK(before.first == R"({"id":1,"sku":"A1"})");
  CHECK(before.last == R"({"id":2,"sku":"A2"})");
  CHECK(cp.row(3).last == R"({"id":3,"sku":"A3"})");
  CHECK(cp.row(3).digest != before.digest);
  CHECK_FALSE(cp.row(3).complete);
  cp.offer(in[3]);
  cp.offer(in[4]);
  CHECK_FALSE(cp.end_of_input());
  CHECK(cp.row(5).complete);
  CHECK_FALSE(cp.row(4).complete);  // a commit before the last record is not the end
}

TEST_CASE("checkpoint: the same input resumes after the committed records") {
  auto in = orders(6);
  CheckpointRow row = committed_row(in, 4);
  Checkpoint cp("n");
  CHECK(run(cp, row, in) == Ids{"5", "6"});
  CHECK(cp.skipped() == 4);
  CheckpointRow next = cp.row(2);
  CHECK(next.records == 6);
  CHECK(next.first == row.first);
  CHECK(next.last == R"({"id":6,"sku":"A6"})");
  CHECK(next.digest == committed_row(in, 6).digest);  // as if one run had loaded all six
  CHECK(next.complete);

  Checkpoint nothing_new("n");
  CHECK(run(nothing_new, row, orders(4)).empty());
  CHECK(nothing_new.row(0).records == 4);
  CHECK(nothing_new.row(0).last == row.last);
}

TEST_CASE("checkpoint: a complete row never resumes; another first record starts over") {
  auto in = orders(4);
  CheckpointRow done = committed_row(in, 4);
  done.complete = true;
  Checkpoint again("n");
  CHECK(run(again, done, in) == Ids{"1", "2", "3", "4"});
  Checkpoint other("n");
  CHECK(run(other, committed_row(in, 4), orders(3, "B")) == Ids{"1", "2", "3"});
  CHECK(other.row(3).first == R"({"id":1,"sku":"B1"})");
}

TEST_CASE("checkpoint: an input that starts the same but differs is loaded whole") {
  auto first = orders(6);
  CheckpointRow row = committed_row(first, 4);
  auto changed = orders(6);
  changed[2].record.set("sku", Value::string("Z3"));  // a change inside the committed part
  Checkpoint cp("nightly");
  CHECK(run(cp, row, changed) == Ids{"1", "2", "3", "4", "5", "6"});
  CHECK(cp.skipped() == 0);
  CHECK(cp.row(6).digest == committed_row(changed, 6).digest);

  Checkpoint shorter("nightly");  // ends before the committed count: another input
  CHECK(run(shorter, row, orders(2)) == Ids{"1", "2"});

  CheckpointRow old_version = row;  // a row without a digest: its last record decides
  old_version.digest.clear();
  Checkpoint older("nightly");
  CHECK(run(older, old_version, first) == Ids{"5", "6"});
}
