#include "etl/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

namespace etl {

Progress::Progress(std::string tool, bool enabled, std::FILE* out)
    : m_tool(std::move(tool)), m_enabled(enabled), m_out(out) {}

Progress::~Progress() {
  clear();
}

bool Progress::wanted(bool quiet, bool json_log) {
  return !quiet && !json_log && isatty(fileno(stderr));
}

void Progress::update(std::uint64_t read, Clock::time_point now) {
  using std::chrono::duration;
  double age = duration<double>(now - m_started).count();
  if (!m_enabled || age < 1.0 || (m_shown && duration<double>(now - m_last).count() < 0.5)) return;
  fmt::print(m_out, "\r{}: {} records read ({:.0f}/s)\033[K", m_tool, read,
             static_cast<double>(read) / age);
  std::fflush(m_out);
  m_last = now;
  m_shown = true;
}

void Progress::clear() {
  if (!m_shown) return;
  std::fputs("\r\033[K", m_out);
  std::fflush(m_out);
  m_shown = false;
}

}  // namespace etl
