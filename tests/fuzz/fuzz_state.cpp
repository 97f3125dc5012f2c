// What the tools read back from files they wrote: the watermark state file, and etl-diff's
// change records as etl-load --changes reads them (one per line).
#include <sstream>

#include "etl/diff/change_set.hpp"
#include "etl/json.hpp"
#include "etl/watermark.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(fuzz::text(data, size));
  fuzz::tolerate([&] {
    etl::Watermark w(fuzz::as_file(text, ".state"), {"updated_at", "id"});
    etl::Record r;
    r.set("updated_at", etl::Value::string("2024-03-01T10:00:00Z"));
    r.set("id", etl::Value::number("7"));
    std::string why;
    (void)w.beyond(r, why);
  });
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    etl::Record rec;
    bool not_object = false;
    if (etl::parse_json_record(line, rec, not_object)) continue;
    etl::diff::Change c;
    (void)etl::diff::parse_change(rec, c);
  }
  return 0;
}
