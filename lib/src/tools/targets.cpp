#include "etl/tools/targets.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "etl/error.hpp"
#include "etl/json.hpp"
#include "etl/mask.hpp"

namespace etl::tools {
namespace {

std::vector<std::string> strings_of(const Value& v, const std::string& where) {
  std::vector<std::string> out;
  if (v.kind() == Value::Kind::String) return {v.text()};
  if (v.kind() == Value::Kind::Array)
    for (const auto& item : v.items()) {
      if (item.kind() != Value::Kind::String) break;
      out.push_back(item.text());
    }
  if (out.empty() || (v.kind() == Value::Kind::Array && out.size() != v.items().size()))
    throw UsageError(fmt::format("{}: a name or a list of names", where));
  return out;
}

std::string string_of(const Value& v, const std::string& where) {
  if (v.kind() != Value::Kind::String) throw UsageError(fmt::format("{}: a string", where));
  return v.text();
}

TargetSpec target_from(const std::string& file, const Member& m, const ConnectorOptions& defaults) {
  std::string at = fmt::format("{}: target '{}'", file, m.key);
  if (m.value.kind() != Value::Kind::Object)
    throw UsageError(fmt::format("{}: an object of options", at));
  TargetSpec t{m.key, "", defaults};
  // The options a target may set, by the name it gives them.
  using Text = std::string& (*)(ConnectorOptions&);
  using List = std::vector<std::string>& (*)(ConnectorOptions&);
  static const std::pair<const char*, Text> kText[] = {
      {"table", [](ConnectorOptions& c) -> std::string& { return c.table; }},
      {"schema", [](ConnectorOptions& c) -> std::string& { return c.sink.schema_file; }},
      {"format", [](ConnectorOptions& c) -> std::string& { return c.format; }},
      {"password_file", [](ConnectorOptions& c) -> std::string& { return c.password_file; }}};
  static const std::pair<const char*, List> kLists[] = {
      {"key", [](ConnectorOptions& c) -> std::vector<std::string>& { return c.sink.key; }},
      {"columns", [](ConnectorOptions& c) -> std::vector<std::string>& { return c.sink.columns; }}};
  for (const auto& o : m.value.members()) {
    std::string where = fmt::format("{}: \"{}\"", at, o.key);
    auto text = std::find_if(std::begin(kText), std::end(kText),
                             [&](const auto& e) { return o.key == e.first; });
    auto list = std::find_if(std::begin(kLists), std::end(kLists),
                             [&](const auto& e) { return o.key == e.first; });
    if (o.key == "to") {
      t.address = string_of(o.value, where);
    } else if (o.key == "mode") {
      t.options.sink.mode = parse_write_mode(string_of(o.value, where));
    } else if (o.key == "method") {
      t.options.writing.method = string_of(o.value, where);
    } else if (text != std::end(kText)) {
      text->second(t.options) = string_of(o.value, where);
    } else if (list != std::end(kLists)) {
      list->second(t.options) = strings_of(o.value, where);
    } else if (o.key == "batch_size") {
      std::size_t n = 0;
      const std::string& digits = o.value.text();
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
      if (o.value.kind() != Value::Kind::Number || ec != std::errc() ||
          end != digits.data() + digits.size() || n == 0)
        throw UsageError(fmt::format("{}: a positive whole number", where));
      t.options.sink.batch_size = n;
    } else {
      throw UsageError(fmt::format(
          "{}: unknown option (to, table, key, mode, batch_size, schema, columns, format, "
          "password_file, method)",
          where));
    }
  }
  if (t.address.empty()) throw UsageError(fmt::format("{}: needs \"to\", its address", at));
  return t;
}

}  // namespace

std::vector<TargetSpec> select_targets(const std::string& targets_file,
                                       const std::vector<std::string>& names,
                                       const ConnectorOptions& defaults) {
  std::vector<TargetSpec> file_targets;
  if (!targets_file.empty()) {
    std::ifstream in(targets_file, std::ios::binary);
    if (!in) throw UsageError(fmt::format("--targets {}: cannot open", targets_file));
    std::stringstream text;
    text << in.rdbuf();
    Value doc;
    if (auto err = parse_json(text.str(), doc))
      throw UsageError(
          fmt::format("{}:{}:{}: {}", targets_file, err->line, err->column, err->message));
    if (doc.kind() != Value::Kind::Object)
      throw UsageError(fmt::format("{}: an object of targets by name", targets_file));
    for (const auto& m : doc.members())
      file_targets.push_back(target_from(targets_file, m, defaults));
    if (names.empty()) return file_targets;
  }
  std::vector<TargetSpec> out;
  for (const auto& name : names) {
    auto it = std::find_if(file_targets.begin(), file_targets.end(),
                           [&](const TargetSpec& t) { return t.name == name; });
    if (it != file_targets.end())
      out.push_back(*it);
    else
      out.push_back({mask_address(name), name, defaults});  // an address, with the CLI's options
  }
  return out;
}

}  // namespace etl::tools
