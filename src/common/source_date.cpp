#include "common/source_date.h"

#include "common/error.h"

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace lupine {

std::optional<int64_t> source_date_epoch() {
  const char* value = std::getenv("SOURCE_DATE_EPOCH");
  if (!value || !*value) return std::nullopt;
  int64_t epoch = 0;
  const char* end = value + std::strlen(value);
  auto [ptr, error] = std::from_chars(value, end, epoch);
  if (error != std::errc() || ptr != end || epoch < 0)
    fail("SOURCE_DATE_EPOCH must be a non-negative integer (seconds since 1970), got '{}'", value);
  return epoch;
}

int64_t source_date_epoch_or_zero() { return source_date_epoch().value_or(0); }

}  // namespace lupine
