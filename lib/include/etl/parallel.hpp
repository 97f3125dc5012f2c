#pragma once
// Runs tasks at once (the first on the calling thread) and waits for all of them; the first
// task's exception, in task order, is rethrown.
#include <functional>
#include <vector>

namespace etl {

void run_parallel(const std::vector<std::function<void()>>& tasks);

}  // namespace etl
