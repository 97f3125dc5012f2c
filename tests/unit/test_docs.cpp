// The mapping language's function reference (lib/src/mapping/function_docs.cpp) against the code
// and the docs: every example is evaluated and compared with its result (the result is itself
// an expression, such as 'GRÜßE' or [1, 2], or a value written out, such as
// 2023-11-14T22:13:20Z; rows whose examples read fields, or whose result is prose, are not
// compared); every function of the language has a row and every row names a function; and
// docs/mapping.md's function tables are exactly the reference's rows.
#include <catch2/catch.hpp>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "etl/mapping/function_docs.hpp"
#include "etl/mapping/time_support.hpp"
#include "expression_runner.hpp"

namespace {

std::vector<std::string> code_spans(std::string_view cell) {
  std::vector<std::string> out;
  for (std::size_t at = cell.find('`'); at != std::string::npos;) {
    std::size_t end = cell.find('`', at + 1);
    if (end == std::string::npos) break;
    out.emplace_back(cell.substr(at + 1, end - at - 1));
    at = cell.find('`', end + 1);
  }
  return out;
}

etl::test::ExprResult eval(const std::string& expr) {
  etl::mapping::CompileContext cc;
  cc.zones.zone = etl::mapping::find_zone("Europe/Berlin");
  return etl::test::run_expression(expr, "{}", cc);
}

// Whether example gives result; false when there is nothing to compare (see above).
bool compared(const std::string& example, const std::string& result) {
  // An example is a call; one that reads fields (null here) or the clock is not compared.
  if (example.find('(') == std::string::npos || example.find("now(") != std::string::npos)
    return false;
  auto got = eval(example);
  if (!got.compile.empty() || !got.error.empty() || got.value == "null") return false;
  auto want = eval(result);
  bool literal =
      want.compile.empty() && want.error.empty() && (want.value != "null" || result == "null");
  bool written_out = result.find_first_of(" ,") == std::string::npos && !result.empty() &&
                     std::isdigit(static_cast<unsigned char>(result[0]));
  if (!literal && !written_out) return false;
  bool same =
      literal ? got.value == want.value : got.value == "\"" + result + "\"" || got.value == result;
  INFO(example << " gives " << got.value << ", the reference says " << result);
  CHECK(same);
  return true;
}

}  // namespace

TEST_CASE("the function reference's examples give the results it says", "[docs]") {
  int checked = 0;
  for (const auto& d : etl::mapping::function_docs()) {
    auto examples = code_spans(d.example);
    auto results = code_spans(d.result);
    for (std::size_t i = 0; i < examples.size() && i < results.size(); ++i)
      if (compared(examples[i], results[i])) ++checked;
  }
  INFO("examples compared: " << checked);
  CHECK(checked >= 20);  // 21 today: most rows read fields, or their result is prose
}

// A function added without its row, or a row left for a removed one, fails.
TEST_CASE("the function reference names every function, and no other", "[docs]") {
  std::set<std::string> documented{"if"};  // a form of the syntax table, not of these
  for (const auto& d : etl::mapping::function_docs())
    for (const auto& span : code_spans(d.call)) {  // `lpad(s, width)`, `rpad(…)`
      auto open = span.find('(');
      if (open != std::string::npos) documented.insert(span.substr(0, open));
    }
  std::set<std::string> known;
  for (const auto& name : etl::mapping::function_names()) known.insert(name);
  for (const auto& name : known) {
    INFO("function " << name << " has no row in the reference (function_docs.cpp)");
    CHECK(documented.count(name) == 1);
  }
  for (const auto& name : documented) {
    INFO("the reference documents " << name << ", which the language does not have");
    CHECK(known.count(name) == 1);
  }
}

// docs/mapping.md includes the reference: each "| function |" table, in order, is a section's.
TEST_CASE("docs/mapping.md's function tables are the reference's", "[docs]") {
  std::ifstream in(std::string(ETL_TEST_DATA) + "/../../docs/mapping.md");
  REQUIRE(in);
  std::vector<std::string> tables;
  std::string line;
  bool table = false;
  while (std::getline(in, line)) {
    if (line.rfind("| function |", 0) == 0) {
      tables.emplace_back();
      table = true;
    }
    if (line.empty() || line[0] != '|') table = false;
    if (table) tables.back() += line + "\n";
  }
  std::vector<std::string> in_order;
  for (const char* s : {"strings", "numbers", "casts", "times", "lookups", "collections"})
    in_order.push_back(etl::mapping::function_table_markdown(s));
  REQUIRE(tables.size() == in_order.size());
  for (std::size_t i = 0; i < tables.size(); ++i) {
    INFO("table " << i + 1 << " of docs/mapping.md differs from function_docs.cpp");
    CHECK(tables[i] == in_order[i]);
  }
}
