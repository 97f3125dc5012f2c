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
  app.add_option(
         "--threads", threads,
         "Parse NDJSON, CSV, TSV and text-format inputs, file or stdin, and map, encode and fold "
         "(an aggregate) their records, on N threads, while one thread writes them in "
         "input order. The "
         "output, the rejects with their line numbers, the counts and where --max-errors "
         "stops are the same as with 1, which reads on one thread (cli/threads/0001). "
         "Default: the machine's cores, or 1 when loading into PostgreSQL or MariaDB, "
         "whose server, when it runs on the same machine, needs a core more than the "
         "parsing does")
      ->check(CLI::Range(1U, 256U))
      ->type_name("N");
}

void add_common_options(CLI::App& app, CommonOptions& o) {
  auto* g = app.add_option_group("Common options");
  g->add_option("--rejects", o.rejects,
                "Write rejected records as NDJSON: {\"reason\":…,\"where\":\"orders.csv:12\","
                "\"record\":{…}}, or \"raw\" for input that did not make a record")
      ->type_name("FILE");
  g->add_option("--report", o.report, "Write a JSON summary of the run")->type_name("FILE");
  g->add_flag("-q,--quiet", o.quiet, "No summary on stderr");
  g->add_option_function<std::string>(
       "--log-format",
       [&o](const std::string& f) {
         o.log_format = f == "json" ? LogFormat::Json : LogFormat::Text;
       },
       "text, or json: the summary on stderr is the report, one JSON line, and an error is "
       "{\"tool\":…,\"status\":\"error\",\"exit\":4,\"error\":…} (for log collectors and "
       "CI)")
      ->check(CLI::IsMember({"text", "json"}))
      ->default_str("text");
  g->add_option("--max-errors", o.max_errors,
                "Stop with exit 3 after more than N rejects: a file output is not put in place, a "
                "table keeps the batches committed before, and the rejects file keeps the rejects "
                "that stopped it")
      ->type_name("N");
  g->add_option("--lock", o.lock,
                "One run at a time: an flock on FILE held while the tool runs and dropped by the "
                "kernel even when it is killed; a second run exits 4 at once with '--lock FILE: "
                "another run holds it (pid 4242, since 2026-11-29T02:00:01Z); not started'")
      ->type_name("FILE");
  g->add_flag_callback(
      "--version",
      [] {
        std::cout << "etlkit " << ETL_VERSION << "\n";
        throw CLI::Success();
      },
      "Print the version, then exit");
  g->add_flag_callback(
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
  add_manual_options(app, g);
}

namespace {

// Flags of every HTTP request, for sources and destinations, and --profile.
void add_http_request_options(CLI::App& app, ConnectorOptions& o) {
  auto* g = app.add_option_group("HTTP requests");
  g->add_option("--profile", o.paging.profile,
                "A platform's paging, records path, headers, auth and batch size in one flag, "
                "from profiles/NAME.json (magento2, bigcommerce-v2, bigcommerce-v3, shopify, "
                "netsuite-rest, netsuite-suiteql, odata; also $ETL_PROFILE_PATH) or a JSON file "
                "of one's own; etl-extract takes what reads, etl-load what writes; an option "
                "given on the command line wins over the profile's")
      ->type_name("NAME|FILE");
  app.parse_complete_callback([&app, &o] { apply_profile(app, o); });
  g->add_option("--header", o.http.headers,
                "A header, 'Authorization: Bearer $SHOP_TOKEN' (repeatable); $VAR and ${VAR} "
                "come from the environment, so the token is never on the command line")
      ->allow_extra_args(false)
      ->type_name("'NAME: VALUE'");
  g->add_option("--user-env", o.http.user_env,
                "Basic auth from the environment variable VAR, which holds user:password")
      ->type_name("VAR");
  g->add_option("--oauth1-env", o.http.oauth1_env,
                "OAuth 1.0a signed requests (NetSuite Token-Based Authentication, Magento "
                "integrations): each request gets a fresh nonce and an 'Authorization: OAuth …' "
                "header signed from PREFIX_CONSUMER_KEY, PREFIX_CONSUMER_SECRET, PREFIX_TOKEN and "
                "PREFIX_TOKEN_SECRET. Checked against the specification's worked example (unit "
                "test) and by the test server, which recomputes every signature "
                "(http/0009-oauth1)")
      ->type_name("PREFIX");
  g->add_option("--oauth1-signature", o.http.oauth1_signature,
                "OAuth 1.0a: HMAC-SHA256 (default), or HMAC-SHA1 for older setups")
      ->check(CLI::IsMember({"HMAC-SHA256", "HMAC-SHA1"}));
  g->add_option("--oauth1-realm", o.http.oauth1_realm,
                "OAuth 1.0a: the realm (NetSuite: the account id)")
      ->type_name("REALM");
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
       "At most N requests a second (5/s). Quotas a platform announces are kept without it: "
       "BigCommerce's X-Rate-Limit-Requests-Left at 0 waits X-Rate-Limit-Time-Reset-Ms, and "
       "Shopify's X-Shopify-Shop-Api-Call-Limit near full waits for its bucket to leak, so the "
       "server does not have to refuse (http/0010-rate-limits)")
      ->type_name("N/s");
  g->add_option("--retries", o.http.retries,
                "Connection errors, timeouts, 429 and 5xx are retried this often (default 5), "
                "with exponential backoff and jitter; Retry-After (seconds, with decimals as "
                "Shopify writes them, or a date) is honoured (http/0018-shopify-retry-after)")
      ->check(CLI::NonNegativeNumber)
      ->type_name("N");
  g->add_option("--retry-wait", o.http.retry_wait,
                "The first backoff in seconds, doubled each retry, with jitter (default 0.5)")
      ->check(CLI::NonNegativeNumber)
      ->type_name("SECONDS");
  g->add_option("--max-retry-wait", o.http.max_retry_wait,
                "A Retry-After asking for longer than this many seconds fails the request at "
                "once (exit 4, naming the page; default 60)")
      ->check(CLI::NonNegativeNumber)
      ->type_name("SECONDS");
  g->add_option("--connect-timeout", o.http.connect_timeout,
                "Seconds to connect, per request (default 10)")
      ->check(CLI::PositiveNumber)
      ->type_name("SECONDS");
  g->add_option("--timeout", o.http.timeout, "Seconds per request (default 60)")
      ->check(CLI::PositiveNumber)
      ->type_name("SECONDS");
  g->add_option_function<std::string>(
       "--max-response",
       [&o](const std::string& s) { o.http.max_response = parse_size(s, "--max-response"); },
       "A larger response is an error (default 256M). A page an API source reads is parsed as "
       "it arrives, so for reading this bounds a server that never ends, not memory; the "
       "answer to a write is held whole")
      ->type_name("SIZE");
  g->add_flag("--insecure", o.http.insecure, "Skip TLS verification (it is on by default)");
}

}  // namespace

