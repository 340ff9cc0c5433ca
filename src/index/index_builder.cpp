#include "index/index_builder.h"

#include "apk/package.h"
#include "common/error.h"
#include "common/fs.h"
#include "index/index_archive.h"
#include "index/index_lock.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <map>
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

constexpr size_t kNotTaken = SIZE_MAX;

struct OldIndex {
  std::vector<IndexRecord> records;
  std::vector<size_t> taken_by;  // per record: the file it was reused for (moved there unless --merge)
  struct timespec mtime {};
  std::unordered_multimap<std::string, IndexRecord*> by_file_name;
};

// The old index, or nothing when there is none (or, for the implicit one, when it cannot be read:
// the run then reads every package, which is always correct).
std::optional<OldIndex> load_old_index(const IndexBuildOptions& options, IndexBuildStats& stats) {
  const std::filesystem::path path = options.source_index.value_or(options.output);
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return std::nullopt;
  OldIndex old;
  try {
    old.mtime = stat_file(path).mtime;
    old.records = read_index_archive(path).records;
  } catch (const Error& e) {
    if (options.source_index) throw;
    stats.warnings.push_back(fmt::format("ignoring the existing index, every package is read again: {}", e.what()));
    return std::nullopt;
  }
  old.taken_by.assign(old.records.size(), kNotTaken);
  old.by_file_name.reserve(old.records.size());
  for (auto& record : old.records) old.by_file_name.emplace(package_file_name(record), &record);
  return old;
}

// apk-tools' reuse rule (app_index.c): same `<P>-<V>.apk` name, same size, not newer than the index.
IndexRecord* reusable_record(const OldIndex& old, const std::filesystem::path& path, const FileStat& stat) {
  if (!not_newer(stat.mtime, old.mtime)) return nullptr;
  auto [begin, end] = old.by_file_name.equal_range(path.filename().string());
  for (auto it = begin; it != end; ++it)
    if (it->second->file_size == stat.size) return it->second;
  return nullptr;
}

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

std::vector<ReadResult> read_packages(const std::vector<std::filesystem::path>& paths, const std::vector<size_t>& todo,
                                      const IndexBuildOptions& options, const apk::Keyring& keyring) {
  std::vector<ReadResult> results(todo.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < todo.size(); i = next++) {
      try {
        results[i].record = index_package_file(paths[todo[i]], keyring, options.allow_untrusted);
      } catch (const std::exception& e) {
        results[i].error = e.what();
      }
    }
  };
  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<size_t>(threads, todo.size()));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();
  return results;
}

void check_arch(const IndexRecord& record, const std::string& arch, const std::string& file) {
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

IndexBuildStats build_index(const std::vector<std::filesystem::path>& packages, const IndexBuildOptions& options) {
  if (options.description.size() > max_description_size)
    fail("index description is {} bytes, at most {} are allowed", options.description.size(), max_description_size);
  IndexLock lock(options.output);
  apk::Keyring empty_keyring;
  const apk::Keyring& keyring = options.keyring ? *options.keyring : empty_keyring;
  KeyringWarmup warmup(keyring);
  IndexBuildStats stats;
  std::optional<OldIndex> old = load_old_index(options, stats);

  // Which files need reading: everything the old index cannot vouch for.
  std::vector<std::optional<IndexRecord>> records(packages.size());
  std::vector<size_t> todo;
  std::vector<std::string> errors;
  for (size_t i = 0; i < packages.size(); ++i) {
    try {
      FileStat stat = stat_file(packages[i]);
      IndexRecord* reuse = old ? reusable_record(*old, packages[i], stat) : nullptr;
      if (reuse) {
        // Taken over rather than copied, unless --merge still needs the old records or the
        // same record serves a second file (a duplicate, refused below).
        size_t& taken_by = old->taken_by[static_cast<size_t>(reuse - old->records.data())];
        if (taken_by != kNotTaken) records[i] = *records[taken_by];
        else if (options.merge) records[i] = *reuse;
        else records[i] = std::move(*reuse);
        if (taken_by == kNotTaken) taken_by = i;
        ++stats.reused;
      } else {
        todo.push_back(i);
      }
    } catch (const Error& e) {
      errors.push_back(e.what());
    }
  }
  // Not waiting for the warm-up: a reader that needs a key blocks in Keyring::find until it is
  // parsed, and meanwhile reads and inflates. With nothing to read it is joined on return.
  auto results = read_packages(packages, todo, options, keyring);
  for (size_t k = 0; k < todo.size(); ++k) {
    if (results[k].record) {
      records[todo[k]] = std::move(results[k].record);
      ++stats.read;
    } else {
      errors.push_back(results[k].error);
    }
  }

  // Arch and duplicate checks over the final set.
  std::map<std::pair<std::string, std::string>, size_t> seen;  // (name, version) -> file index
  std::vector<IndexRecord> out;
  for (size_t i = 0; i < packages.size(); ++i) {
    if (!records[i]) continue;
    try {
      check_arch(*records[i], options.arch, packages[i].string());
      auto [it, inserted] = seen.emplace(std::make_pair(records[i]->name, records[i]->version), i);
      if (!inserted)
        fail("{}: package {}-{} is also given as {}", packages[i].string(), records[i]->name, records[i]->version,
             packages[it->second].string());
      out.push_back(std::move(*records[i]));
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
    for (const auto& record : old->records) {
      if (seen.count({record.name, record.version})) continue;
      check_arch(record, options.arch, "old index");
      seen.emplace(std::make_pair(record.name, record.version), 0);
      out.push_back(record);
      ++stats.merged;
    }
  }

  stats.records = out.size();
  std::string bytes = make_index_archive(std::move(out), options.description, options.mtime, options.signer);
  remove_stale_temp_files(options.output);
  AtomicFile file(options.output, 0644);
  file.write(bytes);
  file.commit();
  return stats;
}

}  // namespace lupine::index
