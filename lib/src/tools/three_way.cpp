// etl-diff --base BASE A B: the changes that bring A and B to the same merged state.
// Per field: a change on one side since BASE goes to the other side; the same change on both
// sides needs nothing; different changes on both sides are a conflict, which takes neither side
// unless --prefer says which wins. A record deleted on one side and changed on the other is a
// conflict too; deleted and unchanged, it is deleted on the other side.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "diff_run.hpp"
#include "etl/diff/change_set.hpp"
#include "etl/error.hpp"
#include "etl/io.hpp"
#include "etl/json.hpp"
#include "etl/json_writer.hpp"

namespace etl::tools {
namespace {

constexpr std::size_t kA = 0, kB = 1, kBase = 2;

void parse_record(std::string_view json, Record& out) {
  Value v;
  if (parse_json(json, v)) throw IoError("etl-diff: a temporary entry was damaged");
  out.fields().swap(v.members());
}

// One side's record for the current key, as JSON text.
struct Held {
  std::string key_json, record_json;
};

struct SideCounts {
  std::uint64_t add = 0, remove = 0, change = 0;
};

struct ThreeWay {
  DiffRun& run;
  OutputStream out_a, out_b;
  std::unique_ptr<OutputStream> out_conflicts;
  SideCounts to_a, to_b;
  std::uint64_t conflicts = 0, resolved = 0, unchanged = 0;

  explicit ThreeWay(DiffRun& r) : run(r), out_a(r.opts.changes_a), out_b(r.opts.changes_b) {
    if (!r.opts.conflicts.empty()) out_conflicts = std::make_unique<OutputStream>(r.opts.conflicts);
  }

  OutputStream& out(std::size_t side) { return side == kA ? out_a : out_b; }
  SideCounts& counts(std::size_t side) { return side == kA ? to_a : to_b; }

  void add(std::size_t side, std::string_view key_json, std::string_view record_json) {
    ++counts(side).add;
    diff::append_change(out(side).buffer(), diff::ChangeOp::Add, key_json, record_json);
  }
  void remove(std::size_t side, std::string_view key_json, std::string_view record_json) {
    ++counts(side).remove;
    diff::append_change(out(side).buffer(), diff::ChangeOp::Remove, key_json, record_json);
  }

  // A conflict line: the key, what kind, the differing fields, and all three records.
  void conflict(std::string_view key_json, const char* kind, const std::string& fields_json,
                const Held* base, const Held* a, const Held* b) {
    ++conflicts;
    const std::string& prefer = run.opts.prefer;
    if (!prefer.empty()) ++resolved;
    if (!out_conflicts) return;
    std::string& o = out_conflicts->buffer();
    o += "{\"key\":";
    o += key_json;
    o += fmt::format(",\"conflict\":\"{}\"", kind);
    if (!fields_json.empty()) o += ",\"fields\":" + fields_json;
    o += ",\"resolved\":";
    o += prefer.empty() ? "null" : "\"" + prefer + "\"";
    for (auto [name, e] : {std::pair{"base", base}, std::pair{"a", a}, std::pair{"b", b}}) {
      o += fmt::format(",\"{}\":", name);
      o += e ? e->record_json : std::string_view("null");
    }
    o += "}\n";
    out_conflicts->maybe_flush();
  }

  // Both sides hold the key: merge field by field against base (empty when both added it).
  void merge_fields(const Held& a, const Held& b, const Held* base) {
    if (a.record_json == b.record_json) {
      ++unchanged;
      return;
    }
    Record ra, rb, rbase;
    parse_record(a.record_json, ra);
    parse_record(b.record_json, rb);
    if (base) parse_record(base->record_json, rbase);
    const auto& rules = run.opts.rules;
    const auto& key = run.opts.key;
    // Every compared field of the three, in A's order, then B's, then BASE's.
    std::vector<std::string> names;
    for (const Record* r : {&ra, &rb, &rbase})
      for (const auto& m : r->fields())
        if (rules.compares(m.key) && std::find(key.begin(), key.end(), m.key) == key.end() &&
            std::find(names.begin(), names.end(), m.key) == names.end())
          names.push_back(m.key);
    std::vector<diff::FieldChange> for_a, for_b;
    std::string conflict_fields;
    for (const auto& f : names) {
      const Value* va = ra.find(f);
      const Value* vb = rb.find(f);
      const Value* vo = rbase.find(f);
      if (diff::values_equal(f, va, vb, rules)) continue;
      bool a_changed = !diff::values_equal(f, vo, va, rules);
      bool b_changed = !diff::values_equal(f, vo, vb, rules);
      std::size_t winner = a_changed && !b_changed   ? kA
                           : b_changed && !a_changed ? kB
                           : run.opts.prefer == "a"  ? kA
                           : run.opts.prefer == "b"  ? kB
                                                     : kBase;
      if (a_changed && b_changed) {
        conflict_fields += conflict_fields.empty() ? "{" : ",";
        append_json_string(conflict_fields, f);
        conflict_fields += ":{";
        std::string parts;
        for (auto [name, v] : {std::pair{"base", vo}, std::pair{"a", va}, std::pair{"b", vb}}) {
          if (!v) continue;
          parts += fmt::format("{}\"{}\":", parts.empty() ? "" : ",", name);
          append_json(parts, *v);
        }
        conflict_fields += parts + "}";
      }
      if (winner == kA) for_b.push_back({&f, vb, va});
      if (winner == kB) for_a.push_back({&f, va, vb});
    }
    if (!conflict_fields.empty())
      conflict(b.key_json, "field", conflict_fields + "}", base, &a, &b);
    if (for_a.empty() && for_b.empty() && conflict_fields.empty()) ++unchanged;
    write_change(kA, a.key_json, ra, for_a);
    write_change(kB, b.key_json, rb, for_b);
  }

