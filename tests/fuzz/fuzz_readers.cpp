// The file readers: CSV, NDJSON and JSON documents (with a records path), over any bytes,
// gzip-compressed or not. The first byte picks the reader and its options.
#include <memory>

#include "etl/formats/csv_reader.hpp"
#include "etl/formats/json_document.hpp"
#include "etl/formats/ndjson.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* kPaths[] = {"", "/data", "/data/items", "/0", "/a~1b/1"};
  std::uint8_t pick = data[0];
  const std::string& path = fuzz::as_file(fuzz::text(data + 1, size - 1));
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
