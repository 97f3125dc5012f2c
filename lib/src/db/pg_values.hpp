#pragma once
// Values between etlkit and PostgreSQL's text format, shared by the source, the sink and the
// change-set target.
#include <string>
#include <string_view>

#include "etl/db/table_schema.hpp"
#include "etl/value.hpp"

struct pg_result;

namespace etl {

enum class PgKind { Text, Number, Float, Bool, Json, Timestamp, TimestampTz, Bytes };

PgKind pg_kind(unsigned type_oid);
const char* pg_type(ColumnType t);  // of a column etl-load creates
// A value in PostgreSQL's text output (no COPY escaping) as a typed Value.
void pg_text_to_value(PgKind kind, std::string_view text, Value& v);
// A value as PostgreSQL's text input reads it: numbers keep their digits, JSON its text.
std::string pg_param_text(const Value& v);
// A value as one field of COPY's text format (\N for null), appended to out.
void append_copy_field(std::string& out, const Value& v);

// The server's reason for a failed statement: message, and detail when there is one.
std::string pg_reason(const pg_result* r);

}  // namespace etl
