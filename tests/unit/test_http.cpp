#include <catch2/catch.hpp>
#include <cstdlib>

#include "etl/error.hpp"
#include "etl/json.hpp"
#include "etl/net/http_client.hpp"

TEST_CASE("URLs are printed without their secrets", "[http]") {
  using etl::mask_address;
  CHECK(mask_address("https://shop.example/api?api_key=k3y&page=2") ==
        "https://shop.example/api?api_key=***&page=2");
  CHECK(mask_address("https://u:pw@shop.example/x?access_token=t&Signature=s") ==
        "https://u:***@shop.example/x?access_token=***&Signature=***");
  CHECK(mask_address("https://shop.example/orders?page=1&per_page=100") ==
        "https://shop.example/orders?page=1&per_page=100");
}

TEST_CASE("the next page comes from the Link header's rel=next", "[http]") {
  using etl::next_link;
  CHECK(next_link(R"(<https://a/x?page=2>; rel="next", <https://a/x?page=9>; rel="last")") ==
        "https://a/x?page=2");
  CHECK(next_link(R"(<https://a/x?page=1>; rel="prev", </x?page=3>; rel=next)") == "/x?page=3");
  CHECK(next_link(R"(<https://a/x?page=1>; rel="first")").empty());
  CHECK(etl::resolve_url("http://h:8/a/b?page=1", "/a/b?page=2") == "http://h:8/a/b?page=2");
  CHECK(etl::with_query("http://h/x?a=1", "cursor", "a b&c") == "http://h/x?a=1&cursor=a+b%26c");
}

TEST_CASE("header values take variables from the environment", "[http]") {
  setenv("ETL_UNIT_TOKEN", "t0k", 1);
  CHECK(etl::expand_env("Authorization: Bearer $ETL_UNIT_TOKEN") == "Authorization: Bearer t0k");
  CHECK(etl::expand_env("X: ${ETL_UNIT_TOKEN}-x $ETL_UNIT_TOKEN") == "X: t0k-x t0k");
  unsetenv("ETL_UNIT_NOT_SET");
  CHECK_THROWS_AS(etl::expand_env("X: $ETL_UNIT_NOT_SET"), etl::UsageError);
}

TEST_CASE("JSON Pointers find records in a page", "[http][json]") {
  etl::Value v;
  REQUIRE_FALSE(etl::parse_json(R"({"data":{"items":[1,2]},"a/b":{"~k":true}})", v));
  REQUIRE(etl::json_pointer(v, "/data/items") != nullptr);
  CHECK(etl::to_json(*etl::json_pointer(v, "/data/items/1")) == "2");
  CHECK(etl::json_pointer(v, "") == &v);
  CHECK(etl::to_json(*etl::json_pointer(v, "/a~1b/~0k")) == "true");
  CHECK(etl::json_pointer(v, "/data/items/2") == nullptr);
  CHECK(etl::json_pointer(v, "/nothing") == nullptr);
  CHECK(etl::json_pointer(v, "data") == nullptr);
}
