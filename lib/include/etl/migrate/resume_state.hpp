#pragma once
// etl-migrate --resume FILE: what an earlier run of the same migration finished (tables made,
// tables copied and verified equal, keys, indexes and foreign keys made), kept in FILE as it
// goes, so that a run after a failure does only the rest. Without a file nothing is kept.
#include <mutex>
#include <set>
#include <string>

namespace etl::migrate {

class ResumeState {
 public:
  // Reads path when it exists; it must be of the same source and destination (masked).
  ResumeState(std::string path, const std::string& source, const std::string& destination);
  bool active() const { return !m_path.empty(); }
  bool created(const std::string& table) const { return has(m_created, table); }
  bool verified(const std::string& table) const { return has(m_verified, table); }
  bool made(const std::string& sql) const { return has(m_made, sql); }
  // Each writes the file at once (a new file renamed over the old): a kill loses nothing done.
  void mark_created(const std::string& table) { mark(m_created, table); }
  void mark_verified(const std::string& table) { mark(m_verified, table); }
  void mark_made(const std::string& sql) { mark(m_made, sql); }

 private:
  bool has(const std::set<std::string>& s, const std::string& v) const;
  void mark(std::set<std::string>& s, const std::string& v);
  void save() const;
  std::string m_path, m_source, m_destination;
  std::set<std::string> m_created, m_verified, m_made;
  mutable std::mutex m_mutex;  // tables load and verify on two threads
};

}  // namespace etl::migrate
