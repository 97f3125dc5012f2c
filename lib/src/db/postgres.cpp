#include "etl/db/postgres.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <regex>

#include "etl/binary.hpp"
#include "etl/error.hpp"
#include "etl/formats/text_format.hpp"
#include "etl/json.hpp"
#include "etl/watermark.hpp"
#include "password_file.hpp"
#include "pg_values.hpp"
#include "result_columns.hpp"

namespace etl {
namespace {

// Type OIDs from pg_type.h (stable across server versions).
constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kOid = 26, kJson = 114,
              kFloat4 = 700, kFloat8 = 701, kTimestamp = 1114, kTimestampTz = 1184, kNumeric = 1700,
              kJsonb = 3802;

// The server's message without libpq's trailing newline.
std::string trimmed_message(const char* m) {
  std::string s = m ? m : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

namespace {

// "2024-03-01 10:00:00.5+01" → "2024-03-01T10:00:00.5+01:00" (ISO 8601 with offset).
std::string iso_timestamp(std::string_view t, bool with_zone) {
  std::string s(t);
  if (s.size() > 10 && s[10] == ' ') s[10] = 'T';
  if (!with_zone) return s;
  auto sign = s.find_last_of("+-");
  if (sign != std::string::npos && sign > 10) {
    std::string zone = s.substr(sign + 1);
    if (zone.size() == 2) s += ":00";
    if (zone.size() == 8 && zone[2] == ':' && zone[5] == ':') s.resize(sign + 6);  // LMT seconds
  }
  return s;
}

}  // namespace

// A field of COPY's text format.
void append_copy_field(std::string& out, const Value& v) {
  if (v.is_null()) {
    out += "\\N";
    return;
  }
  std::string scratch;
  const std::string& t = v.kind() == Value::Kind::String || v.kind() == Value::Kind::Number
                             ? v.text()
                             : (scratch = pg_param_text(v));
  append_text_field(out, t, '\t');
}

// The column type etl-load gives a logical type in a table it creates.
const char* pg_type(ColumnType t) {
  switch (t) {
    case ColumnType::Number:
      return "numeric";
    case ColumnType::Integer:
      return "bigint";
    case ColumnType::Boolean:
      return "boolean";
    case ColumnType::Json:
      return "jsonb";
    case ColumnType::Bytes:
      return "bytea";
    case ColumnType::Date:
      return "date";
    case ColumnType::Timestamp:
      return "timestamp";
    case ColumnType::TimestampTz:
      return "timestamptz";
    default:
      return "text";
  }
}

PgKind pg_kind(unsigned t) {
  if (t == kNumeric || t == kInt2 || t == kInt4 || t == kInt8 || t == kOid) return PgKind::Number;
  if (t == kFloat4 || t == kFloat8) return PgKind::Float;
  if (t == kBool) return PgKind::Bool;
  if (t == kJson || t == kJsonb) return PgKind::Json;
  if (t == kTimestamp) return PgKind::Timestamp;
  if (t == kTimestampTz) return PgKind::TimestampTz;
  if (t == kBytea) return PgKind::Bytes;
  return PgKind::Text;
}

void pg_text_to_value(PgKind kind, std::string_view text, Value& v) {
  switch (kind) {
    case PgKind::Number:  // numeric's NaN and ±Infinity have no JSON number: strings
    case PgKind::Float:
      if (is_json_number(text))
        v.set_number(text);
      else
        v.set_string(text);
      break;
    case PgKind::Bool:
      v = Value::boolean(text == "t");
      break;
    case PgKind::Json:
      if (parse_json(text, v)) v.set_string(text);
      break;
    case PgKind::Timestamp:
    case PgKind::TimestampTz:
      v.set_string(iso_timestamp(text, kind == PgKind::TimestampTz));
      break;
    case PgKind::Bytes:
      if (auto bytes = from_bytea_hex(text)) {
        v = bytes_value(*bytes);
        break;
      }
      throw IoError("a bytea value is not in hex form (bytea_output = 'escape'?)");
    case PgKind::Text:
      v.set_string(text);
  }
}

std::string pg_param_text(const Value& v) {
  if (auto bytes = bytes_of(v)) return bytea_hex(*bytes);
  switch (v.kind()) {
    case Value::Kind::Bool:
      return v.as_bool() ? "true" : "false";
    case Value::Kind::Number:
    case Value::Kind::String:
      return v.text();
    default:
      return to_json(v);
  }
}

std::string pg_reason(const PGresult* r) {
  const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
  const char* detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
  std::string s = primary ? primary : trimmed_message(PQresultErrorMessage(r));
  if (detail) s += fmt::format(" ({})", detail);
  return s;
}

void refuse_long_pg_name(std::string_view name) {
  if (name.size() > kPgNames.max_bytes)
    throw UsageError(fmt::format(
        "the name '{}' is {} bytes; PostgreSQL keeps {} bytes of a name and would use it cut "
        "short",
        name, name.size(), kPgNames.max_bytes));
}

std::string pg_quote_name(const std::string& name) {
  auto quote = [](std::string_view n) {
    refuse_long_pg_name(n);
    std::string q = "\"";
    for (char c : n) {
      if (c == '"') q.push_back('"');
      q.push_back(c);
    }
    return q + "\"";
  };
  auto dot = name.find('.');
  if (dot == std::string::npos) return quote(name);
  return quote(std::string_view(name).substr(0, dot)) + "." +
         quote(std::string_view(name).substr(dot + 1));
}

PgConnection::PgConnection(const std::string& url, const std::string& password_file)
    : m_name(mask_address(url)) {
  std::string password = password_file.empty() ? "" : read_password_file(password_file);
  const char* keys[] = {"dbname", password.empty() ? nullptr : "password", nullptr};
  const char* values[] = {url.c_str(), password.c_str(), nullptr};
  m_conn = PQconnectdbParams(keys, values, 1);
  if (m_conn == nullptr || PQstatus(m_conn) != CONNECTION_OK) {
    std::string msg = m_conn ? trimmed_message(PQerrorMessage(m_conn)) : "out of memory";
    PQfinish(m_conn);
    m_conn = nullptr;
    throw IoError(fmt::format("{}: cannot connect: {}", m_name, msg));
  }
  exec(
      "SET DateStyle TO ISO; SET TimeZone TO 'UTC'; SET extra_float_digits TO 1; "
      "SET client_encoding TO 'UTF8'");
}

PgConnection::~PgConnection() {
  PQfinish(m_conn);
}

std::string PgConnection::error() const {
  return trimmed_message(PQerrorMessage(m_conn));
}

void PgConnection::exec(const std::string& sql) {
  PGresult* r = PQexec(m_conn, sql.c_str());
  ExecStatusType st = PQresultStatus(r);
  std::string msg = trimmed_message(PQresultErrorMessage(r));
  PQclear(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
    throw IoError(fmt::format("{}: {}", m_name, msg));
}

std::unique_ptr<pg_result, void (*)(pg_result*)> PgConnection::query(
    const std::string& sql, const std::vector<const char*>& params) {
  std::unique_ptr<pg_result, void (*)(pg_result*)> r(
      PQexecParams(m_conn, sql.c_str(), static_cast<int>(params.size()), nullptr, params.data(),
                   nullptr, nullptr, 0),
      PQclear);
  ExecStatusType st = PQresultStatus(r.get());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
    throw IoError(fmt::format("{}: {}", m_name, trimmed_message(PQresultErrorMessage(r.get()))));
  return r;
}

// ---- source ----

PgSource::PgSource(const std::string& url, const ConnectorOptions& o)
    : m_conn(url, o.password_file), m_name(m_conn.name()) {
  if (o.table.empty() == o.query.empty())
    throw UsageError("a postgresql source needs exactly one of --table or --query");
  std::string sql = o.query.empty() ? "SELECT * FROM " + pg_quote_name(o.table) : o.query;
  while (!sql.empty() &&
         (sql.back() == ';' || std::isspace(static_cast<unsigned char>(sql.back()))))
    sql.pop_back();
  if (!o.table.empty()) m_name += "#" + o.table;
  // Sources only read: every statement of this session runs in a read-only transaction, so a
  // --query that would write (DELETE … RETURNING) fails instead.
  m_conn.exec("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
  auto refused = [&](const std::string& msg) {
    bool writes = msg.find("read-only transaction") != std::string::npos;
    return UsageError(fmt::format("{}: {}{}", m_name, msg,
                                  writes ? " (sources are read-only: --query may only read)" : ""));
  };
  // Describe the query for its column names and types, then stream it with COPY.
  PGresult* prep = PQprepare(m_conn.handle(), "", sql.c_str(), 0, nullptr);
  bool ok = PQresultStatus(prep) == PGRES_COMMAND_OK;
  std::string msg = trimmed_message(PQresultErrorMessage(prep));
  PQclear(prep);
  if (!ok) throw refused(msg);
  std::unique_ptr<PGresult, void (*)(PGresult*)> desc(PQdescribePrepared(m_conn.handle(), ""),
                                                      PQclear);
  for (int i = 0; i < PQnfields(desc.get()); ++i) {
    m_names.emplace_back(PQfname(desc.get(), i));
    m_kinds.push_back(pg_kind(PQftype(desc.get(), i)));
  }
  refuse_repeated_columns(m_names, m_name);
  if (!o.table.empty() && o.since.value) sql += since_clause(o);
  PGresult* copy = PQexec(m_conn.handle(), ("COPY (" + sql + ") TO STDOUT").c_str());
  ok = PQresultStatus(copy) == PGRES_COPY_OUT;
  msg = trimmed_message(PQresultErrorMessage(copy));
  PQclear(copy);
  if (!ok) throw refused(msg);
}

// etl-extract --state: ask only for the rows whose first cursor field may lie at or beyond the
// watermark, compared as Watermark::compare compares the text this source writes, so no row it
// would pass is left out. Numbers, floats and timestamps compare in their own type (the literal
// is cast to it); anything else as its text, bytewise (COLLATE "C"), unless the watermark is a
// number: text ids compare by value ("10" after "9"), which SQL text order does not do.
std::string PgSource::since_clause(const ConnectorOptions& o) const {
  auto at = std::find(m_names.begin(), m_names.end(), o.since.field);
  const Value& after = *o.since.value;
  if (at == m_names.end() ||
      (after.kind() != Value::Kind::String && after.kind() != Value::Kind::Number))
    return "";
  PgKind kind = m_kinds[static_cast<std::size_t>(at - m_names.begin())];
  bool typed = kind == PgKind::Number || kind == PgKind::Float || kind == PgKind::Timestamp ||
               kind == PgKind::TimestampTz;
  if (!typed && (kind != PgKind::Text || Watermark::compares_as_number(after))) return "";
  // A time cursor: only a timestamp column compares as the instants do, given in RFC 3339.
  bool time = !o.since.instant.empty();
  if (time && kind != PgKind::Timestamp && kind != PgKind::TimestampTz) return "";
  const std::string& text = time ? o.since.instant : after.text();
  char* literal = PQescapeLiteral(m_conn.handle(), text.c_str(), text.size());
  if (literal == nullptr) return "";
  std::string column = pg_quote_name(o.since.field);
  std::string clause = typed ? fmt::format(" WHERE {} >= {}", column, literal)
                             : fmt::format(" WHERE {}::text COLLATE \"C\" >= {}", column, literal);
  PQfreemem(literal);
  return clause;
}

std::vector<std::string> PgSource::time_columns() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < m_names.size(); ++i)
    if (m_kinds[i] == PgKind::Timestamp || m_kinds[i] == PgKind::TimestampTz)
      out.push_back(m_names[i]);
  return out;
}

PgSource::~PgSource() {
  if (!m_done) PQrequestCancel(m_conn.handle());
}

void PgSource::convert(std::size_t col, std::string_view text, Value& v) {
  pg_text_to_value(m_kinds[col], text, v);
  if (m_kinds[col] == PgKind::Json && v.kind() == Value::Kind::String)
    ++m_json_as_text[m_names[col]];
}

bool PgSource::next(Sourced& out) {
  if (m_done) return false;
  char* buf = nullptr;
  int n = PQgetCopyData(m_conn.handle(), &buf, 0);
  if (n < 0) {
    m_done = true;
    std::unique_ptr<PGresult, void (*)(PGresult*)> end(PQgetResult(m_conn.handle()), PQclear);
    if (n == -2 || PQresultStatus(end.get()) != PGRES_COMMAND_OK)
      throw IoError(
          fmt::format("{}: {}", m_name,
                      end ? trimmed_message(PQresultErrorMessage(end.get())) : m_conn.error()));
    while (PGresult* r = PQgetResult(m_conn.handle())) PQclear(r);
    return false;
  }
  std::unique_ptr<char, void (*)(void*)> line(buf, PQfreemem);
  std::string_view row(buf, static_cast<std::size_t>(n));
  if (!row.empty() && row.back() == '\n') row.remove_suffix(1);
  start_table_row(out, m_name, ++m_row, m_names);
  if (std::string why = m_rows.split_row(row); !why.empty())
    throw IoError(
        fmt::format("{}#row {}: COPY gave a row that does not read: {}", m_name, m_row, why));
  auto& rec = out.record.fields();
  const auto& fields = m_rows.fields();
  if (fields.size() != rec.size())
    throw IoError(fmt::format("{}#row {}: COPY gave {} fields, expected {}", m_name, m_row,
                              fields.size(), rec.size()));
  for (std::size_t col = 0; col < rec.size(); ++col) {
    if (m_rows.is_null(col))
      rec[col].value.set_null();
    else
      convert(col, fields[col], rec[col].value);
  }
  return true;
}

}  // namespace etl
