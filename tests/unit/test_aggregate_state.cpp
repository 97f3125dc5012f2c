// A group's state keeps its sum as two words and a scale (so that a state is 40 bytes, not
// 64): every coefficient a Decimal can hold, of either sign, comes back as it went in.
#include <catch2/catch.hpp>
#include <random>

#include "etl/mapping/aggregate.hpp"

TEST_CASE("an aggregate state gives back the sum it was given", "[aggregate]") {
  using etl::Decimal;
  using etl::int128;
  std::vector<int128> coefficients = {0, 1, -1, INT64_MAX, INT64_MIN};
  int128 one = 1;
  for (int bits = 62; bits < 127; ++bits) {
    coefficients.push_back(one << bits);
    coefficients.push_back(-(one << bits));
    coefficients.push_back((one << bits) - 1);
    coefficients.push_back(-(one << bits) + 1);
  }
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000; ++i) {
    int128 c = (static_cast<int128>(rng()) << 64) | rng();
    coefficients.push_back(c >> (rng() % 127));
  }
  etl::mapping::Aggregator::State state;
  for (int128 c : coefficients)
    for (int scale : {0, 2, 38, 76}) {
      state.set_sum(Decimal(c, scale));
      Decimal back = state.sum();
      CHECK((back.coefficient() == c && back.scale() == scale));
    }
}
