// System shared libraries opened on first use (dlopen) instead of being linked.
//
// Why: libcurl and libarchive pull in ~37 further libraries (gnutls, krb5, ldap, ssh, icu, xml2, …).
// Loading and relocating them at every start cost ~3.5 ms — more than `lupine install --simulate`
// spends solving — while only HTTP fetches and source-archive extraction use them. common/lazy_curl.cpp
// and common/lazy_archive.cpp define the few functions lupine calls; each forwards to the real one,
// which is resolved, with every other function of that library, on the first call.
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
