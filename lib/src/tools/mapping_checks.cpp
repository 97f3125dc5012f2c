#include "etl/tools/mapping_checks.hpp"

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "etl/error.hpp"
#include "etl/json.hpp"
#include "etl/mapping/mapping.hpp"
#include "etl/registry.hpp"

namespace etl::tools {
namespace {

std::vector<std::string> sample_fields(const std::string& sample) {
  std::vector<std::string> names;
  if (sample.empty()) return names;
  auto source = Registry::builtin().open_source(sample, ConnectorOptions{});
  Sourced rec;
  // The first few records, so a field missing from one record is still known.
  for (int i = 0; i < 100 && source->next(rec); ++i)
    for (const auto& f : rec.record.fields())
      if (std::find(names.begin(), names.end(), f.key) == names.end()) names.push_back(f.key);
  return names;
}

// --now: the value now() returns, for reproducible runs and tests.
void apply_now(mapping::Mapping& m, const std::string& now) {
  if (now.empty()) return;
  auto t = mapping::parse_iso8601(now, {});
  if (!t) throw UsageError("--now must be an ISO 8601 timestamp, not '" + now + "'");
  m.set_now(*t);
}

std::string show(const Value* v) {
  return v ? to_json(*v) : "(no field)";
}

// Differences between an expected record (the fields it names) and the produced one.
std::vector<std::string> differences(const Record& expected, const Record& actual) {
  std::vector<std::string> out;
  for (const auto& f : expected.fields()) {
    const Value* got = actual.find(f.key);
    if (!got || !(*got == f.value))
      out.push_back(
          fmt::format("field '{}': expected {}, got {}", f.key, to_json(f.value), show(got)));
  }
  return out;
}

}  // namespace

int check_mappings(const std::vector<std::string>& paths, const std::string& format,
                   const std::string& sample) {
  if (format != "text" && format != "json" && format != "github")
    throw UsageError("--format for --check must be text, json or github");
  mapping::CompileOptions options;
  options.sample_fields = sample_fields(sample);
  mapping::Diagnostics diags;
  for (const auto& p : paths) mapping::Mapping::compile_file(p, diags, options);
  if (format == "json")
    std::cout << diags.to_json();
  else if (format == "github")
    std::cout << diags.to_github();
  else
    std::cout << diags.to_text();
  std::cerr << fmt::format("etl-transform: {} error{} in {} mapping{}\n", diags.size(),
                           diags.size() == 1 ? "" : "s", paths.size(),
                           paths.size() == 1 ? "" : "s");
  return diags.empty() ? 0 : 1;
}

int test_mappings(const std::vector<std::string>& paths, const std::string& now) {
  int failures = 0;
  for (const auto& path : paths) {
    mapping::Diagnostics diags;
    auto m = mapping::Mapping::compile_file(path, diags);
    if (!m) {
      std::cout << diags.to_text();
      ++failures;
      continue;
    }
    apply_now(*m, now);
    for (auto& b : m->branches()) b.taken = 0;
    std::set<std::string> checked;
    int passed = 0;
    std::vector<mapping::Mapping::Output> outputs;
    for (const auto& t : m->tests()) {
      // Run every input, then the aggregate's groups: what the test saw come out.
      std::vector<Record> produced;
      std::vector<std::string> reasons;
      std::size_t filtered = 0;
      for (const auto& input : t.inputs) {
        std::size_t count = 0;
        if (!m->apply(input, outputs, count)) {
          ++filtered;
          continue;
        }
        for (std::size_t i = 0; i < count; ++i) {
          if (!outputs[i].reject_reason.empty())
            reasons.push_back(outputs[i].reject_reason);
          else if (!outputs[i].aggregated)
            produced.push_back(outputs[i].record);
        }
      }
      m->finish([&](const Record& r) { produced.push_back(r); });
      std::vector<std::string> problems;
      if (t.filtered) {
        if (filtered != t.inputs.size())
          problems.push_back(
              fmt::format("expected the input to be filtered, but it produced {} record(s){}",
                          produced.size() + reasons.size(),
                          reasons.empty() ? "" : " (rejected: " + reasons[0] + ")"));
      } else if (!t.rejected.empty()) {
        bool found = false;
        for (const auto& r : reasons) found = found || r.find(t.rejected) != std::string::npos;
        if (!found)
          problems.push_back(fmt::format("expected a reject containing '{}', but {}", t.rejected,
                                         reasons.empty()
                                             ? (filtered ? std::string("it was filtered")
                                                         : std::string("nothing was rejected"))
                                             : "the reason was: " + reasons[0]));
      } else {
        for (const auto& r : reasons) problems.push_back("rejected: " + r);
        if (produced.size() != t.output.size())
          problems.push_back(
              fmt::format("expected {} record(s), got {}", t.output.size(), produced.size()));
        for (std::size_t i = 0; i < std::min(produced.size(), t.output.size()); ++i) {
          for (const auto& f : t.output[i].fields()) checked.insert(f.key);
          for (auto& d : differences(t.output[i], produced[i]))
            problems.push_back(fmt::format("record {}: {}", i + 1, d));
        }
      }
      if (problems.empty()) {
        ++passed;
        continue;
      }
      ++failures;
      std::cout << fmt::format("{}:{}:{}: FAIL {}\n", path, t.pos.line, t.pos.column, t.name);
      for (const auto& p : problems) std::cout << "  " << p << '\n';
    }
    std::cout << fmt::format("{}: {} of {} tests passed\n", path, passed, m->tests().size());
    // Coverage: fields no test checks, and branches no test takes.
    std::size_t fields_checked = 0;
    std::vector<std::string> unchecked;
    for (const auto& f : m->output_names())
      if (checked.count(f))
        ++fields_checked;
      else
        unchecked.push_back(f);
    std::size_t taken = 0;
    for (const auto& b : m->branches()) taken += b.taken > 0;
    std::cout << fmt::format("{}: coverage: {} of {} fields checked, {} of {} branches taken\n",
                             path, fields_checked, m->output_names().size(), taken,
                             m->branches().size());
    for (const auto& f : unchecked)
      std::cout << fmt::format("  field '{}' is checked by no test\n", f);
    for (const auto& b : m->branches())
      if (b.taken == 0)
        std::cout << fmt::format("  {}:{}:{}: {} is taken by no test\n", path, b.pos.line,
                                 b.pos.column, b.description);
  }
  return failures == 0 ? 0 : 1;
}

namespace {
std::unique_ptr<mapping::Mapping> checked(std::unique_ptr<mapping::Mapping> m,
                                          const mapping::Diagnostics& diags,
                                          const std::string& now) {
  if (!m) {
    std::string errors = diags.to_text();
    errors.pop_back();  // the message ends without a newline, like every other
    throw UsageError("the mapping has errors:\n" + errors);
  }
  apply_now(*m, now);
  return m;
}
}  // namespace

MappingFile::MappingFile(std::string path) : m_path(std::move(path)) {
  std::ifstream in(m_path, std::ios::binary);
  if (!in) throw UsageError(fmt::format("cannot read mapping file '{}'", m_path));
  std::stringstream text;
  text << in.rdbuf();
  m_text = text.str();
}

std::unique_ptr<mapping::Mapping> MappingFile::compile(const std::string& now) const {
  mapping::Diagnostics diags;
  auto m = mapping::Mapping::compile_file_text(m_text, m_path, diags);
  return checked(std::move(m), diags, now);
}

}  // namespace etl::tools
