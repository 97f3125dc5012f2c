#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "etl/error.hpp"
#include "etl/io.hpp"

namespace {

std::string temp_path(const char* name) {
  return (std::string(P_tmpdir) + "/etl-test-io-" + std::to_string(getpid()) + "-") + name;
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string gzip(const std::string& plain) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, plain.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  zs.avail_in = static_cast<uInt>(plain.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string read_all(etl::InputStream& in) {
  std::string all;
  char buf[4096];
  while (std::size_t got = in.read(buf, sizeof buf)) all.append(buf, got);
  return all;
}

}  // namespace

TEST_CASE("a file truncated while it is read is an error naming it", "[io]") {
  std::string path = temp_path("shrinks.csv");
  write_file(path, std::string(1 << 20, 'x'));
  etl::InputStream in(path);
  char buf[4096];
  REQUIRE(in.read(buf, sizeof buf) > 0);
  REQUIRE(truncate(path.c_str(), 8192) == 0);  // as logrotate's copytruncate does
  try {
    while (in.read(buf, sizeof buf) > 0) {
    }
    FAIL("no error at the end of a truncated file");
  } catch (const etl::IoError& e) {
    CHECK_THAT(e.what(), Catch::Contains(path) && Catch::Contains("shrank while it was read"));
  }
  std::remove(path.c_str());
}

TEST_CASE("gzip input is inflated member after member; plain input passes as it is", "[io]") {
  std::string path = temp_path("members.gz");
  std::string text(100000, 'a');
  write_file(path, gzip(text) + gzip("tail\n"));
  etl::InputStream gz(path);
  CHECK(read_all(gz) == text + "tail\n");
  write_file(path, "\x1f");  // one byte that could start gzip: plain
  etl::InputStream one(path);
  CHECK(read_all(one) == "\x1f");
  write_file(path, "");
  etl::InputStream empty(path);
  CHECK(read_all(empty).empty());
  std::remove(path.c_str());
}

TEST_CASE("a UTF-8 byte order mark at the start is left out, and nothing else", "[io]") {
  std::string path = temp_path("bom.ndjson");
  const std::string bom = "\xEF\xBB\xBF";
  struct Case {
    std::string bytes, want;
  };
  const Case cases[] = {{bom + "{\"a\":1}\n", "{\"a\":1}\n"},
                        {bom, ""},
                        {"\xEF\xBB", "\xEF\xBB"},
                        {"ab", "ab"},
                        {"a" + bom, "a" + bom},
                        {bom + bom, bom}};
  for (const auto& c : cases) {
    write_file(path, c.bytes);
    etl::InputStream whole(path);
    CHECK(read_all(whole) == c.want);
    etl::InputStream bytewise(path);  // read a byte at a time, as a trickling pipe hands it out
    std::string got;
    char b;
    while (bytewise.read(&b, 1) == 1) got.push_back(b);
    CHECK(got == c.want);
    write_file(path, gzip(c.bytes));
    etl::InputStream gz(path);
    CHECK(read_all(gz) == c.want);
  }
  std::remove(path.c_str());
}

TEST_CASE("a gzip stream cut anywhere before its trailer's end is a data error", "[io]") {
  std::string path = temp_path("cut.gz");
  std::string whole = gzip(std::string(5000, 'z') + "\n");
  for (std::size_t keep = 2; keep < whole.size(); keep += 3) {
    write_file(path, whole.substr(0, keep));
    etl::InputStream in(path);
    CHECK_THROWS_AS(read_all(in), etl::DataError);
  }
  std::remove(path.c_str());
}

#include <random>

#include "etl/byte_queue.hpp"

TEST_CASE("byte queue hands bytes on in order, past its memory bound through a file", "[io]") {
  // Random pushes and pops: the bytes come out as they went in, and memory never holds more
  // than the bound (plus one push, which the file takes instead).
  std::mt19937 rng(7);
  etl::ByteQueue q(1000);
  std::string in, out;
  char buf[700];
  for (int step = 0; step < 20000; ++step) {
    if (rng() % 3 != 0) {
      std::string chunk(rng() % 600, '\0');
      for (auto& c : chunk) c = static_cast<char>('a' + rng() % 26);
      q.push(chunk.data(), chunk.size());
      in += chunk;
    } else {
      std::size_t k = q.pop(buf, 1 + rng() % sizeof buf);
      out.append(buf, k);
    }
    REQUIRE(q.in_memory() <= 1000);
  }
  for (std::size_t k; (k = q.pop(buf, sizeof buf)) > 0;) out.append(buf, k);
  CHECK(q.empty());
  CHECK(q.spilled() > 0);
  CHECK(out == in);
}

TEST_CASE("byte queue within its bound never touches a file", "[io]") {
  etl::ByteQueue q(100);
  q.push("hello ", 6);
  q.push("world", 5);
  char buf[4];
  std::string out;
  for (std::size_t k; (k = q.pop(buf, sizeof buf)) > 0;) out.append(buf, k);
  CHECK(out == "hello world");
  CHECK(q.spilled() == 0);
}

namespace {

// How many of the file's pages are in the page cache.
std::size_t cached_pages(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  off_t size = lseek(fd, 0, SEEK_END);
  void* map = mmap(nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  REQUIRE(map != MAP_FAILED);
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> in((static_cast<std::size_t>(size) + page - 1) / page);
  REQUIRE(mincore(map, static_cast<std::size_t>(size), in.data()) == 0);
  munmap(map, static_cast<std::size_t>(size));
  std::size_t n = 0;
  for (unsigned char c : in) n += c & 1;
  return n;
}

}  // namespace

TEST_CASE("an output lets the cached pages of the file it replaces go, and keeps its bytes",
          "[io]") {
  std::string path = temp_path("replaced.ndjson"), old(4 << 20, 'o');
  write_file(path, old);
  {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);  // clean pages: synced, then read
    REQUIRE(fsync(fd) == 0);
    close(fd);
  }
  etl::InputStream cached(path);
  REQUIRE(read_all(cached) == old);
  if (cached_pages(path) == 0) {
    WARN("this file system keeps no pages cached to let go");
    std::remove(path.c_str());
    return;
  }
  {
    etl::OutputStream out(path);
    out.write("new\n");
  }  // (no commit; the pages are let go on a thread of the output's, done by its end)
  CHECK(cached_pages(path) == 0);
  etl::InputStream after(path);  // without a commit, the old file as it was
  CHECK(read_all(after) == old);
  std::remove(path.c_str());
}

TEST_CASE("blocks taken by a written-behind output come out in order among the copied ones",
          "[io]") {
  std::string path = temp_path("taken.ndjson");
  std::string expected;
  {
    etl::OutputStream out(path);
    out.write_behind();
    for (int i = 0; i < 40; ++i) {
      // Small writes are buffered; large blocks are taken when nothing is buffered before them.
      std::string small = "small " + std::to_string(i) + "\n";
      out.write(small);
      expected += small;
      std::string block((i % 3 + 1) * 70000, static_cast<char>('a' + i % 26));
      expected += block;
      out.write_taking(block);
      CHECK(block.empty());  // a cleared buffer comes back, taken or copied
      std::string again(200000, static_cast<char>('A' + i % 26));
      expected += again;
      out.write_taking(again);  // (nothing buffered now: taken)
      CHECK(again.empty());
    }
    out.commit();
  }
  etl::InputStream in(path);
  std::string got = read_all(in);
  CHECK(got.size() == expected.size());
  bool same = got == expected;  // (not compared by CHECK: it would print megabytes)
  CHECK(same);
  std::remove(path.c_str());
}

// A file size limit makes write() fail with EFBIG (SIGXFSZ ignored), as a full disk would.
struct FileSizeLimit {
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved);
    old_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, old_handler);
  }
  rlimit saved{};
  void (*old_handler)(int) = nullptr;
};

