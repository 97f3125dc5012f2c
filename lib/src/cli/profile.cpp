// --profile NAME: a platform's paging, records path, headers and auth, as a small JSON file
// (profiles/ in the project, or any file), setting every option the command line leaves unset.
#include "etl/cli/profile.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "etl/error.hpp"
#include "etl/json.hpp"

#ifndef ETL_PROFILE_DIR
#define ETL_PROFILE_DIR ""
#endif

namespace etl::cli {
namespace {

namespace fs = std::filesystem;

// Where a named profile is looked for: $ETL_PROFILE_PATH (':'-separated), then where the package
// installs them (share/etlkit/profiles beside the tool's bin/), then the source tree's.
std::vector<fs::path> profile_dirs() {
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("ETL_PROFILE_PATH")) {
    std::string s = env;
    for (std::size_t start = 0; start <= s.size();) {
      std::size_t end = s.find(':', start);
      if (end == std::string::npos) end = s.size();
      if (end > start) dirs.emplace_back(s.substr(start, end - start));
      start = end + 1;
    }
  }
  std::error_code ec;
  fs::path self = fs::canonical("/proc/self/exe", ec);
  if (!ec) dirs.push_back(self.parent_path().parent_path() / "share/etlkit/profiles");
  if (*ETL_PROFILE_DIR) dirs.emplace_back(ETL_PROFILE_DIR);
  return dirs;
}

fs::path find_profile(const std::string& name) {
  if (name.find('/') != std::string::npos || name.ends_with(".json")) return name;
  std::vector<std::string> known;
  for (const auto& dir : profile_dirs()) {
    if (fs::is_regular_file(dir / (name + ".json"))) return dir / (name + ".json");
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.path().extension() == ".json") known.push_back(e.path().stem().string());
  }
  std::sort(known.begin(), known.end());
  throw UsageError(
      fmt::format("unknown --profile '{}' (profiles: {})", name,
                  known.empty() ? "none found" : fmt::format("{}", fmt::join(known, ", "))));
}

std::string text_of(const Value& v, const std::string& key, const fs::path& file) {
  if (v.kind() != Value::Kind::String)
    throw UsageError(fmt::format("--profile {}: \"{}\" must be a string", file.string(), key));
  return v.text();
}

std::size_t positive(const Value& v, const std::string& key, const fs::path& file) {
  auto n = v.kind() == Value::Kind::Number ? std::strtoull(v.text().c_str(), nullptr, 10) : 0;
  if (n == 0)
    throw UsageError(
        fmt::format("--profile {}: \"{}\" must be a positive number", file.string(), key));
  return n;
}

}  // namespace

void apply_profile(const CLI::App& app, ConnectorOptions& o) {
  if (o.paging.profile.empty()) return;
  fs::path file = find_profile(o.paging.profile);
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  Value doc;
  if (!in || parse_json(text.str(), doc) || doc.kind() != Value::Kind::Object)
    throw UsageError(fmt::format("--profile: cannot read {} as a JSON object", file.string()));
  auto unset = [&](const char* option) { return app.count(option) == 0; };
  // Each key, the option it stands for, and how it is set; the command line wins.
  std::vector<
      std::tuple<std::string, const char*, std::function<void(const Value&, const std::string&)>>>
      keys{
          {"records_path", "--records-path",
           [&](const Value& v, const std::string& k) { o.records_path = text_of(v, k, file); }},
          {"paginate", "--paginate",
           [&](const Value& v, const std::string& k) {
             o.paging.paginate = parse_paging(text_of(v, k, file));
           }},
          {"page_param", "--page-param",
           [&](const Value& v, const std::string& k) {
             o.paging.page_param = text_of(v, k, file);
           }},
          {"size_param", "--size-param",
           [&](const Value& v, const std::string& k) {
             o.paging.size_param = text_of(v, k, file);
           }},
          {"offset_param", "--offset-param",
           [&](const Value& v, const std::string& k) {
             o.paging.offset_param = text_of(v, k, file);
           }},
          {"limit_param", "--limit-param",
           [&](const Value& v, const std::string& k) {
             o.paging.limit_param = text_of(v, k, file);
           }},
          {"cursor_path", "--cursor-path",
           [&](const Value& v, const std::string& k) {
             o.paging.cursor_path = text_of(v, k, file);
           }},
          {"cursor_param", "--cursor-param",
           [&](const Value& v, const std::string& k) {
             o.paging.cursor_param = text_of(v, k, file);
           }},
          {"since_param", "--since-param",
           [&](const Value& v, const std::string& k) {
             o.paging.since_param = text_of(v, k, file);
           }},
          {"since_query", "--since-query",
           [&](const Value& v, const std::string& k) {
             o.paging.since_query = text_of(v, k, file);
           }},
          {"next_path", "--next-path",
           [&](const Value& v, const std::string& k) { o.paging.next_path = text_of(v, k, file); }},
          {"total_path", "--total-path",
           [&](const Value& v, const std::string& k) {
             o.paging.total_path = text_of(v, k, file);
           }},
          {"has_more_path", "--has-more-path",
           [&](const Value& v, const std::string& k) {
             o.paging.has_more_path = text_of(v, k, file);
           }},
          {"oauth1_env", "--oauth1-env",
           [&](const Value& v, const std::string& k) { o.http.oauth1_env = text_of(v, k, file); }},
          {"oauth1_signature", "--oauth1-signature",
           [&](const Value& v, const std::string& k) {
             o.http.oauth1_signature = text_of(v, k, file);
           }},
          {"page_size", "--page-size",
           [&](const Value& v, const std::string& k) {
             o.paging.page_size = positive(v, k, file);
           }},
          {"batch_size", "--batch-size",
           [&](const Value& v, const std::string& k) { o.sink.batch_size = positive(v, k, file); }},
          {"headers", "--header",
           [&](const Value& v, const std::string& k) {
             if (v.kind() != Value::Kind::Array)
               throw UsageError(
                   fmt::format("--profile {}: \"{}\" must be an array", file.string(), k));
             for (const auto& h : v.items()) o.http.headers.push_back(text_of(h, k, file));
           }},
      };
  for (const auto& m : doc.members()) {
    if (m.key == "description") continue;
    auto it = std::find_if(keys.begin(), keys.end(),
                           [&](const auto& k) { return std::get<0>(k) == m.key; });
    if (it == keys.end())
      throw UsageError(fmt::format("--profile {}: unknown key \"{}\"", file.string(), m.key));
    if (app.get_option_no_throw(std::get<1>(*it)) == nullptr)
      continue;  // not an option of this tool
    if (unset(std::get<1>(*it))) std::get<2> (*it)(m.value, m.key);
  }
}

}  // namespace etl::cli
