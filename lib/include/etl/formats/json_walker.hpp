#pragma once
// Walks one JSON document to its records, the array at a JSON Pointer (or the object there: one
// record), and hands them out one element at a time, in constant memory; then reads the rest of
// the document to its end, so a cut-off document or a repeated key on the path is an error.
// What surrounds the records can be kept (an API page's totals and next links), with the
// records array left empty in it.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "etl/json_stream.hpp"
#include "etl/value.hpp"

namespace etl {

class JsonRecordWalker {
 public:
  enum class Problem {
    Syntax,       // at the stream's place
    PathMissing,  // at the stream's place: the records path is not in the document
    NotRecords,   // what is at the records path is neither an array nor (path given) an object
  };
  // Throws what the reader wants to say; a Fail that returns is followed by a DataError.
  using Fail = std::function<void(Problem, const std::string& message)>;

  // records_path: "" (the document is the array), "/" (the document, an array or one object)
  // or a JSON Pointer.
  JsonRecordWalker(JsonStream& json, const std::string& records_path, Fail fail);
  // Walks to the records; envelope, when given, receives the document around them.
  void start(Value* envelope = nullptr);
  // The next element; false after the last, once the rest of the document has been read.
  bool next(Value& item);

 private:
  // A container the records path passed through, the key or index it took there, and (with an
  // envelope) its copy in it.
  struct Level {
    char open;
    std::string token;
    Value* kept;
  };
  [[noreturn]] void fail(Problem problem, const std::string& message) const;
  void pass_over(Value* kept);
  std::string read_key();
  void take_colon();
  Value* keep_member(Value& object, const std::string& key);
  void seek_records(Value* envelope);
  void finish_document();
  JsonStream& m_json;
  std::string m_pointer;
  bool m_path_given;
  std::vector<std::string> m_tokens;
  Fail m_fail;
  std::vector<Level> m_levels;
  bool m_single = false;  // the records path names one object: one record
  bool m_in_records = false;
  std::uint64_t m_index = 0;  // elements handed out
};

// RFC 6901 tokens of "/data/items" (~1 is '/', ~0 is '~'); "" and "/" have none.
std::vector<std::string> json_pointer_tokens(const std::string& pointer);

}  // namespace etl
