#include "index/file_ownership.h"

#include "apk/dependency.h"
#include "common/error.h"

namespace lupine::index {

namespace {

// Does one of `replaces` name `package` (apk_dep_is_materialized: same name, version matching)?
bool lists(const std::vector<std::string>& replaces, const PackageIdentity& package) {
  for (const auto& text : replaces) {
    try {
      apk::Dependency dependency = apk::parse_dependency(text);
      if (dependency.conflict || dependency.name != package.name) continue;
      if (dependency.matches(package.name, package.version, package.identity)) return true;
    } catch (const Error&) {
      // apk-tools drops a replaces entry it cannot parse; so does this.
    }
  }
  return false;
}

}  // namespace

Replaces replaces_file(const PackageIdentity& owner, const PackageIdentity& incoming) {
  if (owner.name == incoming.name) return Replaces::yes;
  if (owner.to_be_removed) return Replaces::yes;
  if (incoming.to_be_removed) return Replaces::no;
  int64_t owner_priority = lists(owner.replaces, incoming) ? owner.replaces_priority : -1;
  int64_t incoming_priority = lists(incoming.replaces, owner) ? incoming.replaces_priority : -1;
  if (owner_priority > incoming_priority) return Replaces::no;
  if (incoming_priority >= 0) return Replaces::yes;
  if (!owner.origin.empty() && owner.origin == incoming.origin) return Replaces::yes;
  return Replaces::conflict;
}

bool replaces_dir(const PackageIdentity& owner, const PackageIdentity& incoming) {
  if (owner.name == incoming.name) return true;
  if (owner.to_be_removed) return true;
  if (incoming.to_be_removed) return false;
  if (owner.replaces_priority != incoming.replaces_priority) return owner.replaces_priority < incoming.replaces_priority;
  if (!owner.origin.empty() && owner.origin == incoming.origin) {
    if (owner.origin == owner.name) return false;
    if (incoming.origin == incoming.name) return true;
  }
  return owner.name > incoming.name;
}

}  // namespace lupine::index
