#include "etl/lazy_library.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <mutex>

#include "etl/error.hpp"

namespace etl {

void* LazyLibrary::handle() {
  static std::mutex opening;
  std::lock_guard<std::mutex> lock(opening);
  if (m_handle == nullptr) {
    m_handle = dlopen(m_soname, RTLD_NOW | RTLD_LOCAL);
    if (m_handle == nullptr)
      throw IoError(fmt::format("cannot load {} ({}): {}", m_soname, m_what, dlerror()));
  }
  return m_handle;
}

void* LazyLibrary::symbol(const char* name) {
  void* lib = handle();
  void* fn = dlsym(lib, name);
  if (fn == nullptr)
    throw IoError(fmt::format("{} has no function {} ({}): {}", m_soname, name, m_what, dlerror()));
  return fn;
}

}  // namespace etl
