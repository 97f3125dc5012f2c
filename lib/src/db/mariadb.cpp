// MariaDB/MySQL: the connection (URL, password, session settings) and the streaming source.
#include "etl/db/mariadb.hpp"

#include <fmt/format.h>
#include <mysql.h>

#include <cstdlib>
#include <cstring>

#include "etl/binary.hpp"
#include "etl/db/sql_number.hpp"
#include "etl/db/table_schema.hpp"
#include "etl/db/time_text.hpp"
#include "etl/error.hpp"
#include "etl/json.hpp"
#include "etl/mask.hpp"
#include "password_file.hpp"
#include "result_columns.hpp"

namespace etl {
namespace {

constexpr unsigned kBinaryCharset = 63;     // the "binary" character set: bytes, not text
constexpr unsigned kNotFixedDecimals = 31;  // a FLOAT or DOUBLE without (M,D)

std::string percent_decoded(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      char hex[3] = {s[i + 1], s[i + 2], 0};
      char* end = nullptr;
      long v = std::strtol(hex, &end, 16);
      if (end == hex + 2) {
        out.push_back(static_cast<char>(v));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

// mysql://user:password@host:port/db?socket=PATH, parsed into what mysql_real_connect takes.
struct MariaDbAddress {
  std::string user, password, host = "localhost", database, socket;
  unsigned port = 0;
  bool has_password = false;
};

MariaDbAddress parse_address(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos)
    throw UsageError(
        fmt::format("'{}': a MariaDB address is mysql://user@host:port/db", mask_address(url)));
  std::string rest = url.substr(scheme_end + 3);
  MariaDbAddress a;
  if (auto q = rest.find('?'); q != std::string::npos) {
    std::string query = rest.substr(q + 1);
    rest.resize(q);
    if (!query.starts_with("socket="))
      throw UsageError(fmt::format("'{}': the only parameter is ?socket=PATH", mask_address(url)));
    a.socket = percent_decoded(query.substr(7));
  }
  auto slash = rest.find('/');
  if (slash != std::string::npos) {
    a.database = percent_decoded(rest.substr(slash + 1));
    rest.resize(slash);
  }
  if (auto at = rest.rfind('@'); at != std::string::npos) {
    std::string userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    auto colon = userinfo.find(':');
    a.user = percent_decoded(userinfo.substr(0, colon));
    if (colon != std::string::npos) {
      a.password = percent_decoded(userinfo.substr(colon + 1));
      a.has_password = true;
    }
  }
  if (auto colon = rest.rfind(':'); colon != std::string::npos && rest.find(']') == rest.npos) {
    a.port = static_cast<unsigned>(std::atoi(rest.c_str() + colon + 1));
    rest.resize(colon);
  }
  if (!rest.empty()) a.host = rest;
  if (a.database.empty())
    throw UsageError(
        fmt::format("'{}': name the database: mysql://user@host:port/DB", mask_address(url)));
  return a;
}

}  // namespace

MariaDbConnection::MariaDbConnection(const std::string& url, const std::string& password_file,
                                     bool found_rows)
    : m_name(mask_address(url)) {
  MariaDbAddress a = parse_address(url);
  m_database = a.database;
  m_conn = mysql_init(nullptr);
  if (m_conn == nullptr) throw IoError(fmt::format("{}: out of memory", m_name));
  mysql_options(m_conn, MYSQL_READ_DEFAULT_GROUP, "client");
  mysql_options(m_conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  std::string password;
  const char* pw = nullptr;  // nullptr: the option files may give one
  if (!password_file.empty()) {
    password = read_password_file(password_file);
    pw = password.c_str();
  } else if (a.has_password) {
    pw = a.password.c_str();
  } else if (const char* env = std::getenv("MYSQL_PWD")) {
    pw = env;
  }
  unsigned long flags = found_rows ? CLIENT_FOUND_ROWS : 0;
  if (!mysql_real_connect(m_conn, a.host.c_str(), a.user.empty() ? nullptr : a.user.c_str(), pw,
                          a.database.c_str(), a.port, a.socket.empty() ? nullptr : a.socket.c_str(),
                          flags)) {
    std::string msg = mysql_error(m_conn);
    mysql_close(m_conn);
    m_conn = nullptr;
    throw IoError(fmt::format("{}: cannot connect: {}", m_name, msg));
  }
  // UTC for TIMESTAMP columns; strict, so a value the column cannot hold is an error and not a
  // warning with the value truncated; an id 0 inserted stays 0 instead of taking the next one.
  exec(
      "SET time_zone = '+00:00', sql_mode = CONCAT_WS(',', NULLIF(@@sql_mode, ''), "
      "'STRICT_ALL_TABLES', 'NO_AUTO_VALUE_ON_ZERO', 'NO_ENGINE_SUBSTITUTION')");
}

MariaDbConnection::~MariaDbConnection() {
  if (m_conn) mysql_close(m_conn);
}

std::string MariaDbConnection::error() const {
  return mysql_error(m_conn);
}

unsigned MariaDbConnection::error_number() const {
  return mysql_errno(m_conn);
}

void MariaDbConnection::exec(const std::string& sql) {
  if (mysql_real_query(m_conn, sql.data(), sql.size()) != 0)
    throw IoError(fmt::format("{}: {}", m_name, error()));
  // A statement that answers rows: read and drop them.
  if (MYSQL_RES* r = mysql_store_result(m_conn)) mysql_free_result(r);
}

std::vector<MariaDbConnection::Row> MariaDbConnection::rows(const std::string& sql) {
  if (mysql_real_query(m_conn, sql.data(), sql.size()) != 0)
    throw IoError(fmt::format("{}: {}", m_name, error()));
  std::unique_ptr<MYSQL_RES, void (*)(MYSQL_RES*)> r(mysql_store_result(m_conn), mysql_free_result);
  std::vector<Row> out;
  if (!r) {
    if (mysql_errno(m_conn) != 0) throw IoError(fmt::format("{}: {}", m_name, error()));
    return out;
  }
  unsigned n = mysql_num_fields(r.get());
  while (MYSQL_ROW row = mysql_fetch_row(r.get())) {
    unsigned long* len = mysql_fetch_lengths(r.get());
    Row& o = out.emplace_back();
    for (unsigned i = 0; i < n; ++i)
      o.push_back(row[i] ? std::optional<std::string>(std::string(row[i], len[i])) : std::nullopt);
  }
  return out;
}

std::string mariadb_quote_name(const std::string& name) {
  std::string q = "`";
  for (char c : name) {
    if (c == '`') q.push_back('`');
    q.push_back(c);
  }
  return q + "`";
}

std::string mariadb_literal(MariaDbConnection& conn, const std::string& text) {
  std::string out(text.size() * 2 + 1, '\0');
  auto n = mysql_real_escape_string(conn.handle(), out.data(), text.data(), text.size());
  out.resize(n);
  return "'" + out + "'";
}

MariaDbKind mariadb_kind(const MYSQL_FIELD& f) {
  MARIADB_CONST_STRING format{nullptr, 0};
  if (mariadb_field_attr(&format, &f, MARIADB_FIELD_ATTR_FORMAT_NAME) == 0 && format.length == 4 &&
      std::memcmp(format.str, "json", 4) == 0)
    return MariaDbKind::Json;
  switch (f.type) {
    case MYSQL_TYPE_TINY:
      return f.length == 1 ? MariaDbKind::Boolean : MariaDbKind::Number;  // TINYINT(1)
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_YEAR:
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL:
      return MariaDbKind::Number;
    case MYSQL_TYPE_FLOAT:
    case MYSQL_TYPE_DOUBLE:
      return MariaDbKind::Float;
    case MYSQL_TYPE_BIT:
      return f.length == 1 ? MariaDbKind::Boolean : MariaDbKind::Bit;
    case MYSQL_TYPE_JSON:
      return MariaDbKind::Json;
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_DATETIME2:
      return MariaDbKind::DateTime;
    case MYSQL_TYPE_TIMESTAMP:
    case MYSQL_TYPE_TIMESTAMP2:
      return MariaDbKind::Timestamp;
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE:
      return MariaDbKind::Date;
    case MYSQL_TYPE_GEOMETRY:
      return MariaDbKind::Bytes;
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB:
    case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_VARCHAR:
      return f.charsetnr == kBinaryCharset ? MariaDbKind::Bytes : MariaDbKind::Text;
    default:
      return MariaDbKind::Text;  // DATE, TIME, ENUM, SET …: their text
  }
}

StoredAs stored_as(MariaDbKind k) {
  switch (k) {
    case MariaDbKind::Number:
    case MariaDbKind::Float:
    case MariaDbKind::Bit:
      return StoredAs::Number;
    case MariaDbKind::Boolean:
      return StoredAs::Boolean;
    case MariaDbKind::Json:
      return StoredAs::Json;
    case MariaDbKind::Bytes:
      return StoredAs::Other;
    default:
      return StoredAs::Text;
  }
}

MariaDbColumn mariadb_column(const MYSQL_FIELD& f) {
  MariaDbColumn c;
  c.kind = mariadb_kind(f);
  c.integer = c.kind == MariaDbKind::Number && f.type != MYSQL_TYPE_DECIMAL &&
              f.type != MYSQL_TYPE_NEWDECIMAL;
  c.time = c.kind == MariaDbKind::DateTime || c.kind == MariaDbKind::Timestamp ||
           f.type == MYSQL_TYPE_TIME || f.type == MYSQL_TYPE_TIME2;
  c.year = f.type == MYSQL_TYPE_YEAR;
  if (f.type == MYSQL_TYPE_DECIMAL || f.type == MYSQL_TYPE_NEWDECIMAL || c.time)
    c.scale = static_cast<int>(f.decimals);
  if (f.type == MYSQL_TYPE_FLOAT || f.type == MYSQL_TYPE_DOUBLE) {
    c.float_bytes = f.type == MYSQL_TYPE_FLOAT ? 4 : 8;
    if (f.decimals < kNotFixedDecimals) c.scale = static_cast<int>(f.decimals);  // FLOAT(7,2)
  }
  return c;
}

std::string_view mariadb_utc_time(std::string_view t) {
  if (t.ends_with('Z')) return t.substr(0, t.size() - 1);
  if (t.ends_with("+00:00")) return t.substr(0, t.size() - 6);
  return t;
}

namespace {

// The server cuts a time's second fractions to the column's without a word: more nonzero
// digits than it keeps are refused here.
std::string unfit_time(const MariaDbColumn& c, const Value& v) {
  if (v.kind() != Value::Kind::String) return "";
  std::size_t places = second_fraction_places(v.text());
  if (static_cast<int>(places) <= c.scale) return "";
  return fmt::format("{} has more second fractions than the column keeps ({})", v.text(), c.scale);
}

// A FLOAT or DOUBLE column holds the nearest binary number, and FLOAT(M,D) rounds to D places:
// a value that would become another is refused.
std::string unfit_float(const MariaDbColumn& c, const Value& v) {
  if (v.kind() != Value::Kind::Number && v.kind() != Value::Kind::String) return "";
  if (!is_sql_number(v.text())) return "";  // the server refuses what is no number
  if (c.scale >= 0 && last_digit_exponent(number_value_form(v.text())) < -c.scale)
    return fmt::format("{} has more places than the column's {}", v.text(), c.scale);
  if (auto stored = float_changes(v.text(), c.float_bytes))
    return fmt::format("{} would be stored as {} ({})", v.text(), *stored,
                       c.float_bytes == 4 ? "FLOAT" : "DOUBLE");
  return "";
}

}  // namespace

std::string mariadb_unfit(const MariaDbColumn& c, const Value& v) {
  bool dated = c.kind == MariaDbKind::Date || c.kind == MariaDbKind::DateTime ||
               c.kind == MariaDbKind::Timestamp;
  if (dated && v.kind() == Value::Kind::String && day_month_order_unknown(v.text()))
    return date_order_refusal(v.text(), "year first (MariaDB reads 01/02/26 as 2001-02-26)");
  if (c.time) return unfit_time(c, v);
  if (c.float_bytes) return unfit_float(c, v);
  if (c.year && (v.kind() == Value::Kind::Number || v.kind() == Value::Kind::String) &&
      v.text().size() != 4 && v.text() != "0")
    return fmt::format("{} is not a four-digit year (the server reads '24' as 2024)", v.text());
  if (!c.integer && c.scale < 0) return "";
  if (v.kind() != Value::Kind::Number && v.kind() != Value::Kind::String) return "";
  const std::string& t = v.text();
  // (as the server reads a number: " 7.5" and "+1.005" too; it refuses what is no number)
  if (!is_sql_number(t)) return "";
  if (t.find_first_of("eE") != std::string::npos)
    return fmt::format("{} has an exponent; the column takes plain {}", t,
                       c.integer ? "integers" : "decimals");
  long long last = last_digit_exponent(number_value_form(t));
  if (c.integer && last < 0) return fmt::format("{} is not an integer", t);
  if (!c.integer && last < -c.scale)
    return fmt::format("{} has more places than the column's {}", t, c.scale);
  return "";
}

// ---- source ----

MariaDbSource::MariaDbSource(const std::string& url, const ConnectorOptions& o)
    : m_conn(url, o.password_file), m_name(m_conn.name()) {
  if (o.table.empty() == o.query.empty())
    throw UsageError("a mariadb source needs exactly one of --table or --query");
  if (!o.table.empty()) m_name += "#" + o.table;
  // Sources only read, from one snapshot: a --query that would write fails.
  m_conn.exec("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
  std::string sql = o.query.empty() ? table_select(o.table) : o.query;
  if (mysql_real_query(m_conn.handle(), sql.data(), sql.size()) != 0) {
    bool writes = m_conn.error_number() == 1792;  // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
    throw UsageError(fmt::format("{}: {}{}", m_name, m_conn.error(),
                                 writes ? " (sources are read-only: --query may only read)" : ""));
  }
  m_result = mysql_use_result(m_conn.handle());
  if (m_result == nullptr)
    throw UsageError(fmt::format("{}: the query answers no rows{}", m_name,
                                 m_conn.error_number() ? ": " + m_conn.error() : ""));
  unsigned n = mysql_num_fields(m_result);
  MYSQL_FIELD* fields = mysql_fetch_fields(m_result);
  for (unsigned i = 0; i < n; ++i) {
    m_names.emplace_back(fields[i].name, fields[i].name_length);
    m_kinds.push_back(mariadb_kind(fields[i]));
  }
  try {
    refuse_repeated_columns(m_names, m_name);
    for (unsigned i = 0; i < n; ++i)
      if (fields[i].type == MYSQL_TYPE_FLOAT)
        throw UsageError(fmt::format(
            "{}: the query's column '{}' is FLOAT, which the server sends with 6 significant "
            "digits (16777216 as 16777200): select CAST(… AS DOUBLE) to read it exactly",
            m_name, m_names[i]));
  } catch (...) {
    release_result();  // the destructor does not run for a constructor that throws
    throw;
  }
}

// SELECT of every column of a table, a FLOAT as a DOUBLE: the server writes a FLOAT with 6
// significant digits (16777216 as 16777200), a DOUBLE with all it needs, and a FLOAT's value is
// a DOUBLE's exactly (read back to the FLOAT's shortest text in convert()).
std::string MariaDbSource::table_select(const std::string& table) {
  std::string quoted = mariadb_quote_name(table);
  std::string probe = "SELECT * FROM " + quoted + " LIMIT 0";
  if (mysql_real_query(m_conn.handle(), probe.data(), probe.size()) != 0)
    throw UsageError(fmt::format("{}: {}", m_name, m_conn.error()));
  std::unique_ptr<MYSQL_RES, void (*)(MYSQL_RES*)> r(mysql_store_result(m_conn.handle()),
                                                     mysql_free_result);
  if (!r) throw UsageError(fmt::format("{}: {}", m_name, m_conn.error()));
  std::string columns;
  MYSQL_FIELD* fields = mysql_fetch_fields(r.get());
  for (unsigned i = 0; i < mysql_num_fields(r.get()); ++i) {
    std::string name = mariadb_quote_name(std::string(fields[i].name, fields[i].name_length));
    bool single = fields[i].type == MYSQL_TYPE_FLOAT;
    m_single.push_back(single);
    columns += (i ? ", " : "") + (single ? "CAST(" + name + " AS DOUBLE) AS " + name : name);
  }
  return "SELECT " + columns + " FROM " + quoted;
}

MariaDbSource::~MariaDbSource() {
  release_result();
}

void MariaDbSource::release_result() {
  if (m_result == nullptr) return;
  // Stopped early (| head): closing the connection ends the server's sending; freeing the result
  // first would read every row that is left.
  if (!m_done) m_result->handle = nullptr;
  mysql_free_result(m_result);
  m_result = nullptr;
}

std::vector<std::string> MariaDbSource::time_columns() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < m_names.size(); ++i)
    if (m_kinds[i] == MariaDbKind::DateTime || m_kinds[i] == MariaDbKind::Timestamp)
      out.push_back(m_names[i]);
  return out;
}

std::vector<std::string> MariaDbSource::notes() const {
  std::vector<std::string> out = json_as_text_notes(m_json_as_text);
  for (const auto& [column, n] : m_zero_dates)
    out.push_back(
        fmt::format("column '{}': {} zero dates (0000-00-00) read as their text", column, n));
  return out;
}

void MariaDbSource::convert(std::size_t col, std::string_view text, Value& v) {
  switch (m_kinds[col]) {
    case MariaDbKind::Number:
      v.set_number(text);
      break;
    case MariaDbKind::Float:
      if (col < m_single.size() && m_single[col] && is_json_number(text))  // a FLOAT's value
        v.set_number(
            shortest_text(static_cast<float>(std::strtod(std::string(text).c_str(), nullptr))));
      else if (is_json_number(text))
        v.set_number(text);
      else
        v.set_string(text);
      break;
    case MariaDbKind::Boolean:  // TINYINT(1) and BIT(1): 0 and 1; anything else stays a number
      if (text == "0" || text == "1" || text == std::string_view("\0", 1) ||
          text == std::string_view("\1", 1))
        v = Value::boolean(text == "1" || text == std::string_view("\1", 1));
      else
        v.set_number(text);
      break;
    case MariaDbKind::Bit: {  // big-endian bytes
      unsigned long long n = 0;
      for (unsigned char c : text) n = (n << 8) | c;
      v.set_number(std::to_string(n));
      break;
    }
    case MariaDbKind::Json:
      if (parse_json(text, v)) {
        v.set_string(text);
        ++m_json_as_text[m_names[col]];
      }
      break;
    case MariaDbKind::Bytes:
      v = bytes_value(text);
      break;
    case MariaDbKind::DateTime:
    case MariaDbKind::Timestamp: {
      if (text.starts_with("0000-00-00")) {  // MySQL's zero date: no instant, kept as written
        ++m_zero_dates[m_names[col]];
        v.set_string(text);
        break;
      }
      std::string s(text);
      if (s.size() > 10 && s[10] == ' ') s[10] = 'T';
      if (m_kinds[col] == MariaDbKind::Timestamp) s += 'Z';  // the session's time zone is UTC
      v.set_string(s);
      break;
    }
    case MariaDbKind::Date:
      if (text == "0000-00-00") ++m_zero_dates[m_names[col]];
      v.set_string(text);
      break;
    case MariaDbKind::Text:
      v.set_string(text);
  }
}

bool MariaDbSource::next(Sourced& out) {
  if (m_done) return false;
  MYSQL_ROW row = mysql_fetch_row(m_result);
  if (row == nullptr) {
    m_done = true;
    if (m_conn.error_number() != 0) throw IoError(fmt::format("{}: {}", m_name, m_conn.error()));
    return false;
  }
  unsigned long* len = mysql_fetch_lengths(m_result);
  start_table_row(out, m_name, ++m_row, m_names);
  auto& rec = out.record.fields();
  for (std::size_t i = 0; i < rec.size(); ++i) {
    if (row[i] == nullptr)
      rec[i].value.set_null();
    else
      convert(i, std::string_view(row[i], len[i]), rec[i].value);
  }
  return true;
}

}  // namespace etl
