#pragma once
#include <optional>
#include <string>

#include "etl/source.hpp"

namespace etl {

enum class WriteOutcome { Written, Unmatched, Rejected };

struct WriteResult {
  WriteOutcome outcome = WriteOutcome::Written;
  std::string reason;  // for Rejected
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual WriteResult write(const Sourced& in) = 0;
  // The single point where the output becomes durable (renamed into place, committed).
  virtual void commit() = 0;
};

}  // namespace etl
