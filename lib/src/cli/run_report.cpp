#include "etl/cli/run_report.hpp"

#include <iostream>

#include "etl/io.hpp"
#include "etl/utf8.hpp"

namespace etl::cli {

void write_report(const std::string& path, const std::string& report) {
  if (path.empty()) return;
  OutputStream out(path);
  out.write(report);
  if (report.empty() || report.back() != '\n') out.write("\n");
  out.commit();
}

void report_run(const CommonOptions& c, const std::string& summary, const std::string& report) {
  write_report(c.report, report);
  if (c.quiet) return;
  std::string line = report;
  if (line.empty() || line.back() != '\n') line.push_back('\n');
  std::cerr << (c.log_format == LogFormat::Json ? line : terminal_safe(summary) + "\n")
            << std::flush;
}

}  // namespace etl::cli
