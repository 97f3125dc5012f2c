#include "etl/spill_file.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "etl/error.hpp"

namespace etl {

int unlinked_temp_file(const std::string& dir) {
  std::string d = dir;
  if (d.empty()) {
    const char* env = std::getenv("TMPDIR");
    d = env && *env ? env : "/tmp";
  }
  std::string path = d + "/etlkit-spill-XXXXXX";
  int fd = mkstemp(path.data());
  if (fd < 0)
    throw IoError(fmt::format("cannot create a temporary file in {}: {}", d, std::strerror(errno)));
  unlink(path.c_str());
  return fd;
}

SpillFile::SpillFile(const std::string& dir) {
  int fd = unlinked_temp_file(dir);
  m_file = fdopen(fd, "w+b");
  if (!m_file) {
    close(fd);
    throw IoError("cannot open a temporary file");
  }
  std::setvbuf(m_file, nullptr, _IOFBF, 1 << 16);
}

SpillFile::~SpillFile() {
  if (m_file) std::fclose(m_file);
}

void SpillFile::append(std::string_view bytes) {
  auto n = static_cast<std::uint64_t>(bytes.size());
  if (std::fwrite(&n, sizeof n, 1, m_file) != 1 ||
      std::fwrite(bytes.data(), 1, bytes.size(), m_file) != bytes.size())
    throw IoError(
        fmt::format("cannot write a temporary file: {} (disk full?)", std::strerror(errno)));
}

void SpillFile::rewind() {
  if (std::fflush(m_file) != 0)
    throw IoError(
        fmt::format("cannot write a temporary file: {} (disk full?)", std::strerror(errno)));
  std::rewind(m_file);
}

bool SpillFile::read(std::string& out) {
  std::uint64_t n = 0;
  if (std::fread(&n, sizeof n, 1, m_file) != 1) return false;
  out.resize(static_cast<std::size_t>(n));
  if (std::fread(out.data(), 1, out.size(), m_file) != out.size())
    throw IoError("a temporary file was cut short");
  return true;
}

}  // namespace etl
