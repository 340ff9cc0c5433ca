#include "image_test_support.h"

#include "apk/gzip.h"
#include "common/fs.h"

namespace lupine::image::test {

std::filesystem::path write_apko_config(const std::filesystem::path& dir, const std::filesystem::path& fixtures,
                                        const std::string& config_text) {
  std::filesystem::path packages = fixtures / "apk/apko-cli/packages";
  std::filesystem::create_directories(dir / "testdata");
  std::filesystem::create_directory_symlink(packages, dir / "testdata/packages");
  std::filesystem::create_symlink(packages / "melange.rsa.pub", dir / "testdata/melange.rsa.pub");
  write_file_atomic(dir / "apko.yaml", config_text);
  return dir / "apko.yaml";
}

nlohmann::json read_json(const std::filesystem::path& path) { return nlohmann::json::parse(read_file(path)); }

std::filesystem::path blob_path(const std::filesystem::path& layout, const std::string& digest) {
  return layout / "blobs/sha256" / digest.substr(digest.find(':') + 1);
}

std::map<std::string, std::string> manifests_by_arch(const std::filesystem::path& layout) {
  nlohmann::json index = read_json(layout / "index.json");
  nlohmann::json image_index = read_json(blob_path(layout, index["manifests"][0]["digest"]));
  std::map<std::string, std::string> out;
  for (const auto& manifest : image_index["manifests"])
    out[manifest["platform"]["architecture"].get<std::string>()] = manifest["digest"].get<std::string>();
  return out;
}

std::map<std::string, LayerEntry> read_layer(const std::filesystem::path& layout, const std::string& manifest_digest) {
  nlohmann::json manifest = read_json(blob_path(layout, manifest_digest));
  std::string compressed = read_file(blob_path(layout, manifest["layers"][0]["digest"]));
  auto members = apk::read_gzip_members(compressed, "layer");
  std::map<std::string, LayerEntry> out;
  for (auto& item : apk::parse_tar(members.at(0).content, "layer").items)
    out[item.entry.path] = LayerEntry{item.entry, std::string(item.data)};
  return out;
}

std::map<std::string, std::string> tree_contents(const std::filesystem::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) out[std::filesystem::relative(entry.path(), dir).string()] = read_file(entry.path());
  return out;
}

std::string indented(const std::string& text, size_t spaces) {
  std::string out;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += std::string(spaces, ' ') + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

}  // namespace lupine::image::test
