// String functions. Lengths, padding and substrings count characters (code points), not bytes.
#include <re2/re2.h>

#include "etl/utf8.hpp"
#include "functions.hpp"

namespace etl::mapping {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Byte offset of each character start, plus the end.
std::vector<std::size_t> char_starts(std::string_view s) {
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  starts.push_back(s.size());
  return starts;
}

std::size_t char_count(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

Datum trim_impl(CallSite& c, bool left, bool right) {
  std::string_view s = c.text(0);
  while (left && !s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (right && !s.empty() && is_space(s.back())) s.remove_suffix(1);
  return Datum::string(std::string(s));
}
Datum fn_trim(CallSite& c, EvalContext&) {
  return trim_impl(c, true, true);
}
Datum fn_ltrim(CallSite& c, EvalContext&) {
  return trim_impl(c, true, false);
}
Datum fn_rtrim(CallSite& c, EvalContext&) {
  return trim_impl(c, false, true);
}
Datum fn_lower(CallSite& c, EvalContext&) {
  return Datum::string(utf8_change_case(c.text(0), false));
}
Datum fn_upper(CallSite& c, EvalContext&) {
  return Datum::string(utf8_change_case(c.text(0), true));
}

Datum pad_impl(CallSite& c, bool left) {
  std::string s(c.text(0));
  std::int64_t width = c.integer(1);
  std::string fill = c.count() > 2 ? std::string(c.text(2)) : " ";
  if (char_count(fill) != 1) c.fail("the fill must be one character, got '" + fill + "'");
  if (width > 1000000) c.fail("the width is too large");
  std::size_t have = char_count(s);
  if (width <= static_cast<std::int64_t>(have)) return Datum::string(std::move(s));
  std::string padding;
  for (std::size_t i = have; i < static_cast<std::size_t>(width); ++i) padding += fill;
  return Datum::string(left ? padding + s : s + padding);
}
Datum fn_lpad(CallSite& c, EvalContext&) {
  return pad_impl(c, true);
}
Datum fn_rpad(CallSite& c, EvalContext&) {
  return pad_impl(c, false);
}

Datum fn_substr(CallSite& c, EvalContext&) {
  std::string_view s = c.text(0);
  auto starts = char_starts(s);
  std::int64_t n = static_cast<std::int64_t>(starts.size()) - 1;
  std::int64_t start = c.integer(1);
  if (start < 0) start = std::max<std::int64_t>(0, n + start);
  start = std::min(start, n);
  std::int64_t len = c.count() > 2 ? c.integer(2) : n - start;
  if (len < 0) c.fail("the length must not be negative");
  std::int64_t end = std::min(n, start + len);
  auto b = starts[static_cast<std::size_t>(start)], e = starts[static_cast<std::size_t>(end)];
  return Datum::string(std::string(s.substr(b, e - b)));
}

Datum fn_split(CallSite& c, EvalContext&) {
  std::string_view s = c.text(0), sep = c.text(1);
  if (sep.empty()) c.fail("the separator must not be empty");
  Value arr = Value::array();
  for (;;) {
    std::size_t at = s.find(sep);
    arr.items().push_back(Value::string(s.substr(0, at)));
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + sep.size());
  }
  return Datum::json(std::move(arr));
}

Datum fn_join(CallSite& c, EvalContext&) {
  if (c.arg(0).type() != Datum::Type::Json || c.arg(0).json_value().kind() != Value::Kind::Array)
    c.wrong_type(0, "an array");
  std::string_view sep = c.text(1);
  std::string out;
  bool first = true;
  for (const auto& v : c.arg(0).json_value().items()) {
    if (v.kind() == Value::Kind::Null) continue;  // like concat: nothing to join
    if (v.kind() != Value::Kind::String && v.kind() != Value::Kind::Number)
      c.fail("can only join strings and numbers, found " + Datum::borrow(v).describe());
    if (!first) out += sep;
    out += v.text();
    first = false;
  }
  return Datum::string(std::move(out));
}

Datum fn_replace(CallSite& c, EvalContext&) {
  std::string_view s = c.text(0), from = c.text(1), to = c.text(2);
  if (from.empty()) c.fail("the text to replace must not be empty");
  std::string out;
  for (;;) {
    std::size_t at = s.find(from);
    out += s.substr(0, at);
    if (at == std::string_view::npos) break;
    out += to;
    s.remove_prefix(at + from.size());
  }
  return Datum::string(std::move(out));
}

// Not null-propagating: null is empty; numbers and booleans are their text.
Datum fn_concat(CallSite& c, EvalContext&) {
  std::string out;
  for (std::size_t i = 0; i < c.count(); ++i) {
    const Datum& d = c.arg(i);
    switch (d.type()) {
      case Datum::Type::Null:
        break;
      case Datum::Type::Bool:
        out += d.as_bool() ? "true" : "false";
        break;
      case Datum::Type::Number:
        out += d.to_value().text();
        break;
      case Datum::Type::String:
        out += d.text();
        break;
      default:
        c.wrong_type(i, "a string, number or boolean");
    }
  }
  return Datum::string(std::move(out));
}

Datum fn_length(CallSite& c, EvalContext&) {
  const Datum& d = c.arg(0);
  if (d.type() == Datum::Type::String)
    return Datum::number(Decimal::from_int(static_cast<std::int64_t>(char_count(d.text()))));
  if (d.type() == Datum::Type::Json) {
    const Value& v = d.json_value();
    auto n = v.kind() == Value::Kind::Array ? v.items().size() : v.members().size();
    return Datum::number(Decimal::from_int(static_cast<std::int64_t>(n)));
  }
  c.wrong_type(0, "a string, array or object");
}

Datum fn_contains(CallSite& c, EvalContext&) {
  return Datum::boolean(c.text(0).find(c.text(1)) != std::string_view::npos);
}
Datum fn_starts_with(CallSite& c, EvalContext&) {
  return Datum::boolean(c.text(0).starts_with(c.text(1)));
}
Datum fn_ends_with(CallSite& c, EvalContext&) {
  return Datum::boolean(c.text(0).ends_with(c.text(1)));
}

// The pattern is compiled once, at compile time, so it must be a literal.
void prepare_regex(CallSite& c, const CompileContext& cc) {
  const Datum* pattern = c.literal_string(1, cc, "the pattern");
  if (!pattern) return;
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<RE2>(std::string(pattern->text()), options);
  if (!re->ok()) {
    cc.error(c.args[1]->pos(),
             fmt::format("{}(): invalid regular expression: {}", c.spec->name, re->error()));
    return;
  }
  if (c.spec->name == "regex_extract" && c.args.size() < 3 && re->NumberOfCapturingGroups() > 1)
    cc.error(c.args[1]->pos(),
             "regex_extract(): the pattern has several groups; name the one to extract");
  c.regex = std::move(re);
}

Datum fn_regex_match(CallSite& c, EvalContext&) {
  std::string_view s = c.text(0);
  return Datum::boolean(RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *c.regex));
}

Datum fn_regex_extract(CallSite& c, EvalContext&) {
  std::string_view s = c.text(0);
  int groups = c.regex->NumberOfCapturingGroups();
  std::int64_t want = c.count() > 2 ? c.integer(2) : (groups >= 1 ? 1 : 0);
  if (want < 0 || want > groups) c.fail(fmt::format("the pattern has no group {}", want));
  std::vector<re2::StringPiece> found(static_cast<std::size_t>(groups) + 1);
  re2::StringPiece input(s.data(), s.size());
  if (!c.regex->Match(input, 0, s.size(), RE2::UNANCHORED, found.data(), groups + 1))
    return Datum();
  const auto& g = found[static_cast<std::size_t>(want)];
  if (g.data() == nullptr) return Datum();
  return Datum::string(std::string(g.data(), g.size()));
}

Datum fn_regex_replace(CallSite& c, EvalContext&) {
  std::string s(c.text(0));
  std::string_view rewrite = c.text(2);
  std::string error;
  if (!c.regex->CheckRewriteString(re2::StringPiece(rewrite.data(), rewrite.size()), &error))
    c.fail("invalid replacement: " + error);
  RE2::GlobalReplace(&s, *c.regex, re2::StringPiece(rewrite.data(), rewrite.size()));
  return Datum::string(std::move(s));
}

const FunctionSpec kTextFunctions[] = {
    {"trim", 1, 1, true, fn_trim, nullptr},
    {"ltrim", 1, 1, true, fn_ltrim, nullptr},
    {"rtrim", 1, 1, true, fn_rtrim, nullptr},
    {"lower", 1, 1, true, fn_lower, nullptr},
    {"upper", 1, 1, true, fn_upper, nullptr},
    {"lpad", 2, 3, true, fn_lpad, nullptr},
    {"rpad", 2, 3, true, fn_rpad, nullptr},
    {"substr", 2, 3, true, fn_substr, nullptr},
    {"split", 2, 2, true, fn_split, nullptr},
    {"join", 2, 2, true, fn_join, nullptr},
    {"replace", 3, 3, true, fn_replace, nullptr},
    {"concat", 1, -1, false, fn_concat, nullptr},
    {"length", 1, 1, true, fn_length, nullptr},
    {"contains", 2, 2, true, fn_contains, nullptr},
    {"starts_with", 2, 2, true, fn_starts_with, nullptr},
    {"ends_with", 2, 2, true, fn_ends_with, nullptr},
    {"regex_match", 2, 2, true, fn_regex_match, prepare_regex},
    {"regex_extract", 2, 3, true, fn_regex_extract, prepare_regex},
    {"regex_replace", 3, 3, true, fn_regex_replace, prepare_regex},
};

}  // namespace

std::span<const FunctionSpec> text_functions() {
  return kTextFunctions;
}

}  // namespace etl::mapping
