#pragma once
// A REST API as a destination: each record (or --batch-size records as one JSON array) is sent
// with --method POST|PUT|PATCH to a URL template whose {field} parts come from the record
// (https://erp/api/customers/{customer_no}). A batch answered 413 (too large) is split in halves
// and sent again. A 4xx other than 429 rejects the records of that request with the status and
// the server's message; 429, 5xx and connection errors are retried
// (HttpClient); --responses FILE keeps what the server answered, so ids the target assigns are
// not lost.
#include <memory>
#include <string>
#include <vector>

#include "etl/connector_options.hpp"
#include "etl/correlate/xref_store.hpp"
#include "etl/io.hpp"
#include "etl/net/http_client.hpp"
#include "etl/sink.hpp"

namespace etl {

class HttpSink : public Sink {
 public:
  HttpSink(const std::string& url_template, const ConnectorOptions& o);
  WriteResult write(const Sourced& in) override;
  void commit() override;
  void on_outcome(OutcomeFn fn) override { m_outcome = std::move(fn); }
  std::optional<std::uint64_t> committed() const override { return m_accepted; }

 private:
  std::string url_for(const Record& r, std::string& missing) const;
  void send_batch();
  void send(std::size_t from, std::size_t to);
  HttpClient m_client;
  ConnectorOptions m_opts;
  std::string m_template;
  bool m_templated = false;
  std::size_t m_batch_size = 1;
  std::vector<Sourced> m_batch;  // a few records: one request's worth
  std::unique_ptr<OutputStream> m_responses;
  OutcomeFn m_outcome;
  std::uint64_t m_accepted = 0;  // records of requests the server answered 2xx
  void keep_ids(std::size_t from, std::size_t to, const HttpResponse& r,
                const std::vector<bool>& written);
};

}  // namespace etl
