// SOURCE_DATE_EPOCH (reproducible-builds.org): the one timestamp written into packages,
// indexes and images.
#pragma once

#include <cstdint>
#include <optional>

namespace lupine {

// The value of SOURCE_DATE_EPOCH, nullopt when unset; an error when set but not a non-negative integer.
std::optional<int64_t> source_date_epoch();

// SOURCE_DATE_EPOCH, or 0 when unset: never the wall clock unless asked for.
int64_t source_date_epoch_or_zero();

}  // namespace lupine
