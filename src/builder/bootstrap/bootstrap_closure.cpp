#include "builder/bootstrap/bootstrap_closure.h"

#include "apk/dependency.h"

#include <fmt/format.h>

#include <map>

namespace lupine::builder {

std::vector<UnresolvedDependency> unresolved_dependencies(const std::vector<ClosurePackage>& packages) {
  // name → versions it is available at ("" for an unversioned provides entry).
  std::multimap<std::string, std::string> available;
  for (const auto& package : packages) {
    available.emplace(package.name, package.version);
    for (const auto& provided : package.provides) {
      size_t equals = provided.find('=');
      if (equals == std::string::npos) available.emplace(provided, "");
      else available.emplace(provided.substr(0, equals), provided.substr(equals + 1));
    }
  }
  std::vector<UnresolvedDependency> unresolved;
  for (const auto& package : packages) {
    for (const auto& atom : package.depends) {
      apk::Dependency dependency = apk::parse_dependency(atom);
      if (dependency.conflict) continue;
      bool met = false;
      auto [first, last] = available.equal_range(dependency.name);
      for (auto it = first; it != last && !met; ++it) met = dependency.matches(it->first, it->second);
      if (!met) unresolved.push_back({package.name, atom});
    }
  }
  return unresolved;
}

std::vector<std::string> shared_versioned_provides(const std::vector<ClosurePackage>& packages) {
  std::map<std::string, std::vector<std::string>> providers;
  for (const auto& package : packages)
    for (const auto& provided : package.provides)
      if (size_t equals = provided.find('='); equals != std::string::npos)
        providers[provided.substr(0, equals)].push_back(package.name);
  std::vector<std::string> shared;
  for (const auto& [name, by] : providers)
    if (by.size() > 1) shared.push_back(fmt::format("{} is provided by {}", name, fmt::join(by, " and ")));
  return shared;
}

}  // namespace lupine::builder
