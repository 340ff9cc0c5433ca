#include "builder/source/debian_source.h"

#include "builder/source/deb822.h"
#include "common/encoding.h"
#include "common/file_lock.h"
#include "common/fs.h"
#include "common/process.h"

#include <fmt/format.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <set>

namespace fs = std::filesystem;

namespace lupine::builder {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

using Field = Deb822Field;
using Stanza = Deb822Stanza;

// Fields that select binary indexes only: meaningless (or wrong) for a deb-src entry.
bool binary_only_field(std::string_view name) {
  std::string key = lower(name);
  return key == "types" || key == "architectures" || key == "architectures-add" || key == "architectures-remove" ||
         key == "languages" || key == "languages-add" || key == "languages-remove" || key == "targets" ||
         key == "targets-add" || key == "targets-remove" || key == "enabled";
}

// One-line options are `key=value`, `key+=value` or `key-=value`.
bool binary_only_option(std::string_view option) {
  std::string key = lower(option.substr(0, option.find('=')));
  if (!key.empty() && (key.back() == '+' || key.back() == '-')) key.pop_back();
  return key == "arch" || key == "lang" || key == "target" || key == "enabled";
}

// apt reads only parts whose names are made of these characters and end in the right extension.
bool apt_part_name(const std::string& name, std::string_view extension) {
  if (!name.ends_with(extension) || name.size() == extension.size()) return false;
  return std::all_of(name.begin(), name.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-' || c == '.'; });
}

std::vector<fs::path> parts(const fs::path& dir, std::string_view extension) {
  std::vector<fs::path> out;
  std::error_code error;
  if (!fs::is_directory(dir, error)) return out;
  for (const auto& entry : fs::directory_iterator(dir, error))
    if (entry.is_regular_file(error) && apt_part_name(entry.path().filename().string(), extension)) out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

void append_unique(std::string& out, std::set<std::string>& seen, const std::string& item, std::string_view separator) {
  if (item.empty() || !seen.insert(item).second) return;
  if (!out.empty()) out += separator;
  out += item;
}

struct FileDigests {
  std::string sha256_hex, sha512_hex;
};

FileDigests hash_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read {}", path.string());
  Hasher sha256(HashAlgorithm::sha256), sha512(HashAlgorithm::sha512);
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (in.gcount() > 0) {
      sha256.update(buffer.data(), static_cast<size_t>(in.gcount()));
      sha512.update(buffer.data(), static_cast<size_t>(in.gcount()));
    }
  }
  if (in.bad()) fail("cannot read {}", path.string());
  return {hex_encode(sha256.finish()), hex_encode(sha512.finish())};
}

const std::string& digest_for(const FileDigests& digests, const Checksum& checksum) {
  return checksum.algorithm == HashAlgorithm::sha512 ? digests.sha512_hex : digests.sha256_hex;
}

bool matches_all(const FileDigests& digests, const std::vector<Checksum>& expected) {
  return std::all_of(expected.begin(), expected.end(),
                     [&](const Checksum& checksum) { return digest_for(digests, checksum) == checksum.hex; });
}

// Copies `source` into the cache as `expected[0]`, hashing what is written; the entry appears only
// when those bytes match every checksum.
void copy_verified(const fs::path& source, const std::vector<Checksum>& expected, const SourceCache& cache) {
  AtomicFile file(cache.entry_path(expected.front()));
  std::ifstream in(source, std::ios::binary);
  if (!in) fail("cannot read {}", source.string());
  Hasher sha256(HashAlgorithm::sha256), sha512(HashAlgorithm::sha512);
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    std::string_view chunk(buffer.data(), static_cast<size_t>(in.gcount()));
    if (chunk.empty()) continue;
    sha256.update(chunk);
    sha512.update(chunk);
    file.write(chunk);
  }
  if (in.bad()) fail("cannot read {}", source.string());
  FileDigests written{hex_encode(sha256.finish()), hex_encode(sha512.finish())};
  if (!matches_all(written, expected))
    throw SourceError(SourceErrorKind::checksum_mismatch,
                      fmt::format("{} changed while it was copied into the cache; nothing cached", source.string()));
  file.commit();
}

[[noreturn]] void network_error(const std::string& message) { throw SourceError(SourceErrorKind::network, message); }

struct AptRun {
  ProcessResult result;
  std::string tail;  // the last lines of its output, for error messages
};

