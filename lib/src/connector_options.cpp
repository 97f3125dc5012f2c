#include "etl/connector_options.hpp"

#include <fmt/format.h>

#include "etl/error.hpp"

namespace etl {
namespace {

constexpr std::pair<const char*, WriteMode> kModes[] = {{"insert", WriteMode::Insert},
                                                        {"upsert", WriteMode::Upsert},
                                                        {"update", WriteMode::Update},
                                                        {"replace", WriteMode::Replace}};

constexpr std::pair<const char*, Paging> kPaging[] = {
    {"none", Paging::None},     {"link", Paging::Link},     {"page", Paging::Page},
    {"offset", Paging::Offset}, {"cursor", Paging::Cursor}, {"next", Paging::Next}};

}  // namespace

const char* paging_name(Paging p) {
  for (const auto& [name, paging] : kPaging)
    if (paging == p) return name;
  return "none";
}

Paging parse_paging(const std::string& text) {
  for (const auto& [name, paging] : kPaging)
    if (text == name) return paging;
  throw UsageError(
      fmt::format("unknown --paginate '{}' (none, link, page, offset, cursor, next)", text));
}

const char* write_mode_name(WriteMode m) {
  for (const auto& [name, mode] : kModes)
    if (mode == m) return name;
  return "insert";
}

WriteMode parse_write_mode(const std::string& text) {
  for (const auto& [name, mode] : kModes)
    if (text == name) return mode;
  throw UsageError(fmt::format("unknown --mode '{}' (insert, upsert, update, replace)", text));
}

void check_key_for_mode(const ConnectorOptions& o) {
  if ((o.sink.mode == WriteMode::Upsert || o.sink.mode == WriteMode::Update) && o.sink.key.empty())
    throw UsageError(fmt::format("--mode {} needs --key", write_mode_name(o.sink.mode)));
}

}  // namespace etl
