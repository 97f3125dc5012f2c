#pragma once
// The aggregate step: group records by key fields and fold each group's fields (sum, count, min,
// max, avg, first, last, collect), exactly on decimals. Past a memory budget the groups are
// written as a sorted run to a temporary file; the runs are merged at the end, so memory stays
// bounded however many groups there are.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "etl/mapping/expr.hpp"
#include "etl/mapping/keyed_table.hpp"
#include "etl/spill_file.hpp"

namespace etl::mapping {

enum class AggKind { Sum, Count, Min, Max, Avg, First, Last, Collect };

struct AggField {
  std::string name;
  AggKind kind = AggKind::Count;
  ExprPtr arg;  // over the record after fields and validate; null for count()
};

class Aggregator {
 public:
  Aggregator(std::vector<std::string> group_by, std::vector<AggField>* fields)
      : m_group_by(std::move(group_by)), m_fields(fields) {}
  ~Aggregator();

  void set_memory_budget(std::size_t bytes) { m_budget = bytes; }
  std::size_t memory_budget() const { return m_budget; }
  // One of `lanes` aggregators: they keep as few spill files open together as one would.
  void share_open_files(unsigned lanes) { m_fan_in = std::max<std::size_t>(2, 64 / lanes); }
  // An empty aggregator of the same groups and fields.
  std::unique_ptr<Aggregator> another() const {
    auto a = std::make_unique<Aggregator>(m_group_by, m_fields);
    a->m_budget = m_budget;
    a->m_fan_in = m_fan_in;
    return a;
  }
  // What add() needs of a record, made on any thread: the key of its group (its group_by values
  // as JSON text) and the key's hash, and each field's argument evaluated (a sum's number already
  // a decimal). An argument that failed stops there: add() then decides the fields before it and
  // throws its error, so the reason is the one a record folded field by field would get.
  struct Prepared {
    std::string text;
    std::uint64_t hash = 0;
    std::vector<Datum> args;
    std::size_t failed_at = SIZE_MAX;  // the field whose argument threw, or none
    std::string error;
  };
  // given[i], when given and not null, is argument i's value, evaluated already.
  void prepare(const Record& rec, EvalContext ctx, Prepared& out,
               const Datum* const* given = nullptr) const;
  // Folds one record (rec, as prepared) into its group; throws EvalError (the record is then
  // rejected).
  void add(const Record& rec, const Prepared& prepared);
  // Brings a group's place into the cache ahead of its add(): stage 0 its slot, stage 1 (a few
  // records later, the slot in) its entry and its states.
  void prefetch(const Prepared& prepared, int stage) const;
  // Emits one record per group, ordered by the group key, and resets. The groups may be split
  // between lanes by their key (no key in two lanes): they come out as one aggregator's.
  static void finish(std::vector<Aggregator*> lanes,
                     const std::function<void(const Record&)>& emit);

  // One field's fold in one group. The value of min, max, first and last and the list of
  // collect are made when first needed, so the states of sums and counts stay small: the
  // groups' states are where a group-by misses the cache. (The sum is kept as two words and a
  // scale, not a Decimal, whose 16-byte alignment would make a state 64 bytes, not 40.)
  struct State {
    std::int64_t count = 0;
    bool has = false;
    Decimal sum() const {
      return Decimal(static_cast<int128>((uint128{m_high} << 64) | m_low), m_scale);
    }
    void set_sum(const Decimal& d) {
      m_low = static_cast<std::uint64_t>(d.coefficient());
      m_high = static_cast<std::uint64_t>(d.coefficient() >> 64);
      m_scale = d.scale();
    }
    Value& value() { return held().value; }
    const Value& value() const { return m_held ? m_held->value : null_value(); }
    Value& list() { return held().list; }
    const Value& list() const { return m_held ? m_held->list : empty_list(); }

   private:
    struct Held {
      Value value;
      Value list = Value::array();
    };
    Held& held() {
      if (!m_held) m_held = std::make_unique<Held>();
      return *m_held;
    }
    static const Value& null_value();
    static const Value& empty_list();
    std::int32_t m_scale = 0;             // (beside has: they share a word)
    std::uint64_t m_low = 0, m_high = 0;  // the sum's coefficient
    std::unique_ptr<Held> m_held;
  };
  // A group as spill runs hold it (in memory, its states are in m_states, by its entry).
  struct Group {
    std::vector<Value> keys;
    std::vector<State> states;
  };

 private:
  void spill();
  void compact_runs();
  void merge_runs(std::vector<std::unique_ptr<SpillFile>>& runs,
                  const std::function<void(const std::string&, Group&)>& emit) const;
  void merge(Group& into, Group&& from) const;
  std::vector<std::size_t> output_places(Record& out) const;
  void finish_group(const Value* keys, const State* states, const std::vector<std::size_t>& at,
                    Record& out) const;
  // One record's effect on one field's state, decided before it is applied.
  struct Step {
    bool apply = false;
    Decimal sum;
    Value value;
  };
  std::string group_key(const Record& rec) const;
  void decide(const AggField& f, const State* s, const Datum& d, Step& step) const;
  void apply(AggKind kind, State& s, Step& step);
  State* states_of(std::size_t entry) { return m_states.data() + entry * m_fields->size(); }
  const State* states_of(std::size_t entry) const {
    return m_states.data() + entry * m_fields->size();
  }
  std::vector<Step> m_steps;

  std::vector<std::string> m_group_by;
  std::vector<AggField>* m_fields;
  // Each group's key text, hashed; sorted by it when written (spill, finish). Group i's key
  // values are keys_of(i), and its states m_states[i * fields, (i + 1) * fields): what a fold
  // reads of a group (its slot, key text and states) is kept apart from what it does not, so
  // that more groups stay in the cache.
  struct NoValue {};
  using Table = KeyedTable<NoValue>;
  Table m_groups;
  std::vector<Value> m_keys;  // the groups' key values, group_by.size() a group, in a row
  const Value* keys_of(std::size_t entry) const {
    return m_keys.data() + entry * m_group_by.size();
  }
  std::vector<State> m_states;
  std::vector<std::size_t> sorted_groups() const;
  std::size_t m_bytes = 0;
  std::size_t m_budget = std::size_t{256} << 20;
  std::vector<std::unique_ptr<SpillFile>> m_runs;
  std::vector<int> m_levels;  // of each run: how many merges made it
  std::size_t m_fan_in = 64;  // runs merged into one at a time
};

}  // namespace etl::mapping
