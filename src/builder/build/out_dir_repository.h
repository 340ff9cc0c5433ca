// A build's own --out-dir among its repositories before anything is built there.
//
// melange users pass the out-dir as a repository from their first build on (`melange build
// x.yaml --repository-append packages --out-dir packages`, as Wolfi's Makefile does), so that each
// build sees the packages built before it. Until one is, the directory has no
// <arch>/APKINDEX.tar.gz; apk-tools only warns about such a repository. lupine leaves that one
// repository out and says so; any other repository without an index stays an error.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace lupine::builder {

// `repositories` without the lines that name `out_dir` (as a path or file:// URL, compared
// canonically) while `out_dir`/`arch`/APKINDEX.tar.gz does not exist; `log` is told of each.
std::vector<std::string> without_unbuilt_out_dir(const std::vector<std::string>& repositories,
                                                 const std::filesystem::path& out_dir, const std::string& arch,
                                                 const std::function<void(const std::string&)>& log);

}  // namespace lupine::builder
