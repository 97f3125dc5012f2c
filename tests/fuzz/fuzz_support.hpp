#pragma once
// What the fuzz targets share: the input as a file (the readers read paths), and the errors a
// target expects from bad input (anything else, or a crash, is a finding).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>

#include "etl/decimal.hpp"
#include "etl/error.hpp"
#include "etl/mapping/datum.hpp"

namespace fuzz {

inline std::string_view text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The input written to one file per process, rewritten for each input.
inline const std::string& as_file(std::string_view bytes, const char* suffix = "") {
  static std::string path;
  const char* dir = std::getenv("TMPDIR");
  path = std::string(dir && *dir ? dir : "/tmp") + "/etl-fuzz-" + std::to_string(getpid()) + suffix;
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

// Runs f; the errors bad input is meant to cause are fine.
template <class F>
void tolerate(F&& f) {
  try {
    f();
  } catch (const etl::Error&) {
  } catch (const etl::DecimalError&) {
  } catch (const etl::mapping::EvalError&) {
  }
}

}  // namespace fuzz
