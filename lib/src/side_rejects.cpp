#include "etl/side_rejects.hpp"

#include <fmt/format.h>

#include "etl/error.hpp"

namespace etl {

SideRejects::SideRejects(const std::string& path, std::int64_t max_errors, std::string temp_dir)
    : m_out(path), m_max_errors(max_errors), m_temp_dir(std::move(temp_dir)) {}

void SideRejects::reject(std::size_t side, const Sourced& in, const std::string& reason) {
  std::lock_guard<std::mutex> lock(m_mutex);
  ++m_count;
  if (side < m_held.size()) {
    std::string line;
    RejectWriter::append_line(line, in, reason);
    m_held[side]->append(line);
  } else {
    m_out.write(in, reason);
  }
  if (m_max_errors >= 0 && m_count > static_cast<std::uint64_t>(m_max_errors))
    throw DataError(fmt::format("{}: {} (more than --max-errors {} rejects)", in.where.to_string(),
                                reason, m_max_errors));
}

void SideRejects::hold(std::size_t sides) {
  for (std::size_t i = 0; i < sides; ++i) m_held.push_back(std::make_unique<SpillFile>(m_temp_dir));
}

void SideRejects::release() {
  std::string line;
  for (auto& held : m_held) {
    held->rewind();
    while (held->read(line)) m_out.write_line(line);
  }
  m_held.clear();
}

}  // namespace etl
