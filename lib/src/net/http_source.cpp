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

namespace {

// A record's digest, through one buffer kept between records (this runs for every record).
std::uint64_t record_digest(const Value& v) {
  static thread_local std::string text;
  text.clear();
  append_json(text, v);
  return digest_text(kDigestSeed, text);
}

}  // namespace

// Starts the next page's request: false when there is none.
bool HttpSource::open_page() {
  if (m_next_url.empty() || StopSignals::requested()) return false;
  m_url = m_next_url;
  if (!m_seen.insert(m_url).second)
    throw IoError(fmt::format("{}: pagination loop: page {} leads back to {}, already read", m_name,
                              m_page_no, mask_address(m_url)));
  if (m_opts.paging.max_pages > 0 && m_page_no >= m_opts.paging.max_pages)
    throw IoError(
        fmt::format("{}: more than --max-pages {} pages", m_name, m_opts.paging.max_pages));
  ++m_page_no;
  m_where = fmt::format("page {} ({})", m_page_no, mask_address(m_url));
  // Credentials go only to the first URL's origin: a next page elsewhere is refused, or read
  // without them when --allow-cross-origin says so.
  m_same_origin = url_origin(m_url) == m_origin;
  if (!m_same_origin && !m_opts.paging.allow_cross_origin)
    throw IoError(fmt::format(
        "{}: the next page is on another origin ({}); credentials go only to {}, so it is not "
        "read (--allow-cross-origin reads it without them)",
        m_where, url_origin(m_url), m_origin));
  m_next_url.clear();
  m_digests.clear();
  m_repeating = m_page_no > 1 && !m_previous.empty();
  m_page_open = m_restart = true;
  return true;
}

void HttpSource::page_changed(std::size_t record) const {
  throw IoError(fmt::format(
      "{}: the transfer broke after record {}, and when the page was sent again record {} was "
      "no longer the same: the page changed between the two reads, so it is not read on",
      m_where, m_digests.size(), record));
}

// (Re)starts the page's transfer and walks to its records, past those already handed on.
void HttpSource::start_transfer() {
  m_walker.reset();  // both read the stream the next open() ends
  m_json.reset();
  try {
    m_stream = &m_client.open(m_body.empty() ? "GET" : "POST", m_url, m_body, m_same_origin);
  } catch (const IoError& e) {  // say which page the run reached
    throw IoError(fmt::format("page {}: {}", m_page_no, e.what()));
  }
  const HttpResponse& head = m_stream->head();
  if (head.status >= 300)
    throw IoError(
        fmt::format("{}: HTTP {}: {}", m_where, head.status, http_error_message(head.body)));
  HttpStream* stream = m_stream;
  m_json = std::make_unique<JsonStream>(
      [stream](char* buf, std::size_t n) { return stream->read(buf, n); });
  m_json->skip_whitespace();
  // 204 No Content (BigCommerce past its last page) or an empty body: no more records.
  if (head.status == 204 || m_json->at_end()) {
    if (!m_digests.empty()) page_changed(1);
    return;
  }
  // A page that is not the JSON it should be is bad data (exit 3), not a failed connection.
  // "/" is the page itself; an object at a records path given is one record (GET
  // /V1/orders/3, Shopify's {"order": {…}}), but a page's wrapper object read as one record
  // would be a guess.
  const std::string& path = m_opts.records_path;
  m_walker = std::make_unique<JsonRecordWalker>(
      *m_json, path, [this, &path](JsonRecordWalker::Problem problem, const std::string& message) {
        if (problem == JsonRecordWalker::Problem::Syntax)
          throw DataError(
              fmt::format("{}: invalid JSON at byte {}: {}", m_where, m_json->Tell(), message));
        throw DataError(fmt::format("{}: no array of records at '{}'{}", m_where, path,
                                    path.empty() ? " (use --records-path: the path of the array, "
                                                   "or / to read the object as one record)"
                                                 : ""));
      });
  m_walker->start(&m_envelope);
  Value again;
  for (std::size_t i = 0; i < m_digests.size(); ++i)
    if (!m_walker->next(again) || record_digest(again) != m_digests[i]) page_changed(i + 1);
}

// The page's next element; false at its end. A transfer that breaks is started again, as
// often as --retries allows.
bool HttpSource::next_item(Value& item) {
  for (int attempt = 1;; ++attempt) {
    try {
      if (m_restart) {
        m_restart = false;
        start_transfer();
      }
      if (m_walker && m_walker->next(item)) return true;
      if (m_walker) {  // the page's document is done: nothing may follow it
        m_json->skip_whitespace();
        if (!m_json->at_end())
          throw DataError(fmt::format("{}: invalid JSON at byte {}: text after the end of the page",
                                      m_where, m_json->Tell()));
      }
      return false;
    } catch (const HttpBroken& e) {
      if (attempt > m_opts.http.retries)
        throw IoError(
            fmt::format("page {}: {} (gave up after {} attempts)", m_page_no, e.what(), attempt));
      m_restart = true;
      m_client.back_off(attempt);
    }
  }
}

