#include "common/system_library.h"

#include "common/error.h"

#include <dlfcn.h>

#include <mutex>

namespace lupine {

namespace {

// Opens by soname first (LD_LIBRARY_PATH, ld.so.cache, system dirs: as a NEEDED entry would be),
// then in the directory the build found the library in (a library outside the system paths).
void* open(const SystemLibrary& library, std::string& reasons) {
  if (void* handle = ::dlopen(library.soname, RTLD_NOW | RTLD_LOCAL)) return handle;
  reasons = ::dlerror();
  if (library.install_dir && *library.install_dir) {
    std::string path = std::string(library.install_dir) + "/" + library.soname;
    if (void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) return handle;
    reasons += "; ";
    reasons += ::dlerror();
  }
  return nullptr;
}

}  // namespace

void load_system_library(const SystemLibrary& library, std::initializer_list<const char*> names, void** out) {
  // dlerror() is per thread but dlopen/dlsym error text is easiest to keep consistent under one lock.
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::string reasons;
  void* handle = open(library, reasons);
  if (!handle)
    fail("cannot load {} (needed for {}; install the package that provides it): {}", library.soname,
         library.purpose, reasons);
  // Resolve everything before storing anything: a caller never sees half a table.
  std::size_t i = 0;
  void* found[64];
  if (names.size() > std::size(found)) fail("load_system_library: too many functions for {}", library.soname);
  for (const char* name : names) {
    ::dlerror();
    void* address = ::dlsym(handle, name);
    if (!address) {
      const char* reason = ::dlerror();
      fail("{} (needed for {}) lacks the function {}: {}", library.soname, library.purpose, name,
           reason ? reason : "null address");
    }
    found[i++] = address;
  }
  for (std::size_t j = 0; j < i; ++j) out[j] = found[j];
  // The handle stays open for the life of the process (dlopen counts references: a second
  // load_system_library of the same library reuses it).
}

}  // namespace lupine
