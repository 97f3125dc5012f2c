#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "etl/direct_file.hpp"
#include "etl/io.hpp"

namespace {

std::string temp_path(const std::string& name) {
  return std::string(P_tmpdir) + "/etl-test-direct-" + std::to_string(getpid()) + "-" + name;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream all;
  all << in.rdbuf();
  return all.str();
}

std::string pattern(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>('a' + rng() % 26);
  return s;
}

// Whether the temporary directory's file system takes direct writes at all (tmpfs does not).
bool direct_here() {
  std::string path = temp_path("probe");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd >= 0);
  bool yes = etl::DirectFile::open(fd, [](const char*, std::size_t) {}) != nullptr;
  ::close(fd);
  std::remove(path.c_str());
  return yes;
}

}  // namespace

TEST_CASE("an output written around the page cache holds every byte, at any size", "[io]") {
  const std::size_t stage = etl::DirectFile::kStage;
  const bool direct = direct_here();
  for (bool behind : {false, true})
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{4095}, std::size_t{4096},
                             std::size_t{4097}, stage - 1, stage, stage + 1, 3 * stage + 12345}) {
      CAPTURE(behind, size);
      std::string expected = pattern(size, static_cast<unsigned>(size));
      std::string path = temp_path("out");
      {
        etl::OutputStream out(path);
        if (behind)
          out.write_behind();
        else
          out.bypass_cache();
        if (size >= 4096) CHECK(out.bypasses_cache() == direct);
        // In pieces of every length, through both ways in: the buffer and write().
        std::mt19937 rng(7);
        for (std::size_t at = 0; at < size;) {
          std::size_t n = std::min<std::size_t>(size - at, rng() % 300000);
          if (rng() % 2) {
            out.buffer().append(expected, at, n);
            out.maybe_flush();
          } else {
            out.write(std::string_view(expected).substr(at, n));
          }
          at += n;
        }
        out.commit();
      }
      CHECK(slurp(path) == expected);
      std::remove(path.c_str());
    }
}

TEST_CASE("a direct write the file system refuses is written the ordinary way", "[io]") {
  if (!direct_here()) return;  // (nothing to refuse)
  std::string path = temp_path("refused");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd >= 0);
  // One byte first: every direct write after it starts at an unaligned offset, which is EINVAL.
  REQUIRE(::write(fd, "x", 1) == 1);
  auto dio = etl::DirectFile::open(fd, [&](const char* p, std::size_t n) {
    while (n > 0) {
      ssize_t w = ::write(fd, p, n);
      REQUIRE(w > 0);
      p += w;
      n -= static_cast<std::size_t>(w);
    }
  });
  REQUIRE(dio != nullptr);
  CHECK((fcntl(fd, F_GETFL) & O_DIRECT) != 0);
  std::string data = pattern(2 * etl::DirectFile::kStage + 999, 3);
  dio->write(data.data(), data.size());
  CHECK_FALSE(dio->direct());
  CHECK((fcntl(fd, F_GETFL) & O_DIRECT) == 0);
  dio->finish();
  CHECK(dio->written() == data.size());
  ::close(fd);
  CHECK(slurp(path) == "x" + data);
  std::remove(path.c_str());
}
