// Running independent pieces of work on several threads.
#pragma once

#include <cstddef>
#include <functional>

namespace lupine {

// Calls `work(i)` for every i in [0, count), each once, on up to `threads` threads (0: one per
// core), the calling thread being one of them; returns when all calls have returned. Threads take
// the next index as they finish one, so uneven pieces balance out. `work` must not throw: callers
// keep each piece's result or error in their own slot.
void parallel_for(size_t count, unsigned threads, const std::function<void(size_t)>& work);

}  // namespace lupine
