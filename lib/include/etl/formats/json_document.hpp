#pragma once
// A JSON document holding the records: a top-level array of objects, or an array found by a
// JSON Pointer (`--records-path /data/items`), as REST APIs return pages. Streamed: one
// element is in memory at a time.
#include <string>
#include <vector>

#include "etl/io.hpp"
#include "etl/json_stream.hpp"
#include "etl/sink.hpp"
#include "etl/source.hpp"

namespace etl {

class JsonDocumentReader : public Source {
 public:
  JsonDocumentReader(const std::string& path, const std::string& records_path);
  bool next(Sourced& out) override;

 private:
  void seek_records(const std::string& pointer);
  [[noreturn]] void fail(const std::string& message) const;
  InputStream m_in;
  JsonStream m_json;
  std::string m_name;
  Value m_item;
  std::uint64_t m_index = 0;
  bool m_done = false;
};

// Writes the records as one JSON array, one record a line.
class JsonArrayWriter : public Sink {
 public:
  explicit JsonArrayWriter(const std::string& path) : m_out(path) {}
  WriteResult write(const Sourced& in) override;
  void commit() override;

 private:
  OutputStream m_out;
  bool m_first = true;
};

}  // namespace etl
