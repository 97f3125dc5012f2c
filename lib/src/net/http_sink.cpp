#include "etl/net/http_sink.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include "etl/error.hpp"
#include "etl/json.hpp"

namespace etl {
namespace {

std::string url_encode(const std::string& s) {
  char* e = curl_easy_escape(nullptr, s.c_str(), static_cast<int>(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

}  // namespace

HttpSink::HttpSink(const std::string& url_template, const ConnectorOptions& o)
    : m_client(o.http), m_opts(o), m_template(url_template) {
  if (o.http_method != "POST" && o.http_method != "PUT" && o.http_method != "PATCH")
    throw UsageError(fmt::format("--method must be POST, PUT or PATCH, not '{}'", o.http_method));
  m_templated = url_template.find('{') != std::string::npos;
  if (o.dry_run)
    throw UsageError(
        "--dry-run: an HTTP destination's writes cannot be undone, so it has no dry run");
  if (o.one_transaction)
    throw UsageError(
        "--all-or-nothing: an HTTP destination's writes cannot be undone, so it cannot wait for "
        "the others");
  m_batch_size = o.batch_size == 0 ? 1 : o.batch_size;
  if (m_templated && m_batch_size > 1)
    throw UsageError(
        "--batch-size above 1 needs a URL without {field} parts (one URL per request)");
  if (!o.responses.empty()) m_responses = std::make_unique<OutputStream>(o.responses);
}

std::string HttpSink::url_for(const Record& r, std::string& missing) const {
  std::string url;
  for (std::size_t i = 0; i < m_template.size(); ++i) {
    if (m_template[i] != '{') {
      url.push_back(m_template[i]);
      continue;
    }
    std::size_t end = m_template.find('}', i);
    std::string field = m_template.substr(i + 1, end - i - 1);
    const Value* v = r.find(field);
    if (v == nullptr || v->is_null() || v->kind() == Value::Kind::Array ||
        v->kind() == Value::Kind::Object) {
      missing = field;
      return {};
    }
    url +=
        url_encode(v->kind() == Value::Kind::Bool ? (v->as_bool() ? "true" : "false") : v->text());
    i = end;
  }
  return url;
}

WriteResult HttpSink::write(const Sourced& in) {
  if (m_templated) {
    std::string missing;
    url_for(in.record, missing);
    if (!missing.empty())
      return {
          WriteOutcome::Rejected,
          fmt::format("the URL needs field '{}', which is missing, null or not a scalar", missing)};
  }
  m_batch.push_back(in);
  if (m_batch.size() >= m_batch_size) send_batch();
  return {WriteOutcome::Pending, ""};
}

void HttpSink::send_batch() {
  if (m_batch.empty()) return;
  send(0, m_batch.size());
  m_batch.clear();
}

// Sends m_batch[from, to) as one request. A batch the server finds too large (413) is split in
// halves and each sent again; only a single record it refuses is rejected.
void HttpSink::send(std::size_t from, std::size_t to) {
  std::string missing;
  std::string url = m_templated ? url_for(m_batch[from].record, missing) : m_template;
  std::string body;
  if (m_batch_size == 1) {
    append_json(body, m_batch[from].record);
  } else {
    body = "[";
    for (std::size_t i = from; i < to; ++i) {
      if (i > from) body.push_back(',');
      append_json(body, m_batch[i].record);
    }
    body += "]";
  }
  HttpResponse r;
  try {
    r = m_client.request(m_opts.http_method, url, body);
  } catch (const IoError& e) {  // say which record the run reached
    throw IoError(fmt::format("{}: {}", m_batch[from].where.to_string(), e.what()));
  }
  if (r.status == 413 && to - from > 1) {
    std::size_t middle = from + (to - from) / 2;
    send(from, middle);
    send(middle, to);
    return;
  }
  bool ok = r.status >= 200 && r.status < 300;
  if (m_responses) {
    std::string& o = m_responses->buffer();
    o += "{\"where\":";
    append_json_string(o, m_batch[from].where.to_string());
    o += fmt::format(",\"status\":{},\"request\":", r.status);
    o += body;
    o += ",\"response\":";
    Value v;
    if (!r.body.empty() && !parse_json(r.body, v))
      append_json(o, v);
    else
      append_json_string(o, r.body);
    o += "}\n";
    m_responses->maybe_flush();
  }
  WriteResult result;
  if (ok) m_accepted += to - from;
  if (!ok)
    result = {WriteOutcome::Rejected,
              fmt::format("{} {}: HTTP {}: {}", m_opts.http_method, mask_address(url), r.status,
                          http_error_message(r.body))};
  for (std::size_t i = from; i < to; ++i)
    if (m_outcome) m_outcome(m_batch[i], result);
}

void HttpSink::commit() {
  send_batch();
  if (m_responses) m_responses->commit();
}

}  // namespace etl
