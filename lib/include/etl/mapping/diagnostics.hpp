#pragma once
// Compile errors of mapping files, each with its place: file:line:col: error: message.
#include <string>
#include <string_view>
#include <vector>

#include "etl/mapping/jsonc.hpp"

namespace etl::mapping {

struct Diagnostic {
  std::string file;
  SourcePos pos;
  std::string message;
};

class Diagnostics {
 public:
  void error(const std::string& file, SourcePos pos, std::string message);
  bool empty() const { return m_list.empty(); }
  std::size_t size() const { return m_list.size(); }
  const std::vector<Diagnostic>& list() const { return m_list; }
  // Orders the diagnostics from index `first` on by line and column (one file's errors).
  void sort_from(std::size_t first);

  // One per line: `file:line:col: error: message`.
  std::string to_text() const;
  // A JSON array of {file, line, column, severity, message}.
  std::string to_json() const;
  // GitHub Actions workflow commands: ::error file=…,line=…,col=…::message
  std::string to_github() const;

 private:
  std::vector<Diagnostic> m_list;
};

// The candidate closest to word, when one is close enough to be a likely typo; else "".
std::string closest(std::string_view word, const std::vector<std::string>& candidates);
// " (did you mean 'lower'?)" when a candidate is close to word, else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace etl::mapping
