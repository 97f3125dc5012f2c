#include <catch2/catch.hpp>
#include <string>

#include "etl/mapping/keyed_table.hpp"

TEST_CASE("keyed table: finds every key through growth, keeps insertion order", "[aggregate]") {
  etl::mapping::KeyedTable<int> table;
  CHECK(table.find("absent") == nullptr);
  for (int i = 0; i < 5000; ++i) table.insert("key-" + std::to_string(i)) = i;
  REQUIRE(table.size() == 5000);
  for (int i = 0; i < 5000; ++i) {
    std::string key = "key-" + std::to_string(i);
    int* found = table.find(key, etl::mapping::KeyedTable<int>::hash(key));
    REQUIRE(found != nullptr);
    CHECK(*found == i);
    table.prefetch_slot(etl::mapping::KeyedTable<int>::hash(key));  // a hint: changes nothing
    // (a guess: this entry, or none when another key holds the first slot of its hash)
    std::size_t guess = table.peek_index(etl::mapping::KeyedTable<int>::hash(key));
    CHECK((guess == std::size_t(i) || guess == table.npos));
  }
  CHECK(table.find("key-5000") == nullptr);
  CHECK(table.entries()[1234].first == "key-1234");
  table.clear();
  CHECK(table.empty());
  CHECK(table.find("key-1") == nullptr);
  table.insert("again") = 7;
  CHECK(*table.find("again") == 7);
}
