#pragma once
// A shared library opened when one of its functions is first called, not when a tool starts.
// The client libraries of the connectors (libpq, libmariadb, libcurl) bring 30 more libraries
// with them; loading and relocating them all was most of a tool's start (~10 ms of 14), paid by
// every run, most of which never open a database or a URL. Each of their functions we call is
// defined in lib/src/lazy/ under its own name, with its own signature, and calls the real one.
#include <string>

namespace etl {

class LazyLibrary {
 public:
  // soname as the linker would name it; what: the library and its Debian package, for the
  // message when it cannot be loaded.
  LazyLibrary(const char* soname, const char* what) : m_soname(soname), m_what(what) {}
  // The address of the library's function `name`, the library opened at the first call; throws
  // IoError when the library or the function is missing.
  void* symbol(const char* name);

 private:
  void* handle();
  const char* m_soname;
  const char* m_what;
  void* m_handle = nullptr;
};

// Defines the function `name` (return type ret, parameters params, passed on as args) as a call
// to lib's function of that name, looked up once.
#define ETL_LAZY_FUNCTION(lib, ret, name, params, args)                           \
  extern "C" ret name params {                                                    \
    static auto* const real = reinterpret_cast<ret(*) params>(lib.symbol(#name)); \
    return real args;                                                             \
  }

}  // namespace etl
