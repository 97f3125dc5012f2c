#pragma once
// JSON with comments (// and /* */, trailing commas), parsed into a tree that remembers where each
// value and key stands in the file, so mapping errors can say file:line:col.
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "etl/value.hpp"

namespace etl::mapping {

struct SourcePos {
  int line = 1;
  int column = 1;  // 1-based, in characters
};

struct JsoncMember;

struct JsoncNode {
  enum class Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  SourcePos pos;     // the value's first character (the opening quote of a string)
  std::string text;  // decoded string, or the number literal
  bool boolean = false;
  std::vector<JsoncNode> items;
  std::vector<JsoncMember> members;
  std::vector<int> columns;  // strings: the source column of each decoded byte

  bool is_string() const { return kind == Kind::String; }
  bool is_object() const { return kind == Kind::Object; }
  const JsoncNode* find(std::string_view key) const;
  // Where byte `offset` of a string's decoded text stands in the file.
  SourcePos position_at(std::size_t offset) const;
  Value to_value() const;
  std::string kind_name() const;
};

struct JsoncMember {
  std::string key;
  SourcePos key_pos;
  JsoncNode value;
};

struct JsoncError : std::runtime_error {
  JsoncError(SourcePos p, const std::string& message) : std::runtime_error(message), pos(p) {}
  SourcePos pos;
};

// Throws JsoncError at the first syntax error.
JsoncNode parse_jsonc(std::string_view text);

}  // namespace etl::mapping
