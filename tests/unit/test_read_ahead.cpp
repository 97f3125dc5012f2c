#include <catch2/catch.hpp>
#include <memory>
#include <stdexcept>
#include <string>

#include "etl/read_ahead.hpp"

namespace {

// Counts up to `count`, then ends or throws.
class CountingSource : public etl::Source {
 public:
  CountingSource(int count, bool fail) : m_count(count), m_fail(fail) {}
  bool next(etl::Sourced& out) override {
    if (m_next == m_count) {
      if (m_fail) throw std::runtime_error("read error after " + std::to_string(m_count));
      return false;
    }
    out.record.clear();
    out.record.set("n", etl::Value::number(std::to_string(m_next++)));
    out.where.line = static_cast<std::uint64_t>(m_next);
    return true;
  }

 private:
  int m_count, m_next = 0;
  bool m_fail;
};

}  // namespace

TEST_CASE("read-ahead: every record in order, whatever the batch size") {
  for (int count : {0, 1, 7, 8, 9, 1000}) {
    etl::ReadAheadSource source(std::make_unique<CountingSource>(count, false), 8);
    etl::Sourced s;
    int seen = 0;
    while (source.next(s)) {
      REQUIRE(s.record.find("n")->text() == std::to_string(seen));
      CHECK(s.where.line == static_cast<std::uint64_t>(seen + 1));
      ++seen;
    }
    CHECK(seen == count);
    CHECK_FALSE(source.next(s));  // stays at the end
  }
}

TEST_CASE("read-ahead: the records before a reader's error come first, then the error") {
  etl::ReadAheadSource source(std::make_unique<CountingSource>(13, true), 8);
  etl::Sourced s;
  int seen = 0;
  try {
    while (source.next(s)) ++seen;
    FAIL("no error");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()) == "read error after 13");
  }
  CHECK(seen == 13);
}

TEST_CASE("read-ahead: stopping early does not wait for the rest of the input") {
  etl::ReadAheadSource source(std::make_unique<CountingSource>(1000000, false), 4);
  etl::Sourced s;
  REQUIRE(source.next(s));
  // The destructor stops the reader, which is waiting for its batch to be taken.
}
