#include "etl/correlate/rule.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>

#include "etl/error.hpp"

namespace etl::correlate {
namespace {

std::string trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

bool is_comparison_char(char c) {
  return c == '=' || c == '!' || c == '<' || c == '>';
}

}  // namespace

std::vector<std::string> split_top_level(std::string_view text, char sep) {
  std::vector<std::string> parts;
  int depth = 0;
  char quote = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == '\\')
        ++i;
      else if (c == quote)
        quote = 0;
      continue;
    }
    if (c == sep && depth == 0) {  // before the brackets: sep may be ')'
      if (sep == '=' && ((i > 0 && is_comparison_char(text[i - 1])) ||
                         (i + 1 < text.size() && text[i + 1] == '=')))
        continue;
      parts.push_back(trimmed(text.substr(start, i - start)));
      start = i + 1;
    } else if (c == '\'' || c == '"' || c == '`') {
      quote = c;
    } else if (c == '(' || c == '[' || c == '{') {
      ++depth;
    } else if (c == ')' || c == ']' || c == '}') {
      --depth;
    }
  }
  parts.push_back(trimmed(text.substr(start)));
  return parts;
}

RuleSpec parse_pair(const std::string& text, const char* flag) {
  auto sides = split_top_level(text, '=');
  if (sides.size() != 2 || sides[0].empty() || sides[1].empty())
    throw UsageError(fmt::format(
        "{} '{}': expected LEFT=RIGHT, e.g. 'email=EMAIL' or 'zip,last_name=POSTCODE,SURNAME'",
        flag, text));
  RuleSpec r;
  r.text = text;
  r.left = split_top_level(sides[0], ',');
  r.right = split_top_level(sides[1], ',');
  if (r.left.size() != r.right.size())
    throw UsageError(fmt::format("{} '{}': {} expression(s) on the left but {} on the right", flag,
                                 text, r.left.size(), r.right.size()));
  for (const auto& parts : {r.left, r.right})
    for (const auto& p : parts)
      if (p.empty()) throw UsageError(fmt::format("{} '{}': an empty expression", flag, text));
  return r;
}

RuleSpec parse_rule(const std::string& text, const char* flag) {
  std::string t = trimmed(text);
  for (auto [name, metric] :
       {std::pair{"similar", Metric::JaroWinkler}, std::pair{"levenshtein", Metric::Levenshtein}}) {
    std::string_view head = name;
    if (t.compare(0, head.size(), head) != 0) continue;
    std::size_t open = t.find_first_not_of(" ", head.size());
    if (open == std::string::npos || t[open] != '(') continue;  // a field named similar…
    auto args_and_rest = split_top_level(t.substr(open + 1), ')');
    auto usage = [&](const std::string& why) {
      return UsageError(fmt::format(
          "{} '{}': {}; a fuzzy rule is {}(LEFT, RIGHT) >= SCORE, SCORE between 0 and 1", flag,
          text, why, head));  // (head, not the binding: clang 14 cannot capture bindings)
    };
    if (args_and_rest.size() != 2) throw usage("unbalanced parentheses");
    auto args = split_top_level(args_and_rest[0], ',');
    if (args.size() != 2 || args[0].empty() || args[1].empty())
      throw usage("it needs two expressions");
    std::string rest = args_and_rest[1];
    if (rest.compare(0, 2, ">=") != 0) throw usage("expected '>=' after the call");
    std::string number = trimmed(rest.substr(2));
    char* end = nullptr;
    double score = std::strtod(number.c_str(), &end);
    if (number.empty() || *end != '\0' || !(score >= 0.0 && score <= 1.0))
      throw usage("'" + number + "' is not a score");
    RuleSpec r;
    r.text = text;
    r.fuzzy = true;
    r.metric = metric;
    r.threshold = score;
    r.left = {args[0]};
    r.right = {args[1]};
    return r;
  }
  return parse_pair(text, flag);
}

}  // namespace etl::correlate
