#pragma once
// The progress line: while a long run reads, `etl-load: 1200000 records read (410000/s)` on
// stderr, rewritten in place, and cleared at the end. Only on a terminal: a log file or a pipe
// gets the summary alone.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace etl {

class Progress {
 public:
  using Clock = std::chrono::steady_clock;
  // enabled: stderr is a terminal, and neither --quiet nor --log-format json was asked for.
  Progress(std::string tool, bool enabled, std::FILE* out = stderr);
  ~Progress();  // clears the line
  // Called per record read; looks at the clock once every 16384 records.
  void tick(std::uint64_t read) {
    if (m_enabled && (read & 0x3FFF) == 0) update(read, Clock::now());
  }
  // The count went from `before` to `read` at once: as a tick of each would.
  void ticks(std::uint64_t before, std::uint64_t read) {
    if (m_enabled && (before >> 14) != (read >> 14)) update(read, Clock::now());
  }
  // Prints when the run is older than a second and the last print older than half of one.
  void update(std::uint64_t read, Clock::time_point now);
  void clear();

  // Whether a run like this one should show progress (stderr a terminal, and so on).
  static bool wanted(bool quiet, bool json_log);

 private:
  std::string m_tool;
  bool m_enabled;
  std::FILE* m_out;
  Clock::time_point m_started = Clock::now(), m_last;
  bool m_shown = false;
};

}  // namespace etl
