#pragma once
// Writes buffers on a thread of its own, behind the caller, so that the system calls (and gzip)
// overlap the work that fills the next buffers. Buffers handed wait until `wake_at` bytes of them
// do (or a drain): the thread is woken once a megabyte, not once a buffer (a wake-up costs about
// as much as writing 100 KB on this project's VMs). An error of the writing thread (a full disk,
// a closed pipe) is rethrown to the caller at its next hand() or drain().
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace etl {

class WriteBehind {
 public:
  WriteBehind(std::function<void(std::string_view)> write, std::size_t wake_at);
  ~WriteBehind();  // finishes the writes in progress, drops those not started, and stops
  WriteBehind(const WriteBehind&) = delete;
  WriteBehind& operator=(const WriteBehind&) = delete;

  // Takes buf's bytes to write after those handed before; buf comes back empty (holding a
  // buffer written before when there is one, so the allocations go round). Waits while four
  // times wake_at bytes are waiting (a disk slower than the run).
  void hand(std::string& buf);
  // Waits until everything handed is written.
  void drain();
  // Finishes the writes in progress and stops the thread; the buffers stay until destruction.
  void stop();

 private:
  void run();
  bool write_all(std::vector<std::string>& buffers);
  void rethrow_error();
  std::function<void(std::string_view)> m_write;
  const std::size_t m_wake_at;
  std::mutex m_mutex;
  std::condition_variable m_to_write;  // the thread: bytes to write (or stop)
  std::condition_variable m_written;   // hand() and drain(): the thread wrote what it took
  std::vector<std::string> m_waiting;  // handed, not yet taken by the thread
  std::size_t m_waiting_bytes = 0;
  static constexpr std::size_t kSparesKept = 32;
  std::vector<std::string> m_spare;  // written, to give back
  // A failed write may still point into its buffer (zlib keeps its input to finish at
  // gzclose): those buffers stay here, untouched, until this object goes.
  std::vector<std::string> m_failed;
  bool m_writing = false;  // the thread writes buffers it took
  bool m_draining = false;
  bool m_stop = false;
  std::exception_ptr m_error;
  std::thread m_thread;
};

}  // namespace etl
