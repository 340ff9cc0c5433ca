#include "archive_maker.h"

#include "common/error.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>

namespace lupine::testing {

void write_archive(const std::filesystem::path& path, const std::vector<ArchiveEntrySpec>& entries,
                   const std::string& format, const std::string& filter) {
  struct archive* writer = archive_write_new();
  if (format == "zip") archive_write_set_format_zip(writer);
  else archive_write_set_format_pax_restricted(writer);
  if (filter == "gzip") archive_write_add_filter_gzip(writer);
  else if (filter == "xz") archive_write_add_filter_xz(writer);
  else if (filter == "bzip2") archive_write_add_filter_bzip2(writer);
  else if (filter == "zstd") archive_write_add_filter_zstd(writer);
  if (archive_write_open_filename(writer, path.c_str()) != ARCHIVE_OK)
    fail("cannot write {}: {}", path.string(), archive_error_string(writer));
  for (const auto& spec : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_copy_pathname(entry, spec.name.c_str());
    archive_entry_set_mtime(entry, 1700000000, 0);
    switch (spec.type) {
      case ArchiveEntrySpec::Type::file:
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_size(entry, static_cast<la_int64_t>(spec.content.size()));
        break;
      case ArchiveEntrySpec::Type::directory: archive_entry_set_filetype(entry, AE_IFDIR); break;
      case ArchiveEntrySpec::Type::symlink:
        archive_entry_set_filetype(entry, AE_IFLNK);
        archive_entry_copy_symlink(entry, spec.target.c_str());
        break;
      case ArchiveEntrySpec::Type::hardlink:
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_copy_hardlink(entry, spec.target.c_str());
        archive_entry_set_size(entry, 0);
        break;
    }
    archive_entry_set_perm(entry, spec.mode);
    if (archive_write_header(writer, entry) != ARCHIVE_OK)
      fail("cannot add {}: {}", spec.name, archive_error_string(writer));
    if (spec.type == ArchiveEntrySpec::Type::file && !spec.content.empty())
      archive_write_data(writer, spec.content.data(), spec.content.size());
    archive_entry_free(entry);
  }
  archive_write_close(writer);
  archive_write_free(writer);
}

std::vector<std::string> list_tree(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  std::error_code error;
  if (!std::filesystem::exists(dir, error)) return names;
  for (auto it = std::filesystem::recursive_directory_iterator(dir); it != std::filesystem::recursive_directory_iterator(); ++it) {
    std::string name = std::filesystem::relative(it->path(), dir).string();
    if (it->is_directory() && !it->is_symlink()) name += "/";
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace lupine::testing
