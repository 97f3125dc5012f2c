#pragma once
// Addresses ("orders.csv", "-", "sqlite:erp.db") resolved to connectors through one explicit list.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "etl/connector_options.hpp"
#include "etl/sink.hpp"
#include "etl/source.hpp"

namespace etl {

struct Address {
  std::string scheme;  // connector name: csv, tsv, ndjson, json, sqlite
  std::string target;  // path (or "-")
  std::string text;    // as given, for messages
};

using SourceFactory =
    std::function<std::unique_ptr<Source>(const Address&, const ConnectorOptions&)>;
using SinkFactory = std::function<std::unique_ptr<Sink>(const Address&, const ConnectorOptions&)>;

struct ConnectorInfo {
  std::string scheme;
  std::vector<std::string> extensions;
  std::string summary;
  SourceFactory open_source;
  SinkFactory open_sink;
  bool applies_changes = false;  // its sink takes etl-diff change sets (--changes)
  // A database server: when it runs on this machine it needs the cores the threads that parse
  // would take (a local PostgreSQL loaded 20% slower fed by two of them than by one).
  bool database_server = false;
};

class Registry {
 public:
  static const Registry& builtin();
  void add(ConnectorInfo info) { m_connectors.push_back(std::move(info)); }
  const std::vector<ConnectorInfo>& connectors() const { return m_connectors; }
  const ConnectorInfo* find(std::string_view scheme) const;

  // Explicit scheme, else --format, else extension (after .gz), else fallback; "-" is NDJSON.
  Address parse(std::string_view text, const std::string& format_override,
                const std::string& fallback = "") const;
  std::unique_ptr<Source> open_source(std::string_view text, const ConnectorOptions& o) const;
  // A UsageError for an option that this source cannot take (open_source checks it; a reader
  // that opens the input itself, as --threads does, calls it).
  void check_source_options(const Address& a, const ConnectorOptions& o) const;
  std::unique_ptr<Sink> open_sink(std::string_view text, const ConnectorOptions& o) const;

 private:
  std::vector<ConnectorInfo> m_connectors;
};

void register_builtin_connectors(Registry& r);

}  // namespace etl
