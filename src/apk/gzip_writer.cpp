// GzipMemberWriter and gzip_member: one gzip member whose deflate body is made of independently
// compressed chunks of gzip_chunk_size input bytes (see gzip_chunk.h), compressed on worker threads
// and written in input order. Chunk boundaries depend only on input offsets, and each chunk's
// bytes only on its input and the level, so the output is the same for any thread count and any
// split of the input into write() calls.
#include "apk/gzip.h"

#include "apk/gzip_chunk.h"
#include "common/error.h"

#include <libdeflate.h>
#include <zlib.h>

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace lupine::apk {

namespace {

struct Chunk {
  std::string input;
  bool final = false;
  // Results, written by the thread that compresses the chunk; read once `done` (under the lock).
  std::string output;
  uint32_t crc = 0;
  std::exception_ptr error;
  bool done = false;
};

void compress_chunk(detail::ChunkDeflater& deflater, Chunk& chunk) {
  deflater.deflate(chunk.input, chunk.final, chunk.output);
  chunk.crc = static_cast<uint32_t>(libdeflate_crc32(0, chunk.input.data(), chunk.input.size()));
}

}  // namespace

struct GzipMemberWriter::Impl {
  enum class State { open, finished, failed };

  Impl(Sink sink, int level, unsigned threads)
      : sink(std::move(sink)), level(level), threads(threads == 0 ? 1 : threads) {
    detail::check_gzip_level(level);
  }

  ~Impl() { stop_workers(); }

  void write(std::string_view data);
  void finish();

  // A chunk is handed over only once it is known whether it is the last one: a full chunk waits
  // in `pending` until more input arrives (then it is not last) or finish() is called.
  void submit(std::string input, bool final);
  void compress_inline(Chunk& chunk);
  bool emit_front(bool wait);
  void emit(Chunk& chunk);
  std::string spare_buffer();
  void recycle(std::string buffer);
  void start_workers();
  void stop_workers();
  void worker_loop();
  size_t max_in_flight() const { return 2 * size_t{threads}; }

  Sink sink;
  const int level;
  const unsigned threads;
  State state = State::open;
  std::string pending;
  bool header_written = false;
  uint32_t crc = 0;    // CRC-32 of the input emitted so far
  uint64_t size = 0;   // bytes of input emitted so far
  std::optional<detail::ChunkDeflater> inline_deflater;  // for work done on the caller's thread
  std::vector<std::string> spares;                        // chunk-sized buffers for reuse

  // The worker pool: started with the first chunk that is not the last one.
  std::mutex mutex;
  std::condition_variable work_available;
  std::condition_variable chunk_done;
  std::deque<Chunk*> queue;                     // submitted, not yet taken by a worker
  std::deque<std::unique_ptr<Chunk>> in_flight; // submitted, not yet emitted, in input order
  bool stopping = false;
  std::vector<std::thread> workers;
};

void GzipMemberWriter::Impl::write(std::string_view data) {
  if (state != State::open) fail("gzip writer: write() after finish() or after an error");
  state = State::failed;  // until this call returns normally
  while (!data.empty()) {
    if (pending.size() == gzip_chunk_size) {
      std::string next = spare_buffer();
      submit(std::exchange(pending, std::move(next)), false);
    }
    if (pending.capacity() < gzip_chunk_size) pending.reserve(gzip_chunk_size);
    const size_t take = std::min(gzip_chunk_size - pending.size(), data.size());
    pending.append(data.data(), take);
    data.remove_prefix(take);
  }
  state = State::open;
}

void GzipMemberWriter::Impl::finish() {
  if (state != State::open) fail("gzip writer: finish() called twice or after an error");
  state = State::failed;
  submit(std::move(pending), true);
  while (!in_flight.empty()) emit_front(true);
  stop_workers();
  sink(detail::gzip_trailer(crc, size));
  state = State::finished;
}

void GzipMemberWriter::Impl::submit(std::string input, bool final) {
  auto chunk = std::make_unique<Chunk>();
  chunk->input = std::move(input);
  chunk->final = final;
  chunk->output = spare_buffer();
  // No thread for a single-chunk member, nor when asked for one thread.
  if (threads == 1 || (final && workers.empty())) {
    compress_inline(*chunk);
    emit(*chunk);
    return;
  }
  if (workers.empty()) start_workers();
  while (in_flight.size() >= max_in_flight()) emit_front(true);
  {
    std::lock_guard lock(mutex);
    queue.push_back(chunk.get());
    in_flight.push_back(std::move(chunk));
  }
  work_available.notify_one();
  while (!in_flight.empty() && emit_front(false)) {
  }
}

void GzipMemberWriter::Impl::compress_inline(Chunk& chunk) {
  if (!inline_deflater) inline_deflater.emplace(level);
  compress_chunk(*inline_deflater, chunk);
}

// Emits the oldest chunk in flight if it is done (waiting for it when `wait`); returns whether it did.
bool GzipMemberWriter::Impl::emit_front(bool wait) {
  Chunk* front = in_flight.front().get();
  {
    std::unique_lock lock(mutex);
    if (!front->done) {
      if (!wait) return false;
      chunk_done.wait(lock, [front] { return front->done; });
    }
  }
  std::unique_ptr<Chunk> chunk = std::move(in_flight.front());
  in_flight.pop_front();
  if (chunk->error) std::rethrow_exception(chunk->error);
  emit(*chunk);
  return true;
}

void GzipMemberWriter::Impl::emit(Chunk& chunk) {
  if (!header_written) {
    sink(detail::gzip_header(level));
    header_written = true;
  }
  // Chunk CRCs are computed independently; crc32_combine joins them as if computed in one pass.
  crc = static_cast<uint32_t>(crc32_combine(crc, chunk.crc, static_cast<z_off_t>(chunk.input.size())));
  size += chunk.input.size();
  sink(chunk.output);
  recycle(std::move(chunk.input));
  recycle(std::move(chunk.output));
}

std::string GzipMemberWriter::Impl::spare_buffer() {
  if (spares.empty()) return {};
  std::string buffer = std::move(spares.back());
  spares.pop_back();
  return buffer;
}

void GzipMemberWriter::Impl::recycle(std::string buffer) {
  // Inputs and outputs of the chunks in flight, plus the pending chunk.
  if (spares.size() < 2 * max_in_flight() + 2) {
    buffer.clear();
    spares.push_back(std::move(buffer));
  }
}

void GzipMemberWriter::Impl::start_workers() {
  workers.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) workers.emplace_back([this] { worker_loop(); });
}

