#include <catch2/catch.hpp>
#include <cstdlib>

#include "etl/error.hpp"
#include "etl/json.hpp"
#include "etl/net/http_client.hpp"
#include "etl/net/oauth1.hpp"

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
  CHECK(next_link(R"(<https://a/x?page=2>; rel="prev next")") == "https://a/x?page=2");
  CHECK(next_link(R"(<https://a/x?page=2>; rel="nextish")").empty());
  // A server's header of any length is read in linear time, without recursion (std::regex
  // overflowed the stack on one; found by fuzz_values).
  std::string hostile = "<" + std::string(1 << 20, '/') + ">; rel=" + std::string(1 << 20, 'n');
  CHECK(next_link(hostile).empty());
  CHECK(etl::mask_address("http://u:" + std::string(1 << 20, 'p') + "@h/x?token=" +
                          std::string(1 << 20, 't')) == "http://u:***@h/x?token=***");
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

TEST_CASE("OAuth 1.0a signs as the specification's worked example", "[http]") {
  // OAuth Core 1.0 Appendix A.5 (the same request RFC 5849 walks through): HMAC-SHA1.
  etl::OAuth1Credentials c{
      "dpf43f3p2l4k3l03", "kd94hf93k423kf44", "nnch734d00sl2jdk", "pfkkdhi9sl3r4s00", "",
      "HMAC-SHA1"};
  std::string url = "http://photos.example.net/photos?file=vacation.jpg&size=original";
  CHECK(etl::oauth1_base_string("GET", url, c, "kllo9940pd9333jh", "1191242096") ==
        "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%"
        "3Ddpf43f3p2l4k3l03%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-"
        "SHA1%26oauth_timestamp%3D1191242096%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%"
        "3D1.0%26size%3Doriginal");
  std::string header = etl::oauth1_header("GET", url, c, "kllo9940pd9333jh", "1191242096");
  CHECK(header.find("oauth_signature=\"tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D\"") !=
        std::string::npos);
  // The default port, upper-case host and encoded query parameters normalise away.
  CHECK(etl::oauth1_base_string(
            "GET", "HTTP://Photos.Example.NET:80/photos?size=original&file=vacation%2Ejpg", c,
            "kllo9940pd9333jh", "1191242096") ==
        etl::oauth1_base_string("GET", url, c, "kllo9940pd9333jh", "1191242096"));
  CHECK(etl::oauth1_encode("a b+c/~é") == "a%20b%2Bc%2F~%C3%A9");
  // The realm (NetSuite's account) is in the header, not in the signature.
  c.realm = "123456_SB1";
  c.method = "HMAC-SHA256";
  CHECK(etl::oauth1_header("GET", url, c, "n", "1").rfind("OAuth realm=\"123456_SB1\",", 0) == 0);
}

TEST_CASE("OAuth 1.0a secrets come only from the environment", "[http]") {
  unsetenv("T_OAUTH_TOKEN");
  setenv("T_OAUTH_CONSUMER_KEY", "k", 1);
  setenv("T_OAUTH_CONSUMER_SECRET", "s", 1);
  setenv("T_OAUTH_TOKEN_SECRET", "ts", 1);
  CHECK_THROWS_WITH(etl::oauth1_from_env("T_OAUTH", "HMAC-SHA256", ""),
                    "environment variable T_OAUTH_TOKEN is not set (--oauth1-env)");
  setenv("T_OAUTH_TOKEN", "t", 1);
  auto c = etl::oauth1_from_env("T_OAUTH", "HMAC-SHA256", "");
  CHECK(c.token == "t");
  CHECK_THROWS_WITH(etl::oauth1_from_env("T_OAUTH", "PLAINTEXT", ""),
                    "--oauth1-signature must be HMAC-SHA256 or HMAC-SHA1, not 'PLAINTEXT'");
}
