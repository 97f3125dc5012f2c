#include "etl/net/http_sink.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <vector>

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

// What an item of a batch answer says went wrong: its message, title or detail, else itself.
std::string item_message(const Value& item) {
  for (const char* key : {"message", "title", "detail", "error"})
    if (const Value* m = json_pointer(item, std::string("/") + key);
        m && m->kind() == Value::Kind::String)
      return m->text();
  return to_json(item);
}

bool item_failed(const Value& item) {
  const Value* status = json_pointer(item, "/status");
  if (!status) return false;
  if (status->kind() == Value::Kind::Number)
    return std::strtol(status->text().c_str(), nullptr, 10) >= 300;
  if (status->kind() == Value::Kind::String)
    return status->text() == "rejected" || status->text() == "failed" || status->text() == "error";
  return false;
}

// A batch's answer that says which of its records failed, as platforms write it: one result per
// record in order (a bare array, or under "request_items" or "results") with a status, or an
// "errors" list whose entries name the record's index. Sets failed[i] to the message of each
// record that failed; false when the answer says nothing per record.
bool per_item_results(const Value& body, std::size_t count,
                      std::vector<std::optional<std::string>>& failed) {
  failed.assign(count, std::nullopt);
  const Value* items = body.kind() == Value::Kind::Array ? &body : nullptr;
  for (const char* key : {"/request_items", "/results"})
    if (!items)
      if (const Value* v = json_pointer(body, key); v && v->kind() == Value::Kind::Array) items = v;
  if (items && items->items().size() == count &&
      std::all_of(items->items().begin(), items->items().end(),
                  [](const Value& i) { return json_pointer(i, "/status") != nullptr; })) {
    for (std::size_t i = 0; i < count; ++i)
      if (item_failed(items->items()[i])) failed[i] = item_message(items->items()[i]);
    return true;
  }
  const Value* errors = json_pointer(body, "/errors");
  if (!errors || errors->kind() != Value::Kind::Array || errors->items().empty()) return false;
  for (const auto& e : errors->items()) {
    const Value* index = nullptr;
    for (const char* key : {"/index", "/item_index", "/itemIndex"})
      if (!index) index = json_pointer(e, key);
    auto at = index && index->kind() == Value::Kind::Number
                  ? std::strtoull(index->text().c_str(), nullptr, 10)
                  : count;
    if (at >= count)
      throw IoError(
          fmt::format("the answer lists an error without the index of its record "
                      "({}): which records were written cannot be told",
                      to_json(e)));
    failed[at] = item_message(e);
  }
  return true;
}

}  // namespace

HttpSink::HttpSink(const std::string& url_template, const ConnectorOptions& o)
    : m_client(o.http), m_opts(o), m_template(url_template) {
  if (o.writing.method != "POST" && o.writing.method != "PUT" && o.writing.method != "PATCH")
    throw UsageError(
        fmt::format("--method must be POST, PUT or PATCH, not '{}'", o.writing.method));
  m_templated = url_template.find('{') != std::string::npos;
  if (o.sink.dry_run)
    throw UsageError(
        "--dry-run: an HTTP destination's writes cannot be undone, so it has no dry run");
  if (o.sink.one_transaction)
    throw UsageError(
        "--all-or-nothing: an HTTP destination's writes cannot be undone, so it cannot wait for "
        "the others");
  m_batch_size = o.sink.batch_size == 0 ? 1 : o.sink.batch_size;
  if (m_templated && m_batch_size > 1)
    throw UsageError(
        "--batch-size above 1 needs a URL without {field} parts (one URL per request)");
  if (!o.writing.responses.empty())
    m_responses = std::make_unique<OutputStream>(o.writing.responses);
  if (!o.writing.xref.empty() && (o.writing.xref_entity.empty() || o.writing.xref_key.empty()))
    throw UsageError("--xref needs --entity and --xref-key (the record's own key field)");
  if (o.writing.xref.empty() &&
      (!o.writing.xref_entity.empty() || !o.writing.xref_key.empty() || !o.writing.id_path.empty()))
    throw UsageError("--entity, --xref-key and --id-path go with --xref");
}

namespace {

// NetSuite answers a create with 204 No Content and the new record's URL in Location
// (…/record/v1/salesOrder/1234): its last segment is the id.
Value id_from_location(const HttpResponse& r) {
  auto loc = r.headers.find("location");
  if (loc == r.headers.end()) return Value();
  std::string url = loc->second;
  while (!url.empty() && (url.back() == '/' || url.back() == '\r' || url.back() == ' '))
    url.pop_back();
  auto slash = url.rfind('/');
  std::string id = slash == std::string::npos ? url : url.substr(slash + 1);
  if (id.empty() || id.find_first_of("?#") != std::string::npos) return Value();
  return Value::string(id);
}

}  // namespace

