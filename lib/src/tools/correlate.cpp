#include "etl/tools/correlate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_set>

#include "correlate_side.hpp"
#include "etl/arena.hpp"
#include "etl/correlate/matcher.hpp"
#include "etl/correlate/xref_store.hpp"
#include "etl/error.hpp"
#include "etl/io.hpp"
#include "etl/json.hpp"
#include "etl/json_writer.hpp"
#include "etl/mask.hpp"
#include "etl/parallel.hpp"
#include "etl/run_stats.hpp"

namespace etl::tools {
namespace {

using correlate::kAmbiguous;
using correlate::kUnmatched;

struct SideCounts {
  std::uint64_t matched = 0, unmatched = 0, ambiguous = 0;
};

SideCounts count_states(std::span<const std::uint8_t> states) {
  SideCounts n;
  for (auto s : states) {
    if (s == kUnmatched)
      ++n.unmatched;
    else if (s == kAmbiguous)
      ++n.ambiguous;
    else
      ++n.matched;
  }
  return n;
}

std::unique_ptr<OutputStream> open_optional(const std::string& path) {
  return path.empty() ? nullptr : std::make_unique<OutputStream>(path);
}

// Two values a --compare holds equal: equal datums, or scalars with the same text (a phone
// number one system keeps as a number and the other as a string).
bool agree(const mapping::Datum& a, const mapping::Datum& b) {
  if (mapping::datums_equal(a, b)) return true;
  if (a.is_null() || b.is_null() || a.type() == mapping::Datum::Type::Json ||
      b.type() == mapping::Datum::Type::Json)
    return false;
  std::string x, y;
  mapping::append_text(x, a);
  mapping::append_text(y, b);
  return x == y;
}

class CorrelateRun {
 public:
  CorrelateRun(const CorrelateOptions& o, const cli::CommonOptions& c)
      : m_opts(o), m_common(c), m_rejects(c.rejects, c.max_errors, o.temp_dir) {
    plan();
    for (const auto& text : o.compare) {
      auto spec = correlate::parse_pair(text, "--compare");
      if (spec.left.size() != 1)
        throw UsageError(fmt::format("--compare '{}': one expression on each side", text));
      m_compare_names.push_back(spec.left[0]);
    }
    if (!o.xref.empty()) {
      m_xref = std::make_unique<correlate::XrefStore>(o.xref);
      m_xref_pairs = m_xref->load(o.entity);
    }
    for (std::size_t s = 0; s < 2; ++s)
      m_sides.push_back(std::make_unique<CorrelateSide>(s, o, s == 0 ? m_plan : m_right_plan,
                                                        m_rejects, &m_xref_pairs));
  }

  int run() {
    m_rejects.hold(2);  // left's rejects first, then right's, whichever is read first
    try {
      match();
    } catch (...) {
      m_rejects.release();
      throw;
    }
    m_rejects.release();
    if (m_xref) m_xref->save(m_opts.entity, m_xref_saves);
    m_rejects.commit();
    std::string failed = failed_sets();
    summary(failed);
    if (failed.empty()) return 0;
    if (!m_common.quiet) std::cerr << "etl-correlate: --fail-on: " << failed << "\n";
    return 1;
  }

 private:
  void plan() {
    if (!m_opts.xref.empty()) {
      correlate::RuleSpec x;
      x.text = "xref";
      m_plan.rules.push_back(x);
      m_plan.xref_rule = true;
    }
    bool fuzzy = false;
    for (const auto& text : m_opts.on) {
      m_plan.rules.push_back(correlate::parse_rule(text));
      fuzzy = fuzzy || m_plan.rules.back().fuzzy;
    }
    if (m_plan.rules.size() > 250) throw UsageError("at most 250 --on rules");
    if (!m_opts.block.empty()) {
      if (!fuzzy)
        throw UsageError("--block applies to fuzzy rules (similar(…) >= SCORE); there is none");
      auto b = correlate::parse_pair(m_opts.block, "--block");
      m_plan.block = b.left;
      m_block_right = b.right;
    }
    // The right side reads the right half of the blocking key.
    m_right_plan = m_plan;
    m_right_plan.block = m_block_right;
  }

