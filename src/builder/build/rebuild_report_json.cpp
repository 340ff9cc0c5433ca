#include "builder/build/rebuild_report_json.h"

#include "common/error.h"

namespace lupine::builder {

using nlohmann::ordered_json;

ordered_json rebuilt_packages_json(const std::vector<RebuiltPackage>& packages) {
  ordered_json out = ordered_json::array();
  for (const auto& package : packages) {
    ordered_json entry{{"package", package.original.string()},
                       {"rebuilt", package.rebuilt.string()},
                       {"identical", package.difference.identical},
                       {"same_signature", package.difference.same_signature}};
    ordered_json differences = ordered_json::array();
    for (const auto& difference : package.difference.entries) {
      ordered_json item{{"member", difference.member},
                        {"path", difference.path},
                        {"original", difference.original},
                        {"rebuilt", difference.rebuilt}};
      if (difference.first_differing_byte) item["first_differing_byte"] = *difference.first_differing_byte;
      differences.push_back(item);
    }
    entry["differences"] = differences;
    if (!package.difference.note.empty()) entry["note"] = package.difference.note;
    out.push_back(entry);
  }
  return out;
}

std::string rebuild_outcome_json(const RebuildOutcome& outcome) {
  ordered_json out{{"error", outcome.error}, {"packages", rebuilt_packages_json(outcome.packages)}};
  return out.dump(2) + "\n";
}

RebuildOutcome parse_rebuild_outcome(const std::string& text, const std::string& what) {
  auto value = nlohmann::json::parse(text, nullptr, false);
  if (value.is_discarded() || !value.is_object() || !value.contains("packages") || !value["packages"].is_array())
    fail("{}: expected a rebuild report ({{\"error\": ..., \"packages\": [...]}})", what);
  RebuildOutcome outcome;
  try {
    outcome.error = value.value("error", "");
    for (const auto& entry : value["packages"]) {
      RebuiltPackage package;
      package.original = entry.at("package").get<std::string>();
      package.rebuilt = entry.value("rebuilt", "");
      package.difference.identical = entry.at("identical").get<bool>();
      package.difference.same_signature = entry.value("same_signature", false);
      package.difference.note = entry.value("note", "");
      for (const auto& item : entry.value("differences", nlohmann::json::array())) {
        apk::EntryDifference difference;
        difference.member = item.at("member").get<std::string>();
        difference.path = item.at("path").get<std::string>();
        difference.original = item.value("original", "");
        difference.rebuilt = item.value("rebuilt", "");
        if (item.contains("first_differing_byte"))
          difference.first_differing_byte = item["first_differing_byte"].get<uint64_t>();
        package.difference.entries.push_back(std::move(difference));
      }
      outcome.packages.push_back(std::move(package));
    }
  } catch (const nlohmann::json::exception& error) {
    fail("{}: a rebuild report entry is malformed: {}", what, error.what());
  }
  return outcome;
}

}  // namespace lupine::builder
