#pragma once
// SIGINT and SIGTERM as a request to stop cleanly: the tools that move records (etl-extract,
// etl-transform, etl-load) finish the record in hand, commit what they wrote, write the report
// and exit 128 + the signal (130, 143). System calls restart (SA_RESTART), so a blocked read
// goes on until its next record or the end of input; a second signal ends the process at once.
namespace etl {

class StopSignals {
 public:
  StopSignals();   // installs the handlers
  ~StopSignals();  // restores the ones before
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  // The signal asked to stop, or 0.
  static int requested();
};

}  // namespace etl
