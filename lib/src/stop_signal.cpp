#include "etl/stop_signal.hpp"

#include <atomic>
#include <csignal>

namespace etl {
namespace {

std::atomic<int> g_requested{0};
struct sigaction g_old_int, g_old_term;

extern "C" void on_stop(int sig) {
  int none = 0;
  if (!g_requested.compare_exchange_strong(none, sig)) {
    std::signal(sig, SIG_DFL);  // the second signal: stop now
    std::raise(sig);
  }
}

}  // namespace

StopSignals::StopSignals() {
  g_requested = 0;
  struct sigaction sa {};
  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, &g_old_int);
  sigaction(SIGTERM, &sa, &g_old_term);
}

StopSignals::~StopSignals() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

int StopSignals::requested() {
  return g_requested.load(std::memory_order_relaxed);
}

}  // namespace etl