// Runs apt with LC_ALL=C (messages as documented), streaming its lines to `log`.
AptRun run_apt(std::vector<std::string> argv, const fs::path& cwd, std::chrono::seconds timeout,
               const std::function<void(const std::string&)>& log, bool capture_stdout) {
  ProcessOptions options;
  options.argv = std::move(argv);
  options.cwd = cwd;
  options.env["LC_ALL"] = "C";
  options.timeout = timeout;
  options.line_buffered = true;
  options.stdout_to = capture_stdout ? OutputTarget::capture() : OutputTarget::callback();
  options.stderr_to = OutputTarget::callback();
  std::deque<std::string> tail;
  options.on_output = [&](OutputStream, std::string_view line) {
    if (log) log(fmt::format("apt: {}", line));
    tail.emplace_back(line);
    if (tail.size() > 8) tail.pop_front();
  };
  AptRun run;
  run.result = run_process(options);
  for (const auto& line : tail) run.tail += (run.tail.empty() ? "" : " | ") + line;
  return run;
}

bool has_source_lists(const fs::path& lists) {
  std::error_code error;
  if (!fs::is_directory(lists, error)) return false;
  for (const auto& entry : fs::directory_iterator(lists, error))
    if (entry.path().filename().string().find("_source_Sources") != std::string::npos) return true;
  return false;
}

}  // namespace

std::string deb_src_from_deb822(std::string_view text) {
  std::string out;
  std::set<std::string> seen;
  for (const Stanza& stanza : parse_deb822(text)) {
    std::string enabled = lower(value_of(stanza, "Enabled"));
    if (enabled == "no" || enabled == "false") continue;
    auto types = split_words(value_of(stanza, "Types"));
    if (std::find(types.begin(), types.end(), "deb") == types.end() &&
        std::find(types.begin(), types.end(), "deb-src") == types.end())
      continue;
    std::string converted = "Types: deb-src\n";
    for (const Field& field : stanza)
      if (!binary_only_field(field.name)) converted += field.name + ":" + field.raw + "\n";
    append_unique(out, seen, converted, "\n");
  }
  return out;
}

std::string deb_src_from_one_line(std::string_view text) {
  std::string out;
  std::set<std::string> seen;
  for (std::string_view raw : lines_of(text)) {
    std::string line(raw.substr(0, raw.find('#')));
    auto words = split_words(line);
    if (words.empty() || (words[0] != "deb" && words[0] != "deb-src")) continue;
    // Options: "[a=b c=d]", possibly with spaces after '[' or before ']'.
    std::vector<std::string> options;
    size_t at = 1;
    if (at < words.size() && words[at].starts_with('[')) {
      std::string joined;
      for (; at < words.size(); ++at) {
        joined += (joined.empty() ? "" : " ") + words[at];
        if (words[at].ends_with(']')) {
          ++at;
          break;
        }
      }
      for (const auto& option : split_words(joined.substr(1, joined.size() >= 2 ? joined.size() - 2 : 0)))
        if (!binary_only_option(option)) options.push_back(option);
    }
    if (words.size() < at + 2) continue;  // needs a URI and a suite
    std::string converted = "deb-src";
    if (!options.empty()) {
      converted += " [";
      for (size_t i = 0; i < options.size(); ++i) converted += (i ? " " : "") + options[i];
      converted += "]";
    }
    for (; at < words.size(); ++at) converted += " " + words[at];
    append_unique(out, seen, converted + "\n", "");
  }
  return out;
}

DebSrcConfig derive_deb_src_config(const fs::path& etc_apt) {
  DebSrcConfig config;
  std::set<std::string> seen_lines, seen_stanzas;
  std::vector<fs::path> lists;
  std::error_code error;
  if (fs::is_regular_file(etc_apt / "sources.list", error)) lists.push_back(etc_apt / "sources.list");
  for (const auto& part : parts(etc_apt / "sources.list.d", ".list")) lists.push_back(part);
  for (const auto& file : lists) {
    std::string converted = deb_src_from_one_line(read_file(file));  // outlives the views below
    for (std::string_view line : lines_of(converted)) append_unique(config.one_line, seen_lines, std::string(line) + "\n", "");
  }
  for (const auto& file : parts(etc_apt / "sources.list.d", ".sources")) {
    std::string stanzas = deb_src_from_deb822(read_file(file));
    for (const Stanza& stanza : parse_deb822(stanzas)) {
      std::string text;
      for (const Field& field : stanza) text += field.name + ":" + field.raw + "\n";
      append_unique(config.deb822, seen_stanzas, text, "\n");
    }
  }
  return config;
}

