#pragma once
// A REST API as a source: GET pages of JSON, the records at --records-path in each, following
// --paginate: link (the Link: rel="next" header), page (page number and size parameters),
// offset (offset and limit), cursor (a JSON Pointer to the next cursor in each page), next (a
// JSON Pointer to the next page's URL), or none.
//
// A page is parsed as it arrives, so memory is bounded by a record, not by a page. What that
// asks of the rest:
// - A transfer that breaks part-way is sent again and the records already handed on are read
//   past, each checked to be the same; a page that changed in between stops the run.
// - A page whose records repeat the previous page's, in place, is held back record by record
//   until one differs, so a repeated page (Magento's past its last) is never handed on.
// - The paging fields (totals, next links) are kept from the page around its records, wherever
//   they stand in it (BigCommerce's meta follows its data).
#include <cstdint>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "etl/connector_options.hpp"
#include "etl/formats/json_walker.hpp"
#include "etl/json_stream.hpp"
#include "etl/net/http_client.hpp"
#include "etl/source.hpp"

namespace etl {

class HttpSource : public Source {
 public:
  HttpSource(const std::string& url, const ConnectorOptions& o);
  bool next(Sourced& out) override;
  std::vector<std::string> notes() const override { return m_notes; }

 private:
  bool open_page();
  void start_transfer();
  bool next_item(Value& item);
  void end_page();
  void find_next_page(const HttpResponse& head, std::size_t count);
  bool more_in_body(std::size_t count) const;
  [[noreturn]] void page_changed(std::size_t record) const;
  HttpClient m_client;
  ConnectorOptions m_opts;
  std::string m_base;
  std::string m_body;      // --query: {"q": …}, POSTed for every page; empty: GET
  std::string m_name;      // masked
  std::string m_next_url;  // empty: no more pages
  std::set<std::string> m_seen;
  std::size_t m_page_no = 0;
  std::size_t m_page_number = 0;  // --paginate page: the value of the page parameter
  std::size_t m_offset = 0;
  std::string m_origin;      // the first URL's: where credentials may go
  std::uint64_t m_read = 0;  // records on the pages read so far
  std::vector<std::string> m_notes;

  // The page being read.
  bool m_page_open = false;
  std::string m_url;
  std::string m_where;  // "page N (masked url)"
  bool m_same_origin = true;
  HttpStream* m_stream = nullptr;
  std::unique_ptr<JsonStream> m_json;
  std::unique_ptr<JsonRecordWalker> m_walker;  // null: the page has no body (204)
  bool m_restart = false;                // the transfer is to be (re)started before the next record
  Value m_envelope;                      // the page around its records
  std::vector<std::uint64_t> m_digests;  // of this page's records so far
  std::vector<std::uint64_t> m_previous;  // of the previous page's records
  std::uint64_t m_previous_envelope = 0;
  bool m_repeating = false;  // every record so far repeats the previous page's, in place
  std::deque<std::pair<std::size_t, Value>> m_held;   // those records, by their place
  std::deque<std::pair<std::size_t, Value>> m_ready;  // to hand on before reading further
};

}  // namespace etl
