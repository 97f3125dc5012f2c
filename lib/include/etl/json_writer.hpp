#pragma once
// One writer for the JSON objects the tools report (--report, --log-format json, the summary's
// parts): members in the order they are added, strings escaped, numbers as integers or seconds
// with three places. A value already written as JSON (a nested object, an array) goes in whole.
#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace etl {

class JsonObject {
 public:
  JsonObject& add(std::string_view key, std::string_view text);
  JsonObject& add(std::string_view key, const char* text) {
    return add(key, std::string_view(text));
  }
  JsonObject& add(std::string_view key, const std::string& text) {
    return add(key, std::string_view(text));
  }
  JsonObject& add(std::string_view key, bool b);
  template <std::integral T>
  requires(!std::same_as<T, bool>) JsonObject& add(std::string_view key, T n) {
    return add_raw(key, std::to_string(n));
  }
  JsonObject& add_seconds(std::string_view key, double seconds);
  JsonObject& add_null(std::string_view key) { return add_raw(key, "null"); }
  // An array of strings.
  JsonObject& add_strings(std::string_view key, const std::vector<std::string>& items);
  // A value that is JSON already.
  JsonObject& add_raw(std::string_view key, std::string_view json);
  // "{…}"
  std::string str() const { return m_out + "}"; }

 private:
  void key(std::string_view k);
  std::string m_out = "{";
};

// "[…]" of JSON values already written.
std::string json_array(const std::vector<std::string>& items);

}  // namespace etl