  // Where the records go: the output, the leftovers, the conflicts.
  struct Outputs {
    explicit Outputs(const CorrelateOptions& opts)
        : out(opts.output),
          unmatched_left(open_optional(opts.unmatched_left)),
          unmatched_right(open_optional(opts.unmatched_right)),
          conflicts(open_optional(opts.conflicts)) {}
    OutputStream out;
    std::unique_ptr<OutputStream> unmatched_left, unmatched_right, conflicts;
  };

  // What rendering a chunk of left records makes, before it is written in order.
  struct Rendered {
    std::string out, unmatched_left, conflicts;
    std::vector<correlate::XrefPair> saves;
    std::uint64_t pairs = 0, conflicting = 0, written = 0;
    correlate::ReadBuffer left_reads, right_reads;
    std::vector<std::uint32_t> many;
    std::vector<double> scores;
  };

  // Both sides are stored and matched rule by rule, in memory or in hash partitions; the
  // pairs are then written in the left side's order.
  void match() {
    CorrelateSide& left = *m_sides[0];
    CorrelateSide& right = *m_sides[1];
    {
      Progress progress(
          "etl-correlate",
          Progress::wanted(m_common.quiet, m_common.log_format == cli::LogFormat::Json));
      left.show_progress(&progress);
      run_parallel({[&] {
                      left.load();
                      left.help_load_of(right);
                    },
                    [&] {
                      right.load();
                      right.help_load_of(left);
                    }});
      left.show_progress(nullptr);
    }
    if (m_opts.emit == Emit::Merged) refuse_merged_collisions(left.store(), right.store());
    m_match = correlate::match_sides(m_plan.rules, left.index(), right.index(), left.store().size(),
                                     right.store().size(), m_opts.allow_many);
    m_left_counts = count_states(m_match.left_state);
    m_right_counts = count_states(m_match.right_state);
    // The left records are rendered in chunks, two at a time on two threads (one, when --compare
    // evaluates expressions: those keep state while they run), and written in order.
    Outputs o(m_opts);
    const std::uint32_t n = left.store().size();
    std::vector<Rendered> parts(m_compare_names.empty() ? 2 : 1);
    // Chunks in flight (rendering and being written) stay within a sixteenth of --memory (a
    // pair is about a left and a right record); a chunk holds at most 16384 left records.
    std::uint64_t pair_bytes =
        64 + left.store().bytes() / std::max<std::uint32_t>(n, 1) +
        right.store().bytes() / std::max<std::uint32_t>(right.store().size(), 1);
    const auto chunk = static_cast<std::uint32_t>(
        std::clamp<std::uint64_t>(m_opts.memory / 32 / parts.size() / pair_bytes, 64, 16384));
    // While two chunks render, the two before them are written.
    std::vector<Rendered> written(parts.size());
    for (auto* rendered : {&parts, &written})  // (in huge pages: see reserve_arena)
      for (Rendered& r : *rendered) reserve_arena(r.out, chunk * pair_bytes);
    bool pending = false;
    for (std::uint32_t begin = 0; begin < n; begin += chunk * parts.size()) {
      std::vector<std::function<void()>> tasks;
      for (std::size_t t = 0; t < parts.size(); ++t) {
        std::uint32_t b = begin + static_cast<std::uint32_t>(t) * chunk;
        if (b < n)
          tasks.emplace_back(
              [this, &parts, t, b, n, chunk] { render(b, std::min(n, b + chunk), parts[t]); });
      }
      if (pending)
        tasks.emplace_back([&] {
          for (auto& w : written) flush(o, w);
        });
      run_parallel(tasks);
      std::swap(parts, written);
      pending = true;
    }
    for (auto& w : written) flush(o, w);
    finish(o, m_match.right_state);
  }

