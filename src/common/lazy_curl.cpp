// The libcurl functions lupine calls (index/http_fetch.cpp, builder/fetch.cpp), forwarding to
// libcurl opened on first use — see common/system_library.h for why it is not linked.
// The signatures come from <curl/curl.h>: a mismatch does not compile.
#define CURL_DISABLE_TYPECHECK  // curl.h would otherwise turn curl_easy_setopt into a macro
#include <curl/curl.h>

#include "common/system_library.h"

#include <cstdarg>

#define LUPINE_CURL_FUNCTIONS(X)                                                                   \
  X(curl_global_init) X(curl_easy_init) X(curl_easy_setopt) X(curl_easy_perform) X(curl_easy_getinfo) \
  X(curl_easy_cleanup) X(curl_easy_strerror) X(curl_slist_append) X(curl_slist_free_all)

LUPINE_SYSTEM_LIBRARY_TABLE(LUPINE_CURL_FUNCTIONS, {LUPINE_CURL_SONAME, LUPINE_CURL_DIR, "HTTP(S) downloads"})

CURLcode curl_global_init(long flags) { return LUPINE_REAL(curl_global_init)(flags); }
CURL* curl_easy_init(void) { return LUPINE_REAL(curl_easy_init)(); }
CURLcode curl_easy_perform(CURL* curl) { return LUPINE_REAL(curl_easy_perform)(curl); }
void curl_easy_cleanup(CURL* curl) { LUPINE_REAL(curl_easy_cleanup)(curl); }
const char* curl_easy_strerror(CURLcode code) { return LUPINE_REAL(curl_easy_strerror)(code); }
curl_slist* curl_slist_append(curl_slist* list, const char* data) { return LUPINE_REAL(curl_slist_append)(list, data); }
void curl_slist_free_all(curl_slist* list) { LUPINE_REAL(curl_slist_free_all)(list); }

// The variadic ones take exactly one more argument, whose type the option number encodes
// (curl.h's CURLOPTTYPE_* ranges); it is read as that type and passed on.
CURLcode curl_easy_setopt(CURL* curl, CURLoption option, ...) {
  auto* setopt = LUPINE_REAL(curl_easy_setopt);
  va_list args;
  va_start(args, option);
  CURLcode result;
  if (option < CURLOPTTYPE_OBJECTPOINT)
    result = setopt(curl, option, va_arg(args, long));
  else if (option < CURLOPTTYPE_FUNCTIONPOINT)
    result = setopt(curl, option, va_arg(args, void*));  // objects, strings, lists, callback data
  else if (option < CURLOPTTYPE_OFF_T)
    result = setopt(curl, option, va_arg(args, void (*)(void)));  // callbacks
  else if (option < CURLOPTTYPE_BLOB)
    result = setopt(curl, option, va_arg(args, curl_off_t));
  else
    result = setopt(curl, option, va_arg(args, void*));  // struct curl_blob*
  va_end(args);
  return result;
}

// Every CURLINFO_* result is written through a pointer.
CURLcode curl_easy_getinfo(CURL* curl, CURLINFO info, ...) {
  auto* getinfo = LUPINE_REAL(curl_easy_getinfo);
  va_list args;
  va_start(args, info);
  CURLcode result = getinfo(curl, info, va_arg(args, void*));
  va_end(args);
  return result;
}