TEST_CASE("a written-behind output whose writes fail says so, and leaves no file", "[io]") {
  std::string path = temp_path("too-big.ndjson");
  std::remove(path.c_str());
  std::string message;
  int blocks = 0;
  {
    FileSizeLimit limit(3 << 20);
    try {
      etl::OutputStream out(path);
      out.write_behind();
      for (; blocks < 100; ++blocks) {  // 20 MB, in blocks taken as they are
        std::string block(200000, 'x');
        out.write_taking(block);
      }
      out.commit();
    } catch (const etl::IoError& e) {
      message = e.what();
    }
  }
  CHECK(message.find("write failed") != std::string::npos);
  CHECK(blocks < 100);  // the failure showed at a later hand-over, not only at the end
  CHECK(access(path.c_str(), F_OK) != 0);
}

TEST_CASE("a written-behind output's small blocks wait for a megabyte, and all come out", "[io]") {
  std::string path = temp_path("small-blocks.ndjson");
  std::string expected;
  {
    etl::OutputStream out(path);
    out.write_behind();
    for (int i = 0; i < 300; ++i) {  // blocks just over the copying size, some under a megabyte
      std::string block(70000 + i, static_cast<char>('a' + i % 26));
      expected += block;
      out.write_taking(block);
    }
    out.commit();
  }
  etl::InputStream in(path);
  std::string got = read_all(in);
  CHECK(got.size() == expected.size());
  bool same = got == expected;
  CHECK(same);
  std::remove(path.c_str());
}