// At the end of a page's records: a repeat of the previous page, or the way to the next.
void HttpSource::end_page() {
  m_page_open = false;
  std::size_t count = m_digests.size();
  if (!m_walker) return;  // no body: the end of the pages
  // Where the client counts pages (page, offset) a repeat is told by its records, as Magento's
  // repeated last page differs in its search_criteria; where the server said where to go, a
  // page that repeats word for word loops.
  Paging style = m_opts.paging.paginate;
  bool client_counts = style == Paging::Page || style == Paging::Offset;
  std::uint64_t envelope = digest_text(kDigestSeed, to_json(m_envelope));
  if (m_repeating && count > 0 && count == m_previous.size()) {
    if (!client_counts && envelope == m_previous_envelope)
      throw IoError(
          fmt::format("{}: the page repeats page {} word for word", m_where, m_page_no - 1));
    if (client_counts) {
      // Magento answers a page past its last with the last page again: the end, not new records.
      m_notes.push_back(fmt::format(
          "{} repeats the records of page {}: taken as the end of the pages, not read twice",
          m_where, m_page_no - 1));
      m_held.clear();
      return;
    }
  }
  for (auto& held : m_held) m_ready.push_back(std::move(held));
  m_held.clear();
  m_previous = std::move(m_digests);
  m_digests.clear();
  m_previous_envelope = envelope;
  m_read += count;
  find_next_page(m_stream->head(), count);
}

// Whether a page/offset page says there is more: --has-more-path, else --total-path, else a
// full page.
bool HttpSource::more_in_body(std::size_t count) const {
  if (count == 0) return false;
  if (!m_opts.paging.has_more_path.empty()) {
    const Value* more = json_pointer(m_envelope, m_opts.paging.has_more_path);
    return more && more->kind() == Value::Kind::Bool && more->as_bool();
  }
  if (!m_opts.paging.total_path.empty()) {
    const Value* total = json_pointer(m_envelope, m_opts.paging.total_path);
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

void HttpSource::find_next_page(const HttpResponse& head, std::size_t count) {
  Paging style = m_opts.paging.paginate;
  const std::string& url = m_url;
  if (style == Paging::Link) {
    auto link = head.headers.find("link");
    if (link != head.headers.end() && count > 0) {  // an empty page ends it, next link or not
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
    const Value* cursor = json_pointer(m_envelope, m_opts.paging.cursor_path);
    if (cursor &&
        (cursor->kind() == Value::Kind::String || cursor->kind() == Value::Kind::Number) &&
        !cursor->text().empty() && count > 0)
      m_next_url = with_query(m_base, m_opts.paging.cursor_param, cursor->text());
  } else if (style == Paging::Next && count > 0) {
    // A URL (relative ones resolve against this page's), or a links array with rel "next".
    const Value* next = json_pointer(m_envelope, m_opts.paging.next_path);
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
  std::pair<std::size_t, Value> item;
  try {
    while (m_ready.empty()) {
      if (!m_page_open && !open_page()) return false;
      Value v;
      if (!next_item(v)) {
        end_page();
        continue;
      }
      std::uint64_t digest = record_digest(v);
      m_digests.push_back(digest);
      std::size_t place = m_digests.size();
      // Held back while the page repeats the previous one, in place: a repeated page is never
      // handed on, and a page that differs hands on what it held, in order.
      if (m_repeating && place <= m_previous.size() && m_previous[place - 1] == digest) {
        m_held.emplace_back(place, std::move(v));
        continue;
      }
      m_repeating = false;
      for (auto& held : m_held) m_ready.push_back(std::move(held));
      m_held.clear();
      m_ready.emplace_back(place, std::move(v));
    }
  } catch (const StopRequested&) {
    return false;  // a stop signal while waiting: the pipeline sees it and stops
  }
  item = std::move(m_ready.front());
  m_ready.pop_front();
  out.where.source = m_name;
  out.where.line = 0;
  out.where.detail = fmt::format("page {} item {}", m_page_no, item.first);
  out.reject_reason.clear();
  out.raw.clear();
  if (item.second.kind() != Value::Kind::Object) {
    out.record.clear();
    out.reject_reason = "not a JSON object";
    out.raw = to_json(item.second);
    return true;
  }
  out.record.fields() = std::move(item.second.members());
  return true;
}

}  // namespace etl
