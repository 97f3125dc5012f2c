#pragma once
// --lock FILE: one run at a time. The lock is an flock(2) on FILE, held until the process ends
// (the kernel drops it even when the process is killed, so a crash leaves no stale lock). FILE
// holds the holder's pid and start time, for the message a second run prints.
#include <string>

namespace etl {

class RunLock {
 public:
  // Takes the lock at once or throws IoError naming the run that holds it.
  explicit RunLock(const std::string& path);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  int m_fd = -1;
};

}  // namespace etl
