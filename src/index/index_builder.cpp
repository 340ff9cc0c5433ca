#include "index/index_builder.h"

#include "apk/package.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/parallel.h"
#include "index/index_archive.h"
#include "index/index_freshness.h"
#include "index/index_lock.h"

#include <fcntl.h>

#include <ctime>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <system_error>
#include <thread>
#include <unordered_map>

namespace lupine::index {

namespace {

struct FileStat {
  uint64_t size = 0;
  struct timespec mtime {};
};

FileStat stat_file(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) fail_errno(fmt::format("{}: cannot read", path.string()));
  if (!S_ISREG(st.st_mode)) fail("{}: not a regular file", path.string());
  return {static_cast<uint64_t>(st.st_size), st.st_mtim};
}

bool not_newer(const struct timespec& a, const struct timespec& b) {
  return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec <= b.tv_nsec);
}

struct OldIndex {
  // The index's stanzas: views into `text` when lupine wrote it (copied into the new index as they
  // are, never parsed), else into `rendered`, written from `records` parsed from `text`.
  IndexText text;
  std::vector<IndexRecord> records;
  std::string rendered;
  std::vector<IndexStanza> stanzas;
  struct timespec mtime {};
  // `<P>-<V>.apk` of each stanza, all in one buffer (views into it key the map: no string per stanza).
  std::string file_names;
  std::unordered_multimap<std::string_view, const IndexStanza*> by_file_name;
};

// Fills old.stanzas from old.text.
void split_old_index(OldIndex& old, const std::string& origin) {
  if (auto stanzas = canonical_stanzas(old.text.apkindex())) {
    old.stanzas = std::move(*stanzas);
    return;
  }
  old.records = parse_apkindex(old.text.apkindex(), origin + ":APKINDEX");
  old.stanzas = index_stanzas(pointers_to(old.records), old.rendered);
}

// The old index, or nothing when there is none (or, for the implicit one, when it cannot be read:
// the run then reads every package, which is always correct). On the heap: it points into itself.
std::unique_ptr<OldIndex> load_old_index(const IndexBuildOptions& options, IndexBuildStats& stats) {
  const std::filesystem::path path = options.source_index.value_or(options.output);
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return nullptr;
  auto loaded = std::make_unique<OldIndex>();
  OldIndex& old = *loaded;
  try {
    old.mtime = stat_file(path).mtime;
    old.text = read_index_text(path);
    split_old_index(old, path.string());
  } catch (const Error& e) {
    if (options.source_index) throw;
    stats.warnings.push_back(fmt::format("ignoring the existing index, every package is read again: {}", e.what()));
    return nullptr;
  }
  size_t size = 0;
  for (const auto& stanza : old.stanzas) size += stanza.name.size() + stanza.version.size() + 5;
  old.file_names.reserve(size);  // never reallocated below: the views stay valid
  old.by_file_name.reserve(old.stanzas.size());
  for (const auto& stanza : old.stanzas) {
    size_t start = old.file_names.size();
    old.file_names.append(stanza.name).append("-").append(stanza.version).append(".apk");
    old.by_file_name.emplace(std::string_view(old.file_names).substr(start), &stanza);
  }
  return loaded;
}

std::string_view file_name_of(std::string_view native) {
  size_t slash = native.rfind('/');
  return slash == std::string_view::npos ? native : native.substr(slash + 1);
}

// apk-tools' reuse rule (app_index.c): same `<P>-<V>.apk` name, same size, not newer than the index.
const IndexStanza* reusable_stanza(const OldIndex& old, std::string_view path, const FileStat& stat) {
  if (!not_newer(stat.mtime, old.mtime)) return nullptr;
  auto [begin, end] = old.by_file_name.equal_range(file_name_of(path));
  for (auto it = begin; it != end; ++it)
    if (it->second->file_size == stat.size) return it->second;
  return nullptr;
}

