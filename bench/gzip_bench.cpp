// gzip members: GzipMemberWriter (the data member of `lupine pack`), gzip_member (control and
// signature members) and read_gzip_members, with zlib's own deflate as the baseline.
//
// The input is LUPINE_BENCH_INPUT (a file) if set, else ~64 MiB gathered from this machine: text
// from /usr/include and binaries from /usr/lib, like a package's data tar. For the comparison with
// the programs a user would otherwise run, time `pigz -6 -p2 -c FILE` and `gzip -6 -c FILE` on the
// same file.
#include "apk/gzip.h"
#include "common/fs.h"
#include "common/hash.h"

#include <benchmark/benchmark.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace {

using lupine::apk::GzipMemberWriter;

// Regular files under `root`, in name order, appended until `want` bytes.
void gather(const std::filesystem::path& root, size_t want, std::string& out) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(
           root, std::filesystem::directory_options::skip_permission_denied, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && !it->is_symlink(ec)) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  const size_t limit = out.size() + want;
  for (const auto& file : files) {
    if (out.size() >= limit) break;
    try {
      out += lupine::read_file(file).substr(0, limit - out.size());
    } catch (...) {
    }
  }
}

const std::string& input() {
  static const std::string data = [] {
    if (const char* path = std::getenv("LUPINE_BENCH_INPUT"); path && *path) return lupine::read_file(path);
    std::string out;
    gather("/usr/include", 32 << 20, out);
    gather("/usr/lib/x86_64-linux-gnu", 32 << 20, out);
    if (out.empty()) out.assign(64 << 20, 'x');
    return out;
  }();
  return data;
}

void report(benchmark::State& state, size_t input_size, size_t output_size) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input_size));
  state.counters["ratio"] = static_cast<double>(output_size) / static_cast<double>(input_size);
}

// The data member of `lupine pack`: args are level, threads. Written in 64 KiB pieces.
void BM_GzipMemberWriter(benchmark::State& state) {
  const std::string& data = input();
  const int level = static_cast<int>(state.range(0));
  const unsigned threads = static_cast<unsigned>(state.range(1));
  size_t out_size = 0;
  for (auto _ : state) {
    out_size = 0;
    GzipMemberWriter writer([&](std::string_view bytes) { out_size += bytes.size(); }, level, threads);
    for (size_t at = 0; at < data.size(); at += 65536) writer.write(std::string_view(data).substr(at, 65536));
    writer.finish();
  }
  report(state, data.size(), out_size);
}
BENCHMARK(BM_GzipMemberWriter)
    ->ArgNames({"level", "threads"})
    ->Args({6, 1})->Args({6, 2})->Args({1, 2})->Args({9, 2})
    ->UseRealTime()->Unit(benchmark::kMillisecond);

// As `lupine pack` runs it: SHA-1 of the input (per-file checksums) and SHA-256 of the output
// (datahash) on the caller's thread while the workers compress. Arg: threads.
void BM_GzipMemberWriterWithHashing(benchmark::State& state) {
  const std::string& data = input();
  const unsigned threads = static_cast<unsigned>(state.range(0));
  size_t out_size = 0;
  for (auto _ : state) {
    out_size = 0;
    lupine::Hasher datahash(lupine::HashAlgorithm::sha256);
    GzipMemberWriter writer(
        [&](std::string_view bytes) {
          out_size += bytes.size();
          datahash.update(bytes);
        },
        6, threads);
    for (size_t at = 0; at < data.size(); at += 65536) {
      const std::string_view piece = std::string_view(data).substr(at, 65536);
      benchmark::DoNotOptimize(lupine::sha1(piece));
      writer.write(piece);
    }
    writer.finish();
    benchmark::DoNotOptimize(datahash.finish());
  }
  report(state, data.size(), out_size);
}
BENCHMARK(BM_GzipMemberWriterWithHashing)->ArgName("threads")->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

// Control and signature members: small, one thread. Args: size, level.
void BM_GzipMember(benchmark::State& state) {
  const std::string_view data = std::string_view(input()).substr(0, static_cast<size_t>(state.range(0)));
  size_t out_size = 0;
  for (auto _ : state) out_size = lupine::apk::gzip_member(data, static_cast<int>(state.range(1))).size();
  report(state, data.size(), out_size);
}
BENCHMARK(BM_GzipMember)->ArgNames({"size", "level"})->Args({4096, 9})->Args({65536, 9})->Args({4 << 20, 6});

// Baseline: zlib's deflate at level 6 on one thread, as `gzip -6` (same ratio, same speed class).
void BM_ZlibDeflateBaseline(benchmark::State& state) {
  const std::string& data = input();
  std::string out(compressBound(static_cast<uLong>(data.size())), '\0');
  uLongf out_size = 0;
  for (auto _ : state) {
    out_size = static_cast<uLongf>(out.size());
    compress2(reinterpret_cast<Bytef*>(out.data()), &out_size, reinterpret_cast<const Bytef*>(data.data()),
              static_cast<uLong>(data.size()), 6);
  }
  report(state, data.size(), out_size);
}
BENCHMARK(BM_ZlibDeflateBaseline)->Unit(benchmark::kMillisecond);

// Reading: throughput in decompressed bytes, for a package-like signature + control + data layout.
void BM_ReadGzipMembers(benchmark::State& state) {
  const std::string& data = input();
  const std::string package = lupine::apk::gzip_member(std::string_view(data).substr(0, 1024), 9) +
                              lupine::apk::gzip_member(std::string_view(data).substr(0, 4096), 9) +
                              lupine::apk::gzip_member(data, 6);
  for (auto _ : state) benchmark::DoNotOptimize(lupine::apk::read_gzip_members(package, "bench"));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * (data.size() + 5120)));
}
BENCHMARK(BM_ReadGzipMembers)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
