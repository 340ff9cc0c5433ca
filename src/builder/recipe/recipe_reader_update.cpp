// Field table for `update:` (melange config.go Update and its monitors). Builds ignore it; bots use it.
#include "builder/recipe/recipe_fields.h"

namespace lupine::builder::detail {

void read_update(FieldReader& r, const YamlNode& node, Update& out) {
  out.set = true;
  out.where = node.where;
  auto read_release_monitor = [&](const YamlNode& n) {
    ReleaseMonitor& m = out.release_monitor;
    m.set = true;
    r.mapping(n, "release-monitor",
              {
                  {"identifier", [&](const YamlNode& v) { r.number(v, m.identifier); }},
                  {"strip-prefix", [&](const YamlNode& v) { r.text(v, m.strip_prefix); }},
                  {"strip-suffix", [&](const YamlNode& v) { r.text(v, m.strip_suffix); }},
                  {"version-filter-contains", [&](const YamlNode& v) { r.text(v, m.version_filter_contains); }},
                  {"version-filter-prefix", [&](const YamlNode& v) { r.text(v, m.version_filter_prefix); }},
              });
  };
  auto read_github = [&](const YamlNode& n) {
    GitHubMonitor& m = out.github;
    m.set = true;
    r.mapping(n, "github",
              {
                  {"identifier", [&](const YamlNode& v) { r.text(v, m.identifier); }},
                  {"strip-prefix", [&](const YamlNode& v) { r.text(v, m.strip_prefix); }},
                  {"strip-suffix", [&](const YamlNode& v) { r.text(v, m.strip_suffix); }},
                  {"tag-filter", [&](const YamlNode& v) { r.text(v, m.tag_filter); }},
                  {"tag-filter-prefix", [&](const YamlNode& v) { r.text(v, m.tag_filter_prefix); }},
                  {"tag-filter-contains", [&](const YamlNode& v) { r.text(v, m.tag_filter_contains); }},
                  {"use-tag", [&](const YamlNode& v) { r.flag(v, m.use_tag); }},
              });
  };
  auto read_git = [&](const YamlNode& n) {
    GitMonitor& m = out.git;
    m.set = true;
    r.mapping(n, "git",
              {
                  {"strip-prefix", [&](const YamlNode& v) { r.text(v, m.strip_prefix); }},
                  {"strip-suffix", [&](const YamlNode& v) { r.text(v, m.strip_suffix); }},
                  {"tag-filter-prefix", [&](const YamlNode& v) { r.text(v, m.tag_filter_prefix); }},
                  {"tag-filter-contains", [&](const YamlNode& v) { r.text(v, m.tag_filter_contains); }},
              });
  };
  auto read_oci = [&](const YamlNode& n) {
    OciMonitor& m = out.oci;
    m.set = true;
    r.mapping(n, "oci",
              {
                  {"identifier", [&](const YamlNode& v) { r.text(v, m.identifier); }},
                  {"strip-prefix", [&](const YamlNode& v) { r.text(v, m.strip_prefix); }},
                  {"strip-suffix", [&](const YamlNode& v) { r.text(v, m.strip_suffix); }},
                  {"tag-filter-prefix", [&](const YamlNode& v) { r.text(v, m.tag_filter_prefix); }},
                  {"tag-filter-contains", [&](const YamlNode& v) { r.text(v, m.tag_filter_contains); }},
              });
  };
  auto read_version_data = [&](const YamlNode& n) {
    VersionDataMonitor& m = out.version_data;
    m.set = true;
    auto read_source = [&](const YamlNode& item, VersionDataSource& source) {
      r.mapping(item, "version_data source",
                {
                    {"name", [&](const YamlNode& v) { r.text(v, source.name); }},
                    {"stream", [&](const YamlNode& v) { r.text(v, source.stream); }},
                    {"ignore", [&](const YamlNode& v) { r.texts(v, source.ignore); }},
                    {"commit_source", [&](const YamlNode& v) { r.text(v, source.commit_source); }},
                    {"use_release", [&](const YamlNode& v) { r.flag(v, source.use_release); }},
                });
    };
    r.mapping(n, "version_data",
              {
                  {"version_format", [&](const YamlNode& v) { r.text(v, m.version_format); }},
                  {"sources", [&](const YamlNode& v) { r.list(v, m.sources, read_source); }},
              });
  };
  auto read_version_transform = [&](const YamlNode& item, VersionTransform& transform) {
    r.mapping(item, "version-transform",
              {
                  {"match", [&](const YamlNode& v) { r.text(v, transform.match); }},
                  {"replace", [&](const YamlNode& v) { r.text(v, transform.replace); }},
              });
  };
  auto read_schedule = [&](const YamlNode& n) {
    out.schedule.set = true;
    r.mapping(n, "schedule",
              {
                  {"reason", [&](const YamlNode& v) { r.text(v, out.schedule.reason); }},
                  {"period", [&](const YamlNode& v) { r.text(v, out.schedule.period); }},
              });
  };
  r.mapping(node, "update",
            {
                {"enabled", [&](const YamlNode& n) { r.flag(n, out.enabled); }},
                {"manual", [&](const YamlNode& n) { r.flag(n, out.manual); }},
                {"require-sequential", [&](const YamlNode& n) { r.flag(n, out.require_sequential); }},
                {"shared", [&](const YamlNode& n) { r.flag(n, out.shared); }},
                {"version-separator", [&](const YamlNode& n) { r.text(n, out.version_separator); }},
                {"ignore-regex-patterns", [&](const YamlNode& n) { r.texts(n, out.ignore_regex_patterns); }},
                {"release-monitor", read_release_monitor},
                {"github", read_github},
                {"git", read_git},
                {"oci", read_oci},
                {"version_data", read_version_data},
                {"version-transform", [&](const YamlNode& n) { r.list(n, out.version_transform, read_version_transform); }},
                {"exclude-reason", [&](const YamlNode& n) { r.text(n, out.exclude_reason); }},
                {"schedule", read_schedule},
                {"enable-prerelease-tags", [&](const YamlNode& n) { r.flag(n, out.enable_prerelease_tags); }},
            });
}

}  // namespace lupine::builder::detail
