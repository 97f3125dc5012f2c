#pragma once
// A JSON document holding the records: a top-level array of objects, or an array found by a
// JSON Pointer (`--records-path /data/items`), as REST APIs return pages; an object at the records
// path (`--records-path /` for a document that is one object) is one record, as APIs return one.
// Streamed: one element is in memory at a time. Documents written one after another (`cat
// page*.json`) are read in turn, each through the records path; the rest of each document is
// checked to its end, so trailing bytes, a cut-off document or a repeated key on the path are
// errors.
#include <string>
#include <vector>

#include "etl/formats/json_walker.hpp"
#include "etl/io.hpp"
#include "etl/json_stream.hpp"
#include "etl/sink.hpp"
#include "etl/source.hpp"

namespace etl {

class JsonDocumentReader : public Source {
 public:
  JsonDocumentReader(const std::string& path, const std::string& records_path,
                     const std::string& encoding = "");
  bool next(Sourced& out) override;

 private:
  bool start_document();
  [[noreturn]] void fail(const std::string& message) const;
  InputStream m_in;
  JsonStream m_json;
  std::string m_name;
  JsonRecordWalker m_walker;
  Value m_item;
  std::uint64_t m_index = 0;  // records handed out, over all documents
  std::uint64_t m_documents = 0;
  bool m_in_array = false;
};

// Writes the records as one JSON array, one record a line.
class JsonArrayWriter : public Sink {
 public:
  explicit JsonArrayWriter(const std::string& path) : m_out(path) {}
  WriteResult write(const Sourced& in) override;
  void prepare() override;
  void commit() override;
  std::optional<std::uint64_t> committed() const override { return m_out.kept_on_failure(); }
  std::string interrupted() override { return m_out.keep_as_partial(); }

 private:
  OutputStream m_out;
  bool m_first = true;
  bool m_closed = false;
};

}  // namespace etl
