// System shared libraries opened on first use (dlopen) instead of being linked.
//
// Why: libcurl and libarchive pull in ~37 further libraries (gnutls, krb5, ldap, ssh, icu, xml2, …).
// Loading and relocating them at every start cost ~3.5 ms — more than `lupine install --simulate`
// spends solving — while only HTTP fetches and source-archive extraction use them. libcrypto alone
// costs ~0.75 ms, and is needed only where something is hashed or signed (`lupine index` first
// touches it on a thread of its own, see index/index_builder.cpp). common/lazy_{curl,archive,crypto}.cpp
// define the few functions lupine calls; each forwards to the real one, which is resolved, with
// every other function of that library, on the first call.
#pragma once

#include <initializer_list>
#include <string>

namespace lupine {

struct SystemLibrary {
  const char* soname;       // "libcurl.so.4": looked up as the dynamic loader looks up NEEDED entries
  const char* install_dir;  // where the build found it, tried second ("" for none)
  const char* purpose;      // for the error message: "HTTP(S) downloads"
};

// Opens `library` and stores the address of each function of `names` in `out` (same order).
// Throws Error naming the file, what needs it and the loader's reason when the library or one
// of the functions cannot be found; nothing is stored then. Thread-safe; a library is opened once.
void load_system_library(const SystemLibrary& library, std::initializer_list<const char*> names, void** out);

}  // namespace lupine

// For the lazy_*.cpp files. FUNCTIONS(X) lists the functions as X(name) X(name)...; this defines,
// in an anonymous namespace, the table of their addresses (loaded on first use: a failed load
// throws and is retried by the next call; every function is resolved at once, so a later call —
// say a free function in a destructor — cannot throw) and LUPINE_REAL(name): the real function,
// typed from the library's own header.
#define LUPINE_SYSTEM_LIBRARY_X_ENUM(name) k_##name,
#define LUPINE_SYSTEM_LIBRARY_X_NAME(name) #name,
#define LUPINE_SYSTEM_LIBRARY_TABLE(FUNCTIONS, ...)                                      \
  namespace {                                                                            \
  enum LazyFunction { FUNCTIONS(LUPINE_SYSTEM_LIBRARY_X_ENUM) kLazyFunctions };           \
  struct LazyTable {                                                                     \
    void* address[kLazyFunctions];                                                       \
  };                                                                                     \
  const LazyTable& lazy_table() {                                                        \
    static const LazyTable loaded = [] {                                                 \
      LazyTable table{};                                                                 \
      ::lupine::load_system_library(__VA_ARGS__, {FUNCTIONS(LUPINE_SYSTEM_LIBRARY_X_NAME)}, \
                                    table.address);                                      \
      return table;                                                                      \
    }();                                                                                 \
    return loaded;                                                                       \
  }                                                                                      \
  template <LazyFunction F, typename Signature>                                          \
  Signature* lazy_real() {                                                               \
    return reinterpret_cast<Signature*>(lazy_table().address[F]);                        \
  }                                                                                      \
  }
#define LUPINE_REAL(name) lazy_real<k_##name, decltype(::name)>()
