#pragma once
#include <stdexcept>
#include <string>

namespace etl {

// Exit codes scripts and cron rely on.
enum class ExitCode : int { Ok = 0, Differences = 1, Usage = 2, Data = 3, Io = 4 };

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), m_code(code) {}
  ExitCode code() const { return m_code; }

 private:
  ExitCode m_code;
};

struct UsageError : Error {
  explicit UsageError(const std::string& m) : Error(ExitCode::Usage, m) {}
};
struct DataError : Error {
  explicit DataError(const std::string& m) : Error(ExitCode::Data, m) {}
};
struct IoError : Error {
  explicit IoError(const std::string& m) : Error(ExitCode::Io, m) {}
};
// The reader of our output went away (`etl-extract big.csv | head`): a clean stop, not an error.
struct BrokenPipe : std::runtime_error {
  BrokenPipe() : std::runtime_error("broken pipe") {}
};

}  // namespace etl
