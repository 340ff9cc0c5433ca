#include "index/solver_database.h"

#include "apk/version.h"
#include "common/error.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <strings.h>

namespace lupine::index::solver_detail {

namespace {

constexpr std::array<bool, 256> comparer_chars = [] {
  std::array<bool, 256> table{};
  for (unsigned char c : {'<', '>', '=', '~'}) table[c] = true;
  return table;
}();
bool is_comparer(char c) { return comparer_chars[static_cast<unsigned char>(c)]; }
constexpr size_t max_repositories = 32;  // repository sets are 32-bit masks (apk-tools: APK_MAX_REPOS)
constexpr size_t max_tags = 32;

// MurmurHash3 (x86, 32-bit; public domain), which apk-tools uses to hash names.
uint32_t murmur3_32(std::string_view key, uint32_t seed) {
  auto rotl = [](uint32_t x, int r) { return (x << r) | (x >> (32 - r)); };
  const uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
  const auto* data = reinterpret_cast<const unsigned char*>(key.data());
  const size_t blocks = key.size() / 4;
  uint32_t h = seed;
  for (size_t i = 0; i < blocks; ++i) {
    const unsigned char* block = data + i * 4;  // read little-endian, as apk_unaligned_le32
    uint32_t k = uint32_t(block[0]) | uint32_t(block[1]) << 8 | uint32_t(block[2]) << 16 | uint32_t(block[3]) << 24;
    k *= c1;
    k = rotl(k, 15);
    k *= c2;
    h ^= k;
    h = rotl(h, 13) * 5 + 0xe6546b64;
  }
  const unsigned char* tail = data + blocks * 4;
  uint32_t k = 0;
  switch (key.size() & 3) {
    case 3: k ^= uint32_t(tail[2]) << 16; [[fallthrough]];
    case 2: k ^= uint32_t(tail[1]) << 8; [[fallthrough]];
    case 1:
      k ^= tail[0];
      k *= c1;
      k = rotl(k, 15);
      k *= c2;
      h ^= k;
  }
  h ^= static_cast<uint32_t>(key.size());
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

constexpr std::array<signed char, 256> base64_digits = [] {
  std::array<signed char, 256> table{};
  table.fill(-1);
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
  return table;
}();

int base64_digit(char c) { return base64_digits[static_cast<unsigned char>(c)]; }

// MurmurHash64A (public domain), eight bytes at a time: the name table's hash.
uint64_t name_hash(std::string_view text) {
  const uint64_t m = 0xc6a4a7935bd1e995ull;
  const int r = 47;
  uint64_t h = 0x9747b28cull ^ (text.size() * m);
  const char* data = text.data();
  size_t blocks = text.size() / 8;
  for (size_t i = 0; i < blocks; ++i) {
    uint64_t k;
    std::memcpy(&k, data + i * 8, 8);
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  size_t rest = text.size() & 7;
  if (rest) {
    uint64_t k = 0;
    std::memcpy(&k, data + blocks * 8, rest);
    h ^= k;
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

// The identity digest's first 20 bytes, which key a package as in apk-tools' package hash:
// "Q1"/"Q2" + base64 (leniently: stray low bits in the last digit are ignored, as
// apk_blob_pull_base64 does) or 40+ hex digits (apk_blob_pull_digest). False when the text
// is neither.
bool identity_bytes(std::string_view text, std::array<unsigned char, 20>& out) {
  if (text.size() >= 2 + 28 && text[0] == 'Q' && (text[1] == '1' || text[1] == '2')) {
    std::string_view digits = text.substr(2);
    size_t written = 0;
    size_t i = 0;
    // Whole groups of four digits (three bytes) first: 24 digits make 18 of the 20 bytes.
    for (; written + 3 <= 18; i += 4) {
      const int a = base64_digit(digits[i]), b = base64_digit(digits[i + 1]), c = base64_digit(digits[i + 2]),
                d = base64_digit(digits[i + 3]);
      if ((a | b | c | d) < 0) return false;
      const uint32_t group = uint32_t(a) << 18 | uint32_t(b) << 12 | uint32_t(c) << 6 | uint32_t(d);
      out[written++] = static_cast<unsigned char>(group >> 16);
      out[written++] = static_cast<unsigned char>(group >> 8);
      out[written++] = static_cast<unsigned char>(group);
    }
    uint32_t bits = 0;
    int have = 0;
    for (; i < digits.size() && written < 20; ++i) {
      int value = base64_digit(digits[i]);
      if (value < 0) return false;
      bits = (bits << 6) | static_cast<uint32_t>(value);
      have += 6;
      if (have >= 8) {
        have -= 8;
        out[written++] = static_cast<unsigned char>(bits >> have);
      }
    }
    return written == 20;
  }
  if (text.size() >= 40) {
    auto hex = [](char c) {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    for (size_t i = 0; i < 20; ++i) {
      int high = hex(text[2 * i]), low = hex(text[2 * i + 1]);
      if (high < 0 || low < 0) return false;
      out[i] = static_cast<unsigned char>(high << 4 | low);
    }
    return true;
  }
  return false;
}

}  // namespace

std::optional<DepText> split_dependency(std::string_view text, bool allow_tag) {
  DepText dep;
  std::string_view rest = text;
  int op = 0;
  if (rest.starts_with('!')) {
    op |= apk::CONFLICT;
    rest.remove_prefix(1);
  }
  std::string_view name_and_tag = rest;
  size_t comparer = 0;
  while (comparer < rest.size() && !is_comparer(rest[comparer])) ++comparer;
  if (comparer < rest.size()) {
    name_and_tag = rest.substr(0, comparer);
    size_t version_start = comparer;
    while (version_start < rest.size() && is_comparer(rest[version_start])) ++version_start;
    if (version_start == rest.size()) return std::nullopt;
    op |= *apk::version_op_mask(rest.substr(comparer, version_start - comparer));
    dep.version = rest.substr(version_start);
    dep.has_version = true;
  } else {
    op |= apk::ANY;
  }
  dep.op = op;
  // Masks with both < and > (any, identity) carry no version to validate.
  if ((op & apk::CHECKSUM) != apk::CHECKSUM && !apk::version_valid(dep.version)) dep.broken = true;
  size_t at = name_and_tag.find('@');
  if (at != std::string_view::npos) {
    if (!allow_tag) return std::nullopt;
    dep.tag = name_and_tag.substr(at + 1);
    dep.has_tag = true;
    name_and_tag = name_and_tag.substr(0, at);
  }
  dep.name = name_and_tag;
  return dep;
}

const char* apk_op_string(int op) {
  switch (op & ~apk::CONFLICT) {
    case apk::LESS: return "<";
    case apk::LESS | apk::EQUAL: return "<=";
    case apk::LESS | apk::EQUAL | apk::FUZZY: return "<~";
    case apk::EQUAL | apk::FUZZY:
    case apk::FUZZY: return "~";
    case apk::EQUAL: return "=";
    case apk::GREATER | apk::EQUAL: return ">=";
    case apk::GREATER | apk::EQUAL | apk::FUZZY: return ">~";
    case apk::GREATER: return ">";
    case apk::CHECKSUM: return "><";
    case apk::ANY: return "";
    default: return "?";
  }
}

namespace {

bool identity_matches(const Package& package, std::string_view digest_text) {
  std::array<unsigned char, 20> bytes;
  return identity_bytes(digest_text, bytes) && bytes == package.identity;
}

}  // namespace

bool dep_is_provided(const SolverDatabase& db, PackageId dependent, const Dep& dep, const Provider& provider) {
  if (provider.package == no_id) return dep.conflict();
  // A package never conflicts with itself ("!foo" in foo's own depends).
  if (dep.conflict() && dependent == provider.package) return true;
  if (dep.op == apk::CHECKSUM) return identity_matches(db.packages[provider.package], dep.version);
  return apk::version_match(provider.version, dep.op, dep.version);
}

bool dep_is_materialized(const SolverDatabase& db, const Dep& dep, PackageId package) {
  if (package == no_id || dep.name != db.packages[package].name) return dep.conflict();
  const Package& pkg = db.packages[package];
  if (dep.op == apk::CHECKSUM) return identity_matches(pkg, dep.version);
  return apk::version_match(pkg.version, dep.op, dep.version);
}

unsigned dep_analyze(const SolverDatabase& db, PackageId dependent, const Dep& dep, PackageId package) {
  if (package == no_id) return dep_irrelevant;
  const Package& pkg = db.packages[package];
  if (dep.name == pkg.name) return dep_is_materialized(db, dep, package) ? dep_satisfies : dep_conflicts;
  for (const Dep& provided : pkg.provides) {
    if (provided.name != dep.name) continue;
    Provider provider{package, provided.version, provided.has_version};
    return dep_is_provided(db, dependent, dep, provider) ? dep_satisfies : dep_conflicts;
  }
  return dep_irrelevant;
}

SolverDatabase::SolverDatabase(const SolverRequest& request)
    : flags(request.flags),
      preupgrade(request.preupgrade),
      force_broken_world(request.force_broken_world),
      name_flags(request.name_flags),
      arches_(request.arches),
      world_source_(request.world) {
  tags.push_back(Tag{});
  // Exact bounds for the loading lists, so that none is ever regrown: regrowing copies and
  // touches fresh pages (page faults were a visible part of loading a 5,000-package index).
  // Unused capacity is address space only.
  size_t expected = 0, deps = 0, provides = 0;
  auto count = [&](const IndexRecord& record) {
    ++expected;
    deps += record.depends.size() + record.provides.size() + record.install_if.size();
    provides += record.provides.size();
  };
  for (const InstalledPackage& installed : request.installed)
    if (installed.record) count(*installed.record);
  for (const IndexRecord& record : request.cached) count(record);
  for (const LocalPackage& local : request.local)
    if (local.record) count(*local.record);
  for (const SolverRepository& repository : request.repositories)
    for (const IndexRecord& record : repository.packages) count(record);
  const size_t max_names = expected + deps + request.world.size() + 16;  // each name is named somewhere
  names.reserve(max_names);
  name_hashes_.reserve(max_names);
  grow_name_table(std::bit_ceil(expected * 6 + 64));
  packages.reserve(expected);
  package_index_.reserve(expected);
  dep_pool_.reserve(deps);
  dep_ranges_.reserve(expected);
  provider_entries_.reserve(expected + provides);

  // apk-tools reads the world first, then the installed database, then the repositories:
  // names and tags are created in that order.
  for (const apk::Dependency& source : world_source_) {
    Dep dep;
    dep.name = intern_name(source.name);
    dep.tag = source.tag.empty() ? 0 : intern_tag(source.tag);
    dep.op = source.op | (source.conflict ? apk::CONFLICT : 0);
    dep.version = source.version;
    dep.has_version = !source.version.empty() || source.op != apk::ANY;
    dep.broken = source.broken;
    world.push_back(dep);
  }

  bool added = false;
  for (const InstalledPackage& installed : request.installed) {
    if (!installed.record) continue;
    uint16_t tag = installed.tag.empty() ? 0 : intern_tag(installed.tag);
    PackageId id = add_package(*installed.record, 0, false, added);
    Package& package = packages[id];
    if (package.installed) continue;
    package.installed = true;
    package.installed_tag = tag;
    installed_order.push_back(id);
    installed_bytes += package.installed_size;
  }

  for (const IndexRecord& record : request.cached) {
    PackageId id = add_package(record, 0, false, added);
    if (added) packages[id].cached_non_repository = true;
  }

  // Identical indexes listed twice are one repository with several tags.
  std::vector<uint32_t> tag_masks;
  std::vector<std::span<const IndexRecord>> merged;
  for (const SolverRepository& repository : request.repositories) {
    int index = -1;
    for (size_t j = 0; j < merged.size(); ++j)
      if (merged[j].data() == repository.packages.data() && merged[j].size() == repository.packages.size())
        index = static_cast<int>(j);
    if (index < 0) {
      if (merged.size() == max_repositories) fail("solver: more than {} repositories", max_repositories);
      index = static_cast<int>(merged.size());
      merged.push_back(repository.packages);
      tag_masks.push_back(0);
      first_request_of_repository.push_back(static_cast<int>(repository_of_request.size()));
    }
    repository_of_request.push_back(index);
    tag_masks[index] |= 1u << (repository.tag.empty() ? 0 : intern_tag(repository.tag));
    if (repository.available) available_repos |= 1u << index;
  }
  for (size_t j = 0; j < merged.size(); ++j) {
    for (const IndexRecord& record : merged[j]) add_package(record, 1u << j, true, added);
    for (size_t tag = 0; tag < tags.size(); ++tag)
      if (tag_masks[j] & (1u << tag)) tags[tag].allowed_repos |= 1u << j;
  }
  default_repos = pinning_mask_repos(1);

  const char* effect = compat_not_installable_ ? "are not installable" : "might not function properly";
  if (compat_new_features_) warnings.push_back(fmt::format("This apk-tools is OLD! Some packages {}.", effect));
  if (compat_dep_versions_)
    warnings.push_back(fmt::format("The indexes contain broken packages which {}.", effect));

  // Package files and virtual packages come after the database is open.
  PackageId first_local = static_cast<PackageId>(packages.size());
  for (const LocalPackage& local : request.local) {
    if (!local.record) continue;
    PackageId id = add_package(*local.record, 0, false, added);
    // A package file that is also in a repository is that package, now at hand as a file.
    if (local.from_file)
      packages[id].from_file = true;
    else if (added)
      packages[id].cached = true;
  }
  finish_loading(first_local);
}

// Names live in an open-addressing table (linear probing, power-of-two size, at most half
// full): interning is the hot path of loading a large index. A slot holds the upper half of
// the name's hash and its id, so most probes never touch the name itself.
namespace {
constexpr uint64_t empty_slot = UINT64_MAX;
uint64_t make_slot(uint64_t hash, NameId id) { return (hash & 0xffffffff00000000ull) | id; }
}  // namespace

NameId SolverDatabase::intern_name(std::string_view text) {
  if ((names.size() + 1) * 2 > name_slots_.size()) grow_name_table(std::max<size_t>(1024, name_slots_.size() * 2));
  uint64_t hash = name_hash(text);
  size_t mask = name_slots_.size() - 1;
  for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    uint64_t entry = name_slots_[slot];
    if (entry == empty_slot) {
      NameId id = static_cast<NameId>(names.size());
      Name name;
      name.text = text;
      names.push_back(std::move(name));
      name_hashes_.push_back(hash);
      name_slots_[slot] = make_slot(hash, id);
      return id;
    }
    NameId id = static_cast<NameId>(entry);
    if ((entry >> 32) == (hash >> 32) && names[id].text == text) return id;
  }
}

NameId SolverDatabase::find_name(std::string_view text) const {
  if (name_slots_.empty()) return no_id;
  uint64_t hash = name_hash(text);
  size_t mask = name_slots_.size() - 1;
  for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    uint64_t entry = name_slots_[slot];
    if (entry == empty_slot) return no_id;
    NameId id = static_cast<NameId>(entry);
    if ((entry >> 32) == (hash >> 32) && names[id].text == text) return id;
  }
}

void SolverDatabase::grow_name_table(size_t slots) {
  name_slots_.assign(slots, empty_slot);
  size_t mask = slots - 1;
  for (NameId id = 0; id < names.size(); ++id) {
    size_t slot = name_hashes_[id] & mask;
    while (name_slots_[slot] != empty_slot) slot = (slot + 1) & mask;
    name_slots_[slot] = make_slot(name_hashes_[id], id);
  }
}

uint16_t SolverDatabase::intern_tag(std::string_view tag) {
  std::string canonical = tag.starts_with('@') ? std::string(tag) : "@" + std::string(tag);
  for (size_t i = 1; i < tags.size(); ++i)
    if (tags[i].name == canonical) return static_cast<uint16_t>(i);
  if (tags.size() == max_tags) fail("solver: more than {} repository tags", max_tags - 1);
  tags.push_back(Tag{canonical, 0});
  return static_cast<uint16_t>(tags.size() - 1);
}

std::optional<Dep> SolverDatabase::parse_dep(std::string_view text, bool allow_tag) {
  std::optional<DepText> parts = split_dependency(text, allow_tag);
  if (!parts) return std::nullopt;
  Dep dep;
  dep.op = parts->op;
  dep.version = parts->version;
  dep.has_version = parts->has_version;
  dep.broken = parts->broken;
  if (parts->has_tag) dep.tag = intern_tag(parts->tag);
  dep.name = intern_name(parts->name);
  return dep;
}

PackageId SolverDatabase::add_package(const IndexRecord& record, uint32_t repos, bool from_repository,
                                      bool& added) {
  std::array<unsigned char, 20> identity{};
  PackageId next = static_cast<PackageId>(packages.size());
  PackageId id;
  if (identity_bytes(record.identity, identity)) {
    id = package_index_.try_emplace(identity, next).first->second;
  } else if (!record.identity.empty()) {
    id = odd_identity_index_.try_emplace(record.identity, next).first->second;
  } else {
    id = next;  // no identity (a virtual package made up by the caller): never the same as another
  }
  added = id == next;
  if (!added) {
    // The same package (same identity) seen again: it is now also in this repository.
    Package& existing = packages[id];
    uint32_t old_repos = existing.repos;
    existing.repos |= repos;
    if (from_repository && !existing.repository_record) existing.repository_record = &record;
    if (existing.repos && !old_repos) {
      names[existing.name].has_repository_providers = true;
      const DepRanges& ranges = dep_ranges_[id];
      for (uint32_t i = ranges.provides; i < ranges.install_if; ++i)
        names[dep_pool_[i].name].has_repository_providers = true;
    }
    return id;
  }

  Package package;
  package.record = &record;
  if (from_repository) package.repository_record = &record;
  package.name = intern_name(record.name);
  package.version = record.version;
  package.repos = repos;
  package.provider_priority = record.provider_priority;
  package.installed_size = record.installed_size;
  package.size = record.file_size;
  package.uninstallable = record.uninstallable;
  package.identity = identity;

  // As apk_pkgtmpl_add_info: a D: entry that fails to parse makes the package uninstallable
  // (and ends the list); broken p: entries are kept; any bad i: entry disables install_if.
  DepRanges ranges;
  ranges.depends = static_cast<uint32_t>(dep_pool_.size());
  for (const std::string& text : record.depends) {
    std::optional<Dep> dep = parse_dep(text, false);
    if (!dep || dep->broken) {
      compat_dep_versions_ = compat_not_installable_ = package.uninstallable = true;
      if (!dep) break;
    }
    dep_pool_.push_back(*dep);
  }
  ranges.provides = static_cast<uint32_t>(dep_pool_.size());
  for (const std::string& text : record.provides) {
    std::optional<Dep> dep = parse_dep(text, false);
    if (!dep || dep->broken) compat_dep_versions_ = true;
    if (!dep) break;
    dep_pool_.push_back(*dep);
  }
  ranges.install_if = static_cast<uint32_t>(dep_pool_.size());
  for (const std::string& text : record.install_if) {
    std::optional<Dep> dep = parse_dep(text, false);
    if (!dep || dep->broken) {
      compat_dep_versions_ = true;
      dep_pool_.resize(ranges.install_if);
      break;
    }
    dep_pool_.push_back(*dep);
  }
  ranges.end = static_cast<uint32_t>(dep_pool_.size());
  for (const auto& [field, value] : record.unknown) {
    (void)value;
    compat_new_features_ = true;
    if (field >= 'A' && field <= 'Z') compat_not_installable_ = package.uninstallable = true;
  }
  if (record.uninstallable) compat_not_installable_ = true;
  if (!arches_accept(record.arch)) {
    package.arch_ok = false;
    package.uninstallable = true;
  }

  provider_entries_.emplace_back(package.name, Provider{id, package.version, true});
  for (uint32_t i = ranges.provides; i < ranges.install_if; ++i) {
    const Dep& provided = dep_pool_[i];
    provider_entries_.emplace_back(provided.name, Provider{id, provided.version, provided.has_version});
  }
  if (repos) {
    names[package.name].has_repository_providers = true;
    for (uint32_t i = ranges.provides; i < ranges.install_if; ++i)
      names[dep_pool_[i].name].has_repository_providers = true;
  }
  packages.push_back(std::move(package));
  dep_ranges_.push_back(ranges);
  return id;
}

// Turns the loading lists into the views the solver reads.
void SolverDatabase::finish_loading(PackageId first_local) {
  for (PackageId id = 0; id < packages.size(); ++id) {
    const DepRanges& r = dep_ranges_[id];
    const Dep* base = dep_pool_.data();
    packages[id].depends = {base + r.depends, base + r.provides};
    packages[id].provides = {base + r.provides, base + r.install_if};
    packages[id].install_if = {base + r.install_if, base + r.end};
  }

  // Providers per name, in the order they were added (a counting sort keeps that order).
  std::vector<uint32_t> start(names.size() + 1);
  for (const auto& [name, provider] : provider_entries_) ++start[name + 1];
  for (size_t i = 1; i < start.size(); ++i) start[i] += start[i - 1];
  provider_pool_.resize(provider_entries_.size());
  std::vector<uint32_t> fill(start.begin(), start.end() - 1);
  for (const auto& [name, provider] : provider_entries_) provider_pool_[fill[name]++] = provider;
  for (NameId id = 0; id < names.size(); ++id)
    names[id].providers = {provider_pool_.data() + start[id], provider_pool_.data() + start[id + 1]};

  first_local_ = first_local;
  build_reverse_index(depends_list);
  build_reverse_index(install_if_list);
  hash_order_.assign(names.size(), 0);
}

// Which packages name each name in their depends (or install_if): a counting sort of
// (name, package) pairs in package order. Packages added after opening are left out.
void SolverDatabase::build_reverse_index(ReverseKind kind) {
  ReverseIndex& index = reverse_[kind];
  index.start.assign(names.size() + 1, 0);
  auto list_of = [kind](const Package& package) { return kind == depends_list ? package.depends : package.install_if; };
  for (PackageId id = 0; id < first_local_; ++id)
    for (const Dep& dep : list_of(packages[id])) ++index.start[dep.name + 1];
  for (size_t i = 1; i < index.start.size(); ++i) index.start[i] += index.start[i - 1];
  index.dependents.resize(index.start.back());
  std::vector<uint32_t> fill(index.start.begin(), index.start.end() - 1);
  for (PackageId id = 0; id < first_local_; ++id)
    for (const Dep& dep : list_of(packages[id])) index.dependents[fill[dep.name]++] = id;
  index.lists.assign(names.size(), {});
  index.done.assign(names.size(), false);
  reverse_stamp_.assign(names.size(), no_id);
}

// apk-tools' place of a name when it walks its name hash table: bucket murmur3(name, 5381)
// mod 20000, the newest name first within a bucket. (A name's id is its creation number,
// so the low half also gives the id back.)
uint64_t SolverDatabase::hash_order(NameId name) const {
  uint64_t& order = hash_order_[name];  // 0: not computed yet (the low half is never 0)
  if (!order) order = uint64_t(murmur3_32(names[name].text, 5381) % 20000) << 32 | (UINT32_MAX - name);
  return order;
}

// apk_db_name_rdepends walks the name hash table, adding each name to the reverse lists of
// what its providers depend on: a list is in hash order of the names added. That order shows
// (removals, error reports). Packages added after the database was opened (files, virtual
// packages) come last, their own name before their provides, as apk_db_pkg_rdepends adds them.
std::span<const NameId> SolverDatabase::reverse_list(NameId name, ReverseKind kind) const {
  const ReverseIndex& index = reverse_[kind];
  std::vector<NameId>& list = index.lists[name];
  if (index.done[name]) return list;
  index.done[name] = true;
  for (uint32_t i = index.start[name]; i < index.start[name + 1]; ++i) {
    const Package& package = packages[index.dependents[i]];
    auto collect = [&](NameId source) {
      if (reverse_stamp_[source] == name) return;
      reverse_stamp_[source] = name;
      list.push_back(source);
    };
    collect(package.name);
    for (const Dep& provided : package.provides) collect(provided.name);
  }
  // Stamps are per target name: clear them so the other kind's walk for it starts clean.
  for (NameId source : list) reverse_stamp_[source] = no_id;
  if (list.size() > 1) {
    std::vector<uint64_t> keyed;  // hash orders; the low half gives the name back
    keyed.reserve(list.size());
    for (NameId source : list) keyed.push_back(hash_order(source));
    std::sort(keyed.begin(), keyed.end());
    for (size_t i = 0; i < keyed.size(); ++i) list[i] = UINT32_MAX - static_cast<uint32_t>(keyed[i]);
  }
  for (PackageId id = first_local_; id < packages.size(); ++id) {
    const Package& package = packages[id];
    auto targets = kind == depends_list ? package.depends : package.install_if;
    for (const Dep& dep : targets) {
      if (dep.name != name) continue;
      auto add = [&list](NameId source) {
        if (std::find(list.begin(), list.end(), source) == list.end()) list.push_back(source);
      };
      add(package.name);
      for (const Dep& provided : package.provides) add(provided.name);
    }
  }
  return list;
}

bool SolverDatabase::arches_accept(std::string_view arch) const {
  if (arches_.empty() || arch.empty() || arch == "noarch") return true;
  return std::find(arches_.begin(), arches_.end(), arch) != arches_.end();
}

PackageId SolverDatabase::installed_package(NameId name) const {
  if (name == no_id) return no_id;
  for (const Provider& provider : names[name].providers) {
    const Package& package = packages[provider.package];
    if (package.name == name && package.installed) return provider.package;
  }
  return no_id;
}

uint32_t SolverDatabase::pinning_mask_repos(uint32_t pinning_mask) const {
  uint32_t repos = 0;
  for (size_t i = 0; i < tags.size(); ++i)
    if (pinning_mask & (1u << i)) repos |= tags[i].allowed_repos;
  return repos;
}

uint32_t SolverDatabase::package_repos(const Package& package) const {
  return package.repos | (package.installed ? tags[package.installed_tag].allowed_repos : 0);
}

int SolverDatabase::select_repository(const Package& package) const {
  uint32_t repos = package.repos & available_repos;
  if (!repos) return -1;
  return first_request_of_repository[std::countr_zero(repos)];
}

std::string SolverDatabase::package_label(PackageId id) const {
  const Package& package = packages[id];
  std::string label(names[package.name].text);
  label += '-';
  label += package.version;
  return label;
}

std::string SolverDatabase::dep_label(const Dep& dep) const {
  std::string label = dep.conflict() ? "!" : "";
  label += names[dep.name].text;
  if (dep.has_version) {
    label += apk_op_string(dep.op);
    label += dep.version;
  }
  return label;
}

bool SolverDatabase::name_less(NameId a, NameId b) const {
  const std::string a_text(names[a].text), b_text(names[b].text);
  int by_case = ::strcasecmp(a_text.c_str(), b_text.c_str());
  if (by_case != 0) return by_case < 0;
  return a_text < b_text;
}

bool SolverDatabase::package_less(PackageId a, PackageId b) const {
  const Package& pa = packages[a];
  const Package& pb = packages[b];
  if (pa.name != pb.name) return name_less(pa.name, pb.name);
  return apk::version_compare(pa.version, pb.version) == apk::LESS;
}

}  // namespace lupine::index::solver_detail
