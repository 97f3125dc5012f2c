#pragma once
// The reference of the mapping language's functions: per function (or group of related ones)
// the call, an example and what it gives, by section (strings, numbers, casts, times, lookups,
// collections). docs/mapping.md's function tables are made of these rows (a test holds them
// equal), `etl-transform --list-functions` prints them, and a test evaluates every example.
#include <span>
#include <string>
#include <string_view>

namespace etl::mapping {

struct FunctionDoc {
  std::string_view section;
  std::string_view call;     // `lpad(s, width, fill=' ')`, `rpad(…)`
  std::string_view example;  // empty in the collections section
  std::string_view result;
};

std::span<const FunctionDoc> function_docs();
// A section's table as docs/mapping.md has it (Markdown, a row per line).
std::string function_table_markdown(std::string_view section);
// Every section as text for a terminal: the call, then example → result.
std::string function_list_text();

}  // namespace etl::mapping
