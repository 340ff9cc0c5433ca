// lupine scan TARGET... --advisories FILE|URL... [--arch A] [--keyring K]... [--allow-untrusted]
//   [--cache-dir C] [--json]
// Which packages have known vulnerabilities? Each TARGET is an image (OCI layout DIR[:TAG], or a
// docker archive: its installed database), a repository (a directory with <arch>/APKINDEX.tar.gz,
// or an http(s) URL; its index's signature verified as `install` does) or .apk files (their
// .PKGINFO). The advisories are Wolfi's security.json (Alpine secdb) or OSV JSON, a file or a URL
// (fetched through the cache, as a repository index is); matched with apk-tools' version order
// (index/advisories.h). One line per affected package and advisory; exit 1 when any (a CI gate).
#include "apk/arch.h"
#include "apk/package.h"
#include "cli/command.h"
#include "cli/keyring_options.h"
#include "common/fs.h"
#include "image/image_read.h"
#include "index/advisories.h"
#include "index/http_fetch.h"
#include "index/package_add.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace lupine::cli {
namespace {
namespace fs = std::filesystem;

struct ScanArgs {
  std::vector<std::string> targets;
  std::vector<std::string> advisories;
  std::string arch;
  KeyringOptions keyring;
  std::string cache_dir;
  bool json = false;
};

struct Scanned {
  std::string name, version, origin;
  std::string where;  // the target it came from
};

bool is_url(const std::string& text) { return text.rfind("http://", 0) == 0 || text.rfind("https://", 0) == 0; }

index::FetchOptions fetch_options(const ScanArgs& args) {
  index::FetchOptions fetch;
  fetch.cache_dir = args.cache_dir.empty() ? index::default_cache_dir() : fs::path(args.cache_dir);
  return fetch;
}

void collect(const ScanArgs& args, const std::string& target, const std::string& apk_arch, std::vector<Scanned>& out) {
  std::error_code error;
  if (target.size() > 4 && target.compare(target.size() - 4, 4, ".apk") == 0 && fs::is_regular_file(target, error)) {
    apk::PackageReadOptions options;
    options.inflate_data = false;
    auto package = apk::Package::read(target, options);
    out.push_back({package.info().pkgname, package.info().pkgver, package.info().origin, target});
    return;
  }
  if (is_url(target) || fs::is_regular_file(fs::path(target) / apk_arch / "APKINDEX.tar.gz", error)) {
    index::RepositorySet repositories({target}, apk_arch, args.keyring.load(), args.keyring.allow_untrusted,
                                      fetch_options(args));
    for (const auto& loaded : repositories.indexes())
      for (const auto& record : loaded.records) out.push_back({record.name, record.version, record.origin, target});
    return;
  }
  auto image = image::read_image(target, apk::parse_arch(apk_arch)->go);
  auto packages = image::installed_packages(image::root_of(image), target);
  if (packages.empty()) fail("{}: the image has no installed database (lib/apk/db/installed): nothing to scan", target);
  for (const auto& [name, record] : packages) out.push_back({name, record.version, record.origin, target});
}

void run(const ScanArgs& args) {
  const std::string apk_arch = apk::apk_arch_or_host(args.arch);
  std::vector<index::Advisory> advisories;
  for (const auto& source : args.advisories) {
    std::string text = is_url(source) ? index::http_get(source, fetch_options(args)).body : read_file(source);
    auto parsed = index::parse_advisories(text, source);
    advisories.insert(advisories.end(), parsed.begin(), parsed.end());
  }
  std::vector<Scanned> packages;
  for (const auto& target : args.targets) collect(args, target, apk_arch, packages);

  nlohmann::json found = nlohmann::json::array();
  size_t affected_packages = 0;
  std::vector<std::string> lines;
  for (const auto& package : packages) {
    auto matches = index::match_advisories(advisories, package.name, package.origin, package.version);
    if (!matches.empty()) ++affected_packages;
    for (const auto& match : matches) {
      found.push_back({{"package", package.name}, {"version", package.version}, {"origin", package.origin},
                       {"advisory", match.advisory}, {"fixed", match.fixed}, {"format", match.format},
                       {"target", package.where}});
      lines.push_back(fmt::format("{:<24} {:<16} {:<20} {:<16} {}", package.name, package.version, match.advisory,
                                  match.fixed.empty() ? "(not fixed)" : match.fixed, package.where));
    }
  }
  if (args.json) {
    fmt::print("{}\n", nlohmann::json{{"scanned", packages.size()}, {"affected", affected_packages}, {"findings", found}}.dump(2));
  } else {
    if (!lines.empty()) fmt::print("{:<24} {:<16} {:<20} {:<16} {}\n", "PACKAGE", "VERSION", "ADVISORY", "FIXED IN", "IN");
    for (const auto& line : lines) fmt::print("{}\n", line);
    fmt::print("{} of {} packages affected ({} findings; {} advisories known)\n", affected_packages, packages.size(),
               found.size(), advisories.size());
  }
  if (!found.empty()) throw Exit{1};
}

void setup(Command& app) {
  auto args = std::make_shared<ScanArgs>();
  auto* command = app.add_subcommand("scan", "Match packages of images, repositories or .apk files against security advisories");
  command->add_option("TARGET", args->targets, "An image (OCI layout DIR[:TAG] or docker archive), a repository "
                                               "(directory or URL) or .apk files")
      ->required();
  command->add_option("--advisories", args->advisories, "Wolfi security.json (secdb) or OSV JSON: a file or an http(s) URL "
                                                        "(repeatable)")
      ->required();
  command->add_option("--arch", args->arch, "Architecture of images and repositories (default: this machine's)");
  args->keyring.add_to(*command);
  command->add_option("--cache-dir", args->cache_dir, "Download cache (default: ~/.cache/lupine)");
  command->add_flag("--json", args->json, "Print the findings as JSON");
  command->callback([args] { run(*args); });
}

LUPINE_COMMAND(155, setup);

}  // namespace
}  // namespace lupine::cli
