#pragma once
// The change-set format etl-diff writes and etl-load --changes applies, one NDJSON line each:
//   {"op":"add","key":{…},"record":{…}}
//   {"op":"remove","key":{…},"record":{…}}
//   {"op":"change","key":{…},"changes":{"field":{"old":…,"new":…}},"record":{…}}
//   {"op":"same","key":{…},"record":{…}}                 (etl-diff --all)
//   {"op":"unreadable","side":"NEW","key":{…}|null,"where":"new.csv:7","reason":"…",
//    "deletes_unsafe":true|false}
// In "changes" a side where the field is absent has no "old" (or "new") member. An unreadable
// line is a record a side could not read: with its key, that key was not compared; with a null
// key, any key may be missing from that side, and deletes_unsafe says it is the side the changes
// come from, so deleting rows that seem gone from it could delete what is still there.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "etl/diff/compare.hpp"
#include "etl/value.hpp"

namespace etl::diff {

enum class ChangeOp { Add, Remove, Change, Same, Unreadable };

const char* op_name(ChangeOp op);

// Appends one change line (with its newline). changes is used by ChangeOp::Change only.
void append_change(std::string& out, ChangeOp op, std::string_view key_json,
                   std::string_view record_json, const std::vector<FieldChange>& changes = {});

void append_unreadable(std::string& out, std::string_view side, std::string_view key_json,
                       std::string_view where, std::string_view reason, bool deletes_unsafe);

struct FieldUpdate {
  std::string field;
  std::optional<Value> old_value;  // nullopt: the field was absent
  std::optional<Value> new_value;
};

struct Change {
  ChangeOp op = ChangeOp::Same;
  Record key;
  Record record;
  std::vector<FieldUpdate> updates;  // ChangeOp::Change
  // ChangeOp::Unreadable: the side, where and why; an empty key means it could not be read.
  std::string side, where, reason;
  bool deletes_unsafe = false;
};

// Reads a change line etl-load was given. Returns why it is not a change record, or empty.
std::string parse_change(const Record& in, Change& out);

}  // namespace etl::diff
