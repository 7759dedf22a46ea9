// JournalWriter: the journal thread drains the ring into a batch buffer and writes it
// with io_uring (a linked fsync when the policy asks for one).
#include "tachyon/controlplane/journal_writer.h"

#include <fcntl.h>
#include <liburing.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>
#include <vector>

#include "tachyon/dataplane/cpu_relax.h"

namespace tachyon::controlplane {

namespace journal = dataplane::journal;

namespace {

[[noreturn]] void fail(const std::string& path, const char* call, int err) {
  throw std::system_error(err, std::generic_category(), path + ": " + call);
}

uint64_t now_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

}  // namespace

JournalWriter::JournalWriter(const Options& opt, dataplane::JournalRing& ring) : opt_(opt), ring_(ring) {
  const int flags = O_WRONLY | O_CLOEXEC | (opt.append ? 0 : O_CREAT | O_TRUNC);
  fd_ = ::open(opt.path.c_str(), flags, 0644);
  if (fd_ < 0) fail(opt.path, opt.append ? "open" : "open(O_CREAT)", errno);
  uint64_t offset = opt.append_offset;
  if (!opt.append) {
    journal::FileHeader h{};
    std::memcpy(h.magic, journal::kMagic, sizeof h.magic);
    h.version = journal::kVersion;
    h.header_size = sizeof h;
    h.config_hash = opt.config_hash;
    h.created_ns = opt.created_ns;
    h.first_seq = 1;
    if (::pwrite(fd_, &h, sizeof h, 0) != static_cast<ssize_t>(sizeof h)) {
      const int e = errno;
      ::close(fd_);
      fail(opt.path, "pwrite(header)", e);
    }
    if (::fsync(fd_) != 0) {
      const int e = errno;
      ::close(fd_);
      fail(opt.path, "fsync", e);
    }
    offset = sizeof h;
  } else {
    // Cut a torn tail the reader found, so new records follow the last valid one, and
    // make the cut durable before anything follows it.
    const char* call = ::ftruncate(fd_, static_cast<off_t>(offset)) != 0 ? "ftruncate"
                       : ::fsync(fd_) != 0                                 ? "fsync"
                                                                           : nullptr;
    if (call != nullptr) {
      const int e = errno;
      ::close(fd_);
      fail(opt.path, call, e);
    }
  }
  // Everything before this run is on disk (header fsynced, or the journal cut and fsynced).
  synced_.store(ring.written_seq(), std::memory_order_release);
  offset_.store(offset, std::memory_order_release);
  thread_ = std::thread([this] { run(); });
}

JournalWriter::~JournalWriter() {
  stop_.store(true, std::memory_order_release);
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) ::close(fd_);
}

std::string JournalWriter::error() const {
  if (!ring_.failed()) return {};
  return error_;
}

void JournalWriter::run() {
  io_uring ring;
  if (const int rc = io_uring_queue_init(8, &ring, 0); rc < 0) {
    error_ = opt_.path + ": io_uring_queue_init: " + std::strerror(-rc);
    ring_.set_failed();
    return;
  }
  std::vector<uint8_t> batch(1 << 20);
  uint64_t offset = offset_.load(std::memory_order_acquire);
  uint64_t last_fsync = now_ns();
  uint64_t written_seq = ring_.written_seq();
  bool dirty = false;  // written but not yet fsynced
  auto submit = [&](std::size_t len, bool with_fsync) -> bool {
    int expected = 0;
    if (len > 0) {
      io_uring_sqe* sqe = io_uring_get_sqe(&ring);
      io_uring_prep_write(sqe, fd_, batch.data(), static_cast<unsigned>(len), offset);
      if (with_fsync) sqe->flags |= IOSQE_IO_LINK;
      ++expected;
    }
    if (with_fsync) {
      io_uring_sqe* sqe = io_uring_get_sqe(&ring);
      io_uring_prep_fsync(sqe, fd_, IORING_FSYNC_DATASYNC);
      ++expected;
    }
    if (expected == 0) return true;
    // A signal (SIGINT/SIGTERM asking for a clean stop) may interrupt a wait: wait again,
    // or the journal would fail just as the engine shuts down.
    int rc;
    do rc = io_uring_submit_and_wait(&ring, expected);
    while (rc == -EINTR);
    if (rc < 0) {
      error_ = opt_.path + ": io_uring_submit_and_wait: " + std::strerror(-rc);
      return false;
    }
    for (int i = 0; i < expected; ++i) {
      io_uring_cqe* cqe = nullptr;
      do rc = io_uring_wait_cqe(&ring, &cqe);
      while (rc == -EINTR);
      if (rc < 0) {
        error_ = opt_.path + ": io_uring_wait_cqe: " + std::strerror(-rc);
        return false;
      }
      const int res = cqe->res;
      io_uring_cqe_seen(&ring, cqe);
      if (res < 0) {
        error_ = opt_.path + (len > 0 && i == 0 ? ": write at offset " + std::to_string(offset) : ": fsync") + ": " +
                 std::strerror(-res);
        return false;
      }
      if (len > 0 && i == 0 && static_cast<std::size_t>(res) != len) {
        error_ = opt_.path + ": short write at offset " + std::to_string(offset) + " (" + std::to_string(res) + " of " +
                 std::to_string(len) + " bytes)";
        return false;
      }
    }
    if (with_fsync) fsyncs_.fetch_add(1, std::memory_order_relaxed);
    return true;
  };

  for (;;) {
    const bool stopping = stop_.load(std::memory_order_acquire);
    std::size_t len = 0;
    uint64_t batch_last = written_seq;
    for (auto s = ring_.peek(256); !s.empty(); s = ring_.peek(256)) {
      std::size_t taken = 0;
      for (const dataplane::JournalRing::Slot& slot : s) {
        journal::RecordHeader h;
        std::memcpy(&h, slot.bytes, sizeof h);
        const std::size_t size = journal::record_size(h.length);
        if (len + size > batch.size()) break;
        std::memcpy(batch.data() + len, slot.bytes, size);
        len += size;
        batch_last = h.seq;
        ++taken;
      }
      ring_.release(taken);
      if (taken < s.size()) break;  // the batch buffer is full
    }
    const uint64_t now = now_ns();
    const bool fsync_now =
        (opt_.fsync == FsyncPolicy::kEveryBatch && len > 0) ||
        (opt_.fsync == FsyncPolicy::kIntervalMs && (dirty || len > 0) &&
         now - last_fsync >= uint64_t{opt_.interval_ms} * 1'000'000) ||
        (stopping && (dirty || len > 0) && opt_.fsync != FsyncPolicy::kNone);
    if (len > 0 || fsync_now) {
      if (!submit(len, fsync_now)) {
        ring_.set_failed();
        break;
      }
      if (len > 0) {
        offset += len;
        written_seq = batch_last;
        offset_.store(offset, std::memory_order_release);
        ring_.set_written(written_seq);
        batches_.fetch_add(1, std::memory_order_relaxed);
        dirty = true;
      }
      if (fsync_now) {
        last_fsync = now;
        dirty = false;
        synced_.store(written_seq, std::memory_order_release);  // before durable moves past it
      }
      // every_batch: durable means fsynced; otherwise written to the page cache.
      if (opt_.fsync != FsyncPolicy::kEveryBatch || !dirty) ring_.set_durable(written_seq);
      continue;
    }
    if (stopping) break;
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  io_uring_queue_exit(&ring);
}

}  // namespace tachyon::controlplane