void add_http_options(CLI::App& app, ConnectorOptions& o) {
  auto* g = app.add_option_group("HTTP sources");
  g->add_option_function<std::string>(
       "--paginate", [&o](const std::string& p) { o.paging.paginate = parse_paging(p); },
       "How the pages follow each other. link: the 'Link: <…>; rel=\"next\"' header, and an "
       "empty page ends it. page: ?page=1&per_page=N, then 2, 3 … until a page has fewer "
       "than N (--page-param, --size-param, --page-size). offset: ?offset=0&limit=N, then N, "
       "2N … (--offset-param, --limit-param; OData's $skip and $top). cursor: the next cursor "
       "is at --cursor-path in each page and goes in ?cursor= (--cursor-param) until it is "
       "null. next: the next page's URL is in the body at --next-path. none: one page")
      ->check(CLI::IsMember({"none", "link", "page", "offset", "cursor", "next"}));
  g->add_option("--page-size", o.paging.page_size, "page, offset: records per page asked for")
      ->check(CLI::PositiveNumber)
      ->type_name("N");
  g->add_option("--page-param", o.paging.page_param,
                "page: the page number parameter (default page; Magento: "
                "'searchCriteria[currentPage]')")
      ->type_name("NAME");
  g->add_option("--size-param", o.paging.size_param,
                "page: the page size parameter (default per_page; Magento: "
                "'searchCriteria[pageSize]')")
      ->type_name("NAME");
  g->add_option("--offset-param", o.paging.offset_param,
                "offset: the offset parameter (default offset; OData: '$skip')")
      ->type_name("NAME");
  g->add_option("--limit-param", o.paging.limit_param,
                "offset: the limit parameter (default limit; OData: '$top')")
      ->type_name("NAME");
  g->add_option("--cursor-path", o.paging.cursor_path,
                "cursor: JSON Pointer to the next cursor in a page (/meta/next)")
      ->type_name("PTR");
  g->add_option("--cursor-param", o.paging.cursor_param,
                "cursor: the parameter it goes in (default cursor)")
      ->type_name("NAME");
  g->add_option("--next-path", o.paging.next_path,
                "next: JSON Pointer to the next page's URL in the body: a string, absolute or "
                "relative to the page (BigCommerce v3's /meta/pagination/links/next is "
                "?page=2&limit=50; OData's /@odata.nextLink), or a links array whose rel "
                "\"next\" entry has it in href (NetSuite's /links); none, or an empty page, "
                "ends it")
      ->type_name("PTR");
  g->add_option("--total-path", o.paging.total_path,
                "page, offset: JSON Pointer to the total number of records in the body "
                "(/total_count, /meta/pagination/total, /totalResults): paging stops exactly "
                "there, whatever size the pages have")
      ->type_name("PTR");
  g->add_option("--has-more-path", o.paging.has_more_path,
                "page, offset: JSON Pointer to a boolean in the body, true while there are more "
                "pages (NetSuite's /hasMore)")
      ->type_name("PTR");
  g->add_option("--max-pages", o.paging.max_pages,
                "More pages than N is an error (a safety against endless pagination; no limit "
                "by default)")
      ->check(CLI::PositiveNumber)
      ->type_name("N");
  g->add_flag("--allow-cross-origin", o.paging.allow_cross_origin,
              "Follow a next page to another scheme, host or port, without --header and "
              "--user-env, which go only to the first URL's origin (refused by default)");
  add_http_request_options(app, o);
}

