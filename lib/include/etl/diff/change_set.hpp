#pragma once
// The change-set format etl-diff writes and etl-load --changes applies, one NDJSON line each:
//   {"op":"add","key":{…},"record":{…}}
//   {"op":"remove","key":{…},"record":{…}}
//   {"op":"change","key":{…},"changes":{"field":{"old":…,"new":…}},"record":{…}}
//   {"op":"same","key":{…},"record":{…}}                 (etl-diff --all)
// In "changes" a side where the field is absent has no "old" (or "new") member.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "etl/diff/compare.hpp"
#include "etl/value.hpp"

namespace etl::diff {

enum class ChangeOp { Add, Remove, Change, Same };

const char* op_name(ChangeOp op);

// Appends one change line (with its newline). changes is used by ChangeOp::Change only.
void append_change(std::string& out, ChangeOp op, std::string_view key_json,
                   std::string_view record_json, const std::vector<FieldChange>& changes = {});

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
};

// Reads a change line etl-load was given. Returns why it is not a change record, or empty.
std::string parse_change(const Record& in, Change& out);

}  // namespace etl::diff
