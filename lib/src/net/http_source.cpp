#include "etl/net/http_source.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "etl/decimal.hpp"
#include "etl/digest.hpp"
#include "etl/error.hpp"
#include "etl/json.hpp"
#include "etl/stop_signal.hpp"

namespace etl {
namespace {

// --since-query: each name=value of the template, {field} and {since} put in, added to url.
std::string with_since_query(std::string url, const std::string& tmpl, const std::string& field,
                             const std::string& since) {
  auto fill = [&](std::string s) {
    for (const auto& [mark, value] : {std::pair{"{field}", &field}, std::pair{"{since}", &since}})
      for (std::size_t at; (at = s.find(mark)) != std::string::npos;)
        s.replace(at, std::string_view(mark).size(), *value);
    return s;
  };
  for (std::size_t start = 0; start < tmpl.size();) {
    std::size_t end = tmpl.find('&', start);
    if (end == std::string::npos) end = tmpl.size();
    std::string part = tmpl.substr(start, end - start);
    auto eq = part.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError(fmt::format("--since-query: '{}' is not name=value", part));
    url = with_query(url, fill(part.substr(0, eq)), fill(part.substr(eq + 1)));
    start = end + 1;
  }
  return url;
}

// --query on an API that takes its query in the body (NetSuite's SuiteQL): each
// /*since: … */ section is kept, with {since} the watermark's first cursor value as an SQL
// string's text (quotes doubled), when there is a watermark, and left out when there is none
// (the first run reads everything).
std::string query_with_since(const std::string& query, const std::optional<std::string>& since) {
  static const std::string kOpen = "/*since:", kClose = "*/";
  std::string out;
  std::size_t at = 0;
  for (std::size_t open; (open = query.find(kOpen, at)) != std::string::npos;) {
    std::size_t close = query.find(kClose, open + kOpen.size());
    if (close == std::string::npos)
      throw UsageError("--query: a /*since: section has no closing */");
    out += query.substr(at, open - at);
    if (since) {
      std::string section = query.substr(open + kOpen.size(), close - open - kOpen.size());
      std::string literal;
      for (char c : *since) literal += c == '\'' ? std::string("''") : std::string(1, c);
      for (std::size_t s; (s = section.find("{since}")) != std::string::npos;)
        section.replace(s, 7, literal);
      out += section;
    }
    at = close + kClose.size();
  }
  out += query.substr(at);
  if (out.find("{since}") != std::string::npos)
    throw UsageError(
        "--query: {since} goes inside a /*since: … */ section, which the first run (no "
        "watermark yet) leaves out");
  return out;
}

}  // namespace

HttpSource::HttpSource(const std::string& url, const ConnectorOptions& o)
    : m_client(o.http), m_opts(o), m_base(url), m_name(mask_address(url)) {
  if (o.paging.paginate == Paging::Cursor && o.paging.cursor_path.empty())
    throw UsageError("--paginate cursor needs --cursor-path, the JSON Pointer to the next cursor");
  if (o.paging.paginate == Paging::Next && o.paging.next_path.empty())
    throw UsageError("--paginate next needs --next-path, the JSON Pointer to the next page's URL");
  if ((!o.paging.total_path.empty() || !o.paging.has_more_path.empty()) &&
      o.paging.paginate != Paging::Page && o.paging.paginate != Paging::Offset)
    throw UsageError("--total-path and --has-more-path go with --paginate page or offset");
  // etl-extract --state … --since-param NAME: the API filters to the records at or after the
  // watermark (NAME is its "updated since" parameter); every page's URL carries it.
  std::optional<std::string> since;
  if (o.since.value) {
    since =
        o.since.value->kind() == Value::Kind::String || o.since.value->kind() == Value::Kind::Number
            ? o.since.value->text()
            : to_json(*o.since.value);
    if (!o.paging.since_param.empty()) m_base = with_query(m_base, o.paging.since_param, *since);
    if (!o.paging.since_query.empty())
      m_base = with_since_query(m_base, o.paging.since_query, o.since.field, *since);
  }
  // An API whose query goes in the body: every page is a POST of {"q": QUERY}.
  if (!o.query.empty()) {
    m_body = "{\"q\":";
    append_json_string(m_body, query_with_since(o.query, since));
    m_body += "}";
  }
  const std::string& start = m_base;
  m_next_url = start;
  m_origin = url_origin(start);
  if (o.paging.paginate == Paging::Page) {
    m_page_number = 1;
    m_next_url = with_query(with_query(start, o.paging.page_param, "1"), o.paging.size_param,
                            std::to_string(o.paging.page_size));
  } else if (o.paging.paginate == Paging::Offset) {
    m_next_url = with_query(with_query(start, o.paging.offset_param, "0"), o.paging.limit_param,
                            std::to_string(o.paging.page_size));
  }
}

bool HttpSource::fetch_page() {
  if (m_next_url.empty() || StopSignals::requested()) return false;
  std::string url = m_next_url;
  if (!m_seen.insert(url).second)
    throw IoError(fmt::format("{}: pagination loop: page {} leads back to {}, already read", m_name,
                              m_page_no, mask_address(url)));
  if (m_opts.paging.max_pages > 0 && m_page_no >= m_opts.paging.max_pages)
    throw IoError(
        fmt::format("{}: more than --max-pages {} pages", m_name, m_opts.paging.max_pages));
  ++m_page_no;
  std::string where = fmt::format("page {} ({})", m_page_no, mask_address(url));
  // Credentials go only to the first URL's origin: a next page elsewhere is refused, or read
  // without them when --allow-cross-origin says so.
  bool same_origin = url_origin(url) == m_origin;
  if (!same_origin && !m_opts.paging.allow_cross_origin)
    throw IoError(fmt::format(
        "{}: the next page is on another origin ({}); credentials go only to {}, so it is not "
        "read (--allow-cross-origin reads it without them)",
        where, url_origin(url), m_origin));
  HttpResponse r;
  try {
    r = m_client.request(m_body.empty() ? "GET" : "POST", url, m_body, same_origin);
  } catch (const StopRequested&) {
    return false;  // a stop signal while waiting to retry: the pipeline sees it and stops
  } catch (const IoError& e) {  // say which page the run reached
    throw IoError(fmt::format("page {}: {}", m_page_no, e.what()));
  }
  if (r.status >= 300)
    throw IoError(fmt::format("{}: HTTP {}: {}", where, r.status, http_error_message(r.body)));
  m_next_url.clear();
  // 204 No Content (BigCommerce past its last page) or an empty body: no more records.
  if (r.status == 204 || r.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    m_items = &m_empty;
    m_pos = 0;
    return true;
  }
  // A page that is not the JSON it should be is bad data (exit 3), not a failed connection.
  if (auto err = parse_json(r.body, m_page))
    throw DataError(
        fmt::format("{}: invalid JSON at byte {}: {}", where, err->offset, err->message));
  // "/" is the page itself, as for JSON files (GET /V1/orders/3 answers one object).
  m_items = m_opts.records_path == "/" ? &m_page : json_pointer(m_page, m_opts.records_path);
  if (m_items != nullptr && m_items->kind() == Value::Kind::Object &&
      !m_opts.records_path.empty()) {
    // One record (GET /V1/orders/3, Shopify's {"order": {…}}): an array of it. Only when a
    // records path says so: a page's wrapper object read as one record would be a guess.
    m_single = Value::array();
    m_single.items().push_back(*m_items);
    m_items = &m_single;
  }
  if (m_items == nullptr || m_items->kind() != Value::Kind::Array)
    throw DataError(fmt::format(
        "{}: no array of records at '{}'{}", where, m_opts.records_path,
        m_opts.records_path.empty()
            ? " (use --records-path: the path of the array, or / to read the object as one record)"
            : ""));
  m_pos = 0;
  std::size_t count = m_items->items().size();
  // Where the client counts pages (page, offset) a repeat is told by its records, as Magento's
  // repeated last page differs in its search_criteria; where the server said where to go, a
  // page whose body repeats word for word loops. Only the first needs the records serialised.
  Paging style = m_opts.paging.paginate;
  bool client_counts = style == Paging::Page || style == Paging::Offset;
  std::uint64_t page_digest = digest_text(kDigestSeed, client_counts ? to_json(*m_items) : r.body);
  if (count > 0 && m_page_no > 1 && page_digest == m_last_page_digest) {
    if (!client_counts)
      throw IoError(
          fmt::format("{}: the page repeats page {} word for word", where, m_page_no - 1));
    // Magento answers a page past its last with the last page again: the end, not new records.
    m_notes.push_back(fmt::format(
        "{} repeats the records of page {}: taken as the end of the pages, not read twice", where,
        m_page_no - 1));
    m_items = &m_empty;
    return true;
  }
  m_last_page_digest = page_digest;
  m_read += count;
  find_next_page(url, r, count);
  return true;
}

// Whether a page/offset page says there is more: --has-more-path, else --total-path, else a
// full page.
bool HttpSource::more_in_body(std::size_t count) const {
  if (count == 0) return false;
  if (!m_opts.paging.has_more_path.empty()) {
    const Value* more = json_pointer(m_page, m_opts.paging.has_more_path);
    return more && more->kind() == Value::Kind::Bool && more->as_bool();
  }
  if (!m_opts.paging.total_path.empty()) {
    const Value* total = json_pointer(m_page, m_opts.paging.total_path);
    auto n = total && total->kind() == Value::Kind::Number ? Decimal::parse(total->text())
                                                           : std::nullopt;
    auto whole = n ? n->to_int64() : std::nullopt;
    if (!whole)
      throw DataError(fmt::format("{}: page {} has no number of records at --total-path '{}'",
                                  m_name, m_page_no, m_opts.paging.total_path));
    return static_cast<std::int64_t>(m_read) < *whole;
  }
  return count >= m_opts.paging.page_size;
}

void HttpSource::find_next_page(const std::string& url, const HttpResponse& r, std::size_t count) {
  Paging style = m_opts.paging.paginate;
  if (style == Paging::Link) {
    auto link = r.headers.find("link");
    if (link != r.headers.end() && count > 0) {  // an empty page ends it, next link or not
      std::string next = next_link(link->second);
      if (!next.empty()) m_next_url = resolve_url(url, next);
    }
  } else if (style == Paging::Page && more_in_body(count)) {
    ++m_page_number;
    m_next_url =
        with_query(with_query(m_base, m_opts.paging.page_param, std::to_string(m_page_number)),
                   m_opts.paging.size_param, std::to_string(m_opts.paging.page_size));
  } else if (style == Paging::Offset && more_in_body(count)) {
    m_offset += count;
    m_next_url =
        with_query(with_query(m_base, m_opts.paging.offset_param, std::to_string(m_offset)),
                   m_opts.paging.limit_param, std::to_string(m_opts.paging.page_size));
  } else if (style == Paging::Cursor) {
    const Value* cursor = json_pointer(m_page, m_opts.paging.cursor_path);
    if (cursor &&
        (cursor->kind() == Value::Kind::String || cursor->kind() == Value::Kind::Number) &&
        !cursor->text().empty() && count > 0)
      m_next_url = with_query(m_base, m_opts.paging.cursor_param, cursor->text());
  } else if (style == Paging::Next && count > 0) {
    // A URL (relative ones resolve against this page's), or a links array with rel "next".
    const Value* next = json_pointer(m_page, m_opts.paging.next_path);
    if (next && next->kind() == Value::Kind::Array) {
      const Value* href = nullptr;
      for (const auto& link : next->items()) {
        const Value* rel = json_pointer(link, "/rel");
        if (rel && rel->kind() == Value::Kind::String && rel->text() == "next") {
          href = json_pointer(link, "/href");
          break;
        }
      }
      next = href;
    }
    if (next && next->kind() == Value::Kind::String && !next->text().empty())
      m_next_url = resolve_url(url, next->text());
  }
}

bool HttpSource::next(Sourced& out) {
  while (m_items == nullptr || m_pos >= m_items->items().size())
    if (!fetch_page()) return false;
  const Value& item = m_items->items()[m_pos++];
  out.where.source = m_name;
  out.where.line = 0;
  out.where.detail = fmt::format("page {} item {}", m_page_no, m_pos);
  out.reject_reason.clear();
  out.raw.clear();
  if (item.kind() != Value::Kind::Object) {
    out.record.clear();
    out.reject_reason = "not a JSON object";
    out.raw = to_json(item);
    return true;
  }
  out.record.fields() = item.members();
  return true;
}

}  // namespace etl
