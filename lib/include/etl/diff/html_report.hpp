#pragma once
// etl-diff --html FILE: the diff as one self-contained page for people who would rather look
// than read NDJSON: the summary, the fields that changed most, and the added, removed and changed
// records with each changed value's old and new side by side. The change records travel as JSON
// inside the page and a small script lays them out as text (never as HTML), so a value holding
// markup shows as the text it is. Each kind keeps its first max_rows records; the page says how
// many more there were, and the NDJSON output has them all.
#include <array>
#include <cstdint>
#include <string>

#include "etl/diff/change_set.hpp"

namespace etl::diff {

class HtmlReport {
 public:
  explicit HtmlReport(std::string path, std::size_t max_rows = 1000);
  bool active() const { return !m_path.empty(); }
  // One change record as etl-diff writes it (one JSON object).
  void add(ChangeOp op, std::string_view change_json);
  // Writes the page: report_json is etl-diff's --report object.
  void finish(const std::string& report_json);

 private:
  std::string m_path;
  std::size_t m_max_rows;
  std::string m_changes;                  // JSON array elements, comma-separated
  std::array<std::uint64_t, 5> m_kept{};  // by ChangeOp
  std::array<std::uint64_t, 5> m_left{};  // not kept
};

}  // namespace etl::diff