  void write_change(std::size_t side, std::string_view key_json, const Record& current,
                    const std::vector<diff::FieldChange>& changes) {
    if (changes.empty()) return;
    ++counts(side).change;
    Record merged = current;
    for (const auto& c : changes) {
      if (c.new_value) {
        merged.set(*c.field, *c.new_value);
      } else {
        auto& f = merged.fields();
        f.erase(std::remove_if(f.begin(), f.end(), [&](auto& m) { return m.key == *c.field; }),
                f.end());
      }
    }
    diff::append_change(out(side).buffer(), diff::ChangeOp::Change, key_json, to_json(merged),
                        changes);
  }

  // BASE holds the key, one side deleted it, the other (`kept`) still has it.
  void deleted_on_one_side(std::size_t kept, const Held& e, const Held& base) {
    std::size_t other = kept == kA ? kB : kA;
    Record rk, rbase;
    parse_record(e.record_json, rk);
    parse_record(base.record_json, rbase);
    std::vector<diff::FieldChange> changed;
    diff::diff_records(rbase, rk, run.opts.key, run.opts.rules, changed);
    if (changed.empty()) {
      remove(kept, e.key_json, e.record_json);  // deleted there, untouched here: delete here
      return;
    }
    const Held* a = kept == kA ? &e : nullptr;
    const Held* b = kept == kB ? &e : nullptr;
    conflict(e.key_json, kept == kA ? "changed in A, deleted in B" : "deleted in A, changed in B",
             "", &base, a, b);
    if (run.opts.prefer == (kept == kA ? "a" : "b"))
      add(other, e.key_json, e.record_json);
    else if (!run.opts.prefer.empty())
      remove(kept, e.key_json, e.record_json);
  }

  void step(diff::KeyedMerge& m) {
    bool has_a = m.count(kA) > 0, has_b = m.count(kB) > 0, has_base = m.count(kBase) > 0;
    auto held = [&](std::size_t side) {
      Held h;
      if (m.count(side) == 0) return h;
      diff::Entry e = diff::Entry::decode(m.blob(side));
      run.sides[side]->append_key(h.key_json, e);
      run.sides[side]->append_record(h.record_json, e);
      return h;
    };
    Held a = held(kA), b = held(kB), base = held(kBase);
    if (has_a && has_b) {
      merge_fields(a, b, has_base ? &base : nullptr);
    } else if (has_a && !has_base) {
      add(kB, a.key_json, a.record_json);
    } else if (has_b && !has_base) {
      add(kA, b.key_json, b.record_json);
    } else if (has_a) {
      deleted_on_one_side(kA, a, base);
    } else if (has_b) {
      deleted_on_one_side(kB, b, base);
    }  // else deleted on both sides: nothing to do
    out_a.maybe_flush();
    out_b.maybe_flush();
  }
};

std::string side_counts_json(const SideCounts& c) {
  return JsonObject().add("add", c.add).add("remove", c.remove).add("change", c.change).str();
}

}  // namespace

int three_way(DiffRun& run) {
  const DiffOptions& o = run.opts;
  if (o.changes_a.empty() || o.changes_b.empty())
    throw UsageError("--base needs --changes-a FILE and --changes-b FILE for the two change sets");
  ThreeWay t(run);
  run.load_sides();
  diff::KeyedMerge merge({run.sides[kA].get(), run.sides[kB].get(), run.sides[kBase].get()});
  while (merge.next()) {
    if (run.skip_unreadable(merge, {&t.out_a.buffer(), &t.out_b.buffer()}) ||
        run.reject_duplicates(merge))
      continue;
    t.step(merge);
  }
  // The changes to A come from B, those to B from A: records either could not key make
  // deleting from the other unsafe.
  for (std::size_t side : {kA, kB, kBase}) {
    run.append_unkeyed(t.out_a.buffer(), side, side == kB);
    run.append_unkeyed(t.out_b.buffer(), side, side == kA);
  }
  t.out_a.commit();
  t.out_b.commit();
  if (t.out_conflicts) t.out_conflicts->commit();
  run.rejects.commit();
  std::uint64_t open_conflicts = t.conflicts - t.resolved;
  double secs = run.stats.seconds();
  cli::report_run(
      run.common,
      fmt::format(
          "etl-diff: {}: to A add {}, remove {}, change {}; to B add {}, remove {}, change {}; "
          "unchanged {}; conflicts {} ({} resolved by --prefer); rejected {} in {:.2f}s ({:.0f} "
          "records/s)",
          run.sides_summary(), t.to_a.add, t.to_a.remove, t.to_a.change, t.to_b.add, t.to_b.remove,
          t.to_b.change, t.unchanged, t.conflicts, t.resolved, run.rejected(), secs,
          secs > 0 ? static_cast<double>(run.records_read()) / secs : 0.0),
      JsonObject()
              .add("tool", "etl-diff")
              .add("status", "ok")
              .add("merged", open_conflicts == 0 && run.rejected() == 0)
              .add_raw("a", run.side_json(kA))
              .add_raw("b", run.side_json(kB))
              .add_raw("base", run.side_json(kBase))
              .add_raw("to_a", side_counts_json(t.to_a))
              .add_raw("to_b", side_counts_json(t.to_b))
              .add("unchanged", t.unchanged)
              .add("conflicts", t.conflicts)
              .add("resolved", t.resolved)
              .add("rejected", run.rejected())
              .add("duplicate_keys", run.duplicate_keys)
              .add_seconds("seconds", secs)
              .str() +
          "\n");
  return open_conflicts == 0 && run.rejected() == 0 ? 0 : 1;
}

}  // namespace etl::tools
