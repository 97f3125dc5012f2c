#pragma once
// --profile NAME|FILE: a platform's HTTP settings as a JSON file (profiles/*.json).
#include <CLI/CLI.hpp>

#include "etl/connector_options.hpp"

namespace etl::cli {

// Sets every option the profile names that the command line did not; throws UsageError for an
// unknown profile or key. Named profiles are looked for in $ETL_PROFILE_PATH, then profiles/.
void apply_profile(const CLI::App& app, ConnectorOptions& o);

}  // namespace etl::cli