void add_names_option(CLI::App& app, std::vector<std::string>& names) {
  app.add_option_function<std::vector<std::string>>(
         "--names",
         [&names](const std::vector<std::string>& given) {
           for (std::size_t i = 0; i < given.size(); ++i)
             for (std::size_t j = 0; j < i; ++j)
               if (given[i] == given[j])
                 throw CLI::ValidationError("--names", "names '" + given[i] + "' twice");
           names = given;
         },
         "CSV, TSV or text input with no header row (MySQL's INTO OUTFILE, PostgreSQL's COPY "
         "without HEADER): its fields' names, in order. Every line is then a row; a row with "
         "another number of fields is rejected. Refused for an input that names its own fields")
      ->delimiter(',')
      ->type_name("A,B,C");
}

void add_connector_options(CLI::App& app, ConnectorOptions& o, bool for_sink) {
  app.add_option("--format", o.format,
                 "Format when the extension does not tell: csv, tsv, ndjson, json, or text "
                 "(PostgreSQL's COPY text format: tabs, backslash escapes, \\N for null, a header)")
      ->type_name("F");
  app.add_option_function<std::string>(
         "--delimiter",
         [&o](const std::string& d) {
           if (d == "\\t" || d == "tab") {
             o.delimiter = '\t';
           } else if (d.size() == 1 && d[0] != '"' && d[0] != '\n' && d[0] != '\r') {
             o.delimiter = d[0];  // a quote or a line end cannot also separate fields
           } else if (d.size() == 1) {
             throw CLI::ValidationError("--delimiter",
                                        "cannot be the quote character or a line end");
           } else {
             throw CLI::ValidationError("--delimiter", "must be one character (or 'tab')");
           }
         },
         "CSV field delimiter (tab for a tab)")
      ->type_name("C");
  if (!for_sink) {
    add_encoding_option(app, o.encoding);
    add_names_option(app, o.names);
  }
  app.add_option("--table", o.table,
                 for_sink
                     ? "Destination table; created when missing, its columns from the records (a "
                       "field that first shows up in a later record adds its column, earlier rows "
                       "hold null; a column whose first values are null takes the type of its "
                       "first value), or from --schema. A value the database stores as another "
                       "type (a number into a text column) is counted and said in the summary: "
                       "'etl-load: note: column 'Title' (text): 1 numbers stored as text'"
                     : "The table of a database source (SQLite, PostgreSQL, MariaDB)")
      ->type_name("T");
  add_password_file_option(app, o.password_file);
  if (for_sink) {
    app.add_option("--columns", o.sink.columns,
                   "CSV: the columns to write, in this order; other fields are left out (a "
                   "projection, as Miller's cut -o -f). Default: the first record's fields, and "
                   "a later record with a field they lack is rejected rather than lose it")
        ->delimiter(',')
        ->type_name("A,B,C");
    app.add_option("--key", o.sink.key,
                   "Key columns (the table's primary key when etl-load creates it)")
        ->delimiter(',')
        ->type_name("K[,K]");
    app.add_option_function<std::string>(
           "--mode", [&o](const std::string& m) { o.sink.mode = parse_write_mode(m); },
           "insert (default): a duplicate key rejects the record. upsert: insert, or update "
           "the row with the same key; each record's outcome is inserted, updated or unchanged "
           "(the row already held exactly these values, compared exactly: 5.00 is not 5.000, "
           "null equals null), in the summary, the report and the audit log; an unchanged row "
           "is not rewritten, so update triggers do not fire for it (load/0016-upsert-outcomes, "
           "pg/0019-upsert-outcomes). update: existing rows only; records without a row count "
           "as unmatched (filtered). replace: empty the table and load, in one transaction")
        ->check(CLI::IsMember({"insert", "upsert", "update", "replace"}));
    app.add_flag("--add-columns", o.sink.add_columns,
                 "An existing table grows too: a field it has no column for adds one (nullable) "
                 "instead of rejecting the record; a table etl-load creates without --schema "
                 "always does");
    // Read when the table is made, at the first record: `etl-extract --schema-out F | etl-load
    // --schema F` works in one pipe, since the extract writes F before its first record.
    app.add_option("--schema", o.sink.schema_file,
                   "Column types for a new table, a JSON object: {\"sku\":\"text\",\"qty\":"
                   "\"integer\",\"price\":\"number\",\"active\":\"boolean\",\"meta\":\"json\","
                   "\"picture\":\"bytes\",\"shipped\":\"date\",\"updated\":\"timestamp\","
                   "\"paid_at\":\"timestamptz\"} (etl-extract --schema-out writes one). Times are "
                   "typed columns in PostgreSQL and MariaDB, declared DATE/DATETIME/TIMESTAMPTZ "
                   "text in SQLite; a database gives a time back in its own form (…Z may come back "
                   "…+00:00), which etl-diff --times compares as the same instant")
        ->type_name("FILE");
    auto* http = app.add_option_group("HTTP destinations");
    http->add_option("--method", o.writing.method,
                     "POST, PUT or PATCH (default POST); the URL may hold {field} parts, filled "
                     "from each record ({product.sku} for a nested field)")
        ->check(CLI::IsMember({"POST", "PUT", "PATCH"}));
    http->add_option("--responses", o.writing.responses,
                     "Write each request and the server's answer as NDJSON, e.g. to keep the ids "
                     "it assigned")
        ->type_name("FILE");
    http->add_option("--xref", o.writing.xref,
                     "Keep the id the API gives each record it accepts in this cross-reference "
                     "store (etl-correlate --xref), paired with the record's --xref-key, as "
                     "entity --entity: the next run looks it up and updates instead of creating "
                     "(http/0013-xref-created-ids)")
        ->type_name("STORE");
    http->add_option("--entity", o.writing.xref_entity, "--xref: the entity the pairs are kept as")
        ->type_name("NAME");
    http->add_option("--xref-key", o.writing.xref_key, "--xref: the record's own key field")
        ->type_name("FIELD");
    http->add_option("--id-path", o.writing.id_path,
                     "--xref: JSON Pointer to the new id in the answer (default /id); for a batch, "
                     "in each element of the answer's array; a 201 or 204 without a body gives "
                     "the last segment of its Location header (NetSuite)")
        ->type_name("PTR");
    add_http_request_options(app, o);
    app.add_option(
           "--batch-size", o.sink.batch_size,
           "Records per transaction (default: 10000 for SQLite, 1000000 or 64 MiB of COPY text "
           "for PostgreSQL, 1000 for MariaDB)")
        ->check(CLI::PositiveNumber)
        ->type_name("N");
  } else {
    app.add_option("--records-path", o.records_path,
                   "JSON Pointer to the records array in a JSON document, or in each page of an "
                   "API (default: the document is the array); an object there is one record "
                   "(/order for Shopify's {\"order\": {…}}, / for Magento's GET /V1/orders/3). "
                   "Documents written one after another (cat page*.json) are read in turn, each "
                   "through the path, and anything else after a document is an error at its line "
                   "and column")
        ->type_name("PTR");
    add_http_options(app, o);
    app.add_option("--query", o.query,
                   "SQL query: a database source's (SQLite, PostgreSQL, MariaDB), or an API's that "
                   "takes it in the body (NetSuite SuiteQL: POSTed as {\"q\": …}; with --state, a "
                   "/*since: … {since} … */ section asks for what changed)")
        ->type_name("SQL");
  }
}

