// libcurl, opened when an HTTP connector first calls it (see lazy_library.hpp).
#define CURL_DISABLE_TYPECHECK  // (else curl_easy_setopt is a macro, and cannot be defined here)
#include <curl/curl.h>

#include <cstdarg>

#include "etl/lazy_library.hpp"

namespace {
etl::LazyLibrary curl(ETL_LIBCURL_SONAME, "libcurl, Debian package " ETL_LIBCURL_PACKAGE);
}  // namespace

ETL_LAZY_FUNCTION(curl, CURLcode, curl_global_init, (long flags), (flags))
ETL_LAZY_FUNCTION(curl, CURL*, curl_easy_init, (void), ())
ETL_LAZY_FUNCTION(curl, void, curl_easy_reset, (CURL * handle), (handle))
ETL_LAZY_FUNCTION(curl, void, curl_easy_cleanup, (CURL * handle), (handle))
ETL_LAZY_FUNCTION(curl, CURLcode, curl_easy_perform, (CURL * handle), (handle))
ETL_LAZY_FUNCTION(curl, const char*, curl_easy_strerror, (CURLcode code), (code))
ETL_LAZY_FUNCTION(curl, char*, curl_easy_escape, (CURL * handle, const char* string, int length),
                  (handle, string, length))
ETL_LAZY_FUNCTION(curl, void, curl_free, (void* p), (p))
ETL_LAZY_FUNCTION(curl, curl_slist*, curl_slist_append, (curl_slist * list, const char* data),
                  (list, data))
ETL_LAZY_FUNCTION(curl, void, curl_slist_free_all, (curl_slist * list), (list))
ETL_LAZY_FUNCTION(curl, CURLU*, curl_url, (void), ())
ETL_LAZY_FUNCTION(curl, void, curl_url_cleanup, (CURLU * handle), (handle))
ETL_LAZY_FUNCTION(curl, CURLUcode, curl_url_get,
                  (CURLU * handle, CURLUPart what, char** part, unsigned int flags),
                  (handle, what, part, flags))
ETL_LAZY_FUNCTION(curl, CURLUcode, curl_url_set,
                  (CURLU * handle, CURLUPart what, const char* part, unsigned int flags),
                  (handle, what, part, flags))

// The two functions of one argument of any type: passed on as the type the option's number
// says it is (libcurl reads it by the same rule), a long, a pointer or a curl_off_t.
extern "C" CURLcode curl_easy_setopt(CURL* handle, CURLoption option, ...) {
  using Real = CURLcode (*)(CURL*, CURLoption, ...);
  static auto* const real = reinterpret_cast<Real>(curl.symbol("curl_easy_setopt"));
  va_list ap;
  va_start(ap, option);
  CURLcode rc;
  if (option < CURLOPTTYPE_OBJECTPOINT)
    rc = real(handle, option, va_arg(ap, long));
  else if (option >= CURLOPTTYPE_OFF_T && option < CURLOPTTYPE_BLOB)
    rc = real(handle, option, va_arg(ap, curl_off_t));
  else  // an object, a string, a function or a blob: a pointer
    rc = real(handle, option, va_arg(ap, void*));
  va_end(ap);
  return rc;
}

extern "C" CURLcode curl_easy_getinfo(CURL* handle, CURLINFO info, ...) {
  using Real = CURLcode (*)(CURL*, CURLINFO, ...);
  static auto* const real = reinterpret_cast<Real>(curl.symbol("curl_easy_getinfo"));
  va_list ap;
  va_start(ap, info);
  CURLcode rc = real(handle, info, va_arg(ap, void*));  // always where to put the answer
  va_end(ap);
  return rc;
}
