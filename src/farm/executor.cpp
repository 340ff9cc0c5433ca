#include "farm/executor.h"

namespace lupine::farm {

const char* job_state_name(JobState state) {
  switch (state) {
    case JobState::queued: return "queued";
    case JobState::running: return "running";
    case JobState::succeeded: return "succeeded";
    case JobState::failed: return "failed";
    case JobState::blocked: return "blocked";
    case JobState::cancelled: return "cancelled";
  }
  return "unknown";
}

}  // namespace lupine::farm
