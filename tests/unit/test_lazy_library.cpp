#include <catch2/catch.hpp>

#include "etl/error.hpp"
#include "etl/lazy_library.hpp"

using Catch::Matchers::Contains;

TEST_CASE("a library opened when first called says which is missing, and why", "[lazy]") {
  etl::LazyLibrary missing("libetlkit-no-such.so.0", "a test's library, Debian package none");
  CHECK_THROWS_AS(missing.symbol("f"), etl::IoError);
  CHECK_THROWS_WITH(missing.symbol("f"),
                    Contains("cannot load libetlkit-no-such.so.0 (a test's library, Debian "
                             "package none)"));
  etl::LazyLibrary libc("libc.so.6", "the C library");
  CHECK(libc.symbol("strlen") != nullptr);
  CHECK_THROWS_WITH(libc.symbol("etlkit_no_such_function"),
                    Contains("libc.so.6 has no function etlkit_no_such_function"));
}
