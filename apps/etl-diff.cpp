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
  app.add_option("-k,--key", o.key,
                 "Key field(s), comma-separated. Keys match by their text, so a CSV's \"1001\" "
                 "meets a table's 1001; integers sort by value (9 < 10), other keys bytewise")
      ->delimiter(',')
      ->required()
      ->type_name("K[,K]");
  app.add_option("-o,--output", o.output, "Where the change records go (default: stdout)")
      ->check(etl::cli::non_empty_path())
      ->type_name("FILE");
  app.add_option("--html", o.html,
                 "Also write the diff as one self-contained page for people who would rather "
                 "look than read NDJSON: the summary, the fields that changed most, the added, "
                 "removed and changed records with each changed value's old and new side by "
                 "side; values are laid out as text, so markup in the data shows as text "
                 "(diff/0014-html-report, checked in headless Chromium)")
      ->check(etl::cli::non_empty_path())
      ->type_name("FILE");
  app.add_option("--html-rows", o.html_rows,
                 "The records of each kind the page shows (default 1000); it says how many more "
                 "there are")
      ->type_name("N");
  app.add_flag("--all", o.all, "Also write unchanged keys, as {\"op\":\"same\",…}");
  app.add_flag(
      "--subset", o.subset,
      "Check that OLD is in NEW: every OLD record there, OLD's fields equal; records "
      "only in NEW, and fields only NEW has (a table's own loaded_at), are not "
      "differences and no add is written. Exit 1 when an OLD record is missing (remove) "
      "or different (change). See 'Verifying a night' (diff/0013-subset-verifies-a-night)");
  app.add_option("--old-query", o.old_query,
                 "A database OLD side (sqlite:PATH, postgresql://…, without #TABLE) reads this "
                 "query instead of a table: the window of one night in a table of all nights")
      ->type_name("SQL");
  app.add_option("--new-query", o.new_query, "The same for the NEW side")->type_name("SQL");
  app.add_option("--ignore", ignore,
                 "Leave field F out of the comparison (repeatable, or comma-separated)")
      ->delimiter(',')
      ->type_name("F");
  app.add_option("--only", only, "Compare only these fields (repeatable, or comma-separated)")
      ->delimiter(',')
      ->type_name("F");
  app.add_flag(
      "--numeric", o.rules.numeric,
      "Numbers, and strings that hold numbers, compare by value, keys too: 10.0 = 10 = \"10\"");
  app.add_option("--tolerance", tolerance,
                 "F=AMOUNT: numbers of F within the amount are equal (exact decimals, no "
                 "floating point; repeatable); a CSV's values are strings, so with CSV give "
                 "--numeric too")
      ->type_name("F=AMOUNT");
  app.add_flag("--trim", o.rules.trim, "White space around strings does not count");
  app.add_option("--time", o.rules.time_fields,
                 "Field F's values compare as times, as --times does for all (repeatable, or "
                 "comma-separated). A field a database side types as a time (a SQLite "
                 "DATE/DATETIME/TIMESTAMP column, a PostgreSQL or MariaDB timestamp) always "
                 "compares so, without a flag (diff/0015-times-by-column)")
      ->delimiter(',')
      ->type_name("F");
  app.add_flag("--times", o.rules.times,
               "Strings that are ISO 8601 times compare as times: '2024-03-01 10:00:00' = "
               "'2024-03-01T10:00:00.000', and with offsets as instants ('…Z' = '…+00:00')");
  app.add_flag("--ignore-case", o.rules.ignore_case,
               "Case does not count (Unicode simple case mapping)");
  app.add_option("--map", maps,
                 "A field the old side names differently (repeatable); records are written with "
                 "NEW's names")
      ->type_name("OLD_NAME=NEW_NAME");
  app.add_flag("--sorted", o.sorted,
               "Both inputs are already in key order: stream them in one pass, no temporary "
               "files (an out-of-order key stops the run, exit 3)");
  app.add_option("--memory", memory,
                 "Memory for sorting (default 1G; a 1M-row pair of orders needs about 400 MB); "
                 "past it, sorted runs spill to --temp-dir and are merged")
      ->type_name("SIZE");
  app.add_option("--temp-dir", o.temp_dir, "Where spilled runs go (default: $TMPDIR or /tmp)")
      ->type_name("DIR");
  app.add_option("--base", o.base_address,
                 "Three-way: the common ancestor of OLD (A) and NEW (B); writes --changes-a and "
                 "--changes-b so that both end equal (see 'Two-way sync')")
      ->type_name("BASE");
  app.add_option("--changes-a", o.changes_a, "Three-way: the change set to apply to A")
      ->type_name("FILE");
  app.add_option("--changes-b", o.changes_b, "Three-way: the change set to apply to B")
      ->type_name("FILE");
  app.add_option("--conflicts", o.conflicts,
                 "Three-way: the fields changed differently on both sides, with all three values")
      ->type_name("FILE");
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
