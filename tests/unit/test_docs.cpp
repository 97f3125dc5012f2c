// The function tables of docs/mapping.md are checked against the code: in each row, every
// example in backticks is evaluated and compared with the backticked result in the same place
// (the result is itself an expression, such as 'GRÜßE' or [1, 2], or a value written out, such
// as 2023-11-14T22:13:20Z). Rows whose examples read fields, or whose result is prose, are not
// compared; the test requires that most of the table is.
#include <catch2/catch.hpp>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "etl/mapping/time_support.hpp"
#include "expression_runner.hpp"

namespace {

// The cells of a table row, split at | outside backticks.
std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  bool code = false;
  for (std::size_t i = 1; i < line.size(); ++i) {
    char c = line[i];
    if (c == '`') code = !code;
    if (c == '|' && !code) {
      out.push_back(cell);
      cell.clear();
    } else {
      cell.push_back(c);
    }
  }
  return out;
}

std::vector<std::string> code_spans(const std::string& cell) {
  std::vector<std::string> out;
  for (std::size_t at = cell.find('`'); at != std::string::npos;) {
    std::size_t end = cell.find('`', at + 1);
    if (end == std::string::npos) break;
    out.push_back(cell.substr(at + 1, end - at - 1));
    at = cell.find('`', end + 1);
  }
  return out;
}

etl::test::ExprResult eval(const std::string& expr) {
  etl::mapping::CompileContext cc;
  cc.zones.zone = etl::mapping::find_zone("Europe/Berlin");
  return etl::test::run_expression(expr, "{}", cc);
}

}  // namespace

TEST_CASE("the function tables of docs/mapping.md hold", "[docs]") {
  std::ifstream in(std::string(ETL_TEST_DATA) + "/../../docs/mapping.md");
  REQUIRE(in);
  std::string line;
  bool table = false;
  int checked = 0;
  while (std::getline(in, line)) {
    if (line.rfind("| function | example | result |", 0) == 0) {
      table = true;
      continue;
    }
    if (line.empty() || line[0] != '|') table = false;
    if (!table || line.rfind("|---", 0) == 0) continue;
    auto row = cells(line);
    if (row.size() < 3) continue;
    auto examples = code_spans(row[1]);
    auto results = code_spans(row[2]);
    for (std::size_t i = 0; i < examples.size() && i < results.size(); ++i) {
      // An example is a call; one that reads fields (null here) or the clock is not compared.
      if (examples[i].find('(') == std::string::npos ||
          examples[i].find("now(") != std::string::npos)
        continue;
      auto got = eval(examples[i]);
      if (!got.compile.empty() || !got.error.empty() || got.value == "null") continue;
      // A result is a literal ('GRÜßE', [1, 2], 19.990, true) or a value written out
      // (2023-11-14T22:13:20Z); anything else is prose.
      auto want = eval(results[i]);
      bool literal = want.compile.empty() && want.error.empty() &&
                     (want.value != "null" || results[i] == "null");
      bool written_out = results[i].find_first_of(" ,") == std::string::npos &&
                         !results[i].empty() &&
                         std::isdigit(static_cast<unsigned char>(results[i][0]));
      if (!literal && !written_out) continue;
      bool same = literal ? got.value == want.value
                          : got.value == "\"" + results[i] + "\"" || got.value == results[i];
      INFO(line);
      INFO(examples[i] << " gives " << got.value << ", the docs say " << results[i]);
      CHECK(same);
      ++checked;
    }
  }
  INFO("examples compared: " << checked);
  CHECK(checked >= 20);  // 21 today: most rows read fields, or their result is prose
}

// Every function the language has is in a function table of docs/mapping.md, and every function
// a table names exists: a function added without its row, or a row left for a removed one, fails.
TEST_CASE("the function tables of docs/mapping.md name every function, and no other", "[docs]") {
  std::ifstream in(std::string(ETL_TEST_DATA) + "/../../docs/mapping.md");
  REQUIRE(in);
  std::set<std::string> documented;
  std::string line;
  bool table = false;
  while (std::getline(in, line)) {
    if (line.rfind("| function |", 0) == 0) {  // with examples, or only results (collections)
      table = true;
      continue;
    }
    if (line.empty() || line[0] != '|') table = false;
    if (!table || line.rfind("|---", 0) == 0) continue;
    for (const auto& span : code_spans(cells(line)[0])) {  // `lpad(s, width)`, `rpad(…)`
      auto open = span.find('(');
      if (open != std::string::npos) documented.insert(span.substr(0, open));
    }
  }
  documented.insert("if");  // a form of the syntax table: `if(qty > 9, 'bulk', 'single')`
  std::set<std::string> known;
  for (const auto& name : etl::mapping::function_names()) known.insert(name);
  for (const auto& name : known) {
    INFO("function " << name << " has no row in docs/mapping.md");
    CHECK(documented.count(name) == 1);
  }
  for (const auto& name : documented) {
    INFO("docs/mapping.md documents " << name << ", which the language does not have");
    CHECK(known.count(name) == 1);
  }
}