std::string cache_matching_file(const fs::path& dir, const std::vector<Checksum>& expected, const SourceCache& cache,
                                std::string_view what) {
  if (expected.empty()) fail("{}: no checksum to match Debian's files against", what);
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::error_code error;
    // Only regular files: a symlink could point anywhere.
    if (fs::is_regular_file(fs::symlink_status(entry.path(), error))) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::string seen;
  bool want_sha512 = std::any_of(expected.begin(), expected.end(),
                                 [](const Checksum& c) { return c.algorithm == HashAlgorithm::sha512; });
  for (const auto& file : files) {
    FileDigests digests = hash_file(file);
    if (matches_all(digests, expected)) {
      copy_verified(file, expected, cache);
      return file.filename().string();
    }
    seen += fmt::format("\n  {} sha256 {}", file.filename().string(), digests.sha256_hex);
    if (want_sha512) seen += fmt::format(" sha512 {}", digests.sha512_hex);
  }
  throw SourceError(SourceErrorKind::checksum_mismatch,
                    fmt::format("{}: no file has the expected {} {} (nothing cached); files seen:{}", what,
                                expected.front().algorithm_name(), expected.front().hex,
                                seen.empty() ? std::string(" none") : seen));
}

std::map<std::string, std::string> read_debian_source_map(const fs::path& file) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::Exception& error) {
    fail("{}: {}", file.string(), error.what());
  }
  std::map<std::string, std::string> map;
  if (!root || root.IsNull()) return map;
  if (!root.IsMap()) fail("{}: expected a mapping of package names to Debian source package names", file.string());
  for (const auto& item : root) {
    if (!item.first.IsScalar() || !item.second.IsScalar() || item.second.Scalar().empty())
      fail("{}: line {}: expected `package: debian-source-package`", file.string(), item.first.Mark().line + 1);
    map[item.first.Scalar()] = item.second.Scalar();
  }
  return map;
}

std::string debian_source_package(const fs::path& recipe, const std::string& package, const fs::path& map_file) {
  fs::path file = map_file.empty() ? recipe.parent_path() / ".debian-sources.yaml" : map_file;
  std::error_code error;
  if (map_file.empty() && !fs::exists(file, error)) return package;
  auto map = read_debian_source_map(file);
  auto found = map.find(package);
  return found == map.end() ? package : found->second;
}

std::vector<DebianSourceVersion> parse_showsrc(std::string_view text) {
  std::vector<DebianSourceVersion> out;
  for (const Stanza& stanza : parse_deb822(text)) {
    DebianSourceVersion version;
    version.package = value_of(stanza, "Package");
    version.version = value_of(stanza, "Version");
    if (version.package.empty() || version.version.empty()) continue;
    if (const Field* files = find_field(stanza, "Checksums-Sha256")) {
      for (std::string_view line : lines_of(files->raw)) {
        auto words = split_words(line);
        if (words.size() == 3) version.sha256_files.emplace_back(lower(words[0]), words[2]);
      }
    }
    out.push_back(std::move(version));
  }
  return out;
}

DebianSourceFetcher::DebianSourceFetcher(DebianSourceOptions options) : options_(std::move(options)) {}

fs::path DebianSourceFetcher::apt_dir_for(const SourceCache& cache) const {
  return options_.apt_dir.empty() ? cache.dir() / "debian-apt" : options_.apt_dir;
}

std::vector<std::string> DebianSourceFetcher::apt_options(const fs::path& apt_dir) const {
  std::vector<std::string> out{
      "-o", "Dir::Etc::SourceList=" + (apt_dir / "sources.list").string(),
      "-o", "Dir::Etc::SourceParts=" + (apt_dir / "sources.list.d").string(),
      "-o", "Dir::State::Lists=" + (apt_dir / "lists").string(),
      "-o", "Dir::Cache=" + (apt_dir / "cache").string(),
  };
  // As root apt downloads as the `_apt` user, which cannot write into directories lupine created
  // (apt then warns and falls back); downloading as root from the start keeps the output clean.
  if (::geteuid() == 0) out.insert(out.end(), {"-o", "APT::Sandbox::User=root"});
  return out;
}

