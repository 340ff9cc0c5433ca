#include "apk/keyring.h"

#include "common/error.h"

#include <algorithm>

namespace lupine::apk {

namespace {
constexpr std::string_view kPublicKeySuffix = ".rsa.pub";

std::string_view without_suffix(std::string_view name) {
  if (name.size() > kPublicKeySuffix.size() && name.ends_with(kPublicKeySuffix))
    name.remove_suffix(kPublicKeySuffix.size());
  return name;
}
}  // namespace

void Keyring::add(const std::filesystem::path& path) {
  std::error_code error;
  auto status = std::filesystem::status(path, error);
  if (error || !std::filesystem::exists(status)) fail("keyring: {} does not exist", path.string());
  auto add_file = [this](const std::filesystem::path& file) {
    std::string name = file.filename().string();
    if (!has(name)) entries_.push_back({name, file, nullptr});
  };
  if (std::filesystem::is_directory(status)) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(path)) {
      if (entry.path().filename().string().starts_with('.')) continue;
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) add_file(file);
  } else {
    add_file(path);
  }
}

void Keyring::add_key(const std::string& name, RsaPublicKey key) {
  if (!has(name)) entries_.push_back({name, {}, std::make_shared<RsaPublicKey>(std::move(key))});
}

bool Keyring::has(std::string_view name) const {
  return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.name == name; });
}

const RsaPublicKey* Keyring::find(std::string_view key_name) const {
  const Entry* match = nullptr;
  for (const auto& entry : entries_) {
    if (entry.name == key_name) {
      match = &entry;
      break;
    }
  }
  if (!match) {
    for (const auto& entry : entries_) {
      if (without_suffix(entry.name) == without_suffix(key_name)) {
        match = &entry;
        break;
      }
    }
  }
  if (!match) return nullptr;
  std::lock_guard<std::mutex> lock(*load_mutex_);
  if (!match->key) match->key = std::make_shared<RsaPublicKey>(RsaPublicKey::load(match->path));
  return match->key.get();
}

std::vector<std::string> Keyring::names() const {
  std::vector<std::string> names;
  for (const auto& entry : entries_) names.push_back(entry.name);
  return names;
}

}  // namespace lupine::apk
