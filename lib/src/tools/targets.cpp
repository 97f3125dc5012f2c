#include "etl/tools/targets.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "etl/error.hpp"
#include "etl/json.hpp"

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
  for (const auto& o : m.value.members()) {
    std::string where = fmt::format("{}: \"{}\"", at, o.key);
    if (o.key == "to")
      t.address = string_of(o.value, where);
    else if (o.key == "table")
      t.options.table = string_of(o.value, where);
    else if (o.key == "key")
      t.options.key = strings_of(o.value, where);
    else if (o.key == "mode")
      t.options.mode = string_of(o.value, where);
    else if (o.key == "schema")
      t.options.schema_file = string_of(o.value, where);
    else if (o.key == "columns")
      t.options.columns = strings_of(o.value, where);
    else if (o.key == "format")
      t.options.format = string_of(o.value, where);
    else if (o.key == "password_file")
      t.options.password_file = string_of(o.value, where);
    else if (o.key == "method")
      t.options.http_method = string_of(o.value, where);
    else if (o.key == "batch_size") {
      std::size_t n = 0;
      const std::string& text = o.value.text();
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (o.value.kind() != Value::Kind::Number || ec != std::errc() ||
          end != text.data() + text.size() || n == 0)
        throw UsageError(fmt::format("{}: a positive whole number", where));
      t.options.batch_size = n;
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
      out.push_back({name, name, defaults});  // an address, with the command line's options
  }
  return out;
}

}  // namespace etl::tools
