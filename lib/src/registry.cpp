#include "etl/registry.hpp"

#include <fmt/format.h>

#include "etl/error.hpp"
#include "etl/io.hpp"

namespace etl {

const Registry& Registry::builtin() {
  static const Registry r = [] {
    Registry reg;
    register_builtin_connectors(reg);
    return reg;
  }();
  return r;
}

const ConnectorInfo* Registry::find(std::string_view scheme) const {
  for (const auto& c : m_connectors)
    if (c.scheme == scheme) return &c;
  return nullptr;
}

Address Registry::parse(std::string_view text, const std::string& format_override,
                        const std::string& fallback) const {
  Address a;
  a.text = std::string(text);
  a.target = a.text;
  auto colon = text.find(':');
  if (colon != std::string_view::npos && colon > 1) {  // > 1: not a Windows drive letter
    std::string scheme(text.substr(0, colon));
    if (find(scheme) != nullptr) {
      a.scheme = scheme;
      a.target = std::string(text.substr(colon + 1));
      return a;
    }
  }
  if (!format_override.empty()) {
    if (find(format_override) == nullptr)
      throw UsageError(fmt::format("unknown format '{}' (see --list-formats)", format_override));
    a.scheme = format_override;
    return a;
  }
  if (text == "-") {
    a.scheme = "ndjson";
    return a;
  }
  std::string_view base = text;
  if (ends_with(base, ".gz")) base.remove_suffix(3);
  for (const auto& c : m_connectors)
    for (const auto& ext : c.extensions)
      if (ends_with(base, ext)) {
        a.scheme = c.scheme;
        return a;
      }
  if (!fallback.empty()) {
    a.scheme = fallback;
    return a;
  }
  throw UsageError(
      fmt::format("'{}': cannot tell the format from the name; use --format or a scheme such as "
                  "csv:{}",
                  a.text, a.text));
}

std::unique_ptr<Source> Registry::open_source(std::string_view text,
                                              const ConnectorOptions& o) const {
  Address a = parse(text, o.format);
  check_source_options(a, o);
  return find(a.scheme)->open_source(a, o);
}

void Registry::check_source_options(const Address& a, const ConnectorOptions& o) const {
  if (!o.names.empty() && a.scheme != "csv" && a.scheme != "tsv" && a.scheme != "text")
    throw UsageError(fmt::format(
        "'{}': --names is for a CSV, TSV or text input with no header row; this {} input "
        "names its own fields",
        a.text, a.scheme));
}

std::unique_ptr<Sink> Registry::open_sink(std::string_view text, const ConnectorOptions& o) const {
  Address a = parse(text, o.format, o.default_format);
  const ConnectorInfo* c = find(a.scheme);
  if (!c->open_sink)
    throw UsageError(
        fmt::format("'{}': {} is a source only; writing to it is not built yet", a.text, a.scheme));
  if (o.sink.changes && !c->applies_changes)
    throw UsageError(
        fmt::format("'{}': a {} destination cannot apply change sets (--changes); "
                    "use a database such as sqlite:PATH",
                    a.text, a.scheme));
  return c->open_sink(a, o);
}

}  // namespace etl
