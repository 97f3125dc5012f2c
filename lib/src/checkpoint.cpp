#include "etl/checkpoint.hpp"

#include <fmt/format.h>

#include "etl/error.hpp"
#include "etl/json.hpp"
#include "etl/sink.hpp"

namespace etl {
namespace {

std::string json_text(const Record& r) {
  std::string out;
  append_json(out, r);
  return out;
}

}  // namespace

bool Checkpoint::already_committed(const Record& r) {
  if (!m_decided) {
    m_decided = true;
    m_first = json_text(r);
    if (m_found && m_found->records > 0 && m_found->first == m_first) m_base = m_found->records;
  }
  if (m_skipped < m_base) {
    if (++m_skipped == m_base) {
      if (json_text(r) != m_found->last)
        throw DataError(fmt::format(
            "--checkpoint {}: input record {} is not the one the checkpoint committed last; "
            "the input changed since that run (nothing written; load it under another "
            "checkpoint name)",
            m_name, m_base));
    }
    return true;
  }
  ++m_handed;
  std::swap(m_previous, m_current);
  m_current = r;
  return false;
}

void Checkpoint::end_of_input() {
  if (m_skipped < m_base)
    throw DataError(fmt::format(
        "--checkpoint {}: the input ended after {} records, but the checkpoint committed {}; "
        "the input changed since that run (nothing written)",
        m_name, m_skipped, m_base));
  m_complete = true;
}

CheckpointRow Checkpoint::row(std::uint64_t settled) const {
  CheckpointRow out;
  out.records = m_base + settled;
  out.first = m_first;
  if (settled == 0)
    out.last = m_base > 0 ? m_found->last : "";
  else
    out.last = json_text(settled == m_handed ? m_current : m_previous);
  out.complete = m_complete && settled == m_handed;
  return out;
}

void Sink::use_checkpoint(Checkpoint&) {
  throw UsageError(
      "--checkpoint needs a sqlite: or postgresql: destination, where its row commits with each "
      "batch");
}

}  // namespace etl
