#include "etl/parallel.hpp"

#include <exception>
#include <thread>

namespace etl {

void run_parallel(const std::vector<std::function<void()>>& tasks) {
  std::vector<std::exception_ptr> errors(tasks.size());
  auto guarded = [&](std::size_t i) {
    try {
      tasks[i]();
    } catch (...) {
      errors[i] = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < tasks.size(); ++i) threads.emplace_back(guarded, i);
  if (!tasks.empty()) guarded(0);
  for (auto& t : threads) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace etl