// stat(2) of many files, most in one directory: fstatat relative to the directory, opened once,
// spares the kernel walking the directory's path again for every file (~15% of the stat time of
// an incremental `lupine index` of 1,000 packages).
class FileStatter {
 public:
  ~FileStatter() {
    if (dir_fd_ >= 0) ::close(dir_fd_);
  }
  FileStat stat(const std::string& path) {
    std::string_view native = path;
    size_t slash = native.rfind('/');
    if (slash == std::string_view::npos || slash == 0) return stat_file(path);
    std::string_view dir = native.substr(0, slash);
    if (dir != dir_) {
      if (dir_fd_ >= 0) ::close(dir_fd_);
      dir_ = dir;
      dir_fd_ = ::open(dir_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
    struct stat st {};
    if (dir_fd_ < 0 || ::fstatat(dir_fd_, native.data() + slash + 1, &st, 0) != 0)
      return stat_file(path);  // the same call by path names the error
    if (!S_ISREG(st.st_mode)) fail("{}: not a regular file", path);
    return {static_cast<uint64_t>(st.st_size), st.st_mtim};
  }

 private:
  std::string dir_;
  int dir_fd_ = -1;
};

std::pair<std::string_view, std::string_view> name_version(const IndexStanza& stanza) {
  return {stanza.name, stanza.version};
}

struct NameVersionHash {
  size_t operator()(const std::pair<std::string_view, std::string_view>& key) const {
    return std::hash<std::string_view>{}(key.first) * 31 + std::hash<std::string_view>{}(key.second);
  }
};

// Reads and verifies `paths[i]` for each i in `todo`, on up to `threads` threads. Each slot of the
// result holds the record or the error message.
struct ReadResult {
  std::optional<IndexRecord> record;
  std::string error;
};

// Parses the keyring's public keys (`*.pub`, apk-tools' naming) on a thread of its own while the
// caller loads the old index and stats the packages: the first key OpenSSL decodes costs ~3 ms
// (decoder setup), as much as the rest of an incremental run. Other files are parsed only if a
// package names them (a keys directory may hold the private key too). Keyring::find is
// thread-safe; a key that does not parse fails later, when a package names it.
class KeyringWarmup {
 public:
  explicit KeyringWarmup(const apk::Keyring& keyring) {
    std::vector<std::string> names;
    for (auto& name : keyring.names())
      if (name.ends_with(".pub")) names.push_back(std::move(name));
    if (names.empty()) return;
    auto warm = [&keyring, names = std::move(names)] {
      for (const auto& name : names) {
        try {
          keyring.find(name);
        } catch (const std::exception&) {
        }
      }
    };
    try {
      thread_ = std::thread(warm);
    } catch (const std::system_error&) {
      warm();  // no thread to be had: warm up here
    }
  }
  ~KeyringWarmup() {
    if (thread_.joinable()) thread_.join();
  }
  KeyringWarmup(const KeyringWarmup&) = delete;
  KeyringWarmup& operator=(const KeyringWarmup&) = delete;

 private:
  std::thread thread_;
};

std::vector<ReadResult> read_packages(const std::vector<const std::string*>& paths, const std::vector<size_t>& todo,
                                      const IndexBuildOptions& options, const apk::Keyring& keyring) {
  std::vector<ReadResult> results(todo.size());
  parallel_for(todo.size(), options.threads, [&](size_t i) {
    try {
      results[i].record = index_package_file(*paths[todo[i]], keyring, options.allow_untrusted);
    } catch (const std::exception& e) {
      results[i].error = e.what();
    }
  });
  return results;
}

void check_arch(const IndexStanza& record, const std::string& arch, const std::string& file) {
  if (arch.empty() || record.arch == arch || record.arch == "noarch") return;
  fail("{}: package {}-{} is for {}, not {} (only {} and noarch packages belong in this index)", file, record.name,
       record.version, record.arch.empty() ? "no architecture" : record.arch, arch, arch);
}

}  // namespace

std::string package_file_name(const IndexRecord& record) { return record.name + "-" + record.version + ".apk"; }

IndexRecord index_package_file(const std::filesystem::path& path, const apk::Keyring& keyring, bool allow_untrusted) {
  // The data member is hashed (datahash), not inflated: an index vouches for the package file's
  // bytes through the signature and C:/datahash; per-file checksums are checked on extraction.
  apk::PackageReadOptions read_options;
  read_options.inflate_data = false;
  apk::Package package = apk::Package::read(path, read_options);
  apk::VerifyOptions verify;
  verify.allow_untrusted = allow_untrusted;
  apk::verify_package(package, keyring, verify);
  return index_record_from_package(package, package.bytes().size());
}

namespace {

// build_index on file names as given: a std::filesystem::path per package (parsed into its
// components) is made only for the few that are read.
IndexBuildStats build_index_of(const std::vector<const std::string*>& packages, const IndexBuildOptions& options) {
  if (options.description.size() > max_description_size)
    fail("index description is {} bytes, at most {} are allowed", options.description.size(), max_description_size);
  IndexLock lock(options.output);
  apk::Keyring empty_keyring;
  const apk::Keyring& keyring = options.keyring ? *options.keyring : empty_keyring;
  KeyringWarmup warmup(keyring);
  IndexBuildStats stats;
  std::unique_ptr<OldIndex> old = load_old_index(options, stats);

  // Which files need reading: everything the old index cannot vouch for. Stanzas are not copied:
  // `chosen` points into the old index (reused) or at those of the packages read.
  std::vector<const IndexStanza*> chosen(packages.size(), nullptr);
  std::vector<size_t> todo;
  std::vector<std::string> errors;
  {
    FileStatter statter;
    for (size_t i = 0; i < packages.size(); ++i) {
      try {
        FileStat stat = statter.stat(*packages[i]);
        if (const IndexStanza* reuse = old ? reusable_stanza(*old, *packages[i], stat) : nullptr) {
          chosen[i] = reuse;  // a stanza serving two files is a duplicate, refused below
          ++stats.reused;
        } else {
          todo.push_back(i);
        }
      } catch (const Error& e) {
        errors.push_back(e.what());
      }
    }
  }
  // Not waiting for the warm-up: a reader that needs a key blocks in Keyring::find until it is
  // parsed, and meanwhile reads and inflates. With nothing to read it is joined on return.
  auto results = read_packages(packages, todo, options, keyring);
  std::vector<IndexRecord> fresh;
  fresh.reserve(todo.size());
  std::vector<size_t> fresh_files;
  for (size_t k = 0; k < todo.size(); ++k) {
    if (results[k].record) {
      fresh.push_back(std::move(*results[k].record));
      fresh_files.push_back(todo[k]);
      ++stats.read;
    } else {
      errors.push_back(results[k].error);
    }
  }
  std::string fresh_text;
  std::vector<IndexStanza> fresh_stanzas = index_stanzas(pointers_to(fresh), fresh_text);
  for (size_t k = 0; k < fresh_stanzas.size(); ++k) chosen[fresh_files[k]] = &fresh_stanzas[k];

  // Arch and duplicate checks over the final set.
  std::unordered_map<std::pair<std::string_view, std::string_view>, size_t, NameVersionHash> seen;  // -> file index
  seen.reserve(packages.size());
  std::vector<IndexStanza> out;
  out.reserve(packages.size());
  for (size_t i = 0; i < packages.size(); ++i) {
    const IndexStanza* stanza = chosen[i];
    if (!stanza) continue;
    try {
      check_arch(*stanza, options.arch, *packages[i]);
      auto [it, inserted] = seen.emplace(name_version(*stanza), i);
      if (!inserted)
        fail("{}: package {}-{} is also given as {}", *packages[i], stanza->name, stanza->version,
             *packages[it->second]);
      out.push_back(*stanza);
    } catch (const Error& e) {
      errors.push_back(e.what());
    }
  }
  if (!errors.empty()) {
    if (errors.size() == 1) fail("{}", errors.front());
    std::string message = fmt::format("{} packages could not be indexed:", errors.size());
    for (const auto& error : errors) message += "\n  " + error;
    fail("{}", message);
  }
  if (options.merge && old) {
    for (const auto& stanza : old->stanzas) {
      if (!seen.emplace(name_version(stanza), 0).second) continue;
      check_arch(stanza, options.arch, "old index");
      out.push_back(stanza);
      ++stats.merged;
    }
  }

  stats.records = out.size();
  std::string description = options.description;
  if (options.expires_in) {
    std::optional<IndexFreshness> previous = read_index_freshness(options.source_index.value_or(options.output));
    int64_t now = options.now ? options.now : static_cast<int64_t>(::time(nullptr));
    description = with_freshness(description, {previous ? previous->version + 1 : 1, now + *options.expires_in});
  }
  std::string bytes = make_index_archive(std::move(out), description, options.mtime, options.signer);
  remove_stale_temp_files(options.output);
  // Not fsync'd (Durability::write_back): the index is made again from the packages by a rerun,
  // and a torn one is refused by every reader (gzip CRC, signature), so a power cut costs a
  // rerun at worst; atomicity for readers and killed runs comes from the rename. The fsync was
  // most of an incremental run on a busy disk (10 ms and more; the rest of the run is ~6 ms).
  // apk-tools' `apk index` and melange do not sync either.
  AtomicFile file(options.output, 0644, Durability::write_back);
  file.write(bytes);
  file.commit();
  return stats;
}

}  // namespace

IndexBuildStats build_index(const std::vector<std::filesystem::path>& packages, const IndexBuildOptions& options) {
  std::vector<const std::string*> names;
  names.reserve(packages.size());
  for (const auto& path : packages) names.push_back(&path.native());
  return build_index_of(names, options);
}

IndexBuildStats build_index_of_files(const std::vector<std::string>& packages, const IndexBuildOptions& options) {
  std::vector<const std::string*> names;
  names.reserve(packages.size());
  for (const auto& name : packages) names.push_back(&name);
  return build_index_of(names, options);
}

}  // namespace lupine::index
