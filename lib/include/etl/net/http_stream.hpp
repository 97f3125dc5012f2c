#pragma once
// One HTTP exchange on its way. libcurl runs the transfer on a thread of its own and hands the
// body over through a ByteQueue (memory, then an unlinked temporary file), so a reader gets the
// body as it arrives, a slow reader never stalls the server, and memory stays bounded however
// large the body. Made and configured by HttpClient, one at a time on its handle.
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "etl/error.hpp"

namespace etl {

struct HttpResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
};

// A transfer that broke after its answer had begun: the request may be sent again.
struct HttpBroken : IoError {
  using IoError::IoError;
};

// Thrown when SIGINT or SIGTERM arrives while a request waits (backoff, Retry-After, pacing, or
// a page's body).
struct StopRequested {};

class HttpStream {
 public:
  // curl: a configured easy handle, which the stream uses until it is destroyed; what: "GET
  // masked-url", for messages; limit: --max-response; interruptible: a stop signal ends a wait
  // for the body (reads; a write's answer is always waited for).
  HttpStream(void* curl, std::string what, std::size_t limit, bool interruptible);
  ~HttpStream();  // ends the transfer, finished or not
  HttpStream(const HttpStream&) = delete;
  HttpStream& operator=(const HttpStream&) = delete;

  // Starts the transfer; the request body must stay alive until the stream is destroyed.
  // Not on its own thread: the whole exchange is done before start returns (a write's answer,
  // read whole anyway), and the body waits in the queue.
  void start(bool on_its_own_thread);
  // Waits until the body begins or the transfer ends; then head() has the status and headers.
  void wait_for_head();
  // Reads the rest of the body into head().body (up to a failure, which failure() tells).
  void read_whole();
  // Why the transfer failed once it ended ("" while running or when it did not); retryable:
  // whether sending the request again may help.
  std::string failure(bool& retryable, bool& too_big) const;
  const HttpResponse& head() const { return m_head; }
  // Up to n more bytes of the body; 0 at its end. Throws HttpBroken when the transfer breaks,
  // IoError past --max-response, StopRequested on a stop signal while it waits.
  std::size_t read(char* buf, std::size_t n);

  struct State;  // what the transfer thread and the reader share

 private:
  std::shared_ptr<State> m_state;
  std::string m_what;
  bool m_interruptible;
  HttpResponse m_head;
  std::thread m_thread;
};

}  // namespace etl