// --xref: the ids the server gave the records it wrote, paired with each record's own key. One
// record: the id at --id-path in the answer (without --id-path: /id, else the last segment of
// the Location header, as NetSuite gives it); a batch: in each element of the answer's array, or
// of its request_items/results/data array, in order. Saved with each request, so a run that
// fails later keeps the ids of what it created. A record written without an id to keep stops
// the run: the next run would create it again.
void HttpSink::keep_ids(std::size_t from, std::size_t to, const HttpResponse& r,
                        const std::vector<bool>& written) {
  const std::string& answer = r.body;
  std::string path = m_opts.writing.id_path.empty() ? "/id" : m_opts.writing.id_path;
  Value body;
  bool parsed = !answer.empty() && !parse_json(answer, body);
  const Value* items = nullptr;
  if (parsed && to - from > 1) {
    items = body.kind() == Value::Kind::Array ? &body : nullptr;
    for (const char* key : {"/request_items", "/results", "/data"})
      if (!items)
        if (const Value* v = json_pointer(body, key); v && v->kind() == Value::Kind::Array)
          items = v;
  }
  std::vector<correlate::XrefPair> pairs;
  std::string missing;
  for (std::size_t i = from; i < to && missing.empty(); ++i) {
    if (!written[i - from]) continue;
    const Value* key = m_batch[i].record.find(m_opts.writing.xref_key);
    const Value* element = to - from == 1 ? (parsed ? &body : nullptr)
                           : items && items->items().size() == to - from ? &items->items()[i - from]
                                                                         : nullptr;
    const Value* id = element ? json_pointer(*element, path) : nullptr;
    Value located;
    if ((!id || id->is_null()) && m_opts.writing.id_path.empty() && to - from == 1)
      if (located = id_from_location(r); !located.is_null()) id = &located;
    if (!key || key->is_null() || !id || id->is_null())
      missing = fmt::format(
          "{}: --xref: the server wrote the record but {}: the next run would create it again",
          m_batch[i].where.to_string(),
          !key || key->is_null() ? fmt::format("it has no --xref-key {}", m_opts.writing.xref_key)
                                 : fmt::format("its answer has no id at {}", path));
    else
      pairs.push_back({*key, *id, "created", 1});
  }
  if (!pairs.empty())
    correlate::XrefStore(m_opts.writing.xref).save(m_opts.writing.xref_entity, pairs);
  if (!missing.empty()) throw IoError(missing);
}

namespace {

// A URL template's {field}: the record's field of that name, else a path into nested objects
// ({product.sku}, for a body that is all one object, as Magento's {"product": {…}}).
const Value* template_value(const Record& r, const std::string& field) {
  if (const Value* v = r.find(field)) return v;
  auto dot = field.find('.');
  if (dot == std::string::npos) return nullptr;
  const Value* v = r.find(std::string_view(field).substr(0, dot));
  for (std::size_t at = dot + 1; v != nullptr && at <= field.size();) {
    auto next = std::min(field.find('.', at), field.size());
    std::string_view name = std::string_view(field).substr(at, next - at);
    const Value* member = nullptr;
    if (v->kind() == Value::Kind::Object)
      for (const auto& m : v->members())
        if (m.key == name) member = &m.value;
    v = member;
    at = next + 1;
  }
  return v;
}

}  // namespace

std::string HttpSink::url_for(const Record& r, std::string& missing) const {
  std::string url;
  for (std::size_t i = 0; i < m_template.size(); ++i) {
    if (m_template[i] != '{') {
      url.push_back(m_template[i]);
      continue;
    }
    std::size_t end = m_template.find('}', i);
    std::string field = m_template.substr(i + 1, end - i - 1);
    const Value* v = template_value(r, field);
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
    r = m_client.request(m_opts.writing.method, url, body);
  } catch (const IoError& e) {  // say which record the run reached
    throw IoError(fmt::format("{}: {}", m_batch[from].where.to_string(), e.what()));
  } catch (const StopRequested&) {
    // A stop signal while waiting to retry: the last attempt failed, so these records were not
    // written. They go to the rejects (to be sent again) and the run stops as it does for any
    // stop signal.
    WriteResult unsent{WriteOutcome::Rejected,
                       fmt::format("{} {}: not sent: a stop signal came while waiting to retry",
                                   m_opts.writing.method, mask_address(url))};
    for (std::size_t i = from; i < to; ++i)
      if (m_outcome) m_outcome(m_batch[i], unsent);
    return;
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
  if (!ok)
    result = {WriteOutcome::Rejected,
              fmt::format("{} {}: HTTP {}: {}", m_opts.writing.method, mask_address(url), r.status,
                          http_error_message(r.body))};
  // A batch accepted as a whole may still say that some of its records failed (207
  // Multi-Status, or errors per record): those are rejected, the others written.
  std::vector<std::optional<std::string>> failed;
  if (ok && m_batch_size > 1) {
    Value answer;
    bool parsed = !r.body.empty() && !parse_json(r.body, answer);
    bool per_item = false;
    try {
      per_item = parsed && per_item_results(answer, to - from, failed);
    } catch (const IoError& e) {
      throw IoError(
          fmt::format("{}: HTTP {}: {}", m_batch[from].where.to_string(), r.status, e.what()));
    }
    if (r.status == 207 && !per_item)
      throw IoError(fmt::format(
          "{}: HTTP 207 Multi-Status without a result per record: which of the {} records were "
          "written cannot be told",
          m_batch[from].where.to_string(), to - from));
  }
  std::vector<bool> written(to - from, false);
  for (std::size_t i = from; i < to; ++i) {
    WriteResult each = result;
    if (ok && !failed.empty() && failed[i - from])
      each = {WriteOutcome::Rejected,
              fmt::format("{} {}: HTTP {}: record {} of the batch: {}", m_opts.writing.method,
                          mask_address(url), r.status, i - from + 1, *failed[i - from])};
    if (ok && each.outcome != WriteOutcome::Rejected) {
      ++m_accepted;
      written[i - from] = true;
    }
    if (m_outcome) m_outcome(m_batch[i], each);
  }
  if (ok && !m_opts.writing.xref.empty()) keep_ids(from, to, r, written);
}

void HttpSink::commit() {
  send_batch();
  if (m_responses) m_responses->commit();
}

}  // namespace etl
