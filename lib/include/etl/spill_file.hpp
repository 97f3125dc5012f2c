#pragma once
// A temporary file of length-prefixed byte records, written once and then read back in order:
// the sorted runs of external sorts (etl-diff) and spilled aggregate groups (etl-transform).
// The file is unlinked as soon as it is made, so nothing is left behind even after a crash.
#include <cstdio>
#include <string>
#include <string_view>

namespace etl {

// A temporary file in dir (empty: $TMPDIR, else /tmp), unlinked at once; its descriptor.
int unlinked_temp_file(const std::string& dir);

class SpillFile {
 public:
  // dir: where the file goes; empty means $TMPDIR, else /tmp.
  explicit SpillFile(const std::string& dir = "");
  ~SpillFile();
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;

  void append(std::string_view bytes);
  // Ends writing; reading starts at the first record.
  void rewind();
  // Fills out with the next record; false at the end.
  bool read(std::string& out);

 private:
  std::FILE* m_file = nullptr;
};

}  // namespace etl
