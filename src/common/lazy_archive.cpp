// The libarchive functions lupine calls (builder/archive_extract.cpp reads source archives),
// forwarding to libarchive opened on first use — see common/system_library.h for why it is not
// linked. The signatures come from <archive.h>/<archive_entry.h>: a mismatch does not compile.
#include <archive.h>
#include <archive_entry.h>

#include "common/system_library.h"

#define LUPINE_ARCHIVE_FUNCTIONS(X)                                                                  \
  X(archive_read_new) X(archive_read_support_filter_all) X(archive_read_support_format_all)          \
  X(archive_read_support_format_raw) X(archive_read_open_memory) X(archive_filter_code)              \
  X(archive_read_open_filename) X(archive_read_next_header) X(archive_read_data_block)               \
  X(archive_read_free) X(archive_error_string) X(archive_write_disk_new)                             \
  X(archive_write_disk_set_options) X(archive_write_header) X(archive_write_data_block)              \
  X(archive_write_finish_entry) X(archive_write_close) X(archive_write_free) X(archive_entry_pathname) \
  X(archive_entry_pathname_utf8) X(archive_entry_hardlink) X(archive_entry_symlink)                  \
  X(archive_entry_filetype) X(archive_entry_copy_pathname) X(archive_entry_copy_hardlink)

LUPINE_SYSTEM_LIBRARY_TABLE(LUPINE_ARCHIVE_FUNCTIONS,
                            {LUPINE_ARCHIVE_SONAME, LUPINE_ARCHIVE_DIR, "reading source archives"})

archive* archive_read_new(void) { return LUPINE_REAL(archive_read_new)(); }
int archive_read_support_filter_all(archive* a) { return LUPINE_REAL(archive_read_support_filter_all)(a); }
int archive_read_support_format_all(archive* a) { return LUPINE_REAL(archive_read_support_format_all)(a); }
int archive_read_support_format_raw(archive* a) { return LUPINE_REAL(archive_read_support_format_raw)(a); }
int archive_filter_code(archive* a, int n) { return LUPINE_REAL(archive_filter_code)(a, n); }
int archive_read_open_memory(archive* a, const void* buffer, size_t size) {
  return LUPINE_REAL(archive_read_open_memory)(a, buffer, size);
}
int archive_read_open_filename(archive* a, const char* name, size_t block_size) {
  return LUPINE_REAL(archive_read_open_filename)(a, name, block_size);
}
int archive_read_next_header(archive* a, archive_entry** entry) {
  return LUPINE_REAL(archive_read_next_header)(a, entry);
}
int archive_read_data_block(archive* a, const void** buffer, size_t* size, la_int64_t* offset) {
  return LUPINE_REAL(archive_read_data_block)(a, buffer, size, offset);
}
int archive_read_free(archive* a) { return LUPINE_REAL(archive_read_free)(a); }
const char* archive_error_string(archive* a) { return LUPINE_REAL(archive_error_string)(a); }
archive* archive_write_disk_new(void) { return LUPINE_REAL(archive_write_disk_new)(); }
int archive_write_disk_set_options(archive* a, int flags) {
  return LUPINE_REAL(archive_write_disk_set_options)(a, flags);
}
int archive_write_header(archive* a, archive_entry* entry) { return LUPINE_REAL(archive_write_header)(a, entry); }
la_ssize_t archive_write_data_block(archive* a, const void* data, size_t size, la_int64_t offset) {
  return LUPINE_REAL(archive_write_data_block)(a, data, size, offset);
}
int archive_write_finish_entry(archive* a) { return LUPINE_REAL(archive_write_finish_entry)(a); }
int archive_write_close(archive* a) { return LUPINE_REAL(archive_write_close)(a); }
int archive_write_free(archive* a) { return LUPINE_REAL(archive_write_free)(a); }
const char* archive_entry_pathname(archive_entry* entry) { return LUPINE_REAL(archive_entry_pathname)(entry); }
const char* archive_entry_pathname_utf8(archive_entry* entry) {
  return LUPINE_REAL(archive_entry_pathname_utf8)(entry);
}
const char* archive_entry_hardlink(archive_entry* entry) { return LUPINE_REAL(archive_entry_hardlink)(entry); }
const char* archive_entry_symlink(archive_entry* entry) { return LUPINE_REAL(archive_entry_symlink)(entry); }
__LA_MODE_T archive_entry_filetype(archive_entry* entry) { return LUPINE_REAL(archive_entry_filetype)(entry); }
void archive_entry_copy_pathname(archive_entry* entry, const char* path) {
  LUPINE_REAL(archive_entry_copy_pathname)(entry, path);
}
void archive_entry_copy_hardlink(archive_entry* entry, const char* path) {
  LUPINE_REAL(archive_entry_copy_hardlink)(entry, path);
}
