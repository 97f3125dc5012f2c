#include "etl/cli/common_options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <iostream>
#include <limits>
#include <memory>

#include "etl/cli/manual.hpp"
#include "etl/cli/profile.hpp"
#include "etl/correlate/similarity.hpp"
#include "etl/error.hpp"
#include "etl/io.hpp"
#include "etl/json.hpp"
#include "etl/json_writer.hpp"
#include "etl/registry.hpp"
#include "etl/run_lock.hpp"
#include "etl/utf8.hpp"

namespace etl::cli {

const CLI::Validator& non_empty_path() {
  static const CLI::Validator v(
      [](std::string& path) { return path.empty() ? std::string("an empty path") : std::string(); },
      "PATH");
  return v;
}

std::size_t parse_size(const std::string& text, const char* flag) {
  std::size_t used = 0;
  unsigned long long n = 0;
  try {
    n = std::stoull(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  std::string unit = text.substr(used);
  int shift = unit.empty()                 ? 0
              : unit == "K" || unit == "k" ? 10
              : unit == "M"                ? 20
              : unit == "G"                ? 30
                                           : -1;
  if (used == 0 || shift < 0 || n == 0 || text[0] == '-')
    throw UsageError(std::string(flag) + " must be a size such as 64M, 2G or 512K, not '" + text +
                     "'");
  if (n > (std::numeric_limits<std::size_t>::max() >> shift))  // would wrap to a small size
    throw UsageError(std::string(flag) + " '" + text + "' is larger than any memory");
  return static_cast<std::size_t>(n) << shift;
}

void parse_limit(const std::string& text, const char* flag, std::uint64_t& n, bool& percent) {
  percent = !text.empty() && text.back() == '%';
  std::string digits = percent ? text.substr(0, text.size() - 1) : text;
  bool ok = !digits.empty() && digits.size() < 19 &&
            digits.find_first_not_of("0123456789") == std::string::npos;
  if (!ok || (percent && std::stoull(digits) > 100))
    throw UsageError(fmt::format(
        "{} must be a count such as 500 or a percentage such as 10%, not '{}'", flag, text));
  n = std::stoull(digits);
}

void add_threads_option(CLI::App& app, unsigned& threads) {
  threads = 0;  // the pipeline chooses (PipelineOptions::threads)
  app.add_option("--threads", threads,
                 "Parse NDJSON and CSV inputs (and map and encode their records) on N threads; "
                 "the output is the same as with 1, which reads on one (default: the machine's "
                 "cores, or 1 when loading into PostgreSQL or MariaDB)")
      ->check(CLI::Range(1U, 256U));
}

void add_common_options(CLI::App& app, CommonOptions& o) {
  app.add_option("--rejects", o.rejects, "Write rejected records (NDJSON, with reason and place)");
  app.add_option("--report", o.report, "Write a JSON summary of the run");
  app.add_flag("-q,--quiet", o.quiet, "No summary on stderr");
  app.add_option_function<std::string>(
         "--log-format",
         [&o](const std::string& f) {
           o.log_format = f == "json" ? LogFormat::Json : LogFormat::Text;
         },
         "text, or json: the summary and errors on stderr as JSON lines (for log collectors)")
      ->check(CLI::IsMember({"text", "json"}))
      ->default_str("text");
  app.add_option("--max-errors", o.max_errors, "Stop with exit 3 after more than N rejects");
  app.add_option("--lock", o.lock,
                 "One run at a time: take an flock on FILE, or exit 4 at once when another "
                 "run holds it (released when the run ends, even if it is killed)");
  app.set_version_flag("--version", std::string("etlkit ") + ETL_VERSION);
  app.add_flag_callback(
      "--list-formats",
      [] {
        for (const auto& c : Registry::builtin().connectors()) {
          std::string exts;
          for (const auto& e : c.extensions) exts += (exts.empty() ? "" : " ") + e;
          std::cout << fmt::format("{:<8} {:<16} {}\n", c.scheme, exts, c.summary);
        }
        throw CLI::Success();
      },
      "List the formats and connectors, then exit");
  add_manual_options(app);
}

// Flags of every HTTP request, for sources and destinations.
void add_http_client_options(CLI::Option_group* g, ConnectorOptions& o) {
  g->add_option("--header", o.http.headers,
                "'Name: value' (repeatable); $VAR in the value comes from the environment")
      ->allow_extra_args(false);
  g->add_option("--user-env", o.http.user_env,
                "Basic auth: the environment variable holding user:password");
  g->add_option("--oauth1-env", o.http.oauth1_env,
                "OAuth 1.0a signed requests (NetSuite TBA, Magento integrations): PREFIX of the "
                "environment variables PREFIX_CONSUMER_KEY, PREFIX_CONSUMER_SECRET, PREFIX_TOKEN, "
                "PREFIX_TOKEN_SECRET");
  g->add_option("--oauth1-signature", o.http.oauth1_signature,
                "OAuth 1.0a: HMAC-SHA256 (default) or HMAC-SHA1")
      ->check(CLI::IsMember({"HMAC-SHA256", "HMAC-SHA1"}));
  g->add_option("--oauth1-realm", o.http.oauth1_realm,
                "OAuth 1.0a: the realm (NetSuite: the account id)");
  g->add_option_function<std::string>(
      "--rate",
      [&o](const std::string& r) {
        std::string n =
            r.size() > 2 && r.substr(r.size() - 2) == "/s" ? r.substr(0, r.size() - 2) : r;
        try {
          o.http.rate = std::stod(n);
        } catch (const std::exception&) {
          o.http.rate = -1;
        }
        if (o.http.rate <= 0)
          throw CLI::ValidationError("--rate", "must be requests per second, e.g. 5/s");
      },
      "At most N requests per second, e.g. 5/s");
  g->add_option("--retries", o.http.retries,
                "Retries on connection errors, 429 and 5xx (default 5)")
      ->check(CLI::NonNegativeNumber);
  g->add_option("--retry-wait", o.http.retry_wait,
                "First backoff in seconds, doubled each retry, with jitter (default 0.5)")
      ->check(CLI::NonNegativeNumber);
  g->add_option("--max-retry-wait", o.http.max_retry_wait,
                "Longest wait a Retry-After may ask for, in seconds; longer fails the request "
                "(default 60)")
      ->check(CLI::NonNegativeNumber);
  g->add_option("--max-pages", o.paging.max_pages,
                "More pages than N is an error (a safety against endless pagination; default "
                "no limit)")
      ->check(CLI::PositiveNumber);
  g->add_flag("--allow-cross-origin", o.paging.allow_cross_origin,
              "Follow a next page to another scheme, host or port (sent without --header and "
              "--user-env, which go only to the first URL's origin); refused by default");
  g->add_option("--connect-timeout", o.http.connect_timeout, "Seconds (default 10)")
      ->check(CLI::PositiveNumber);
  g->add_option("--timeout", o.http.timeout, "Seconds per request (default 60)")
      ->check(CLI::PositiveNumber);
  g->add_option_function<std::string>(
      "--max-response",
      [&o](const std::string& s) { o.http.max_response = parse_size(s, "--max-response"); },
      "Largest response accepted (default 256M)");
  g->add_flag("--insecure", o.http.insecure, "Do not verify TLS certificates");
}

namespace {

void add_profile_option(CLI::App& app, CLI::Option_group* g, ConnectorOptions& o) {
  g->add_option("--profile", o.paging.profile,
                "A platform's paging, records path, headers, auth and batch size (magento2, "
                "bigcommerce-v2, bigcommerce-v3, shopify, netsuite-rest, netsuite-suiteql, odata, "
                "or a JSON file); options given on the command line win");
  app.parse_complete_callback([&app, &o] { apply_profile(app, o); });
}

}  // namespace

void add_http_options(CLI::App& app, ConnectorOptions& o) {
  auto* g = app.add_option_group("HTTP sources");
  add_profile_option(app, g, o);
  g->add_option_function<std::string>(
       "--paginate", [&o](const std::string& p) { o.paging.paginate = parse_paging(p); },
       "none | link (Link header) | page | offset | cursor | next (a link in the body)")
      ->check(CLI::IsMember({"none", "link", "page", "offset", "cursor", "next"}));
  g->add_option("--page-size", o.paging.page_size, "Records per page asked for (page, offset)")
      ->check(CLI::PositiveNumber);
  g->add_option("--page-param", o.paging.page_param,
                "page: the page number parameter (default page)");
  g->add_option("--size-param", o.paging.size_param,
                "page: the page size parameter (default per_page)");
  g->add_option("--offset-param", o.paging.offset_param,
                "offset: the offset parameter (default offset)");
  g->add_option("--limit-param", o.paging.limit_param,
                "offset: the limit parameter (default limit)");
  g->add_option("--cursor-path", o.paging.cursor_path,
                "cursor: JSON Pointer to the next cursor in a page");
  g->add_option("--cursor-param", o.paging.cursor_param,
                "cursor: the parameter it goes in (default cursor)");
  g->add_option("--next-path", o.paging.next_path,
                "next: JSON Pointer to the next page's URL in a page, absolute or relative "
                "(/meta/pagination/links/next, /@odata.nextLink), or to a links array whose "
                "rel \"next\" entry has it (NetSuite's /links)");
  g->add_option("--total-path", o.paging.total_path,
                "page, offset: JSON Pointer to the total number of records (/total_count, "
                "/meta/pagination/total, /totalResults): paging stops exactly there");
  g->add_option("--has-more-path", o.paging.has_more_path,
                "page, offset: JSON Pointer to a boolean that is true while there are more pages "
                "(NetSuite's /hasMore)");
  add_http_client_options(g, o);
}

void add_connector_options(CLI::App& app, ConnectorOptions& o, bool for_sink) {
  app.add_option("--format", o.format,
                 "Format when the extension does not tell (csv, tsv, ndjson, json)");
  app.add_option_function<std::string>(
      "--delimiter",
      [&o](const std::string& d) {
        if (d == "\\t" || d == "tab") {
          o.delimiter = '\t';
        } else if (d.size() == 1 && d[0] != '"' && d[0] != '\n' && d[0] != '\r') {
          o.delimiter = d[0];  // a quote or a line end cannot also separate fields
        } else if (d.size() == 1) {
          throw CLI::ValidationError("--delimiter", "cannot be the quote character or a line end");
        } else {
          throw CLI::ValidationError("--delimiter", "must be one character (or 'tab')");
        }
      },
      "CSV field delimiter");
  app.add_option("--table", o.table, "Database table (SQLite, PostgreSQL, MariaDB)");
  add_password_file_option(app, o.password_file);
  if (for_sink) {
    app.add_option("--columns", o.sink.columns,
                   "CSV: the columns to write, in this order; other fields are left out (default: "
                   "the first record's fields, and a record with another field is rejected)")
        ->delimiter(',');
    app.add_option("--key", o.sink.key, "Key column(s) of the destination table")->delimiter(',');
    app.add_option_function<std::string>(
           "--mode", [&o](const std::string& m) { o.sink.mode = parse_write_mode(m); },
           "insert | upsert | update | replace")
        ->check(CLI::IsMember({"insert", "upsert", "update", "replace"}));
    app.add_flag("--add-columns", o.sink.add_columns,
                 "A field the existing table has no column for adds one (nullable), instead of "
                 "rejecting the record; a table etl-load creates without --schema always does");
    // Read when the table is made, at the first record: `etl-extract --schema-out F | etl-load
    // --schema F` works in one pipe, since the extract writes F before its first record.
    app.add_option("--schema", o.sink.schema_file,
                   "JSON object of column: text|number|integer|boolean|json|bytes for a new "
                   "table (etl-extract --schema-out writes one)");
    auto* http = app.add_option_group("HTTP destinations");
    http->add_option("--method", o.writing.method, "POST, PUT or PATCH (default POST)")
        ->check(CLI::IsMember({"POST", "PUT", "PATCH"}));
    http->add_option("--responses", o.writing.responses,
                     "Write each request and the server's answer (NDJSON), e.g. to keep new ids");
    http->add_option("--xref", o.writing.xref,
                     "Keep the id the API gives each record it accepts in this cross-reference "
                     "store (etl-correlate --xref), paired with the record's --xref-key, as "
                     "entity --entity: the next run looks it up and updates instead of creating");
    http->add_option("--entity", o.writing.xref_entity, "--xref: the entity the pairs are kept as");
    http->add_option("--xref-key", o.writing.xref_key, "--xref: the record's own key field");
    http->add_option("--id-path", o.writing.id_path,
                     "--xref: JSON Pointer to the new id in the answer (default /id); for a batch, "
                     "in each element of the answer's array");
    add_http_client_options(http, o);
    add_profile_option(app, http, o);
    app.add_option(
           "--batch-size", o.sink.batch_size,
           "Records per transaction (default: 10000 for SQLite, 50000 for PostgreSQL, 1000 for "
           "MariaDB)")
        ->check(CLI::PositiveNumber);
  } else {
    app.add_option("--records-path", o.records_path,
                   "JSON Pointer to the records array (a JSON file, or each page of an API)");
    add_http_options(app, o);
    app.add_option("--query", o.query,
                   "SQL query: a database source's (SQLite, PostgreSQL, MariaDB), or an API's that "
                   "takes it in the body (NetSuite SuiteQL: POSTed as {\"q\": …}; with --state, a "
                   "/*since: … {since} … */ section asks for what changed)");
  }
}

void one_value_per_option(CLI::App& app) {
  for (auto* opt : app.get_options())
    if (!opt->get_positional()) opt->allow_extra_args(false);
}

void add_password_file_option(CLI::App& app, std::string& path) {
  app.add_option("--password-file", path,
                 "PostgreSQL, MariaDB: read the password from this file (else PGPASSWORD or "
                 "~/.pgpass; MYSQL_PWD or ~/.my.cnf)")
      ->check(CLI::ExistingFile);
}

void add_paired_source_options(CLI::App& app, ConnectorOptions& o) {
  app.add_option("--format", o.format,
                 "Input format when the extension does not tell (csv, tsv, ndjson, json)");
  app.add_option("--table", o.table,
                 "Database table (both sides; or name it in the address: sqlite:PATH#TABLE)");
  add_password_file_option(app, o.password_file);
  app.add_option("--records-path", o.records_path,
                 "JSON Pointer to the records array (JSON inputs)");
  add_http_options(app, o);  // either side may be a REST API
}

namespace {

// An error as the last line on stderr: text, or with --log-format json one JSON object.
void print_error(const std::string& tool, const CLI::App& app, const std::string& message,
                 ExitCode code) {
  const CLI::Option* format = app.get_option_no_throw("--log-format");
  // The raw value: as<>() would run the option's check, which may be what failed (yaml).
  if (format && format->count() > 0 && format->results().back() == "json") {
    std::cerr << JsonObject()
                     .add("tool", tool)
                     .add("status", "error")
                     .add("exit", static_cast<int>(code))
                     .add("error", message)
                     .str()
              << "\n";
    return;
  }
  std::cerr << tool << ": " << terminal_safe(message) << '\n';
}

std::vector<std::uint32_t> code_units(const std::string& s) {
  return {s.begin(), s.end()};  // option names are ASCII
}

// " (did you mean --rejects?)": for the first --option on the command line that the tool does
// not have, its closest option, two edits away at most.
std::string did_you_mean(const CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string given = argv[i];
    if (!given.starts_with("--")) continue;
    given = given.substr(0, given.find('='));
    if (app.get_option_no_throw(given) != nullptr) continue;
    std::string best;
    std::size_t best_distance = 3;
    for (const CLI::Option* o : app.get_options())
      for (const auto& name : o->get_lnames())
        if (std::size_t d = correlate::edit_distance(code_units(given.substr(2)), code_units(name));
            d < best_distance) {
          best_distance = d;
          best = "--" + name;
        }
    return best.empty() ? "" : " (did you mean " + best + "?)";
  }
  return "";
}

}  // namespace

int tool_main(const std::string& tool, int argc, char** argv, CLI::App& app,
              const std::function<int()>& run) {
  std::signal(SIGPIPE, SIG_IGN);  // a closed pipe becomes EPIPE, handled as a clean stop
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    print_error(tool, app, e.what() + did_you_mean(app, argc, argv) + "; run with --help for more",
                ExitCode::Usage);
    return static_cast<int>(ExitCode::Usage);
  } catch (const Error& e) {  // from a parse callback (--profile)
    print_error(tool, app, e.what(), e.code());
    return static_cast<int>(e.code());
  }
  try {
    std::unique_ptr<RunLock> lock;
    if (const CLI::Option* o = app.get_option_no_throw("--lock"); o && o->count() > 0)
      lock = std::make_unique<RunLock>(o->as<std::string>());
    return run();
  } catch (const BrokenPipe&) {
    return 0;
  } catch (const Error& e) {
    print_error(tool, app, e.what(), e.code());
    return static_cast<int>(e.code());
  } catch (const std::bad_alloc&) {
    print_error(tool, app, "out of memory", ExitCode::Io);
    return static_cast<int>(ExitCode::Io);
  } catch (const std::exception& e) {
    print_error(tool, app, e.what(), ExitCode::Io);
    return static_cast<int>(ExitCode::Io);
  }
}

}  // namespace etl::cli