  // A left field and a right field merged under the same name would be one key twice in a
  // merged record, and its next reader would keep one of them: refused before anything is
  // written, whether or not the records that hold them pair (so that whether a run works does
  // not hang on which records pair).
  void refuse_merged_collisions(const correlate::RecordStore& left,
                                const correlate::RecordStore& right) const {
    std::unordered_set<std::string_view> left_names(left.field_names().begin(),
                                                    left.field_names().end());
    for (const auto& [field, merged] : right.merged_fields())
      if (left_names.count(merged))
        throw UsageError(fmt::format(
            "LEFT has a field '{}', and RIGHT's field '{}' is merged under that name ({}): a "
            "merged record could hold it twice; choose another {}",
            merged, field,
            m_opts.right_fields.empty() ? "--right-prefix '" + m_opts.right_prefix + "'"
                                        : std::string("--right-fields"),
            m_opts.right_fields.empty() ? "--right-prefix, or --right-fields" : "name for it"));
  }

  void render(std::uint32_t begin, std::uint32_t end, Rendered& r) const {
    const auto& left = *m_sides[0];
    for (std::uint32_t l = begin; l < end; ++l) {
      std::uint8_t state = m_match.left_state[l];
      if (state == kAmbiguous) continue;
      prefetch_right(l);
      auto rights = m_match.matches_of(l, r.many);
      r.scores.clear();
      if (state != kUnmatched && m_plan.rules[state - 1].fuzzy)
        for (auto x : rights) r.scores.push_back(m_match.score(l, x));
      write_left(r, left.store().get(l, r.left_reads, true), state, rights, r.scores);
    }
  }

  void flush(Outputs& o, Rendered& r) {
    o.out.write(r.out);
    if (o.unmatched_left) o.unmatched_left->write(r.unmatched_left);
    if (o.conflicts) o.conflicts->write(r.conflicts);
    for (auto& p : r.saves) m_xref_saves.push_back(std::move(p));
    m_pairs += r.pairs;
    m_conflicting += r.conflicting;
    m_written += r.written;
    r.out.clear();
    r.unmatched_left.clear();
    r.conflicts.clear();
    r.saves.clear();
    r.pairs = r.conflicting = r.written = 0;
  }

  // A left record and the right records it pairs with (none: it is a leftover).
  void write_left(Rendered& out, std::string_view lrec, std::uint8_t state,
                  std::span<const std::uint32_t> rights, std::span<const double> scores) const {
    const auto& left = *m_sides[0];
    const auto& right = *m_sides[1];
    if (state == kUnmatched) {
      if (!m_opts.unmatched_left.empty()) {
        left.store().append_object(out.unmatched_left, lrec);
        out.unmatched_left.push_back('\n');
      }
      if (join_keeps_left()) {
        emit_single(out.out, 0, lrec);
        ++out.written;
      }
      return;
    }
    for (std::size_t k = 0; k < rights.size(); ++k) {
      std::string_view rrec = right.store().get(rights[k], out.right_reads);
      std::optional<double> score;
      if (!scores.empty()) score = scores[k];
      ++out.pairs;
      if (m_xref) out.saves.push_back(xref_pair(state, score, lrec, rrec));  // conflicts too
      if (!m_compare_names.empty()) {
        std::string diff = differences(lrec, rrec);
        if (!diff.empty()) {
          ++out.conflicting;
          std::string& c = out.conflicts;
          c += "{\"left\":";
          left.store().append_object(c, lrec);
          c += ",\"right\":";
          right.store().append_object(c, rrec);
          append_rule_and_score(c, state, score);
          c += ",\"differences\":" + diff + "}\n";
          continue;
        }
      }
      if (join_keeps_pairs()) {
        emit_pair(out.out, state, score, lrec, rrec);
        ++out.written;
      }
    }
  }

  static void append_line(OutputStream& to, const correlate::RecordStore& store,
                          std::string_view rec) {
    store.append_object(to.buffer(), rec);
    to.buffer().push_back('\n');
    to.maybe_flush();
  }

  // The right records nothing paired with, the ambiguous groups; then everything is committed.
  void finish(Outputs& o, std::span<const std::uint8_t> right_state) {
    const auto& right = *m_sides[1];
    correlate::ReadBuffer rbuf;
    for (std::uint32_t r = 0; r < right_state.size(); ++r) {
      if (right_state[r] != kUnmatched) continue;
      std::string_view rrec = right.store().get(r, rbuf, true);
      if (o.unmatched_right) append_line(*o.unmatched_right, right.store(), rrec);
      if (join_keeps_right()) {
        emit_single(o.out.buffer(), 1, rrec);
        ++m_written;
        o.out.maybe_flush();
      }
    }
    write_ambiguous();
    for (auto* f : {o.unmatched_left.get(), o.unmatched_right.get(), o.conflicts.get()})
      if (f) f->commit();
    o.out.commit();
  }

