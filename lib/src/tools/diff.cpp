#include "etl/tools/diff.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <functional>
#include <iostream>
#include <map>
#include <thread>

#include "diff_run.hpp"
#include "etl/diff/change_set.hpp"
#include "etl/diff/html_report.hpp"
#include "etl/diff/keyed_merge.hpp"
#include "etl/diff/sorted_side.hpp"
#include "etl/error.hpp"
#include "etl/io.hpp"
#include "etl/json.hpp"
#include "etl/json_writer.hpp"
#include "etl/mask.hpp"
#include "etl/parallel.hpp"
#include "etl/run_stats.hpp"

namespace etl::tools {

namespace {

// A query side must be a database named without a table (the address's #TABLE would win).
void check_query_side(const std::string& address, const char* option) {
  bool database = address.starts_with("sqlite:") || address.starts_with("postgres");
  if (!database)
    throw UsageError(fmt::format("{}: '{}' is not a database (sqlite:, postgresql:)", option,
                                 mask_address(address)));
  if (address.find('#') != std::string::npos)
    throw UsageError(fmt::format("{}: '{}' names a table after '#' as well; name one of them",
                                 option, mask_address(address)));
}

}  // namespace

DiffRun::DiffRun(const DiffOptions& o, const cli::CommonOptions& c, std::size_t side_count)
    : opts(o), common(c), rejects(c.rejects, c.max_errors, o.temp_dir) {
  const std::string* addresses[] = {&o.old_address, &o.new_address, &o.base_address};
  const char* labels[] = {side_count == 2 ? "OLD" : "A", side_count == 2 ? "NEW" : "B", "BASE"};
  for (std::size_t i = 0; i < side_count; ++i) {
    diff::SideOptions s;
    s.address = *addresses[i];
    s.label = labels[i];
    s.connector = o.source_options;
    if (i == 1 && !o.new_password_file.empty()) s.connector.password_file = o.new_password_file;
    const std::string* queries[] = {&o.old_query, &o.new_query, nullptr};
    if (side_count == 2 && !queries[i]->empty()) {
      check_query_side(s.address, i == 0 ? "--old-query" : "--new-query");
      s.connector.query = *queries[i];
      s.connector.table.clear();
    }
    s.key = o.key;
    s.numeric_keys = o.rules.numeric;
    if (i == 0 && side_count == 2) s.rename = o.rename;
    s.memory = o.memory / side_count;
    s.temp_dir = o.temp_dir;
    s.presorted = o.sorted;
    s.reject = [this, i](const Sourced& in, const std::string& reason) { reject(i, in, reason); };
    sides.push_back(std::make_unique<diff::SortedSide>(std::move(s)));
  }
}

void DiffRun::reject(std::size_t side, const Sourced& in, const std::string& reason) {
  rejects.reject(side, in, reason);
}

void DiffRun::reject_entry(std::size_t side, std::string_view blob, const std::string& reason) {
  diff::Entry e = diff::Entry::decode(blob);
  Sourced s;
  Value v;
  if (!parse_json(sides[side]->record_json(e), v)) s.record.fields() = std::move(v.members());
  s.where.source = sides[side]->where(e.ordinal);
  reject(side, s, reason);
}

// Loads the sides in parallel (each reads, keys and sorts its own input), unless presorted.
void DiffRun::load_sides() {
  if (opts.sorted) return;
  rejects.hold(sides.size());
  std::vector<std::function<void()>> loads;
  for (auto& side : sides) loads.emplace_back([&side] { side->load(); });
  try {
    run_parallel(loads);
  } catch (...) {
    rejects.release();
    throw;
  }
  rejects.release();
}

// A key held more than once on any side cannot be compared: every record with it is rejected.
bool DiffRun::reject_duplicates(diff::KeyedMerge& merge) {
  bool duplicated = false;
  for (std::size_t i = 0; i < sides.size(); ++i) duplicated = duplicated || merge.count(i) > 1;
  if (!duplicated) return false;
  ++duplicate_keys;
  std::string key_json;
  std::string held;
  for (std::size_t i = 0; i < sides.size(); ++i) {
    if (merge.count(i) == 0) continue;
    if (key_json.empty()) key_json = sides[i]->key_json(diff::Entry::decode(merge.blob(i)));
    held += fmt::format("{}{} {} time{}", held.empty() ? "" : ", ", sides[i]->options().label,
                        merge.count(i), merge.count(i) == 1 ? "" : "s");
  }
  std::string reason = fmt::format("duplicate key {} ({}): not compared", key_json, held);
  for (std::size_t i = 0; i < sides.size(); ++i)
    for (std::size_t n = 0; n < merge.count(i); ++n) reject_entry(i, merge.blob(i, n), reason);
  return true;
}

bool DiffRun::skip_unreadable(diff::KeyedMerge& merge, std::initializer_list<std::string*> outs) {
  bool found = false;
  for (std::size_t i = 0; i < sides.size(); ++i)
    for (std::size_t n = 0; n < merge.count(i); ++n) {
      diff::Entry e = diff::Entry::decode(merge.blob(i, n));
      if (!e.unreadable) continue;
      found = true;
      for (std::string* out : outs)
        diff::append_unreadable(*out, sides[i]->options().label, sides[i]->key_json(e),
                                sides[i]->where(e.ordinal), sides[i]->unreadable_reason(e), false);
    }
  if (found) ++unreadable_keys;
  return found;
}

void DiffRun::append_unkeyed(std::string& out, std::size_t side, bool deletes_unsafe) const {
  for (const auto& u : sides[side]->unkeyed())
    diff::append_unreadable(out, sides[side]->options().label, "null", u.where, u.reason,
                            deletes_unsafe);
}

std::string DiffRun::side_json(std::size_t i) const {
  return JsonObject()
      .add("source", mask_address(sides[i]->options().address))
      .add("read", sides[i]->read())
      .add("rejected", sides[i]->rejected())
      .add("spilled_runs", sides[i]->runs())
      .str();
}

std::string DiffRun::sides_summary() const {
  std::string out;
  for (const auto& s : sides)
    out += fmt::format("{}{} {} {} records", out.empty() ? "" : ", ", s->options().label,
                       mask_address(s->options().address), s->read());
  return out;
}

std::uint64_t DiffRun::records_read() const {
  std::uint64_t n = 0;
  for (const auto& s : sides) n += s->read();
  return n;
}

namespace {

// The most often changed fields first, then by name.
std::vector<std::pair<std::string, std::uint64_t>> by_count(
    const std::map<std::string, std::uint64_t>& counts) {
  std::vector<std::pair<std::string, std::uint64_t>> v(counts.begin(), counts.end());
  std::stable_sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.second > b.second; });
  return v;
}