void GzipMemberWriter::Impl::stop_workers() {
  {
    std::lock_guard lock(mutex);
    stopping = true;
  }
  work_available.notify_all();
  for (std::thread& worker : workers) worker.join();
  workers.clear();
}

void GzipMemberWriter::Impl::worker_loop() {
  std::optional<detail::ChunkDeflater> deflater;
  for (;;) {
    Chunk* chunk = nullptr;
    {
      std::unique_lock lock(mutex);
      work_available.wait(lock, [this] { return stopping || !queue.empty(); });
      if (stopping) return;  // finish() drains the queue first; otherwise the writer is abandoned
      chunk = queue.front();
      queue.pop_front();
    }
    try {
      if (!deflater) deflater.emplace(level);
      compress_chunk(*deflater, *chunk);
    } catch (...) {
      chunk->error = std::current_exception();
    }
    {
      std::lock_guard lock(mutex);
      chunk->done = true;
    }
    chunk_done.notify_one();  // only the caller's thread waits on it
  }
}

GzipMemberWriter::GzipMemberWriter(Sink sink, int level, unsigned threads)
    : impl_(std::make_unique<Impl>(std::move(sink), level, threads)) {}

GzipMemberWriter::~GzipMemberWriter() = default;

void GzipMemberWriter::write(std::string_view data) { impl_->write(data); }

void GzipMemberWriter::finish() { impl_->finish(); }

std::string gzip_member(std::string_view data, int level) {
  if (data.size() <= gzip_chunk_size) {
    // One chunk: the bytes GzipMemberWriter writes for it, without its copy of the input into a
    // chunk buffer (`lupine index` compresses the whole index on every run).
    detail::check_gzip_level(level);
    detail::ChunkDeflater deflater(level);
    std::string body;
    deflater.deflate(data, /*final=*/true, body);
    std::string out = detail::gzip_header(level);
    out.reserve(out.size() + body.size() + 8);
    out += body;
    out += detail::gzip_trailer(static_cast<uint32_t>(libdeflate_crc32(0, data.data(), data.size())), data.size());
    return out;
  }
  std::string out;
  GzipMemberWriter writer([&out](std::string_view bytes) { out.append(bytes); }, level, 1);
  writer.write(data);
  writer.finish();
  return out;
}

}  // namespace lupine::apk
