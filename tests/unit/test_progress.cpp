#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <string>

#include "etl/progress.hpp"

TEST_CASE("progress: after a second, at most every half second, cleared at the end") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f);
  auto t0 = etl::Progress::Clock::now();
  using ms = std::chrono::milliseconds;
  {
    etl::Progress p("etl-load", true, f);
    p.update(100, t0 + ms(500));    // too early: nothing
    p.update(2000, t0 + ms(2000));  // shown
    p.update(2100, t0 + ms(2200));  // within half a second of the last: nothing
    p.update(3000, t0 + ms(3000));  // shown
  }
  std::rewind(f);
  std::string text;
  char buf[256];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, f)) text.append(buf, n);
  CHECK(text.find("\retl-load: 2000 records read (") == 0);
  CHECK(text.find("etl-load: 3000 records read (") != std::string::npos);
  CHECK(text.find("2100") == std::string::npos);
  CHECK(text.substr(text.size() - 4) == "\r\033[K");
  {
    etl::Progress off("etl-load", false, f);  // disabled: never prints
    off.tick(16384);
    off.update(16384, t0 + ms(5000));
  }
  CHECK(std::ftell(f) == static_cast<long>(text.size()));
  std::fclose(f);
}
