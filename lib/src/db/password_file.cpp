#include "password_file.hpp"

#include <fmt/format.h>

#include <fstream>

#include "etl/error.hpp"

namespace etl {

std::string read_password_file(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw UsageError(fmt::format("--password-file {}: cannot read it", path));
  std::string pw;
  std::getline(f, pw);
  while (!pw.empty() && (pw.back() == '\r' || pw.back() == ' ')) pw.pop_back();
  return pw;
}

}  // namespace etl
