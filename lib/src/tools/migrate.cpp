#include "etl/tools/migrate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "etl/error.hpp"
#include "etl/json.hpp"
#include "etl/json_writer.hpp"
#include "etl/mask.hpp"
#include "etl/migrate/database.hpp"
#include "etl/migrate/resume_state.hpp"
#include "etl/parallel.hpp"
#include "etl/registry.hpp"
#include "etl/run_stats.hpp"
#include "etl/tools/diff.hpp"

namespace etl::tools {
namespace {

using migrate::Schema;
using migrate::Table;

// What became of one table.
struct TableRun {
  std::string source_name;  // as the source names it
  std::uint64_t read = 0, written = 0, rejected = 0, equal = 0, differing = 0;
  double seconds = 0;
  std::string error;
  bool earlier = false;  // copied and verified by an earlier run (--resume)
};

std::string lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

std::string file_name(const std::string& table) {
  std::string out;
  for (char ch : table) out.push_back(std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_');
  return out;
}

// --tables and --exclude: every name given must be a table of the source.
void select_tables(Schema& s, const MigrateOptions& o) {
  std::set<std::string> known;
  for (const auto& t : s.tables) known.insert(t.name);
  for (const auto* list : {&o.tables, &o.exclude})
    for (const auto& n : *list)
      if (!known.count(n))
        throw UsageError(fmt::format("'{}' is not a table of {}", n, mask_address(o.source)));
  std::erase_if(s.tables, [&](const Table& t) {
    bool chosen =
        o.tables.empty() || std::find(o.tables.begin(), o.tables.end(), t.name) != o.tables.end();
    return !chosen || std::find(o.exclude.begin(), o.exclude.end(), t.name) != o.exclude.end();
  });
  std::set<std::string> moved;
  for (const auto& t : s.tables) moved.insert(t.name);
  for (auto& t : s.tables)
    std::erase_if(t.foreign_keys, [&](const migrate::ForeignKey& fk) {
      if (moved.count(fk.ref_table)) return false;
      s.not_migrated.push_back(
          fmt::format("foreign key {} -> {} (that table is not migrated)", t.name, fk.ref_table));
      return true;
    });
}

// --cast DATETIME=timestamptz (every column declared so) or Invoice.InvoiceDate=timestamptz.
void apply_casts(Schema& s, const std::vector<std::string>& casts) {
  for (const auto& cast : casts) {
    auto eq = cast.rfind('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == cast.size())
      throw UsageError(
          fmt::format("--cast must be DECLARED=TYPE or TABLE.COLUMN=TYPE, not '{}'", cast));
    std::string what = cast.substr(0, eq), type = cast.substr(eq + 1);
    bool matched = false;
    for (auto& t : s.tables)
      for (auto& c : t.columns)
        if (lower(c.declared) == lower(what) || t.name + "." + c.name == what) {
          migrate::type_from_name(type, c);
          matched = true;
        }
    if (!matched)
      throw UsageError(
          fmt::format("--cast {}: no column is declared '{}' or named so", cast, what));
  }
}

void lowercase(Schema& s) {
  auto all = [](std::vector<std::string>& names) {
    for (auto& n : names) n = lower(n);
  };
  for (auto& t : s.tables) {
    t.name = lower(t.name);
    for (auto& c : t.columns) c.name = lower(c.name);
    all(t.primary_key);
    for (auto& ix : t.indexes) {
      ix.name = lower(ix.name);
      all(ix.columns);
    }
    for (auto& fk : t.foreign_keys) {
      fk.ref_table = lower(fk.ref_table);
      all(fk.columns);
      all(fk.ref_columns);
    }
  }
}

class Migration {
 public:
  Migration(const MigrateOptions& o, const cli::CommonOptions& c)
      : m_opts(o), m_common(c), m_state(o.resume, o.source, o.destination) {
    m_in.password_file = o.source_password_file.empty() ? o.password_file : o.source_password_file;
    m_out.password_file = o.dest_password_file.empty() ? o.password_file : o.dest_password_file;
  }

  int run() {
    auto source = migrate::open_database(m_opts.source, m_in, false);
    m_source_schema = source->read_schema();
    select_tables(m_source_schema, m_opts);
    apply_casts(m_source_schema, m_opts.casts);
    m_schema = m_source_schema;
    if (m_opts.lowercase_names) lowercase(m_schema);
    auto dest = migrate::open_database(m_opts.destination, m_out, !m_opts.dry_run);
    std::vector<std::string> create = dest->create_tables(m_schema);
    std::vector<std::string> after = dest->after_data(m_schema);
    if (m_opts.dry_run) {
      for (const auto& sql : create) std::cout << sql << ";\n";
      for (const auto& sql : after) std::cout << sql << ";\n";
      return 0;
    }
    for (const auto& t : m_schema.tables)
      if (m_state.created(t.name)) m_resumed = true;
    if (!m_opts.data_only) create_tables(*dest, create);
    m_runs.resize(m_schema.tables.size());
    if (!m_opts.schema_only) copy_tables(*dest);
    if (!m_opts.data_only) make_constraints(*dest, after);
    if (!m_opts.schema_only) verify_tables();
    return summary();
  }

 private:
  // The tables, each in one statement (create[i] makes table i); with --resume, those an earlier
  // run made are there already.
  void create_tables(migrate::Database& dest, const std::vector<std::string>& create) {
    std::vector<std::string> there;
    for (const auto& t : m_schema.tables)
      if (!m_state.created(t.name) && dest.has_table(t.name)) there.push_back(t.name);
    if (!there.empty())
      throw UsageError(fmt::format(
          "{} has these tables already: {} (drop them, or --data-only to load into them)",
          mask_address(m_opts.destination), fmt::join(there, ", ")));
    for (std::size_t i = 0; i < create.size(); ++i) {
      const std::string& name = m_schema.tables[i].name;
      if (m_state.created(name)) continue;
      dest.run(create[i]);
      m_state.mark_created(name);
    }
  }

  // Tables in parallel where the destination takes it (two at a time: two cores). With
  // --data-only, or resuming, the foreign keys may be there already: parents load before their
  // children, one table at a time. A resumed table not verified before is emptied first.
  void copy_tables(migrate::Database& dest) {
    bool ordered = m_opts.data_only || m_resumed;
    std::vector<std::size_t> order = ordered ? parents_first() : all_tables();
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
      for (std::size_t n; (n = next++) < order.size();) {
        const std::string& name = m_schema.tables[order[n]].name;
        if (m_state.verified(name)) {
          m_runs[order[n]].earlier = true;
          continue;
        }
        if (m_resumed && m_state.created(name)) dest.empty_table(name);
        copy_table(order[n]);
      }
    };
    if (dest.parallel_loads() && !ordered)
      run_parallel({worker, worker});
    else
      worker();
  }

  std::vector<std::size_t> all_tables() const {
    std::vector<std::size_t> order(m_schema.tables.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    return order;
  }

  // Each table after the tables its foreign keys reference (a cycle: in name order).
  std::vector<std::size_t> parents_first() const {
    std::vector<std::size_t> order;
    std::vector<bool> placed(m_schema.tables.size(), false);
    auto ready = [&](const Table& t) {
      return std::all_of(t.foreign_keys.begin(), t.foreign_keys.end(), [&](const auto& fk) {
        for (std::size_t j = 0; j < m_schema.tables.size(); ++j)
          if (m_schema.tables[j].name == fk.ref_table) return placed[j] || fk.ref_table == t.name;
        return true;
      });
    };
    while (order.size() < m_schema.tables.size()) {
      std::size_t before = order.size();
      for (std::size_t i = 0; i < m_schema.tables.size(); ++i)
        if (!placed[i] && ready(m_schema.tables[i])) {
          placed[i] = true;
          order.push_back(i);
        }
      if (order.size() == before)  // a cycle: the first table left goes next
        for (std::size_t i = 0; i < placed.size(); ++i)
          if (!placed[i]) {
            placed[i] = true;
            order.push_back(i);
            break;
          }
    }
    return order;
  }

  std::string rejects_path(std::size_t i, const char* what) const {
    if (m_opts.rejects_dir.empty()) return "";
    return (std::filesystem::path(m_opts.rejects_dir) /
            fmt::format("{}.{}.ndjson", file_name(m_schema.tables[i].name), what))
        .string();
  }

  void copy_table(std::size_t i) {
    const Table& from = m_source_schema.tables[i];
    const Table& to = m_schema.tables[i];
    TableRun& run = m_runs[i];
    run.source_name = from.name;
    RunStats clock;
    try {
      ConnectorOptions in = m_in, out = m_out;
      out.sink.mode = WriteMode::Insert;
      out.sink.batch_size = m_opts.batch_size;
      const Registry& registry = Registry::builtin();
      auto source = registry.open_source(m_opts.source + "#" + from.name, in);
      auto sink = registry.open_sink(m_opts.destination + "#" + to.name, out);
      RejectWriter rejects(rejects_path(i, "rejects"));
      auto account = [&](const Sourced& rec, const WriteResult& w) {
        if (w.outcome == WriteOutcome::Written) ++run.written;
        if (w.outcome == WriteOutcome::Rejected) {
          ++run.rejected;
          rejects.write(rec, w.reason);
        }
      };
      sink->on_outcome(account);
      Sourced rec;
      while (source->next(rec)) {
        ++run.read;
        if (!rec.reject_reason.empty()) {
          account(rec, {WriteOutcome::Rejected, rec.reject_reason});
          continue;
        }
        if (m_opts.lowercase_names)
          for (auto& f : rec.record.fields()) f.key = lower(f.key);
        account(rec, sink->write(rec));
      }
      sink->commit();
      rejects.commit();
    } catch (const std::exception& e) {
      run.error = e.what();
    }
    run.seconds = clock.seconds();
  }

  // Keys, indexes, foreign keys and sequences: each on its own, so that one the data does not
  // allow (a duplicate, an orphan) is reported and the others are still made.
  void make_constraints(migrate::Database& dest, const std::vector<std::string>& after) {
    for (const auto& sql : after) {
      if (m_state.made(sql)) {
        ++m_constraints_made;
        continue;
      }
      try {
        dest.run(sql);
        m_state.mark_made(sql);
        ++m_constraints_made;
      } catch (const Error& e) {
        m_constraint_errors.push_back(fmt::format("{}: {}", sql, e.what()));
      }
    }
  }

  // Each table against its source, by the diff engine: every value, by key (the primary key,
  // else every column), numbers by value, booleans as 0/1 and times as times.
  // Two tables at a time (two cores: the diff of one reads while the other sorts).
  void verify_tables() {
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
      for (std::size_t i; (i = next++) < m_schema.tables.size();) verify_table(i);
    };
    run_parallel({worker, worker});
  }

  void verify_table(std::size_t i) {
    TableRun& run = m_runs[i];
    if (!run.error.empty() || run.earlier) return;
    const Table& from = m_source_schema.tables[i];
    const Table& to = m_schema.tables[i];
    DiffOptions d;
    d.old_address = m_opts.source + "#" + from.name;
    d.new_address = m_opts.destination + "#" + to.name;
    d.key = to.primary_key;
    if (d.key.empty())
      for (const auto& c : to.columns) d.key.push_back(c.name);
    for (std::size_t c = 0; c < from.columns.size(); ++c)
      if (from.columns[c].name != to.columns[c].name)
        d.rename.emplace_back(from.columns[c].name, to.columns[c].name);
    d.memory = std::size_t{64} << 20;  // past it, sorted runs spill: memory stays bounded
    d.rules.numeric = true;
    d.rules.times = true;
    d.rules.booleans_as_numbers = true;
    d.source_options = m_in;
    d.new_password_file = m_out.password_file;
    std::string diff_file = rejects_path(i, "diff");
    auto scratch =
        std::filesystem::temp_directory_path() / fmt::format("etl-migrate-{}-{}", ::getpid(), i);
    d.output = diff_file.empty() ? (scratch.string() + ".diff") : diff_file;
    cli::CommonOptions c;
    c.quiet = true;
    c.report = scratch.string() + ".json";
    try {
      int code = run_diff(d, c);
      Value report;
      std::ifstream in(c.report);
      std::stringstream text;
      text << in.rdbuf();
      if (!parse_json(text.str(), report) && report.kind() == Value::Kind::Object) {
        auto n = [&](const char* k) {
          const Value* v = nullptr;
          for (const auto& m : report.members())
            if (m.key == k) v = &m.value;
          return v ? std::stoull(v->text()) : 0ULL;
        };
        run.equal = n("unchanged");
        run.differing = n("added") + n("removed") + n("changed") + n("rejected");
      }
      if (code != 0 && run.differing == 0) run.differing = 1;
    } catch (const std::exception& e) {
      run.error = std::string("verification: ") + e.what();
    }
    if (run.error.empty() && run.rejected == 0 && run.differing == 0)
      m_state.mark_verified(to.name);
    std::error_code ec;
    std::filesystem::remove(c.report, ec);
    if (diff_file.empty()) std::filesystem::remove(d.output, ec);
  }

  int summary() {
    std::uint64_t read = 0, written = 0, rejected = 0, differing = 0;
    bool failed = false;
    std::string lines;
    std::vector<std::string> tables_json;
    for (std::size_t i = 0; i < m_runs.size(); ++i) {
      const TableRun& r = m_runs[i];
      const std::string& name = m_schema.tables[i].name;
      read += r.read;
      written += r.written;
      rejected += r.rejected;
      differing += r.differing;
      failed = failed || !r.error.empty();
      std::string verdict = !r.error.empty()     ? "FAILED: " + r.error
                            : r.earlier          ? "verified equal by an earlier run (--resume)"
                            : m_opts.schema_only ? "schema only"
                            : r.differing        ? fmt::format("{} DIFFER", r.differing)
                                                 : fmt::format("verified equal {}", r.equal);
      lines += fmt::format("etl-migrate: {}: read {}, written {}, rejected {}, {} in {:.2f}s\n",
                           name, r.read, r.written, r.rejected, verdict, r.seconds);
      JsonObject t;
      t.add("table", name).add("read", r.read).add("written", r.written);
      t.add("rejected", r.rejected).add("verified_equal", r.equal).add("differing", r.differing);
      t.add_seconds("seconds", r.seconds);
      if (!r.error.empty()) t.add("error", r.error);
      tables_json.push_back(t.str());
    }
    for (const auto& e : m_constraint_errors) lines += "etl-migrate: not made: " + e + "\n";
    if (!m_schema.not_migrated.empty())
      lines +=
          fmt::format("etl-migrate: not migrated: {}\n", fmt::join(m_schema.not_migrated, ", "));
    bool ok = !failed && rejected == 0 && differing == 0 && m_constraint_errors.empty();
    double secs = m_clock.seconds();
    lines += fmt::format(
        "etl-migrate: {} tables, {} rows read, {} written, {} rejected, {}; {} keys, indexes, "
        "foreign keys and sequences made{} in {:.2f}s",
        m_runs.size(), read, written, rejected,
        m_opts.schema_only ? "no rows (--schema-only)"
        : ok               ? "every table verified equal"
                           : "NOT all verified equal",
        m_constraints_made,
        m_constraint_errors.empty() ? "" : fmt::format(", {} not", m_constraint_errors.size()),
        secs);
    cli::report_run(m_common, lines,
                    JsonObject()
                        .add("tool", "etl-migrate")
                        .add("status", ok       ? "ok"
                                       : failed ? "failed"
                                                : "differs")
                        .add_raw("tables", json_array(tables_json))
                        .add("read", read)
                        .add("written", written)
                        .add("rejected", rejected)
                        .add("constraints_made", m_constraints_made)
                        .add("constraints_not_made", m_constraint_errors.size())
                        .add_strings("not_migrated", m_schema.not_migrated)
                        .add_seconds("seconds", secs)
                        .str());
    if (failed) return static_cast<int>(ExitCode::Io);
    return ok ? 0 : static_cast<int>(ExitCode::Data);
  }

  const MigrateOptions& m_opts;
  const cli::CommonOptions& m_common;
  ConnectorOptions m_in, m_out;  // the source's and the destination's
  migrate::ResumeState m_state;
  bool m_resumed = false;            // an earlier run made some of the tables
  Schema m_source_schema, m_schema;  // the source's names, and the destination's
  std::vector<TableRun> m_runs;
  std::size_t m_constraints_made = 0;
  std::vector<std::string> m_constraint_errors;
  RunStats m_clock;
};

}  // namespace

int run_migrate(const MigrateOptions& o, const cli::CommonOptions& c) {
  int n = (o.dry_run ? 1 : 0) + (o.schema_only ? 1 : 0) + (o.data_only ? 1 : 0);
  if (n > 1) throw UsageError("--dry-run, --schema-only and --data-only: give one of them");
  if (!o.rejects_dir.empty()) std::filesystem::create_directories(o.rejects_dir);
  return Migration(o, c).run();
}

}  // namespace etl::tools