void one_value_per_option(CLI::App& app) {
  for (auto* opt : app.get_options())
    if (!opt->get_positional()) opt->allow_extra_args(false);
  for (CLI::App* group : app.get_subcommands({}))  // option groups are nameless
    if (group->get_name().empty()) one_value_per_option(*group);
}

void add_password_file_option(CLI::App& app, std::string& path) {
  app.add_option("--password-file", path,
                 "PostgreSQL, MariaDB: read the password from this file (else PGPASSWORD or "
                 "~/.pgpass; MYSQL_PWD or ~/.my.cnf); it is never printed")
      ->check(CLI::Validator(CLI::ExistingFile).description(""))
      ->type_name("FILE");
}

void add_encoding_option(CLI::App& app, std::string& encoding, bool sides) {
  app.add_option("--encoding", encoding,
                 sides ? "The file sides' text encoding when it is not UTF-8 (cp1252, latin1, "
                         "utf-16, any name iconv -l lists; as etl-extract --encoding). It is both "
                         "sides': a UTF-8 file side with characters past ASCII then stops the "
                         "run, so convert one side first (etl-extract --encoding cp1252 "
                         "export.csv -o export.ndjson)"
                       : "A CSV, TSV, NDJSON or JSON file's text encoding when it is not UTF-8: "
                         "cp1252 (Windows exports), latin1, utf-16 (with its byte order mark), "
                         "or any name iconv -l lists. A byte the encoding has no character for "
                         "stops the run (exit 3), and so does UTF-8 read as a single-byte "
                         "encoding")
      ->type_name("ENC");
}

