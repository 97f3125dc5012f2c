// The record walker that reads API pages as they arrive, against the whole-document parser,
// over any bytes: the first byte picks a records path and how the bytes are cut into reads.
// When the whole document parses, the walker must hand out the same records and keep the same
// page around them; when it does not, the walker must fail too (or, past its nesting limit, be
// the only one to read a deeply nested record). A difference aborts.
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "etl/error.hpp"
#include "etl/formats/json_walker.hpp"
#include "etl/json.hpp"
#include "fuzz_support.hpp"

namespace {

const char* const kPaths[] = {"", "/", "/data", "/data/items", "/0", "/a~1b"};

struct Walked {
  bool ok = false;
  std::vector<std::string> records;
  std::string envelope;
};

Walked walk(std::string_view doc, const std::string& path, std::size_t cut) {
  Walked out;
  std::size_t at = 0;
  etl::JsonStream json([&](char* buf, std::size_t n) {
    std::size_t k = std::min({n, cut, doc.size() - at});
    std::copy_n(doc.data() + at, k, buf);
    at += k;
    return k;
  });
  etl::JsonRecordWalker walker(json, path,
                               [](auto, const std::string& m) { throw etl::DataError(m); });
  try {
    json.skip_whitespace();
    if (json.at_end()) return out;
    etl::Value envelope, item;
    walker.start(&envelope);
    while (walker.next(item)) out.records.push_back(etl::to_json(item));
    json.skip_whitespace();
    if (!json.at_end()) return out;
    out.envelope = etl::to_json(envelope);
    out.ok = true;
  } catch (const etl::DataError&) {
  }
  return out;
}

// What the walker should give, from the whole document: the records and the page without them.
Walked expected(const etl::Value& doc, const std::string& path) {
  Walked out;
  etl::Value page = doc;
  etl::Value* at = &page;
  for (const std::string& token : etl::json_pointer_tokens(path)) {
    etl::Value* next = nullptr;
    if (at->kind() == etl::Value::Kind::Object) {
      for (auto& m : at->members())
        if (m.key == token) next = &m.value;
    } else if (at->kind() == etl::Value::Kind::Array) {
      for (std::size_t i = 0; i < at->items().size(); ++i)
        if (token == std::to_string(i)) next = &at->items()[i];
    }
    if (!next) return out;
    at = next;
  }
  if (at->kind() == etl::Value::Kind::Array) {
    for (const auto& item : at->items()) out.records.push_back(etl::to_json(item));
    *at = etl::Value::array();
  } else if (at->kind() == etl::Value::Kind::Object && !path.empty()) {
    out.records.push_back(etl::to_json(*at));
    *at = etl::Value();
  } else {
    return out;
  }
  out.envelope = etl::to_json(page);
  out.ok = true;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string path = kPaths[data[0] % 6];
  std::size_t cut = 1 + data[0] / 6 % 7 * 3;  // reads of 1 to 19 bytes
  std::string_view doc = fuzz::text(data + 1, size - 1);
  if (doc.find('\0') != std::string_view::npos) return 0;  // the stream's end marker
  Walked got = walk(doc, path, cut);
  etl::Value whole;
  auto err = etl::parse_json(doc, whole);
  if (err) {
    // Only nesting past the limit, counted from the record rather than the page, may pass.
    if (got.ok && err->message.find("nesting deeper") == std::string::npos) std::abort();
    return 0;
  }
  Walked want = expected(whole, path);
  if (want.ok != got.ok) std::abort();
  if (want.ok && (want.records != got.records || want.envelope != got.envelope)) std::abort();
  return 0;
}