  const std::string& rule_text(std::uint8_t state) const { return m_plan.rules[state - 1].text; }

  void append_rule_and_score(std::string& out, std::uint8_t state,
                             std::optional<double> score) const {
    out += ",\"rule\":";
    append_json_string(out, rule_text(state));
    if (score) out += fmt::format(",\"score\":{:.4f}", *score);
  }

  // One output record of a pair, per --emit.
  void emit_pair(std::string& out, std::uint8_t state, std::optional<double> score,
                 std::string_view lrec, std::string_view rrec) const {
    const auto& left = *m_sides[0];
    const auto& right = *m_sides[1];
    if (m_opts.emit == Emit::Merged) {
      left.store().append_object(out, lrec);
      out.pop_back();
      std::size_t mark = out.size();
      if (out.back() != '{') out.push_back(',');
      std::size_t before = out.size();
      right.store().append_merged_members(out, rrec);
      if (out.size() == before) out.resize(mark);
      out.push_back('}');
    } else if (m_opts.emit == Emit::Pair) {
      out += "{\"left\":";
      left.store().append_object(out, lrec);
      out += ",\"right\":";
      right.store().append_object(out, rrec);
      append_rule_and_score(out, state, score);
      out.push_back('}');
    } else {
      out += "{\"left\":";
      left.append_id(out, lrec);
      out += ",\"right\":";
      right.append_id(out, rrec);
      append_rule_and_score(out, state, score);
      out.push_back('}');
    }
    out.push_back('\n');
  }

  // A record of one side only (left, right, full and anti joins).
  void emit_single(std::string& out, std::size_t side, std::string_view rec) const {
    const auto& s = *m_sides[side];
    if (m_opts.emit == Emit::Merged) {
      if (side == 0) {
        s.store().append_object(out, rec);
      } else {
        out.push_back('{');
        s.store().append_merged_members(out, rec);
        out.push_back('}');
      }
    } else {
      out += side == 0 ? "{\"left\":" : "{\"left\":null,\"right\":";
      if (m_opts.emit == Emit::Pair)
        s.store().append_object(out, rec);
      else
        s.append_id(out, rec);
      out += side == 0 ? ",\"right\":null,\"rule\":null}" : ",\"rule\":null}";
    }
    out.push_back('\n');
  }

  // The fields a --compare finds different, as {"name":{"left":…,"right":…}}; empty when the
  // pair agrees.
  std::string differences(std::string_view lrec, std::string_view rrec) const {
    Record lr = m_sides[0]->store().to_record(lrec);
    Record rr = m_sides[1]->store().to_record(rrec);
    std::string out;
    try {
      auto a = m_sides[0]->compare_values(lr);
      auto b = m_sides[1]->compare_values(rr);
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (agree(a[i], b[i])) continue;
        out += out.empty() ? "{" : ",";
        append_json_string(out, m_compare_names[i]);
        out += ":{\"left\":";
        append_json(out, a[i].to_value());
        out += ",\"right\":";
        append_json(out, b[i].to_value());
        out += "}";
      }
    } catch (const mapping::EvalError& e) {
      out = "{\"error\":";
      append_json_string(out, e.what());
    }
    return out.empty() ? out : out + "}";
  }

  bool join_keeps_left() const {
    return m_opts.join == Join::Left || m_opts.join == Join::Full || m_opts.join == Join::Anti;
  }
  bool join_keeps_right() const { return m_opts.join == Join::Right || m_opts.join == Join::Full; }
  bool join_keeps_pairs() const { return m_opts.join != Join::Anti; }

