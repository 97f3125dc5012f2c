#include "etl/net/http_stream.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>

#include "etl/byte_queue.hpp"
#include "etl/stop_signal.hpp"

namespace etl {

struct HttpStream::State {
  explicit State(std::size_t max) : limit(max) {}
  std::mutex mutex;
  std::condition_variable changed;
  ByteQueue body;
  HttpResponse head;   // status and headers, as the transfer thread learns them
  bool began = false;  // a body byte came, or the transfer ended
  bool done = false;   // the transfer ended
  CURLcode result = CURLE_OK;
  bool too_big = false;
  std::exception_ptr thrown;  // by the queue (a full disk), inside a callback
  std::atomic<bool> abort{false};
  std::size_t received = 0;
  std::size_t limit;
  char error[CURL_ERROR_SIZE] = "";
  CURL* curl = nullptr;
};

namespace {

using State = HttpStream::State;

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* s = static_cast<State*>(user);
  std::size_t bytes = size * n;
  if (s->abort) return 0;
  std::lock_guard lock(s->mutex);
  if (s->received + bytes > s->limit) {
    s->too_big = true;
    return 0;  // aborts the transfer
  }
  if (!s->began) curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &s->head.status);
  try {
    s->body.push(data, bytes);
  } catch (...) {
    s->thrown = std::current_exception();
    return 0;
  }
  s->received += bytes;
  s->began = true;
  s->changed.notify_all();
  return bytes;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* s = static_cast<State*>(user);
  std::string line(data, size * n);
  std::lock_guard lock(s->mutex);
  if (line.rfind("HTTP/", 0) == 0) s->head.headers.clear();  // a new response (redirect)
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.pop_back();
    s->head.headers[name] = value;
  }
  return size * n;
}

// Called at least once a second, even while nothing arrives: lets a destroyed stream end.
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<State*>(user)->abort ? 1 : 0;
}

bool retryable(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

}  // namespace

HttpStream::HttpStream(void* curl, std::string what, std::size_t limit, bool interruptible)
    : m_state(std::make_shared<State>(limit)),
      m_what(std::move(what)),
      m_interruptible(interruptible) {
  CURL* c = static_cast<CURL*>(curl);
  m_state->curl = c;
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, m_state->error);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, m_state.get());
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, m_state.get());
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, m_state.get());
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
}

namespace {

void perform(const std::shared_ptr<HttpStream::State>& state) {
  CURLcode rc = curl_easy_perform(state->curl);
  std::lock_guard lock(state->mutex);
  if (rc == CURLE_OK) curl_easy_getinfo(state->curl, CURLINFO_RESPONSE_CODE, &state->head.status);
  state->result = rc;
  state->done = state->began = true;
  state->changed.notify_all();
}

}  // namespace

void HttpStream::start(bool on_its_own_thread) {
  if (on_its_own_thread)
    m_thread = std::thread([state = m_state] { perform(state); });
  else
    perform(m_state);
}

HttpStream::~HttpStream() {
  m_state->abort = true;
  if (m_thread.joinable()) m_thread.join();
}

void HttpStream::wait_for_head() {
  std::unique_lock lock(m_state->mutex);
  while (!m_state->began) {
    m_state->changed.wait_for(lock, std::chrono::milliseconds(100));
    if (m_interruptible && StopSignals::requested()) throw StopRequested{};
  }
  m_head.status = m_state->head.status;
  m_head.headers = m_state->head.headers;
}

std::string HttpStream::failure(bool& retry, bool& too_big) const {
  std::lock_guard lock(m_state->mutex);
  retry = too_big = false;
  if (!m_state->done) return "";
  if (m_state->thrown) std::rethrow_exception(m_state->thrown);
  too_big = m_state->too_big || m_state->result == CURLE_FILESIZE_EXCEEDED;
  if (too_big)
    return fmt::format("the response is larger than --max-response ({} bytes)", m_state->limit);
  if (m_state->result == CURLE_OK) return "";
  retry = retryable(m_state->result);
  return m_state->error[0] ? m_state->error : curl_easy_strerror(m_state->result);
}

void HttpStream::read_whole() {
  char buf[1 << 16];
  std::unique_lock lock(m_state->mutex);
  for (;;) {
    if (std::size_t k = m_state->body.pop(buf, sizeof buf)) {
      m_head.body.append(buf, k);
    } else if (m_state->done) {
      return;
    } else {
      m_state->changed.wait(lock);
    }
  }
}

std::size_t HttpStream::read(char* buf, std::size_t n) {
  {
    std::unique_lock lock(m_state->mutex);
    for (;;) {
      if (std::size_t k = m_state->body.pop(buf, n)) return k;
      if (m_state->done) break;
      m_state->changed.wait_for(lock, std::chrono::milliseconds(100));
      if (m_interruptible && StopSignals::requested()) throw StopRequested{};
    }
  }
  bool retry = false, too_big = false;
  std::string why = failure(retry, too_big);
  if (why.empty()) return 0;
  if (too_big) throw IoError(fmt::format("{}: {}", m_what, why));
  if (retry) throw HttpBroken(fmt::format("{}: {}", m_what, why));
  throw IoError(fmt::format("{}: {}", m_what, why));
}

}  // namespace etl
