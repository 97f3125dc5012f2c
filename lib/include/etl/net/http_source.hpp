#pragma once
// A REST API as a source: GET pages of JSON, the records at --records-path in each, following
// --paginate: link (the Link: rel="next" header), page (page number and size parameters),
// offset (offset and limit), cursor (a JSON Pointer to the next cursor in each page), or none.
// One page is in memory at a time; a next page already read is a pagination loop, an error.
#include <cstdint>
#include <set>
#include <string>

#include "etl/connector_options.hpp"
#include "etl/net/http_client.hpp"
#include "etl/source.hpp"

namespace etl {

class HttpSource : public Source {
 public:
  HttpSource(const std::string& url, const ConnectorOptions& o);
  bool next(Sourced& out) override;
  std::vector<std::string> notes() const override { return m_notes; }

 private:
  bool fetch_page();
  void find_next_page(const std::string& url, const HttpResponse& r, std::size_t count);
  bool more_in_body(std::size_t count) const;
  HttpClient m_client;
  ConnectorOptions m_opts;
  std::string m_base;
  std::string m_body;      // --query: {"q": …}, POSTed for every page; empty: GET
  std::string m_name;      // masked
  std::string m_next_url;  // empty: no more pages
  std::set<std::string> m_seen;
  Value m_page;
  Value m_single;  // a page whose records path names one object: that record
  const Value* m_items = nullptr;
  std::size_t m_pos = 0;
  std::size_t m_page_no = 0;
  std::size_t m_page_number = 0;  // --paginate page: the value of the page parameter
  std::size_t m_offset = 0;
  std::string m_origin;                  // the first URL's: where credentials may go
  std::uint64_t m_last_page_digest = 0;  // of the previous page (its records, or its body)
  std::uint64_t m_read = 0;              // records on the pages read so far
  Value m_empty = Value::array();        // the records of a 204 or an empty body
  std::vector<std::string> m_notes;
};

}  // namespace etl