void add_null_option(CLI::App& app, std::optional<std::string>& read,
                     std::optional<std::string>* write) {
  std::string help =
      write ? "CSV, TSV: the text of a null, in what is read and what is written. Read, a field "
              "that is exactly TEXT, unquoted, is null; written, a null is TEXT and any value "
              "that would be written as TEXT is quoted, so the two read back apart. --null '' "
              "is PostgreSQL's and DuckDB's CSV (an empty string is written \"\"), \\N "
              "MySQL's, NULL SQL Server's. Default: no field reads as null, and a null is "
              "written as an empty field, as an empty string is (the summary notes how many)"
            : "CSV, TSV sides: the text of a null: a field that is exactly TEXT, unquoted, is "
              "null (quoted, it is a string). --null '' reads empty fields as null, as "
              "PostgreSQL and DuckDB do, so that a CSV export compares with a table's nulls; "
              "\\N is MySQL's, NULL SQL Server's. Default: every field is a string";
  app.add_option_function<std::string>(
         "--null",
         [&read, write](const std::string& text) {
           read = text;
           if (write) *write = text;
         },
         help)
      ->type_name("TEXT");
}

void add_paired_source_options(CLI::App& app, ConnectorOptions& o) {
  app.add_option("--format", o.format,
                 "Input format when the extension does not tell: csv, tsv, ndjson, json or text")
      ->type_name("F");
  add_encoding_option(app, o.encoding, true);
  add_null_option(app, o.csv_null, nullptr);
  app.add_option("--table", o.table,
                 "Database table (both sides; or name it in the address: sqlite:PATH#TABLE)")
      ->type_name("T");
  add_password_file_option(app, o.password_file);
  app.add_option("--records-path", o.records_path,
                 "JSON Pointer to the records array (JSON inputs)")
      ->type_name("PTR");
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

// The tool's options and those of its option groups (nameless subcommands).
std::vector<const CLI::Option*> every_option(const CLI::App& app) {
  std::vector<const CLI::Option*> out = app.get_options();
  for (const CLI::App* group : app.get_subcommands([](const CLI::App*) { return true; }))
    if (group->get_name().empty())
      for (const CLI::Option* o : every_option(*group)) out.push_back(o);
  return out;
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
    for (const CLI::Option* o : every_option(app))
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
  use_wrapped_help(app);
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
