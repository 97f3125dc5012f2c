#pragma once
// etl-transform --check and --test: the mapping checks a CI pipeline runs; and loading a
// mapping to run.
#include <memory>
#include <string>
#include <vector>

#include "etl/mapping/mapping.hpp"

namespace etl::tools {

// Compiles each mapping and prints every error (text, json or github). Exit 0 clean, 1 errors.
int check_mappings(const std::vector<std::string>& paths, const std::string& format,
                   const std::string& sample);

// Runs the tests each mapping carries, prints a diff per failure and the coverage.
// Exit 0 when all pass, 1 when any fails or a mapping does not compile.
int test_mappings(const std::vector<std::string>& paths, const std::string& now);

// A mapping file read once and compiled as often as asked: the run's mapping, and a copy for
// each worker thread (--threads), from the same text even when the file was a pipe. compile()
// throws UsageError listing every error; `now` (ISO 8601, may be empty) fixes now().
class MappingFile {
 public:
  explicit MappingFile(std::string path);
  std::unique_ptr<mapping::Mapping> compile(const std::string& now) const;

 private:
  std::string m_path;
  std::string m_text;
};

}  // namespace etl::tools
