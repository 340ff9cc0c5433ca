// An index's freshness, TUF's timestamp rule in an APK repository: every publish gives the index a
// version one higher than the last, and an expiry time; a client that has seen version N of a
// repository refuses an older one (a rollback: a mirror serving yesterday's index) and one past its
// expiry (a freeze: a mirror serving the same index forever).
//
// Where it lives: at the end of the index's DESCRIPTION, "[lupine-index 42 expires
// 2026-12-14T17:00:00Z]". DESCRIPTION is inside the signed index member, so the signature covers
// it; apk-tools only shows it (`apk update` prints it) and apko accepts it, where either would
// refuse or mis-read an unknown tar member or APKINDEX stanza (reference/apk.md §2.1–2.2).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lupine::index {

struct IndexFreshness {
  uint64_t version = 0;
  int64_t expires = 0;  // Unix seconds
  bool operator==(const IndexFreshness&) const = default;
};

// The mark at the end of `description`, nullopt when there is none.
std::optional<IndexFreshness> parse_freshness(std::string_view description);
// `description` without its mark (and the space before it).
std::string strip_freshness(std::string_view description);
// `description` (any old mark removed) with `freshness` appended. Throws when the result exceeds
// DESCRIPTION's 160 bytes, naming how many the description may have.
std::string with_freshness(std::string_view description, const IndexFreshness& freshness);

// The freshness of the index file at `path`, nullopt when it has none or cannot be read.
std::optional<IndexFreshness> read_index_freshness(const std::filesystem::path& path);

// The client's side: `<state_dir>/index-versions` remembers, per repository and arch, the highest
// version seen (a line "<version> <expires> <repository>/<arch>"). The first index of a repository
// is trusted as it is (trust on first use: nothing was seen to compare it with). Afterwards:
//  - an index with a lower version than seen is a rollback; one without a version where one was
//    seen, too (the mark cannot be stripped without the signature failing, but an index from
//    before the repository had versions can be replayed);
//  - an index past its expiry is a freeze;
// each an Error naming the repository, both versions or the expiry date and `now` — unless
// `allow_stale`, when it is a warning. The state is updated under a lock, written atomically.
struct FreshnessCheck {
  std::filesystem::path state_dir;  // the cache directory; empty: nothing is checked
  bool allow_stale = false;
  int64_t now = 0;  // 0 = the real clock
};
// Returns warnings (trust on first use, a stale index allowed); throws Error as above.
std::vector<std::string> check_index_freshness(const std::string& repository, const std::string& arch,
                                               std::string_view description, const FreshnessCheck& check);

}  // namespace lupine::index