  // The right records of later left records are fetched from memory while this one is written.
  void prefetch_right(std::uint32_t l) const {
    const auto& states = m_match.left_state;
    const auto& right = m_sides[1]->store();
    for (auto [ahead, level] : {std::pair{16u, 0}, std::pair{8u, 1}}) {
      std::uint32_t at = l + ahead;
      if (at < states.size() && states[at] != kUnmatched && states[at] != kAmbiguous)
        right.prefetch(m_match.left_match[at], level);
    }
  }

  correlate::XrefPair xref_pair(std::uint8_t state, std::optional<double> score,
                                std::string_view lrec, std::string_view rrec) const {
    correlate::XrefPair p;
    std::string id;
    m_sides[0]->append_id(id, lrec);
    parse_json(id, p.left);
    id.clear();
    m_sides[1]->append_id(id, rrec);
    parse_json(id, p.right);
    p.rule = rule_text(state);
    p.score = score.value_or(1.0);
    return p;
  }

  void write_ambiguous() {
    if (m_opts.ambiguous.empty()) return;
    OutputStream out(m_opts.ambiguous);
    correlate::ReadBuffer buf;
    for (const auto& g : m_match.ambiguous) {
      std::string& o = out.buffer();
      o += "{\"rule\":";
      append_json_string(o, m_plan.rules[g.rule].text);
      for (std::size_t side = 0; side < 2; ++side) {
        o += side == 0 ? ",\"left\":[" : "],\"right\":[";
        const auto& ords = side == 0 ? g.lefts : g.rights;
        for (std::size_t i = 0; i < ords.size(); ++i) {
          if (i > 0) o.push_back(',');
          m_sides[side]->store().append_object(o, m_sides[side]->store().get(ords[i], buf));
        }
      }
      o.push_back(']');
      if (!g.links.empty()) {
        o += ",\"scores\":[";
        for (std::size_t i = 0; i < g.links.size(); ++i) {
          auto at = [](const std::vector<std::uint32_t>& v, std::uint32_t x) {
            return std::lower_bound(v.begin(), v.end(), x) - v.begin();
          };
          o += fmt::format("{}{{\"left\":{},\"right\":{},\"score\":{:.4f}}}", i > 0 ? "," : "",
                           at(g.lefts, g.links[i].left), at(g.rights, g.links[i].right),
                           g.links[i].score);
        }
        o.push_back(']');
      }
      o += "}\n";
      out.maybe_flush();
    }
    out.commit();
  }

  // "2 unmatched-left, 1 conflicts": the --fail-on sets that are not empty.
  std::string failed_sets() const {
    std::string out;
    for (const auto& set : m_opts.fail_on) {
      std::uint64_t n = set == "unmatched-left"    ? m_left_counts.unmatched
                        : set == "unmatched-right" ? m_right_counts.unmatched
                        : set == "ambiguous" ? m_left_counts.ambiguous + m_right_counts.ambiguous
                                             : m_conflicting;
      if (n > 0) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", n, set);
    }
    return out;
  }

