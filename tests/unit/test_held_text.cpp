#include <catch2/catch.hpp>
#include <random>
#include <string>

#include "etl/error.hpp"
#include "etl/held_text.hpp"

// HeldText against a string holding the same bytes: appends of any size, spills at any point,
// reads of any range (in the file, in the tail, across both, across the 1 MiB read window),
// in order and out of it, and the same again after clear().
TEST_CASE("held text reads back every range as appended, spilled or not", "[held_text]") {
  std::mt19937 rnd(20261203);
  etl::HeldText held;
  for (int round = 0; round < 3; ++round) {
    std::string model;
    std::string out;
    while (model.size() < (std::size_t{3} << 20)) {
      std::size_t n = rnd() % 8 == 0 ? rnd() % 300000 : rnd() % 200;
      std::string bytes(n, '\0');
      for (char& c : bytes) c = static_cast<char>(rnd() % 256);
      held.tail() += bytes;
      model += bytes;
      if (rnd() % 3 == 0) held.spill();
      REQUIRE(held.size() == model.size());
      for (int r = 0; r < 4; ++r) {
        std::size_t from = model.empty() ? 0 : rnd() % model.size();
        std::size_t to = from + rnd() % (rnd() % 4 == 0 ? 2500000 : 2000);
        to = std::min(to, model.size());
        held.read(from, to, out);
        REQUIRE(out == model.substr(from, to - from));
      }
    }
    held.spill();
    held.read(0, model.size(), out);
    REQUIRE(out == model);
    held.clear();
    REQUIRE(held.size() == 0);
    REQUIRE(held.spilled() == 0);
  }
}

TEST_CASE("held text says where it cannot make its file", "[held_text]") {
  etl::HeldText held("/nonexistent-etl-dir");
  held.tail() = "abc\n";
  REQUIRE_THROWS_WITH(held.spill(), Catch::Contains("/nonexistent-etl-dir"));
}
