// etl: git-style front door. `etl extract …` runs etl-extract from the same directory or PATH.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  static const char* kTools[][2] = {{"extract", "read sources and write NDJSON"},
                                    {"transform", "map NDJSON through a mapping file"},
                                    {"load", "write NDJSON into a file or database"},
                                    {"diff", "compare two record sets by key"},
                                    {"correlate", "match records of two systems by rules"},
                                    {"migrate", "move a whole database, verified table by table"}};
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" ||
      (std::string(argv[1]) == "help" && argc == 2)) {
    std::printf("Usage: etl TOOL [ARGS...]   etl help TOOL   etl --version\n\nTools:\n");
    for (auto& t : kTools) std::printf("  %-10s %s\n", t[0], t[1]);
    std::printf("\nExample:\n  etl extract samples/shop/customers.csv | etl load out.csv\n");
    return 0;
  }
  if (std::string(argv[1]) == "--version") {
    std::printf("etlkit %s\n", ETL_VERSION);
    return 0;
  }
  if (std::string(argv[1]) == "--manual") {  // etl(1): the front door and the tools' list
    std::printf(
        ".TH ETL 1 \"\" \"etlkit %s\" \"etlkit manual\"\n.SH NAME\netl \\- run an etlkit tool\n"
        ".SH SYNOPSIS\n.B etl\nTOOL [ARGS...]\n.br\n.B etl help\nTOOL\n.br\n.B etl \\-\\-version\n"
        ".SH DESCRIPTION\nRuns etl\\-TOOL from the same directory or the PATH with the "
        "arguments given; \\fBetl help\\fR TOOL prints its \\-\\-help.\n.SH TOOLS\n",
        ETL_VERSION);
    for (auto& t : kTools) std::printf(".TP\n.BR etl\\-%s (1)\n%s\n", t[0], t[1]);
    std::printf(
        ".SH EXAMPLES\n.nf\netl extract samples/shop/customers.csv | etl load out.csv\n.fi\n");
    return 0;
  }
  // etl help TOOL: the tool's --help.
  bool help = std::string(argv[1]) == "help";
  std::string name = std::string("etl-") + argv[help ? 2 : 1];
  std::filesystem::path self = std::filesystem::canonical("/proc/self/exe");
  std::filesystem::path sibling = self.parent_path() / name;
  std::vector<char*> args{name.data()};
  static char help_flag[] = "--help";
  if (help) args.push_back(help_flag);
  for (int i = help ? 3 : 2; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  if (std::filesystem::exists(sibling)) execv(sibling.c_str(), args.data());
  execvp(name.c_str(), args.data());
  std::fprintf(stderr, "etl: unknown tool '%s' (run 'etl' for the list)\n", argv[help ? 2 : 1]);
  return 2;
}
