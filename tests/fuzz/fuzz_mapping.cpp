// The mapping compiler (JSONC, the schema, every expression) and, when a mapping compiles, a run
// of it over a few records: the input is the mapping file.
#include <vector>

#include "etl/json.hpp"
#include "etl/mapping/diagnostics.hpp"
#include "etl/mapping/mapping.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(fuzz::text(data, size));
  etl::mapping::Diagnostics diags;
  auto m = etl::mapping::Mapping::compile_text(text, "fuzz.json", "/nonexistent", diags);
  if (!m) return 0;
  static const char* kRecords[] = {
      R"({"id":7,"name":" Ada ","price":"19.99","qty":3,"items":[{"sku":"a","q":2}],"at":"2024-03-01T10:00:00+01:00"})",
      R"({"id":null,"name":5,"price":1e400,"qty":-0.0,"items":"x"})", R"({})"};
  std::vector<etl::mapping::Mapping::Output> out;
  for (const char* json : kRecords) {
    etl::Value v;
    if (etl::parse_json(json, v)) continue;
    etl::Record r;
    r.fields() = v.members();
    std::size_t count = 0;
    fuzz::tolerate([&] { m->apply(r, out, count); });
  }
  fuzz::tolerate([&] { m->finish([](const etl::Record&) {}); });
  return 0;
}
