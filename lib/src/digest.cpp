#include "etl/digest.hpp"

#include <fmt/format.h>

#include "etl/json.hpp"

namespace etl {

std::uint64_t digest_text(std::uint64_t h, std::string_view text) {
  constexpr std::uint64_t kPrime = 1099511628211ull;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= kPrime;
  }
  h ^= '\n';
  return h * kPrime;
}

std::uint64_t digest_record(std::uint64_t h, const Record& r, std::string& scratch) {
  scratch.clear();
  append_json(scratch, r);
  return digest_text(h, scratch);
}

std::string digest_hex(std::uint64_t h) {
  return fmt::format("{:016x}", h);
}

}  // namespace etl
