#include "etl/mapping/diagnostics.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "etl/json.hpp"

namespace etl::mapping {
namespace {

// Optimal string alignment distance: edits, with a swap of neighbours counting as one.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

}  // namespace

void Diagnostics::error(const std::string& file, SourcePos pos, std::string message) {
  m_list.push_back({file, pos, std::move(message)});
}

void Diagnostics::sort_from(std::size_t first) {
  std::stable_sort(m_list.begin() + static_cast<std::ptrdiff_t>(first), m_list.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return a.pos.line != b.pos.line ? a.pos.line < b.pos.line
                                                     : a.pos.column < b.pos.column;
                   });
}

std::string Diagnostics::to_text() const {
  std::string out;
  for (const auto& d : m_list)
    out += fmt::format("{}:{}:{}: error: {}\n", d.file, d.pos.line, d.pos.column, d.message);
  return out;
}

std::string Diagnostics::to_json() const {
  std::string out = "[";
  for (std::size_t i = 0; i < m_list.size(); ++i) {
    const auto& d = m_list[i];
    if (i) out += ",";
    out += "\n  {\"file\":";
    append_json_string(out, d.file);
    out += fmt::format(",\"line\":{},\"column\":{},\"severity\":\"error\",\"message\":", d.pos.line,
                       d.pos.column);
    append_json_string(out, d.message);
    out += "}";
  }
  out += m_list.empty() ? "]\n" : "\n]\n";
  return out;
}

std::string Diagnostics::to_github() const {
  // Workflow command values escape %, CR and LF; properties also escape : and ,.
  auto escape = [](std::string_view s, bool property) {
    std::string o;
    for (char c : s) {
      if (c == '%')
        o += "%25";
      else if (c == '\r')
        o += "%0D";
      else if (c == '\n')
        o += "%0A";
      else if (property && c == ':')
        o += "%3A";
      else if (property && c == ',')
        o += "%2C";
      else
        o.push_back(c);
    }
    return o;
  };
  std::string out;
  for (const auto& d : m_list)
    out += fmt::format("::error file={},line={},col={}::{}\n", escape(d.file, true), d.pos.line,
                       d.pos.column, escape(d.message, false));
  return out;
}

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::size_t best = std::max<std::size_t>(1, word.size() / 3) + 1;
  const std::string* pick = nullptr;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best) {
      best = d;
      pick = &c;
    }
  }
  return pick ? *pick : "";
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string pick = closest(word, candidates);
  return pick.empty() ? "" : fmt::format(" (did you mean '{}'?)", pick);
}

}  // namespace etl::mapping
