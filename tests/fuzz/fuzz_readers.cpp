// The file readers: CSV, NDJSON and JSON documents (with a records path), over any bytes,
// gzip-compressed or not. The first byte picks the reader and its options. A CSV file is read
// twice, with the rows read from bit masks and byte by byte alone: the rows (places, rejects,
// values) and the error that ends them must be the same. Every input is read as the text format
// too, by its file reader and in small chunks as --threads reads it: the same again.
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "etl/formats/csv_reader.hpp"
#include "etl/formats/json_document.hpp"
#include "etl/formats/ndjson.hpp"
#include "etl/formats/text_format.hpp"
#include "fuzz_support.hpp"

namespace {
void add_rows(etl::Source& source, std::vector<std::string>& rows) {
  etl::Sourced rec;
  while (source.next(rec)) {
    std::string row = std::to_string(rec.where.line) + " " + rec.reject_reason + " " + rec.raw;
    for (const auto& m : rec.record.fields())
      row += "|" + m.key + "=" + (m.value.is_null() ? "\\N" : "'" + m.value.text() + "'");
    rows.push_back(row);
  }
}

std::vector<std::string> csv_rows(const std::string& path, char delimiter, bool plain_rows) {
  std::vector<std::string> rows;
  try {
    etl::CsvReader csv(path, delimiter);
    csv.use_plain_rows(plain_rows);
    add_rows(csv, rows);
  } catch (const etl::Error& e) {
    rows.push_back(e.what());
  }
  return rows;
}

// The rows read, and the error that ended them ("" when none did).
struct TextRead {
  std::vector<std::string> rows;
  std::string error;
};

TextRead text_rows_of_file(const std::string& path) {
  TextRead read;
  try {
    etl::TextFormatReader text(path, '\t');
    add_rows(text, read.rows);
  } catch (const etl::Error& e) {
    read.error = e.what();
  }
  return read;
}

// As ParallelInput reads it: chunks cut at newlines, the header from the first one's first line.
TextRead text_rows_in_chunks(const std::string& path) {
  TextRead read;
  try {
    etl::ChunkSplitter splitter(path, 0, 64);
    etl::TextChunk chunk;
    std::vector<std::string> header;
    for (bool first = true; splitter.next(chunk); first = false) {
      if (first) {
        std::size_t nl = std::min(chunk.bytes.find('\n'), chunk.bytes.size());
        etl::TextRows head('\t');
        head.read_header(std::string_view(chunk.bytes).substr(0, nl), splitter.name());
        header = head.header();
        chunk.bytes.erase(0, nl + (nl < chunk.bytes.size() ? 1 : 0));
        chunk.first_line = 2;
      }
      etl::TextChunkReader reader(std::move(chunk), splitter.name(), '\t', header);
      add_rows(reader, read.rows);
      chunk = etl::TextChunk();
    }
  } catch (const etl::Error& e) {
    read.error = e.what();
  }
  return read;
}

// The same rows; or, when the input stops both with an error (a gzip stream cut short, say),
// the same rows as far as the one that stopped sooner got: chunks are read ahead of parsing.
bool same_text_rows(const TextRead& a, const TextRead& b) {
  if (a.error.empty() != b.error.empty()) return false;
  if (a.error.empty()) return a.rows == b.rows;
  const auto& fewer = a.rows.size() <= b.rows.size() ? a.rows : b.rows;
  const auto& more = a.rows.size() <= b.rows.size() ? b.rows : a.rows;
  return std::equal(fewer.begin(), fewer.end(), more.begin());
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* kPaths[] = {"", "/data", "/data/items", "/0", "/a~1b/1"};
  std::uint8_t pick = data[0];
  const std::string& path = fuzz::as_file(fuzz::text(data + 1, size - 1));
  if (!same_text_rows(text_rows_of_file(path), text_rows_in_chunks(path))) std::abort();
  if (pick % 4 < 2) {
    char delimiter = pick % 4 == 0 ? ',' : (pick & 0x10 ? '\t' : ';');
    if (csv_rows(path, delimiter, true) != csv_rows(path, delimiter, false)) std::abort();
  }
  fuzz::tolerate([&] {
    std::unique_ptr<etl::Source> source;
    switch (pick % 4) {
      case 0:
        source = std::make_unique<etl::CsvReader>(path, ',');
        break;
      case 1:
        source = std::make_unique<etl::CsvReader>(path, pick & 0x10 ? '\t' : ';');
        break;
      case 2:
        source = std::make_unique<etl::NdjsonReader>(path);
        break;
      default:
        source = std::make_unique<etl::JsonDocumentReader>(path, kPaths[(pick >> 2) % 5]);
    }
    etl::Sourced rec;
    while (source->next(rec)) {
    }
  });
  return 0;
}
