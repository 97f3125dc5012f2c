#pragma once
// etl-load --audit FILE: one JSON line per record the run processed, appended, so "what
// happened to order 1042 last night" has an answer:
//   {"run":"2026-11-29T02:00:01.204Z","key":{"order_no":"1042"},"outcome":"updated",
//    "where":"orders.ndjson:12"}
// The outcome is inserted, updated, unchanged (upsert tells the three apart), deleted (a change
// set), unmatched (update mode found no row), written (files and HTTP), upserted (an upsert
// whose sink cannot tell), or rejected with its reason.
// With --children, each child row follows its record's line, with its table:
//   {"run":…,"table":"sales_order_lines","key":{"order_no":"1042","line_no":4},
//    "outcome":"deleted","where":"orders.ndjson:12"}
// The key is the --key fields' values (a change set's own key), else absent: "where" then says
// which record it was.
#include <memory>
#include <string>
#include <vector>

#include "etl/io.hpp"
#include "etl/sink.hpp"
#include "etl/source.hpp"

namespace etl {

class AuditLog {
 public:
  // mode: etl-load's --mode, or "changes" for a change set; names what Written means.
  AuditLog(const std::string& path, std::vector<std::string> key, std::string mode);
  ~AuditLog();  // writes what is buffered, whatever ended the run
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;
  void record(const Sourced& in, const WriteResult& result);
  void flush() { m_out->flush(); }

 private:
  std::unique_ptr<OutputStream> m_out;
  std::vector<std::string> m_key;
  std::string m_written;  // the name of WriteOutcome::Written in this mode
  std::string m_prefix;   // {"run":"…", the same on every line of the run
  bool m_changes = false;
};

}  // namespace etl
