#pragma once
// Broadcast: etl-load --to NAME … loads one stream into several destinations, each with its own
// options, from a small targets file (JSON):
//   {"erp":     {"to": "sqlite:erp.db", "table": "orders", "key": "order_no", "mode": "upsert"},
//    "archive": {"to": "orders.csv.gz"}}
// Members: to (required), table, key (a name or a list), mode, batch_size, schema, columns,
// format, password_file, method. An option a target does not name is the command line's.
#include <string>
#include <vector>

#include "etl/connector_options.hpp"

namespace etl::tools {

struct TargetSpec {
  std::string name;     // the targets file's name, or the address itself
  std::string address;  // where it loads
  ConnectorOptions options;
};

// The targets `names` picks: each a name in `targets_file` (when given) or else an address,
// with `defaults` (the command line's options) under what the file sets. No names: every target
// of the file, in its order. Throws UsageError naming the file and the member at fault.
std::vector<TargetSpec> select_targets(const std::string& targets_file,
                                       const std::vector<std::string>& names,
                                       const ConnectorOptions& defaults);

}  // namespace etl::tools
