#include "etl/checkpoint.hpp"

#include <fmt/format.h>

#include "etl/digest.hpp"
#include "etl/error.hpp"
#include "etl/json.hpp"
#include "etl/sink.hpp"
#include "etl/spill_file.hpp"

namespace etl {
namespace {

std::string json_text(const Record& r) {
  std::string out;
  append_json(out, r);
  return out;
}

// A held record in the spool: its place, then its JSON text.
void spool(SpillFile& f, const Sourced& in, const std::string& text) {
  std::string b = in.where.source;
  b.push_back('\0');
  b += std::to_string(in.where.line);
  b.push_back('\0');
  b += in.where.detail;
  b.push_back('\0');
  b += text;
  f.append(b);
}

void unspool(const std::string& b, Sourced& out) {
  std::size_t a = b.find('\0'), c = b.find('\0', a + 1), d = b.find('\0', c + 1);
  out.where.source = b.substr(0, a);
  out.where.line = std::stoull(b.substr(a + 1, c - a - 1));
  out.where.detail = b.substr(c + 1, d - c - 1);
  Value v;
  if (parse_json(std::string_view(b).substr(d + 1), v))
    throw IoError("--checkpoint: a held record was damaged in its temporary file");
  out.record.fields() = std::move(v.members());
  out.reject_reason.clear();
  out.raw.clear();
}

}  // namespace

Checkpoint::Checkpoint(std::string name)
    : m_name(std::move(name)),
      m_base_digest(kDigestSeed),
      m_digest_previous(kDigestSeed),
      m_digest_current(kDigestSeed) {}

Checkpoint::~Checkpoint() = default;

Checkpoint::Verdict Checkpoint::offer(const Sourced& in) {
  if (m_decided) {
    note_handed(in.record);
    return Verdict::Pass;
  }
  m_text.clear();
  append_json(m_text, in.record);
  if (!m_resuming) {
    m_resuming = true;
    m_first = m_text;
    // Only a row whose first record is this one may be resumed, and a complete one only when
    // a watermark moves after it.
    bool may_resume = m_found && (!m_found->complete || m_resume_complete) &&
                      m_found->records > 0 && m_found->first == m_first;
    if (!may_resume) {
      m_decided = true;
      note_handed(in.record);
      return Verdict::Pass;
    }
    m_spool = std::make_unique<SpillFile>();
    m_hold_digest = kDigestSeed;
  }
  ++m_held;
  m_hold_digest = digest_text(m_hold_digest, m_text);
  spool(*m_spool, in, m_text);
  if (m_held < m_found->records) return Verdict::Hold;
  // The committed count is reached: the same records, or another input.
  bool same = m_found->digest.empty() ? m_text == m_found->last  // a row of an older version
                                      : digest_hex(m_hold_digest) == m_found->digest;
  if (!same) return Verdict::Replay;
  m_decided = true;
  m_base = m_held;
  m_skipped = m_held;
  m_held = 0;
  m_spool.reset();
  m_base_digest = m_digest_previous = m_digest_current = m_hold_digest;
  return Verdict::Committed;
}

void Checkpoint::replay(const std::function<void(const Sourced&)>& hand) {
  m_decided = true;
  if (!m_spool) return;
  std::unique_ptr<SpillFile> held = std::move(m_spool);
  m_held = 0;
  held->rewind();
  std::string b;
  Sourced s;
  while (held->read(b)) {
    unspool(b, s);
    note_handed(s.record);
    hand(s);
  }
}

bool Checkpoint::end_of_input() {
  m_complete = true;
  return m_held > 0;
}

void Checkpoint::note_handed(const Record& r) {
  ++m_handed;
  m_text.clear();
  append_json(m_text, r);
  if (m_first.empty()) m_first = m_text;
  m_digest_previous = m_digest_current;
  m_digest_current = digest_text(m_digest_current, m_text);
  std::swap(m_previous, m_current);
  m_current = r;
}

CheckpointRow Checkpoint::row(std::uint64_t settled) const {
  CheckpointRow out;
  out.records = m_base + settled;
  out.first = m_first;
  if (settled == 0) {
    out.last = m_base > 0 ? m_found->last : "";
    out.digest = digest_hex(m_base_digest);
  } else {
    bool current = settled == m_handed;
    out.last = json_text(current ? m_current : m_previous);
    out.digest = digest_hex(current ? m_digest_current : m_digest_previous);
  }
  out.complete = m_complete && settled == m_handed;
  return out;
}

void Sink::use_checkpoint(Checkpoint&) {
  throw UsageError(
      "--checkpoint needs a sqlite: or postgresql: destination, where its row commits with each "
      "batch");
}

}  // namespace etl
