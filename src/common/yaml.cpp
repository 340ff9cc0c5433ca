#include "common/yaml.h"

#include "common/error.h"
#include "common/fs.h"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <unordered_map>

namespace lupine {

const YamlNode* YamlNode::find(std::string_view wanted) const {
  if (kind != Kind::mapping) return nullptr;
  for (size_t i = 0; i < mapping_size(); ++i)
    if (key(i).is_scalar() && key(i).value == wanted) return &val(i);
  return nullptr;
}

const char* YamlNode::kind_name() const {
  switch (kind) {
    case Kind::null: return "nothing";
    case Kind::scalar: return "a scalar";
    case Kind::sequence: return "a sequence";
    case Kind::mapping: return "a mapping";
  }
  return "?";
}

namespace {

class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(std::shared_ptr<const SourceFile> file, Diagnostics& diagnostics)
      : file_(std::move(file)), diagnostics_(diagnostics) {}

  YamlNode take_root() { return std::move(root_); }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    YamlNode node;
    node.where = location(mark);
    finish(std::move(node), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto found = anchors_.find(anchor);
    YamlNode node = found != anchors_.end() ? found->second : YamlNode{};
    node.where = location(mark);
    finish(std::move(node), 0);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    YamlNode node;
    node.kind = YamlNode::Kind::scalar;
    node.where = location(mark);
    node.value = value;
    // yaml-cpp tags an untagged plain scalar "?" and a quoted or block one "!".
    node.plain = tag == "?";
    finish(std::move(node), anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(YamlNode::Kind::sequence, mark, anchor);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(YamlNode::Kind::mapping, mark, anchor);
  }
  void OnMapEnd() override {
    expand_merge_keys(stack_.back().node);
    check_duplicate_keys(stack_.back().node);
    close();
  }

 private:
  struct Open {
    YamlNode node;
    YAML::anchor_t anchor;
  };

  Location location(const YAML::Mark& mark) const {
    return Location{file_, mark.line + 1, mark.column + 1, static_cast<size_t>(std::max(mark.pos, 0))};
  }

  void open(YamlNode::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    YamlNode node;
    node.kind = kind;
    node.where = location(mark);
    stack_.push_back({std::move(node), anchor});
  }

  void close() {
    Open top = std::move(stack_.back());
    stack_.pop_back();
    finish(std::move(top.node), top.anchor);
  }

  void finish(YamlNode node, YAML::anchor_t anchor) {
    if (anchor != 0) anchors_[anchor] = node;
    if (stack_.empty()) {
      root_ = std::move(node);
    } else {
      stack_.back().node.items.push_back(std::move(node));
    }
  }

  // `<<: *anchor` (or a sequence of them) merges the anchored mappings' keys that the mapping does
  // not set itself, as yaml.v3 does; yaml-cpp would keep `<<` as an ordinary key.
  void expand_merge_keys(YamlNode& mapping) {
    std::vector<YamlNode> merged;
    std::vector<YamlNode> own;
    for (size_t i = 0; i < mapping.mapping_size(); ++i) {
      const YamlNode& key = mapping.key(i);
      const YamlNode& value = mapping.val(i);
      if (!(key.is_scalar() && key.plain && key.value == "<<")) {
        own.push_back(key);
        own.push_back(value);
        continue;
      }
      std::vector<const YamlNode*> sources;
      if (value.is_mapping()) sources.push_back(&value);
      for (const YamlNode& item : value.items)
        if (value.is_sequence() && item.is_mapping()) sources.push_back(&item);
      if (sources.empty()) diagnostics_.error(value.where, "a merge key (<<) needs a mapping or a sequence of mappings");
      for (const YamlNode* source : sources) merged.insert(merged.end(), source->items.begin(), source->items.end());
    }
    if (own.size() == mapping.items.size()) return;
    for (size_t i = 0; i + 1 < merged.size(); i += 2) {
      bool present = false;
      for (size_t k = 0; k < own.size() && !present; k += 2) present = own[k].value == merged[i].value;
      if (present) continue;
      own.push_back(merged[i]);
      own.push_back(merged[i + 1]);
    }
    mapping.items = std::move(own);
  }

  // yaml.v3 (melange) rejects a key given twice in one mapping; yaml-cpp accepts it silently.
  void check_duplicate_keys(const YamlNode& mapping) {
    size_t n = mapping.mapping_size();
    if (n < 2) return;
    std::unordered_map<std::string_view, const YamlNode*> seen;
    seen.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      const YamlNode& key = mapping.key(i);
      if (!key.is_scalar()) continue;
      auto [it, inserted] = seen.emplace(key.value, &key);
      if (!inserted)
        diagnostics_.error(key.where, fmt::format("mapping key \"{}\" already defined at line {}", key.value,
                                                  it->second->where.line));
    }
  }

  std::shared_ptr<const SourceFile> file_;
  Diagnostics& diagnostics_;
  std::vector<Open> stack_;
  std::map<YAML::anchor_t, YamlNode> anchors_;
  YamlNode root_;
};

}  // namespace

YamlNode parse_yaml(const std::shared_ptr<const SourceFile>& file, Diagnostics& diagnostics) {
  std::istringstream input(file->contents);
  TreeBuilder builder(file, diagnostics);
  try {
    YAML::Parser parser(input);
    parser.HandleNextDocument(builder);
  } catch (const YAML::Exception& e) {
    diagnostics.error(Location{file, e.mark.line + 1, e.mark.column + 1, static_cast<size_t>(std::max(e.mark.pos, 0))},
                      fmt::format("YAML syntax error: {}", e.msg));
    return YamlNode{};
  }
  YamlNode root = builder.take_root();
  if (root.where.file == nullptr) root.where = Location{file, 1, 1, 0};
  return root;
}

std::shared_ptr<const SourceFile> read_source_file(const std::string& path) {
  auto file = std::make_shared<SourceFile>();
  file->path = path;
  file->contents = read_file(path);
  return file;
}

}  // namespace lupine
