// The fast record parser against the full one, line by line over any bytes: both must give the
// same record, or the same error at the same place. A parser projected to the fields "a" and "c"
// must give the same error, or the full record or its "a" and "c". A difference aborts.
#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "etl/json.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  etl::JsonRecordParser fast, projected;
  projected.project({"a", "c"});
  etl::Record fast_out, full_out, projected_out, only;
  while (!input.empty()) {
    std::string_view line = input.substr(0, input.find('\n'));
    input.remove_prefix(line.size() < input.size() ? line.size() + 1 : line.size());
    bool fast_not_object = false, full_not_object = false;
    auto fast_err = fast.parse(line, fast_out, fast_not_object);
    auto full_err = etl::parse_json_record(line, full_out, full_not_object);
    if (fast_err.has_value() != full_err.has_value() || fast_not_object != full_not_object)
      std::abort();
    if (fast_err &&
        (fast_err->message != full_err->message || fast_err->offset != full_err->offset))
      std::abort();
    if (!fast_err && !(fast_out == full_out)) std::abort();
    bool projected_not_object = false;
    auto projected_err = projected.parse(line, projected_out, projected_not_object);
    if (projected_err.has_value() != full_err.has_value() ||
        projected_not_object != full_not_object)
      std::abort();
    if (projected_err &&
        (projected_err->message != full_err->message || projected_err->offset != full_err->offset))
      std::abort();
    if (projected_err) continue;
    only.clear();
    for (const auto& f : full_out.fields())
      if (f.key == "a" || f.key == "c") only.fields().push_back(f);
    if (!(projected_out == full_out) && !(projected_out == only)) std::abort();
  }
  return 0;
}