void DebianSourceFetcher::prepare(const fs::path& apt_dir, const Log& log_override) {
  const Log& log = log_override ? log_override : options_.log;
  std::lock_guard guard(mutex_);
  if (std::find(prepared_.begin(), prepared_.end(), apt_dir) != prepared_.end()) return;
  std::string path_list = current_path_list();
  if (find_program(options_.apt_get, path_list).empty() || find_program(options_.apt_cache, path_list).empty())
    network_error(fmt::format("{} is not installed, so there is no Debian fallback", options_.apt_get));
  DebSrcConfig config = derive_deb_src_config(options_.etc_apt);
  if (config.empty())
    network_error(fmt::format("{} lists no deb sources to derive deb-src entries from, so there is no Debian fallback",
                              options_.etc_apt.string()));
  fs::create_directories(apt_dir / "sources.list.d");
  fs::create_directories(apt_dir / "lists" / "partial");
  fs::create_directories(apt_dir / "cache" / "archives" / "partial");
  FileLock lock(apt_dir / "lupine.lock");
  write_file_atomic(apt_dir / "sources.list", config.one_line);
  fs::path parts_file = apt_dir / "sources.list.d" / "lupine-deb-src.sources";
  if (config.deb822.empty())
    fs::remove(parts_file);
  else
    write_file_atomic(parts_file, config.deb822);

  if (log)
    log(fmt::format("debian: apt-get update (deb-src entries from {}, state in {})", options_.etc_apt.string(),
                    apt_dir.string()));
  std::vector<std::string> argv{options_.apt_get, "-q"};
  auto extra = apt_options(apt_dir);
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back("update");
  AptRun run = run_apt(argv, apt_dir, options_.timeout, log, false);
  // apt-get update exits 0 when a repository cannot be reached (it only warns), and non-zero when
  // one source of several is broken (e.g. a third-party repository without sources): what counts
  // is whether source indexes are there, fresh or from an earlier run.
  if (!has_source_lists(apt_dir / "lists"))
    network_error(fmt::format("apt-get update failed ({}): no source index could be fetched: {}",
                              run.result.success() ? "exit code 0" : run.result.describe(), run.tail));
  if (!run.result.success() && log)
    log(fmt::format("debian: apt-get update failed ({}); using the source indexes there are", run.result.describe()));
  prepared_.push_back(apt_dir);
}

std::string DebianSourceFetcher::fetch(const std::string& source_package, const std::vector<Checksum>& expected,
                                       const SourceCache& cache, const Log& log_override) {
  if (expected.empty()) fail("Debian source package {}: no checksum to match against", source_package);
  const Log& progress = log_override ? log_override : options_.log;
  fs::path apt_dir = apt_dir_for(cache);
  prepare(apt_dir, progress);
  auto log = [&](const std::string& line) {
    if (progress) progress(line);
  };
  auto extra = apt_options(apt_dir);

  // Which version: the one whose index entry lists a file with the expected sha256 (Debian's
  // indexes carry no sha512). The index only chooses what to download; the bytes decide.
  std::vector<std::string> showsrc{options_.apt_cache};
  showsrc.insert(showsrc.end(), extra.begin(), extra.end());
  showsrc.insert(showsrc.end(), {"showsrc", source_package});
  AptRun listed = run_apt(showsrc, apt_dir, options_.timeout, nullptr, true);
  auto versions = parse_showsrc(listed.result.out);
  if (versions.empty())
    throw SourceError(SourceErrorKind::not_found,
                      fmt::format("Debian has no source package {} (apt-cache showsrc: {})", source_package,
                                  listed.tail.empty() ? listed.result.describe() : listed.tail));
  std::string target = source_package;
  const Checksum& first = expected.front();
  if (first.algorithm == HashAlgorithm::sha256) {
    std::string listing;
    for (const auto& version : versions) {
      for (const auto& [sha256, name] : version.sha256_files) {
        if (sha256 == first.hex && target == source_package) {
          target = version.package + "=" + version.version;
          log(fmt::format("debian: {} {} lists {} with the expected sha256", version.package, version.version, name));
        }
        listing += fmt::format("\n  {} {}: {} sha256 {}", version.package, version.version, name, sha256);
      }
    }
    if (target == source_package)
      throw SourceError(SourceErrorKind::checksum_mismatch,
                        fmt::format("no version of Debian's source package {} has a file with sha256 {} "
                                    "(nothing downloaded); its files:{}",
                                    source_package, first.hex, listing));
  }

  TempDir scratch("lupine-debian-source");
  std::vector<std::string> argv{options_.apt_get, "-q"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.insert(argv.end(), {"source", "--download-only", target});
  log(fmt::format("debian: apt-get source --download-only {}", target));
  AptRun run;
  {
    FileLock lock(apt_dir / "lupine.lock");
    run = run_apt(argv, scratch.path(), options_.timeout, progress, false);
  }
  if (!run.result.success())
    network_error(fmt::format("apt-get source --download-only {} failed ({}): {}", target, run.result.describe(), run.tail));
  std::string what = fmt::format("Debian source package {}", target);
  std::string name = cache_matching_file(scratch.path(), expected, cache, what);
  log(fmt::format("debian: {} matches {} {}; cached as {}", name, first.algorithm_name(), first.hex, first.key()));
  return fmt::format("{}: {}", target, name);
}

SourceFallback debian_source_fallback(std::shared_ptr<DebianSourceFetcher> fetcher, std::string source_package) {
  SourceFallback fallback;
  fallback.name = "Debian source package " + source_package;
  fallback.fetch = [fetcher = std::move(fetcher), source_package = std::move(source_package)](
                       const FetchRequest&, const std::vector<Checksum>& expected, const SourceCache& cache,
                       const FetchOptions& options) {
    return "Debian source package " + fetcher->fetch(source_package, expected, cache, options.log);
  };
  return fallback;
}

}  // namespace lupine::builder
