#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "etl/formats/chunks.hpp"

namespace fs = std::filesystem;

namespace {

// Cuts the file into chunks of about `block` bytes; before each, out holds the buffer a worker
// hands back (of any size, full of stale bytes) or an empty one. The chunks must be the file's
// bytes in order, each ending at a record's end, each with the line it starts on.
void cut_and_check(const std::string& text, char delimiter, std::size_t block, std::mt19937& rnd) {
  fs::path p = fs::temp_directory_path() / "etl_chunks.txt";
  { std::ofstream(p, std::ios::binary) << text; }
  etl::ChunkSplitter splitter(p.string(), delimiter, block);
  etl::TextChunk out;
  std::string joined;
  std::uint64_t line = 1;
  while (true) {
    if (rnd() % 2) out.bytes.assign(rnd() % (3 * block), '#');
    if (!splitter.next(out)) break;
    INFO(joined.size());
    REQUIRE(!out.bytes.empty());
    CHECK(out.first_line == line);
    joined += out.bytes;
    bool last = joined.size() == text.size();
    if (!last) CHECK(out.bytes.back() == '\n');
    line += static_cast<std::uint64_t>(std::count(out.bytes.begin(), out.bytes.end(), '\n'));
  }
  CHECK(joined == text);
  fs::remove(p);
}

}  // namespace

TEST_CASE("a file cut into chunks is its bytes in order, whatever buffers come back", "[chunks]") {
  std::mt19937 rnd(20261201);
  for (std::size_t block : {16, 64, 1000}) {
    std::string ndjson;
    for (int i = 0; i < 400; ++i) {
      std::size_t n = rnd() % 50 == 0 ? 5 * block : rnd() % 120;
      ndjson += "{\"n\":\"" + std::string(n, static_cast<char>('a' + i % 26)) + "\"}\n";
    }
    ndjson += "{\"last\":true}";  // (no newline at the end)
    cut_and_check(ndjson, 0, block, rnd);
    std::string csv;
    const char* pieces[] = {"a", ",", "\"x\ny\"", "\"\"", "long field", "\n"};
    for (int i = 0; i < 3000; ++i) csv += pieces[rnd() % 6];
    csv += "\n";
    cut_and_check(csv, ',', block, rnd);
  }
}

TEST_CASE("a CSV text of well-formed rows is cut where a byte-by-byte walk cuts it", "[chunks]") {
  // Quoted fields (doubled quotes, newlines and delimiters inside) and plain ones, in rows
  // across many 64-byte blocks, cut anywhere: the parity path of last_csv_end. A stray quote in
  // a plain field now and then sends it quote by quote.
  std::mt19937 rnd(20261203);
  const char* quoted[] = {"\"a\"",   "\"\"",     "\"x\"\"y\"",    "\"l1\nl2\"",
                          "\"a,b\"", "\"\"\"\"", "\"\"\"q\"\"\"", "\"long text of a field\""};
  const char* plain[] = {"", "a", "1234", "some words", "x@example.com"};
  for (int n = 0; n < 3000; ++n) {
    std::string text;
    bool stray = n % 10 == 0;
    while (text.size() < 40 + rnd() % 400) {
      for (int f = 0; f < 4; ++f) {
        if (f > 0) text += ',';
        text += rnd() % 3 == 0 ? quoted[rnd() % 8] : plain[rnd() % 5];
        if (stray && rnd() % 20 == 0) text += "b\"c";
      }
      text += '\n';
    }
    std::size_t upto = rnd() % (text.size() + 1);
    std::string_view cut_text = std::string_view(text).substr(0, upto);
    etl::RecordCut fast = etl::last_csv_end(cut_text, ',');
    etl::RecordCut walked = etl::last_csv_end_by_bytes(cut_text, ',');
    INFO(std::string(cut_text));
    CHECK(fast.end == walked.end);
    CHECK(fast.lines == walked.lines);
  }
}

TEST_CASE("a CSV text is cut where a byte-by-byte walk cuts it", "[chunks]") {
  // Without a CR, last_csv_end jumps from quote to quote; the walk goes byte by byte with
  // CsvReader's rules. Texts of quotes (doubled ones too), delimiters and line ends, with or
  // without a CR, must be cut at the same byte and line.
  std::mt19937 rnd(20261201);
  const char alphabet[] = {'a', ',', '"', '"', '"', '\n', '\n', ';', '\r'};
  for (int n = 0; n < 30000; ++n) {
    std::size_t letters = n % 8 == 0 ? sizeof alphabet : sizeof alphabet - 1;
    std::string text;
    for (std::size_t len = rnd() % 300; text.size() < len;)
      text.push_back(alphabet[rnd() % letters]);
    char delimiter = n % 3 == 0 ? ';' : ',';
    etl::RecordCut fast = etl::last_csv_end(text, delimiter);
    etl::RecordCut walked = etl::last_csv_end_by_bytes(text, delimiter);
    INFO(text);
    CHECK(fast.end == walked.end);
    CHECK(fast.lines == walked.lines);
  }
}
