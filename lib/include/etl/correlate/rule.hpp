#pragma once
// The match rules of etl-correlate, as written on the command line:
//   exact      `email=EMAIL_ADDR`, `lower(trim(email))=lower(EMAIL)`,
//   `zip,last_name=POSTCODE,SURNAME` fuzzy      `similar(name, NAME) >= 0.92` (Jaro-Winkler),
//   `levenshtein(name, NAME) >= 0.8`
// The left of `=` (or the first argument) is evaluated on LEFT's records, the right on RIGHT's.
#include <string>
#include <string_view>
#include <vector>

namespace etl::correlate {

enum class Metric { JaroWinkler, Levenshtein };

struct RuleSpec {
  std::string text;                      // as given: names the rule in outputs and the summary
  std::vector<std::string> left, right;  // expressions, one per key part
  bool fuzzy = false;
  Metric metric = Metric::JaroWinkler;
  double threshold = 1.0;  // fuzzy: the least score that pairs
};

// Parses one --on rule; throws UsageError naming the flag on a malformed rule.
RuleSpec parse_rule(const std::string& text, const char* flag = "--on");
// Parses LEFT=RIGHT pairs of expression lists (--on exact rules, --block, --compare).
RuleSpec parse_pair(const std::string& text, const char* flag);

// Splits text at `sep` where it stands outside quotes, parentheses and brackets. With sep '=',
// the `=` of `==`, `!=`, `<=` and `>=` does not split.
std::vector<std::string> split_top_level(std::string_view text, char sep);

}  // namespace etl::correlate
