// The journal writer: data-plane cores append records to an SPSC ring; a journal thread
// writes them in batches through io_uring and applies the fsync policy, publishing how
// far the journal is written and how far it is durable. One producer thread (the core)
// and the journal thread; append() is the hot path.
//
// Guarantees by policy, for a record once durable_seq() has passed it (match mode
// acknowledges an order only then):
//   none         the record is in the kernel's page cache: it survives a crash of the
//                appliance (even SIGKILL), not a power loss or kernel crash.
//   interval_ms  as none, and an fsync runs every interval while records arrive: a
//                power loss loses at most the last interval (plus one batch).
//   every_batch  durable_seq() moves only after the batch's fsync: an acknowledged
//                record survives a power loss.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <thread>

#include "tachyon/book/cache_line.h"
#include "tachyon/controlplane/config.h"
#include "tachyon/dataplane/journal_record.h"
#include "tachyon/dataplane/spsc_ring.h"

namespace tachyon::controlplane {

class JournalWriter {
 public:
  // One ring slot: a whole encoded record.
  struct alignas(kCacheLine) Slot {
    static constexpr std::size_t kBytes = 192;
    uint8_t bytes[kBytes];
  };

  struct Options {
    std::string path;
    uint64_t config_hash = 0;
    uint64_t created_ns = 0;
    FsyncPolicy fsync = FsyncPolicy::kIntervalMs;
    uint32_t interval_ms = 10;
    std::size_t ring_slots = 1 << 14;
    bool append = false;   // continue an existing, verified journal instead of creating one
    uint64_t next_seq = 1; // with append: the sequence number after the last valid record
    uint64_t append_offset = 0;  // with append: the byte offset after the last valid record
  };

  // Creates (or, with append, opens) the journal and starts the journal thread. Throws
  // std::system_error naming the file and the call on failure. Control path.
  explicit JournalWriter(const Options& opt);
  // Flushes everything appended, fsyncs, and stops the thread.
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  // Appends a record (prefix then payload) and returns its sequence number, or 0 when
  // it does not fit one slot. Waits (spins) while the ring is full: the journal is the
  // durability guarantee, so records are never dropped. Producer thread; hot path.
  uint64_t append(dataplane::journal::RecordType type, uint32_t stream, std::span<const uint8_t> prefix,
                  std::span<const uint8_t> payload) noexcept;
  // Makes appended records visible to the journal thread. Producer thread; hot path.
  void publish() noexcept { ring_.publish(); }

  // Highest sequence number written to the file / durable under the policy.
  uint64_t written_seq() const noexcept { return written_.value.load(std::memory_order_acquire); }
  uint64_t durable_seq() const noexcept { return durable_.value.load(std::memory_order_acquire); }
  uint64_t last_appended() const noexcept { return next_seq_ - 1; }
  // Blocks until every appended record is durable. Producer thread; not the hot path.
  void sync() noexcept;

  uint64_t bytes_written() const noexcept { return offset_.load(std::memory_order_acquire); }
  uint64_t batches() const noexcept { return batches_.load(std::memory_order_acquire); }
  uint64_t fsyncs() const noexcept { return fsyncs_.load(std::memory_order_acquire); }
  // The first I/O error of the journal thread (empty when none). After an error the
  // journal stops advancing: durable_seq() stays put, so nothing more is acknowledged.
  std::string error() const;

 private:
  struct alignas(kCacheLine) Counter {
    std::atomic<uint64_t> value{0};
  };

  void run();

  Options opt_;
  int fd_ = -1;
  dataplane::SpscRing<Slot> ring_;
  uint64_t next_seq_;
  Counter written_;
  Counter durable_;
  std::atomic<uint64_t> offset_{0};
  std::atomic<uint64_t> batches_{0};
  std::atomic<uint64_t> fsyncs_{0};
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  std::string error_;
  std::thread thread_;
};

}  // namespace tachyon::controlplane
