#include "etl/mapping/aggregate.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "etl/error.hpp"
#include "etl/json.hpp"
#include "etl/prefetch.hpp"

namespace etl::mapping {
namespace {

constexpr std::size_t kGroupOverhead = 160;  // map node, vectors, states: a rough, safe estimate

bool better(const Value& candidate, const Value& current, bool want_max) {
  int c =
      compare_datums(Datum::borrow(candidate), Datum::borrow(current), want_max ? "max" : "min");
  return want_max ? c > 0 : c < 0;
}

Value state_to_value(const Aggregator::State& s) {
  Value v = Value::array();
  v.items().push_back(Value::number(s.sum().to_string()));
  v.items().push_back(Value::number(std::to_string(s.count)));
  v.items().push_back(Value::boolean(s.has));
  v.items().push_back(s.value());
  v.items().push_back(s.list());
  return v;
}

Aggregator::State state_from_value(const Value& v) {
  Aggregator::State s;
  const auto& i = v.items();
  s.set_sum(*Decimal::parse(i.at(0).text()));
  s.count = std::stoll(i.at(1).text());
  s.has = i.at(2).as_bool();
  if (i.at(3).kind() != Value::Kind::Null) s.value() = i.at(3);
  if (!i.at(4).items().empty()) s.list() = i.at(4);
  return s;
}

}  // namespace

static_assert(sizeof(Aggregator::State) <= 40, "a group's states are what its fold misses");

Aggregator::~Aggregator() = default;

const Value& Aggregator::State::null_value() {
  static const Value kNull;
  return kNull;
}

const Value& Aggregator::State::empty_list() {
  static const Value kEmpty = Value::array();
  return kEmpty;
}

std::string Aggregator::group_key(const Record& rec) const {
  std::string key = "[";
  for (std::size_t i = 0; i < m_group_by.size(); ++i) {
    if (i) key += ',';
    const Value* v = rec.find(m_group_by[i]);
    if (v)
      append_json(key, *v);
    else
      key += "null";
  }
  key += ']';
  return key;
}

// What one record does to one field's state, decided without changing it: everything that can
// fail (an argument, a type, an overflow, an order between types) fails here.
void Aggregator::decide(const AggField& f, const State* s, const Datum& d, Step& step) const {
  step.apply = false;
  switch (f.kind) {
    case AggKind::Count:
      step.apply = !f.arg || !d.is_null();
      break;
    case AggKind::Sum:
    case AggKind::Avg:
      if (d.is_null()) break;
      if (d.type() != Datum::Type::Number)
        throw EvalError(fmt::format("aggregate '{}': {} needs numbers, got {}", f.name,
                                    f.kind == AggKind::Sum ? "sum()" : "avg()", d.describe()));
      try {
        step.sum = (s ? s->sum() : Decimal()) + d.decimal();
      } catch (const DecimalError& e) {
        throw EvalError(fmt::format("aggregate '{}': {}", f.name, e.what()));
      }
      step.apply = true;
      break;
    case AggKind::Min:
    case AggKind::Max:
      if (d.is_null()) break;
      step.value = d.to_value();
      step.apply = !s || !s->has || better(step.value, s->value(), f.kind == AggKind::Max);
      break;
    case AggKind::First:
      step.apply = !s || !s->has;
      if (step.apply) step.value = d.to_value();
      break;
    case AggKind::Last:
    case AggKind::Collect:
      step.value = d.to_value();
      step.apply = true;
      break;
  }
}

void Aggregator::apply(AggKind kind, State& s, Step& step) {
  if (!step.apply) return;
  switch (kind) {
    case AggKind::Count:
      ++s.count;
      break;
    case AggKind::Sum:
    case AggKind::Avg:
      s.set_sum(step.sum);
      ++s.count;
      s.has = true;
      break;
    case AggKind::Collect:
      m_bytes += step.value.text().size() + 64;
      s.list().items().push_back(std::move(step.value));
      break;
    case AggKind::Last:
      s.value() = std::move(step.value);
      s.has = true;
      break;
    default:  // min, max, first
      m_bytes += step.value.text().size();
      s.value() = std::move(step.value);
      s.has = true;
  }
}

void Aggregator::prepare(const Record& rec, EvalContext ctx, Prepared& out,
                         const Datum* const* given) const {
  out.text = group_key(rec);
  out.hash = Table::hash(out.text);
  ctx.record = &rec;
  out.args.resize(m_fields->size());
  out.failed_at = SIZE_MAX;
  for (std::size_t i = 0; i < m_fields->size(); ++i) {
    const AggField& f = (*m_fields)[i];
    try {
      if (given && given[i])
        out.args[i] = *given[i];
      else
        out.args[i] = f.arg ? f.arg->eval(ctx) : Datum();
      // A sum's number is read as a decimal here, off the thread that folds. (decide() would
      // throw the same error for it, after the same checks, which pass for a number.)
      bool summed = f.kind == AggKind::Sum || f.kind == AggKind::Avg;
      if (summed && out.args[i].type() == Datum::Type::Number)
        out.args[i] = Datum::number(out.args[i].decimal());
    } catch (const EvalError& e) {
      out.failed_at = i;
      out.error = e.what();
      return;
    }
  }
}

void Aggregator::prefetch(const Prepared& prepared, int stage) const {
  if (stage == 0) return m_groups.prefetch_slot(prepared.hash);
  std::size_t at = m_groups.peek_index(prepared.hash);
  if (at == Table::npos) return;
  etl::prefetch(&m_groups.entries()[at]);
  etl::prefetch(states_of(at));
}

void Aggregator::add(const Record& rec, const Prepared& prepared) {
  std::size_t nfields = m_fields->size();
  std::size_t at = m_groups.find_index(prepared.text, prepared.hash);
  State* states = at == Table::npos ? nullptr : states_of(at);
  // Every argument is evaluated and every step decided before any group changes, so a record
  // rejected on any field leaves no trace in any group (and creates none).
  m_steps.resize(nfields);
  for (std::size_t i = 0; i < nfields; ++i) {
    if (i == prepared.failed_at) throw EvalError(prepared.error);
    decide((*m_fields)[i], states ? &states[i] : nullptr, prepared.args[i], m_steps[i]);
  }
  if (!states) {
    m_groups.insert(prepared.text, prepared.hash);
    for (const auto& name : m_group_by) {
      const Value* v = rec.find(name);
      m_keys.push_back(v ? *v : Value());
    }
    m_states.resize(m_states.size() + nfields);
    states = states_of(m_groups.size() - 1);
    m_bytes += 2 * prepared.text.size() + kGroupOverhead + 96 * nfields;
  }
  for (std::size_t i = 0; i < nfields; ++i) apply((*m_fields)[i].kind, states[i], m_steps[i]);
  if (m_bytes > m_budget) spill();
}

namespace {

// A key's first eight bytes as a number that orders as the bytes do: most keys differ there, so
// sorting compares numbers and reads a key's text (a cache miss) only on a tie.
std::uint64_t order_prefix(const std::string& key) {
  std::uint64_t p = 0;
  for (std::size_t i = 0; i < 8; ++i)
    p = (p << 8) | (i < key.size() ? static_cast<unsigned char>(key[i]) : 0U);
  return p;
}

struct SortItem {
  std::uint64_t prefix;
  const std::string* key;
  std::uint32_t lane, at;
};

// The groups of all lanes, ordered by key text.
std::vector<SortItem> sort_by_key(std::vector<SortItem> items) {
  std::sort(items.begin(), items.end(), [](const SortItem& a, const SortItem& b) {
    return a.prefix != b.prefix ? a.prefix < b.prefix : *a.key < *b.key;
  });
  return items;
}

}  // namespace

std::vector<std::size_t> Aggregator::sorted_groups() const {
  std::vector<SortItem> items;
  items.reserve(m_groups.size());
  const auto& entries = m_groups.entries();
  for (std::size_t i = 0; i < entries.size(); ++i)
    items.push_back(
        {order_prefix(entries[i].first), &entries[i].first, 0, static_cast<std::uint32_t>(i)});
  std::vector<std::size_t> out;
  out.reserve(items.size());
  for (const SortItem& item : sort_by_key(std::move(items))) out.push_back(item.at);
  return out;
}

namespace {

std::size_t place_of(const Record& r, std::string_view name) {
  const auto& f = r.fields();
  return static_cast<std::size_t>(
      std::find_if(f.begin(), f.end(), [&](const Member& m) { return m.key == name; }) - f.begin());
}

// One group as a line of a run: its key text, its key values and its states.
void write_group(SpillFile& run, const std::string& key, const Value* group_keys, std::size_t nkeys,
                 const Aggregator::State* group_states, std::size_t nstates, std::string& line) {
  Value v = Value::object();
  v.members().push_back({"k", Value::string(key)});
  Value keys = Value::array();
  keys.items().assign(group_keys, group_keys + nkeys);
  v.members().push_back({"g", std::move(keys)});
  Value states = Value::array();
  for (std::size_t i = 0; i < nstates; ++i)
    states.items().push_back(state_to_value(group_states[i]));
  v.members().push_back({"s", std::move(states)});
  line.clear();
  append_json(line, v);
  run.append(line);
}

}  // namespace

void Aggregator::spill() {
  if (m_groups.empty()) return;
  auto run = std::make_unique<SpillFile>();
  std::string line;
  for (std::size_t at : sorted_groups()) {
    const auto& entry = m_groups.entries()[at];
    write_group(*run, entry.first, keys_of(at), m_group_by.size(), states_of(at), m_fields->size(),
                line);
  }
  m_runs.push_back(std::move(run));
  m_levels.push_back(0);
  m_groups.clear();
  m_keys.clear();
  m_states.clear();
  m_bytes = 0;
  compact_runs();
}

// At most m_fan_in runs of a level are kept: when the newest m_fan_in are of one level they are
// merged into one of the next (in run order, so first and last stay right), however small the
// budget.
void Aggregator::compact_runs() {
  while (m_runs.size() >= m_fan_in &&
         std::all_of(m_levels.end() - m_fan_in, m_levels.end(),
                     [&](int level) { return level == m_levels.back(); })) {
    std::vector<std::unique_ptr<SpillFile>> tail;
    for (std::size_t i = m_runs.size() - m_fan_in; i < m_runs.size(); ++i)
      tail.push_back(std::move(m_runs[i]));
    m_runs.resize(m_runs.size() - m_fan_in);
    int level = m_levels.back() + 1;
    m_levels.resize(m_levels.size() - m_fan_in);
    auto merged = std::make_unique<SpillFile>();
    std::string line;
    merge_runs(tail, [&](const std::string& key, Group& g) {
      write_group(*merged, key, g.keys.data(), g.keys.size(), g.states.data(), g.states.size(),
                  line);
    });
    m_runs.push_back(std::move(merged));
    m_levels.push_back(level);
  }
}

void Aggregator::merge(Group& into, Group&& from) const {
  for (std::size_t i = 0; i < m_fields->size(); ++i) {
    State& a = into.states[i];
    State& b = from.states[i];
    switch ((*m_fields)[i].kind) {
      case AggKind::Count:
        a.count += b.count;
        break;
      case AggKind::Sum:
      case AggKind::Avg:
        a.set_sum(a.sum() + b.sum());
        a.count += b.count;
        a.has = a.has || b.has;
        break;
      case AggKind::Min:
      case AggKind::Max:
        if (b.has && (!a.has || better(b.value(), a.value(), (*m_fields)[i].kind == AggKind::Max)))
          a.value() = std::move(b.value());
        a.has = a.has || b.has;
        break;
      case AggKind::First:  // runs are merged in the order they were written
        if (!a.has && b.has) {
          a.value() = std::move(b.value());
          a.has = true;
        }
        break;
      case AggKind::Last:
        if (b.has) {
          a.value() = std::move(b.value());
          a.has = true;
        }
        break;
      case AggKind::Collect:
        for (auto& v : b.list().items()) a.list().items().push_back(std::move(v));
        break;
    }
  }
}

// The record of a group's fields, in order (a name both a key and a field is one field), with
// where each key and field goes in it: one record for every group of a finish, each filled in
// place, so that they share its allocations.
std::vector<std::size_t> Aggregator::output_places(Record& out) const {
  out.clear();
  for (const auto& name : m_group_by) out.set(name, Value());
  for (const auto& f : *m_fields) out.set(f.name, Value());
  std::vector<std::size_t> at;
  for (const auto& name : m_group_by) at.push_back(place_of(out, name));
  for (const auto& f : *m_fields) at.push_back(place_of(out, f.name));
  return at;
}

void Aggregator::finish_group(const Value* keys, const State* states,
                              const std::vector<std::size_t>& at, Record& out) const {
  std::size_t nkeys = m_group_by.size();
  auto& fields = out.fields();
  for (std::size_t i = 0; i < nkeys; ++i) fields[at[i]].value = keys[i];
  for (std::size_t i = 0; i < m_fields->size(); ++i) {
    const State& s = states[i];
    Value& v = fields[at[nkeys + i]].value;
    switch ((*m_fields)[i].kind) {
      case AggKind::Count:
        v.set_number(std::to_string(s.count));
        break;
      case AggKind::Sum:
        s.has ? v.set_number(s.sum().to_string()) : v.set_null();
        break;
      case AggKind::Avg:
        s.has ? v.set_number((s.sum() / Decimal::from_int(s.count)).to_string()) : v.set_null();
        break;
      case AggKind::Collect:
        v = s.list();
        break;
      default:
        if (s.has)
          v = s.value();
        else
          v.set_null();
    }
  }
}

void Aggregator::finish(std::vector<Aggregator*> lanes,
                        const std::function<void(const Record&)>& emit) {
  bool spilled =
      std::any_of(lanes.begin(), lanes.end(), [](auto* l) { return !l->m_runs.empty(); });
  if (spilled) {  // every lane's groups into runs, merged together (a key is in one lane only)
    std::vector<std::unique_ptr<SpillFile>> runs;
    for (Aggregator* lane : lanes) {
      lane->spill();
      for (auto& run : lane->m_runs) runs.push_back(std::move(run));
      lane->m_runs.clear();
      lane->m_levels.clear();
    }
    Record out;
    auto at = lanes[0]->output_places(out);
    lanes[0]->merge_runs(runs, [&](const std::string&, Group& g) {
      lanes[0]->finish_group(g.keys.data(), g.states.data(), at, out);
      emit(out);
    });
    return;
  }
  std::vector<SortItem> items;
  for (std::uint32_t l = 0; l < lanes.size(); ++l)
    for (std::size_t i = 0; i < lanes[l]->m_groups.size(); ++i) {
      const std::string& key = lanes[l]->m_groups.entries()[i].first;
      items.push_back({order_prefix(key), &key, l, static_cast<std::uint32_t>(i)});
    }
  Record out;
  auto at = lanes[0]->output_places(out);
  items = sort_by_key(std::move(items));
  // In key order the groups are all over memory: their entries and states are asked for a few
  // groups ahead, and their key values' text a little later.
  constexpr std::size_t kEntriesAhead = 8, kKeysAhead = 4;
  auto keys_of = [&](std::size_t k) { return lanes[items[k].lane]->keys_of(items[k].at); };
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (k + kEntriesAhead < items.size()) {
      etl::prefetch(keys_of(k + kEntriesAhead));
      etl::prefetch(lanes[items[k + kEntriesAhead].lane]->states_of(items[k + kEntriesAhead].at));
    }
    if (k + kKeysAhead < items.size() && lanes[0]->m_group_by.size() > 0)
      etl::prefetch(keys_of(k + kKeysAhead)->text().data());
    const Aggregator& lane = *lanes[items[k].lane];
    lane.finish_group(keys_of(k), lane.states_of(items[k].at), at, out);
    emit(out);
  }
  for (Aggregator* lane : lanes) {
    lane->m_groups.clear();
    lane->m_keys.clear();
    lane->m_states.clear();
    lane->m_bytes = 0;
  }
}

