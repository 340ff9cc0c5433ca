// Field tables for `environment:` and `test.environment:`: apko's ImageConfiguration (apko
// pkg/build/types/types.go). melange reads contents, environment and accounts; the other keys parse
// and are kept so a recipe that sets them is not rejected.
#include "builder/recipe/recipe_fields.h"

namespace lupine::builder::detail {

namespace {

void read_contents(FieldReader& r, const YamlNode& node, ImageContents& out) {
  r.mapping(node, "contents",
            {
                {"build_repositories", [&](const YamlNode& n) { r.texts(n, out.build_repositories); }},
                {"runtime_repositories", [&](const YamlNode& n) { r.texts(n, out.runtime_repositories); }},
                {"repositories", [&](const YamlNode& n) { r.texts(n, out.repositories); }},
                {"keyring", [&](const YamlNode& n) { r.texts(n, out.keyring); }},
                {"runtime_keyring",
                 [&](const YamlNode& n) {
                   r.list(n, out.runtime_keyring, [&](const YamlNode& item, RuntimeKeyringEntry& entry) {
                     r.mapping(item, "runtime_keyring entry",
                               {
                                   {"name", [&](const YamlNode& m) { r.text(m, entry.name); }},
                                   {"content", [&](const YamlNode& m) { r.text(m, entry.content); }},
                               });
                   });
                 }},
                {"packages", [&](const YamlNode& n) { r.texts(n, out.packages); }},
                {"baseimage",
                 [&](const YamlNode& n) {
                   out.baseimage.set = true;
                   r.mapping(n, "baseimage",
                             {
                                 {"image", [&](const YamlNode& m) { r.text(m, out.baseimage.image); }},
                                 {"apkindex", [&](const YamlNode& m) { r.text(m, out.baseimage.apkindex); }},
                             });
                 }},
            });
}

void read_accounts(FieldReader& r, const YamlNode& node, Accounts& out) {
  auto read_user = [&](const YamlNode& item, User& user) {
    r.mapping(item, "user",
              {
                  {"username", [&](const YamlNode& n) { r.text(n, user.username); }},
                  {"uid", [&](const YamlNode& n) { r.number(n, user.uid); }},
                  {"gid", [&](const YamlNode& n) { r.number(n, user.gid); }},
                  {"shell", [&](const YamlNode& n) { r.text(n, user.shell); }},
                  {"homedir", [&](const YamlNode& n) { r.text(n, user.homedir); }},
              });
  };
  auto read_group = [&](const YamlNode& item, Group& group) {
    r.mapping(item, "group",
              {
                  {"groupname", [&](const YamlNode& n) { r.text(n, group.groupname); }},
                  {"gid", [&](const YamlNode& n) { r.number(n, group.gid); }},
                  {"members", [&](const YamlNode& n) { r.texts(n, group.members); }},
              });
  };
  r.mapping(node, "accounts",
            {
                {"run-as", [&](const YamlNode& n) { r.text(n, out.run_as); }},
                {"users", [&](const YamlNode& n) { r.list(n, out.users, read_user); }},
                {"groups", [&](const YamlNode& n) { r.list(n, out.groups, read_group); }},
            });
}

void read_entrypoint(FieldReader& r, const YamlNode& node, Entrypoint& out) {
  r.mapping(node, "entrypoint",
            {
                {"type", [&](const YamlNode& n) { r.text(n, out.type); }},
                {"command", [&](const YamlNode& n) { r.text(n, out.command); }},
                {"shell-fragment", [&](const YamlNode& n) { r.text(n, out.shell_fragment); }},
                {"services", [&](const YamlNode& n) { r.text_map(n, out.services); }},
            });
}

void read_path_mutation(FieldReader& r, const YamlNode& node, PathMutation& out) {
  r.mapping(node, "path mutation",
            {
                {"path", [&](const YamlNode& n) { r.text(n, out.path); }},
                {"type", [&](const YamlNode& n) { r.text(n, out.type); }},
                {"uid", [&](const YamlNode& n) { r.number(n, out.uid); }},
                {"gid", [&](const YamlNode& n) { r.number(n, out.gid); }},
                {"permissions", [&](const YamlNode& n) { r.number(n, out.permissions); }},
                {"source", [&](const YamlNode& n) { r.text(n, out.source); }},
                {"recursive", [&](const YamlNode& n) { r.flag(n, out.recursive); }},
            });
}

void read_certificates(FieldReader& r, const YamlNode& node, Certificates& out) {
  out.set = true;
  r.mapping(node, "certificates",
            {
                {"additional",
                 [&](const YamlNode& n) {
                   r.list(n, out.additional, [&](const YamlNode& item, CertificateEntry& entry) {
                     r.mapping(item, "certificate",
                               {
                                   {"name", [&](const YamlNode& m) { r.text(m, entry.name); }},
                                   {"content", [&](const YamlNode& m) { r.text(m, entry.content); }},
                               });
                   });
                 }},
                {"providers", [&](const YamlNode& n) { r.texts(n, out.providers); }},
            });
}

}  // namespace

void read_image_configuration(FieldReader& r, const YamlNode& node, ImageConfiguration& out, std::string_view what) {
  out.where = node.where;
  r.mapping(node, what,
            {
                {"contents", [&](const YamlNode& n) { read_contents(r, n, out.contents); }},
                {"entrypoint", [&](const YamlNode& n) { read_entrypoint(r, n, out.entrypoint); }},
                {"cmd", [&](const YamlNode& n) { r.text(n, out.cmd); }},
                {"stop-signal", [&](const YamlNode& n) { r.text(n, out.stop_signal); }},
                {"work-dir", [&](const YamlNode& n) { r.text(n, out.work_dir); }},
                {"accounts", [&](const YamlNode& n) { read_accounts(r, n, out.accounts); }},
                {"archs", [&](const YamlNode& n) { r.texts(n, out.archs); }},
                {"environment", [&](const YamlNode& n) { r.text_map(n, out.environment); }},
                {"paths", [&](const YamlNode& n) { r.list(n, out.paths, [&](const YamlNode& item, PathMutation& p) {
                   read_path_mutation(r, item, p);
                 }); }},
                {"vcs-url", [&](const YamlNode& n) { r.text(n, out.vcs_url); }},
                {"annotations", [&](const YamlNode& n) { r.text_map(n, out.annotations); }},
                {"include", [&](const YamlNode& n) { r.text(n, out.include); }},
                {"volumes", [&](const YamlNode& n) { r.texts(n, out.volumes); }},
                {"layering",
                 [&](const YamlNode& n) {
                   out.layering.set = true;
                   r.mapping(n, "layering",
                             {
                                 {"strategy", [&](const YamlNode& m) { r.text(m, out.layering.strategy); }},
                                 {"budget", [&](const YamlNode& m) { r.number(m, out.layering.budget); }},
                             });
                 }},
                {"format", [&](const YamlNode& n) { r.text(n, out.format); }},
                {"certificates", [&](const YamlNode& n) { read_certificates(r, n, out.certificates); }},
            });
}

}  // namespace lupine::builder::detail
