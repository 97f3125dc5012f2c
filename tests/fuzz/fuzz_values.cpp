// Values the tools parse from text: decimals (and their arithmetic), times (ISO 8601, with a
// format, and back), JSON text, and the HTTP Link header. Input: "A B" for two decimals, or a
// time and a format, chosen by the first byte.
#include "etl/json.hpp"
#include "etl/mapping/time_support.hpp"
#include "etl/mask.hpp"
#include "etl/net/http_client.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string rest(fuzz::text(data + 1, size - 1));
  std::size_t space = rest.find(' ');
  std::string a = rest.substr(0, space),
              b = space == std::string::npos ? "" : rest.substr(space + 1);
  switch (data[0] % 4) {
    case 0:
      fuzz::tolerate([&] {
        auto x = etl::Decimal::parse(a), y = etl::Decimal::parse(b);
        if (!x || !y) return;
        for (auto op : {0, 1, 2, 3, 4})
          fuzz::tolerate([&] {
            switch (op) {
              case 0:
                (void)(*x + *y);
                break;
              case 1:
                (void)(*x * *y);
                break;
              case 2:
                (void)(*x / *y);
                break;
              case 3:
                (void)compare(*x, *y);
                break;
              default:
                (void)x->round(static_cast<int>(y->coefficient() % 80) - 38).to_string();
            }
          });
      });
      break;
    case 1: {
      etl::mapping::ZoneSettings z;
      z.zone = etl::mapping::find_zone("America/New_York");
      fuzz::tolerate([&] {
        if (auto t = etl::mapping::parse_iso8601(a, z)) (void)etl::mapping::format_rfc3339(*t);
        if (auto t = etl::mapping::parse_with_format(a, b, z))
          (void)etl::mapping::format_time(*t, "%Y-%m-%dT%H:%M:%S%z");
      });
      break;
    }
    case 2: {
      etl::Value v;
      if (!etl::parse_json(rest, v)) (void)etl::to_json(v);
      break;
    }
    default:
      fuzz::tolerate([&] {
        std::string next = etl::next_link(rest);
        (void)etl::mask_address(etl::resolve_url("https://shop.example/api/orders?page=1", next));
        (void)etl::url_origin(next);
      });
  }
  return 0;
}
