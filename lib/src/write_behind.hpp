#pragma once
// Writes buffers on a thread of its own, one buffer behind the caller, so that the system calls
// (and gzip) of one buffer overlap the work that fills the next. An error of the writing thread
// (a full disk, a closed pipe) is rethrown to the caller at its next hand() or drain().
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace etl {

class WriteBehind {
 public:
  explicit WriteBehind(std::function<void(std::string_view)> write);
  ~WriteBehind();  // finishes the write in progress, drops one not started, and stops
  WriteBehind(const WriteBehind&) = delete;
  WriteBehind& operator=(const WriteBehind&) = delete;

  // Takes buf's bytes to write, once the buffer before is written; buf comes back empty (the
  // buffer written before, so the allocations go round).
  void hand(std::string& buf);
  // Waits until everything handed is written.
  void drain();
  // Finishes the write in progress and stops the thread; the buffers stay until destruction.
  void stop();

 private:
  void run();
  void wait_idle(std::unique_lock<std::mutex>& lock);
  std::function<void(std::string_view)> m_write;
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::string m_pending;
  bool m_full = false;  // m_pending waits to be written, or is being written
  bool m_stop = false;
  std::exception_ptr m_error;
  std::thread m_thread;
};

}  // namespace etl
