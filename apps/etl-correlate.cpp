// etl-correlate: match the records of two systems by rules and sync only what both hold.
#include <algorithm>

#include "etl/cli/common_options.hpp"
#include "etl/error.hpp"
#include "etl/tools/correlate.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "Match the records of two sources by rules tried in order (exact keys, expressions, fuzzy "
      "similarity); write the pairs, and set aside the unmatched, the ambiguous and the "
      "conflicting."};
  app.name("etl-correlate");
  etl::tools::CorrelateOptions o;
  etl::cli::CommonOptions common;
  std::string memory = "1G";
  app.add_option("LEFT", o.left_address, "The left records (e.g. the shop's customers)")
      ->required();
  app.add_option("RIGHT", o.right_address, "The right records (e.g. the ERP's customers)")
      ->required();
  app.add_option("--on", o.on,
                 "Rule LEFT=RIGHT, expressions of the mapping language: 'email=EMAIL', "
                 "'lower(trim(email))=lower(EMAIL)', 'zip,last_name=POSTCODE,SURNAME'; fuzzy: "
                 "'similar(name, NAME) >= 0.92' (Jaro-Winkler) or 'levenshtein(name, NAME) >= "
                 "0.8'. Repeatable: tried in order")
      ->required()
      ->type_name("LEFT=RIGHT");
  app.add_option("--block", o.block,
                 "LEFT=RIGHT: fuzzy rules compare only records whose blocking keys are equal")
      ->type_name("LEFT=RIGHT");
  app.add_option_function<std::string>(
         "--emit", [&o](const std::string& e) { o.emit = etl::tools::parse_emit(e); },
         "merged: left fields and right fields (under --right-prefix); pair: "
         "{left, right, rule}; xref: {left id, right id, rule}")
      ->check(CLI::IsMember({"merged", "pair", "xref"}))
      ->default_str("merged");
  app.add_option_function<std::string>(
         "--join", [&o](const std::string& j) { o.join = etl::tools::parse_join(j); },
         "Which records are written: inner (pairs), left/right (and that side's "
         "unmatched), full (all), anti (the left unmatched only)")
      ->check(CLI::IsMember({"inner", "left", "right", "full", "anti"}))
      ->default_str("inner");
  app.add_option("--right-prefix", o.right_prefix, "--emit merged: the right fields' prefix")
      ->capture_default_str()
      ->type_name("PREFIX");
  app.add_option("--right-fields", o.right_fields,
                 "--emit merged: only these right fields, FROM=TO renames (comma-separated)")
      ->delimiter(',')
      ->type_name("F[,FROM=TO]");
  app.add_option("--left-key", o.left_key, "The left records' id field(s), for xref")
      ->delimiter(',')
      ->type_name("F[,F]");
  app.add_option("--right-key", o.right_key, "The right records' id field(s), for xref")
      ->delimiter(',')
      ->type_name("F[,F]");
  app.add_option("--compare", o.compare,
                 "LEFT=RIGHT values a pair should agree on (repeatable); pairs that differ go to "
                 "--conflicts with the differences")
      ->type_name("LEFT=RIGHT");
  app.add_option("--conflicts", o.conflicts, "Where the conflicting pairs go")->type_name("FILE");
  app.add_option("--xref", o.xref,
                 "SQLite file of the id cross-reference: pairs kept from earlier runs match "
                 "first (rule 'xref'), this run's pairs are added")
      ->needs(app.add_option("--entity", o.entity, "What the xref pairs are (customer, product…)")
                  ->type_name("NAME"))
      ->type_name("FILE");
  app.add_option("--unmatched-left", o.unmatched_left, "Where left records without a pair go")
      ->type_name("FILE");
  app.add_option("--unmatched-right", o.unmatched_right, "Where right records without a pair go")
      ->type_name("FILE");
  app.add_option("--ambiguous", o.ambiguous,
                 "Where records that match several under one rule go, with their candidates")
      ->type_name("FILE");
  app.add_option("--fail-on", o.fail_on,
                 "Exit 1 when any of these sets is not empty, after writing everything: "
                 "unmatched-left, unmatched-right, ambiguous, conflicts (comma-separated)")
      ->delimiter(',')
      ->check(CLI::IsMember({"unmatched-left", "unmatched-right", "ambiguous", "conflicts"}))
      ->type_name("SET[,SET]");
  app.add_flag("--allow-many", o.allow_many,
               "One-to-many is meant (one customer, many orders): pair every candidate");
  app.add_option("--memory", memory, "Memory for records and keys before spilling to disk")
      ->capture_default_str()
      ->type_name("SIZE");
  app.add_option("--temp-dir", o.temp_dir, "Where spilled data goes (default: $TMPDIR or /tmp)")
      ->type_name("DIR");
  app.add_option("-o,--output", o.output, "Where the output records go (default: stdout)")
      ->check(etl::cli::non_empty_path())
      ->type_name("FILE");
  etl::cli::add_paired_source_options(app, o.source_options);
  etl::cli::add_common_options(app, common);
  app.footer(
      "Examples:\n"
      "  etl-correlate shop-customers.csv sqlite:erp.db#customers --on 'lower(trim(email))="
      "lower(EMAIL)' --on 'phone=PHONE' --unmatched-left new.ndjson --unmatched-right gone.ndjson\n"
      "  etl-correlate orders.ndjson customers.csv --on 'customer_id=id' --allow-many "
      "--right-fields name=customer_name\n"
      "  etl-correlate shop.csv erp.csv --on 'email=EMAIL' --on 'similar(name, NAME) >= 0.92' "
      "--block 'zip=POSTCODE' --emit xref --left-key id --right-key NO --xref xref.db "
      "--entity customer");
  etl::cli::one_value_per_option(app);
  return etl::cli::tool_main("etl-correlate", argc, argv, app, [&] {
    o.memory = etl::cli::parse_size(memory, "--memory");
    return etl::tools::run_correlate(o, common);
  });
}