std::vector<std::string> only_in(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::vector<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// ", 2 keys not compared (unreadable), 1 record without a readable key"
std::string unreadable_note(const DiffRun& run) {
  std::string note;
  if (run.unreadable_keys)
    note += fmt::format(", {} key{} not compared (unreadable)", run.unreadable_keys,
                        run.unreadable_keys == 1 ? "" : "s");
  if (run.unkeyed())
    note += fmt::format(", {} record{} without a readable key", run.unkeyed(),
                        run.unkeyed() == 1 ? "" : "s");
  return note;
}

struct TwoWayCounts {
  std::uint64_t added = 0, removed = 0, changed = 0, same = 0;
  std::map<std::string, std::uint64_t> fields;
};

int two_way(DiffRun& run) {
  const DiffOptions& o = run.opts;
  TwoWayCounts n;
  OutputStream out(o.output);
  run.load_sides();
  // A field either side types as a time (a timestamp column) compares as a time.
  diff::CompareRules rules = o.rules;
  for (const auto& side : run.sides)
    rules.time_fields.insert(side->time_columns().begin(), side->time_columns().end());
  // Unless every record is written, the keys whose records are the same on both sides are left
  // out of the walk when it can (counted as unchanged): they change nothing below.
  diff::KeyedMerge merge({run.sides[0].get(), run.sides[1].get()}, !o.all,
                         std::max(1U, std::thread::hardware_concurrency()));
  const diff::SortedSide& old_side = *run.sides[0];
  const diff::SortedSide& new_side = *run.sides[1];
  Value old_doc, new_doc;
  Record old_rec, new_rec;
  std::string key_json, old_json, new_json;
  std::vector<diff::FieldChange> changes;
  diff::HtmlReport html(o.html, o.html_rows);
  diff::SameRecord same_record(old_side, new_side);
  auto write = [&](diff::ChangeOp op, const diff::SortedSide& side, const diff::Entry& e) {
    key_json.clear();
    side.append_key(key_json, e);
    new_json.clear();
    side.append_record(new_json, e);
    std::size_t before = out.buffer().size();
    diff::append_change(out.buffer(), op, key_json, new_json, changes);
    html.add(op, std::string_view(out.buffer()).substr(before));
  };
  // When the reader of the output goes away (`etl-diff … | head -1`), the exit status still
  // says whether there were differences: at once when one was found, else after comparing the
  // rest without writing it.
  bool reader_gone = false;
  auto flush_unless_gone = [&] {
    if (!reader_gone) {
      try {
        out.maybe_flush();
        return true;
      } catch (const BrokenPipe&) {
        reader_gone = true;
      }
    }
    out.buffer().clear();
    return (o.subset ? 0 : n.added) + n.removed + n.changed + run.rejected() == 0;
  };
  while (merge.next()) {
    if (run.skip_unreadable(merge, {&out.buffer()}) || run.reject_duplicates(merge)) {
      if (!flush_unless_gone()) break;
      continue;
    }
    changes.clear();
    if (merge.count(1) == 0) {
      ++n.removed;
      write(diff::ChangeOp::Remove, old_side, diff::Entry::decode(merge.blob(0)));
    } else if (merge.count(0) == 0) {
      ++n.added;
      if (!o.subset) write(diff::ChangeOp::Add, new_side, diff::Entry::decode(merge.blob(1)));
    } else {
      diff::Entry a = diff::Entry::decode(merge.blob(0));
      diff::Entry b = diff::Entry::decode(merge.blob(1));
      // Records written the same way are equal under every rule; only others are parsed.
      if (!same_record(a, b)) {
        old_json.clear();
        old_side.append_record(old_json, a);
        new_json.clear();
        new_side.append_record(new_json, b);
        if (parse_json(old_json, old_doc) || parse_json(new_json, new_doc))
          throw IoError("etl-diff: a temporary entry was damaged");
        old_rec.fields().swap(old_doc.members());
        new_rec.fields().swap(new_doc.members());
        if (o.subset)  // NEW's own fields (an ERP's extra columns) are not compared
          std::erase_if(new_rec.fields(), [&](const auto& f) { return !old_rec.find(f.key); });
        diff::diff_records(old_rec, new_rec, o.key, rules, changes);
      }
      if (changes.empty()) {
        ++n.same;
        if (o.all) write(diff::ChangeOp::Same, new_side, b);
      } else {
        ++n.changed;
        for (const auto& c : changes) ++n.fields[*c.field];
        write(diff::ChangeOp::Change, new_side, b);
      }
    }
    if (!flush_unless_gone()) break;
  }
  n.same += merge.skipped();
  if (reader_gone && !flush_unless_gone()) {
    run.rejects.commit();
    return 1;
  }
  run.append_unkeyed(out.buffer(), 0, false);
  run.append_unkeyed(out.buffer(), 1, true);
  if (!reader_gone) {
    try {
      out.commit();
    } catch (const BrokenPipe&) {
      run.rejects.commit();
      return 1;  // the last lines held differences (or unreadable records)
    }
  }
  run.rejects.commit();

  bool equal =
      (o.subset || n.added == 0) && n.removed == 0 && n.changed == 0 && run.rejected() == 0;
  // Fields one side never has (when both have records): a renamed or a new column.
  std::vector<std::string> only_old, only_new;
  const auto& old_columns = run.sides[0]->columns();
  const auto& new_columns = run.sides[1]->columns();
  if (!old_columns.empty() && !new_columns.empty()) {
    only_old = only_in(old_columns, new_columns);
    only_new = only_in(new_columns, old_columns);
  }
  for (const auto& k : o.rules.ignore) {
    std::erase(only_old, k);
    std::erase(only_new, k);
  }
  if (o.subset) only_new.clear();
  auto top = by_count(n.fields);
  double secs = run.stats.seconds();
  std::string msg = fmt::format(
      "etl-diff: {}: added {}, removed {}, changed {}, unchanged {}; rejected {}{}{} in {:.2f}s "
      "({:.0f} records/s)",
      run.sides_summary(), n.added, n.removed, n.changed, n.same, run.rejected(),
      run.duplicate_keys ? fmt::format(" ({} duplicate keys)", run.duplicate_keys) : "",
      unreadable_note(run), secs, secs > 0 ? static_cast<double>(run.records_read()) / secs : 0.0);
  if (!top.empty()) {
    std::string fields;
    for (std::size_t i = 0; i < top.size() && i < 10; ++i)
      fields += fmt::format("{}{} {}", i ? ", " : "", top[i].first, top[i].second);
    msg += "\netl-diff: changed fields: " + fields;
  }
  if (!only_old.empty()) msg += "\netl-diff: fields only in OLD: " + join(only_old);
  if (!only_new.empty()) msg += "\netl-diff: fields only in NEW: " + join(only_new);
  if (o.subset)
    msg += fmt::format(
        "\netl-diff: --subset: {}; the {} added (only in NEW) are not differences",
        equal ? "every OLD record is in NEW as it is" : "OLD is not all in NEW as it is", n.added);
  JsonObject fields;
  for (const auto& [field, count] : top) fields.add(field, count);
  JsonObject r;
  r.add("tool", "etl-diff").add("status", "ok").add("equal", equal);
  r.add_raw("old", run.side_json(0)).add_raw("new", run.side_json(1));
  r.add("added", n.added).add("removed", n.removed).add("changed", n.changed);
  r.add("unchanged", n.same).add("rejected", run.rejected());
  r.add("duplicate_keys", run.duplicate_keys).add("unreadable_keys", run.unreadable_keys);
  r.add("unkeyed", run.unkeyed()).add_raw("fields_changed", fields.str());
  r.add_strings("only_in_old", only_old).add_strings("only_in_new", only_new);
  r.add("subset", o.subset).add_seconds("seconds", secs);
  std::string report = r.str() + "\n";
  html.finish(report);
  cli::report_run(run.common, msg, report);
  return equal ? 0 : 1;
}

}  // namespace

int run_diff(const DiffOptions& o, const cli::CommonOptions& c) {
  if (o.key.empty()) throw UsageError("--key is required");
  for (const auto& k : o.key)
    if (k.empty()) throw UsageError("--key: a key field has no name");
  for (const auto& k : o.key)
    if (!o.rules.compares(k) && o.rules.ignore.count(k))
      throw UsageError(fmt::format("--ignore {}: a key field is always compared", k));
  if (!o.base_address.empty()) {
    if (o.subset || !o.old_query.empty() || !o.new_query.empty() || !o.html.empty())
      throw UsageError(
          "--subset, --old-query, --new-query and --html compare two sides, not three (--base)");
    DiffRun run(o, c, 3);
    return three_way(run);
  }
  DiffRun run(o, c, 2);
  try {
    return two_way(run);
  } catch (const BrokenPipe&) {
    throw;
  } catch (const std::exception& e) {
    cli::write_report(
        c.report,
        JsonObject().add("tool", "etl-diff").add("status", "error").add("error", e.what()).str());
    throw;
  }
}

}  // namespace etl::tools
