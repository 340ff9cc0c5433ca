// lupine version compare|check|test: APK version ordering from the command line, as apk-tools'
// `apk version -t/-c` and the relations of its test/unit/version.data.
#include "apk/version.h"
#include "cli/command.h"

#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace lupine::cli {

namespace {

struct VersionArguments {
  std::string a, op, b;
  std::vector<std::string> versions;
};

std::string relation_symbol(int result) {
  if (result == apk::LESS) return "<";
  if (result == apk::GREATER) return ">";
  return "=";
}

void compare(const VersionArguments& args) {
  fmt::print("{}\n", relation_symbol(apk::version_compare(args.a, args.b)));
}

void check(const VersionArguments& args) {
  bool all_valid = true;
  for (const auto& version : args.versions) {
    if (apk::version_valid(version)) continue;
    fmt::print(stderr, "lupine: invalid version: {}\n", version);
    all_valid = false;
  }
  if (!all_valid) throw Exit{1};
}

void test(const VersionArguments& args) {
  auto op = apk::parse_version_op(args.op);
  // "><" is an identity (checksum) operator, not a relation between versions.
  if (!op || (*op & ~apk::CONFLICT) == apk::CHECKSUM) {
    fmt::print(stderr,
               "lupine: error: unknown version operator '{}' (expected <, <=, =, >=, >, ~, <~ or >~, "
               "optionally prefixed by !)\n",
               args.op);
    throw Exit{2};
  }
  if (!apk::version_match(args.a, *op, args.b)) throw Exit{1};
}

void setup(Command& parent) {
  auto args = std::make_shared<VersionArguments>();
  auto* version = parent.add_subcommand("version", "Compare, validate and test APK package versions");
  version->require_subcommand(1);

  auto* compare_command = version->add_subcommand("compare", "Print <, = or > for how A relates to B");
  compare_command->add_option("A", args->a, "First version")->required();
  compare_command->add_option("B", args->b, "Second version")->required();
  compare_command->callback([args] { compare(*args); });

  auto* check_command = version->add_subcommand("check", "Exit 1 if any version is not valid");
  check_command->add_option("VERSION", args->versions, "Versions to validate")->required();
  check_command->callback([args] { check(*args); });

  auto* test_command = version->add_subcommand(
      "test", "Exit 0 if A OP B holds, 1 if not (OP: <, <=, =, >=, >, ~, <~, >~, optionally !-prefixed)");
  test_command->add_option("A", args->a, "First version")->required();
  test_command->add_option("OP", args->op, "Operator")->required();
  test_command->add_option("B", args->b, "Second version")->required();
  test_command->callback([args] { test(*args); });
}

LUPINE_COMMAND(90, setup);

}  // namespace

}  // namespace lupine::cli
