#pragma once
// NDJSON: one JSON object a line, the stream between the tools.
#include <string>

#include "etl/io.hpp"
#include "etl/sink.hpp"
#include "etl/source.hpp"

namespace etl {

class NdjsonReader : public Source {
 public:
  explicit NdjsonReader(const std::string& path);
  bool next(Sourced& out) override;

 private:
  InputStream m_in;
  LineReader m_lines;
  std::string m_name;
};

class NdjsonWriter : public Sink {
 public:
  explicit NdjsonWriter(const std::string& path) : m_out(path) {}
  WriteResult write(const Sourced& in) override;
  void prepare() override { m_out.prepare(); }
  void commit() override { m_out.commit(); }
  std::optional<std::uint64_t> committed() const override { return m_out.kept_on_failure(); }
  std::string interrupted() override { return m_out.keep_as_partial(); }

 private:
  OutputStream m_out;
};

}  // namespace etl