// k-way merge of sorted runs; groups with the same key are merged in run order.
void Aggregator::merge_runs(std::vector<std::unique_ptr<SpillFile>>& runs,
                            const std::function<void(const std::string&, Group&)>& emit) const {
  struct Head {
    std::string key;
    Group group;
    bool live = false;
  };
  std::vector<Head> heads(runs.size());
  std::string buf;
  auto advance = [&](std::size_t r) {
    heads[r].live = false;
    if (!runs[r]->read(buf)) return;
    Value v;
    if (parse_json(buf, v)) throw IoError("aggregate: a spill file was damaged");
    heads[r].key = v.members().at(0).value.text();
    heads[r].group.keys = v.members().at(1).value.items();
    heads[r].group.states.clear();
    for (const auto& s : v.members().at(2).value.items())
      heads[r].group.states.push_back(state_from_value(s));
    heads[r].live = true;
  };
  for (std::size_t r = 0; r < runs.size(); ++r) {
    runs[r]->rewind();
    advance(r);
  }
  for (;;) {
    const std::string* least = nullptr;
    for (const auto& h : heads)
      if (h.live && (!least || h.key < *least)) least = &h.key;
    if (!least) break;
    std::string key = *least;
    Group acc;
    bool first = true;
    for (std::size_t r = 0; r < heads.size(); ++r) {
      if (!heads[r].live || heads[r].key != key) continue;
      if (first)
        acc = std::move(heads[r].group);
      else
        merge(acc, std::move(heads[r].group));
      first = false;
      advance(r);
    }
    emit(key, acc);
  }
}

}  // namespace etl::mapping
