#pragma once
// What every tool's run shares at its end, without the command-line library: the common
// options' values, and the report and summary a run writes. The tools layer (etl/tools/) takes
// these; parsing them is lib/cli's and the apps' (etl/cli/common_options.hpp).
#include <cstdint>
#include <string>

namespace etl::cli {

enum class LogFormat { Text, Json };  // --log-format: the summary and errors as text or JSON

struct CommonOptions {
  std::string rejects;
  std::string report;
  bool quiet = false;
  std::int64_t max_errors = -1;  // -1: no limit
  LogFormat log_format = LogFormat::Text;
  std::string lock;  // --lock FILE: taken by tool_main before the run
};

// The end of a run: the report (JSON) to --report, and the summary to stderr, as text, or with
// --log-format json as the report itself (one line), unless --quiet.
void report_run(const CommonOptions& c, const std::string& summary, const std::string& report);
// Writes the report (a JSON object, one line) to path; nothing when path is empty.
void write_report(const std::string& path, const std::string& report);

}  // namespace etl::cli
