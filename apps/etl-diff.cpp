// etl-diff: compare two record sets by key and write the differences as a change set.
#include "etl/cli/common_options.hpp"
#include "etl/error.hpp"
#include "etl/tools/diff.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "Compare two record sets by key; write what differs as NDJSON change records (add, remove, "
      "change) that etl-load --changes applies. Exit 0 when equal, 1 when they differ."};
  app.name("etl-diff");
  etl::tools::DiffOptions o;
  etl::cli::CommonOptions common;
  std::string memory = "1G";
  std::vector<std::string> ignore, only, tolerance, maps;
  app.add_option("OLD", o.old_address, "The old (or expected) records; with --base: side A")
      ->required();
  app.add_option("NEW", o.new_address, "The new (or actual) records; with --base: side B")
      ->required();
  app.add_option("-k,--key", o.key, "Key field(s), comma-separated")->delimiter(',')->required();
  app.add_option("-o,--output", o.output, "Where the change records go (default: stdout)")
      ->check(etl::cli::non_empty_path());
  app.add_option("--html", o.html,
                 "Also write the diff as one self-contained HTML page: summary, most changed "
                 "fields, added, removed and changed records with old and new values")
      ->check(etl::cli::non_empty_path());
  app.add_option("--html-rows", o.html_rows,
                 "The added, removed and changed records the page shows of each (default 1000; "
                 "it says how many more there are)");
  app.add_flag("--all", o.all, "Also write unchanged keys as {\"op\":\"same\",…}");
  app.add_flag("--subset", o.subset,
               "Check that every OLD record is in NEW with OLD's fields equal; records and fields "
               "only in NEW are not differences (verify a night against a table of all nights)");
  app.add_option("--old-query", o.old_query,
                 "A database OLD side reads this SQL instead of a table (a night's window)");
  app.add_option("--new-query", o.new_query,
                 "A database NEW side reads this SQL instead of a table (a night's window)");
  app.add_option("--ignore", ignore, "Field not compared (repeatable, or comma-separated)")
      ->delimiter(',');
  app.add_option("--only", only, "Compare only these fields (repeatable, or comma-separated)")
      ->delimiter(',');
  app.add_flag("--numeric", o.rules.numeric,
               "Compare numbers, and strings that hold numbers, by value: 10.0 = 10 = \"10\"");
  app.add_option("--tolerance", tolerance,
                 "FIELD=AMOUNT: numbers of FIELD within AMOUNT are equal (repeatable)");
  app.add_flag("--trim", o.rules.trim, "Ignore white space around strings");
  app.add_option("--time", o.rules.time_fields,
                 "Compare this field's values as times (repeatable, or comma-separated); a "
                 "database side's timestamp columns always are")
      ->delimiter(',');
  app.add_flag("--times", o.rules.times,
               "Strings that are ISO 8601 times compare as times: '2024-03-01 10:00:00' = "
               "'2024-03-01T10:00:00.000', and with offsets as instants ('…Z' = '…+00:00')");
  app.add_flag("--ignore-case", o.rules.ignore_case, "Compare strings by Unicode lower case");
  app.add_option("--map", maps,
                 "OLD_NAME=NEW_NAME: a field the old side names differently (repeatable)");
  app.add_flag("--sorted", o.sorted,
               "Both inputs are already sorted by the key: stream them, no temporary files");
  app.add_option("--memory", memory, "Memory for sorting before spilling to temporary files")
      ->capture_default_str();
  app.add_option("--temp-dir", o.temp_dir, "Where spilled runs go (default: $TMPDIR or /tmp)");
  app.add_option("--base", o.base_address,
                 "Three-way: the common ancestor of OLD (A) and NEW (B); writes --changes-a and "
                 "--changes-b so that both end equal");
  app.add_option("--changes-a", o.changes_a, "Three-way: the change set to apply to A");
  app.add_option("--changes-b", o.changes_b, "Three-way: the change set to apply to B");
  app.add_option("--conflicts", o.conflicts,
                 "Three-way: fields changed differently on both sides, with all three values");
  app.add_option("--prefer", o.prefer, "Three-way: which side wins a conflict (default: neither)")
      ->check(CLI::IsMember({"a", "b"}));
  etl::cli::add_paired_source_options(app, o.source_options);
  etl::cli::add_common_options(app, common);
  app.footer(
      "Examples:\n"
      "  etl-diff --key order_no shop-export.csv sqlite:erp.db#orders\n"
      "  etl-diff --key sku --numeric --ignore updated_at old.csv new.csv > changes.ndjson\n"
      "  etl-diff --subset --key order_no night.ndjson sqlite:erp.db#orders\n"
      "  etl-diff --key id a.ndjson b.ndjson | etl-load --changes sqlite:a.db --table t --key id\n"
      "  etl-diff --key id --base base.ndjson a.ndjson b.ndjson --changes-a to-a.ndjson "
      "--changes-b to-b.ndjson --conflicts conflicts.ndjson");
  etl::cli::one_value_per_option(app);
  return etl::cli::tool_main("etl-diff", argc, argv, app, [&] {
    o.memory = etl::cli::parse_size(memory, "--memory");
    o.rules.ignore.insert(ignore.begin(), ignore.end());
    o.rules.only.insert(only.begin(), only.end());
    for (const auto& t : tolerance) etl::diff::add_tolerance(o.rules, t);
    for (const auto& m : maps) {
      auto eq = m.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == m.size())
        throw etl::UsageError("--map must be OLD_NAME=NEW_NAME, not '" + m + "'");
      o.rename.emplace_back(m.substr(0, eq), m.substr(eq + 1));
    }
    bool three_way_flags =
        !o.changes_a.empty() || !o.changes_b.empty() || !o.conflicts.empty() || !o.prefer.empty();
    if (o.base_address.empty() && three_way_flags)
      throw etl::UsageError("--changes-a, --changes-b, --conflicts and --prefer need --base");
    return etl::tools::run_diff(o, common);
  });
}