  void summary(const std::string& failed) const {
    const SideCounts& lc = m_left_counts;
    const SideCounts& rc = m_right_counts;
    double secs = m_stats.seconds();
    std::uint64_t read = m_sides[0]->read() + m_sides[1]->read();
    std::string rules_text;
    std::vector<std::string> rules_json;
    for (std::size_t i = 0; i < m_plan.rules.size(); ++i) {
      const auto& n = m_match.per_rule[i];
      rules_text += fmt::format("{}{} {}", i ? ", " : "", m_plan.rules[i].text, n.pairs);
      if (n.ambiguous_left + n.ambiguous_right > 0)
        rules_text += fmt::format(" (ambiguous {}/{})", n.ambiguous_left, n.ambiguous_right);
      rules_json.push_back(JsonObject()
                               .add("rule", m_plan.rules[i].text)
                               .add("pairs", n.pairs)
                               .add("ambiguous_left", n.ambiguous_left)
                               .add("ambiguous_right", n.ambiguous_right)
                               .str());
    }
    auto side_text = [](const CorrelateSide& s, const SideCounts& n) {
      return fmt::format("{} {}: read {}, matched {}, unmatched {}, ambiguous {}, rejected {}",
                         s.label(), mask_address(s.address()), s.read(), n.matched, n.unmatched,
                         n.ambiguous, s.rejected());
    };
    auto side_json = [](const CorrelateSide& s, const SideCounts& n) {
      return JsonObject()
          .add("source", mask_address(s.address()))
          .add("read", s.read())
          .add("matched", n.matched)
          .add("unmatched", n.unmatched)
          .add("ambiguous", n.ambiguous)
          .add("rejected", s.rejected())
          .add("spilled", s.store().spilled() || s.index().partitions() > 1)
          .str();
    };
    std::string conflicts_text =
        m_compare_names.empty()
            ? ""
            : fmt::format(" ({} agree, {} conflict)", m_pairs - m_conflicting, m_conflicting);
    cli::report_run(
        m_common,
        fmt::format("etl-correlate: pairs {}{} by rule: {}\n  {}\n  {}\n  written {} in {:.2f}s "
                    "({:.0f} records/s)",
                    m_pairs, conflicts_text, rules_text, side_text(*m_sides[0], lc),
                    side_text(*m_sides[1], rc), m_written, secs,
                    secs > 0 ? static_cast<double>(read) / secs : 0.0),
        JsonObject()
            .add("tool", "etl-correlate")
            .add("status", failed.empty() ? "ok" : "failed-on")
            .add_raw("left", side_json(*m_sides[0], lc))
            .add_raw("right", side_json(*m_sides[1], rc))
            .add_raw("rules", json_array(rules_json))
            .add("pairs", m_pairs)
            .add("agreeing", m_pairs - m_conflicting)
            .add("conflicting", m_conflicting)
            .add("written", m_written)
            .add_seconds("seconds", secs)
            .str());
  }

  const CorrelateOptions& m_opts;
  const cli::CommonOptions& m_common;
  SideRejects m_rejects;
  SidePlan m_plan, m_right_plan;
  std::vector<std::string> m_block_right;
  std::unique_ptr<correlate::XrefStore> m_xref;
  std::unordered_map<std::string, std::string> m_xref_pairs;
  std::vector<correlate::XrefPair> m_xref_saves;
  std::vector<std::unique_ptr<CorrelateSide>> m_sides;
  std::vector<std::string> m_compare_names;
  correlate::MatchResult m_match;
  SideCounts m_left_counts, m_right_counts;
  RunStats m_stats;  // for the clock
  std::uint64_t m_pairs = 0, m_conflicting = 0, m_written = 0;
};

}  // namespace

Emit parse_emit(const std::string& text) {
  if (text == "merged") return Emit::Merged;
  if (text == "pair") return Emit::Pair;
  if (text == "xref") return Emit::Xref;
  throw UsageError(fmt::format("unknown --emit '{}' (merged, pair, xref)", text));
}

Join parse_join(const std::string& text) {
  static const std::pair<const char*, Join> kJoins[] = {{"inner", Join::Inner},
                                                        {"left", Join::Left},
                                                        {"right", Join::Right},
                                                        {"full", Join::Full},
                                                        {"anti", Join::Anti}};
  for (const auto& [name, join] : kJoins)
    if (text == name) return join;
  throw UsageError(fmt::format("unknown --join '{}' (inner, left, right, full, anti)", text));
}

void validate(const CorrelateOptions& o) {
  bool ids_needed = o.emit == Emit::Xref || !o.xref.empty();
  if (ids_needed && (o.left_key.empty() || o.right_key.empty()))
    throw UsageError("--emit xref and --xref need --left-key and --right-key");
  if (!o.compare.empty() && o.conflicts.empty())
    throw UsageError("--compare needs --conflicts FILE: where the pairs that differ go");
  if (std::find(o.fail_on.begin(), o.fail_on.end(), "conflicts") != o.fail_on.end() &&
      o.compare.empty())
    throw UsageError("--fail-on conflicts needs --compare: without it no pair conflicts");
  if (!o.right_fields.empty() && o.emit != Emit::Merged)
    throw UsageError("--right-fields applies to --emit merged");
}

int run_correlate(const CorrelateOptions& o, const cli::CommonOptions& c) {
  validate(o);
  return CorrelateRun(o, c).run();
}

}  // namespace etl::tools
