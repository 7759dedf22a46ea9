// The journal writer: the journal thread drains a dataplane::JournalRing (filled by
// the matching core), writes the records in batches through io_uring, applies the
// fsync policy, and publishes how far the journal is written and how far it is durable.
//
// Guarantees by policy, for a record once the ring's durable_seq() has passed it (match mode
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
#include "tachyon/dataplane/journal_ring.h"

namespace tachyon::controlplane {

class JournalWriter {
 public:
  struct Options {
    std::string path;
    uint64_t config_hash = 0;
    uint64_t created_ns = 0;
    FsyncPolicy fsync = FsyncPolicy::kIntervalMs;
    uint32_t interval_ms = 10;
    bool append = false;         // continue an existing, verified journal instead of creating one
    uint64_t append_offset = 0;  // with append: the byte offset after the last valid record
  };

  // Creates (or, with append, opens and cuts at append_offset) the journal and starts
  // the journal thread, which drains ring. ring must outlive the writer; its next
  // sequence number must follow the journal's last valid record. Throws
  // std::system_error naming the file and the call on failure. Control path.
  JournalWriter(const Options& opt, dataplane::JournalRing& ring);
  // Writes everything appended and published, fsyncs (unless the policy is none), and
  // stops the thread.
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  uint64_t bytes_written() const noexcept { return offset_.load(std::memory_order_acquire); }
  uint64_t batches() const noexcept { return batches_.load(std::memory_order_acquire); }
  uint64_t fsyncs() const noexcept { return fsyncs_.load(std::memory_order_acquire); }
  // The sequence number of the last record a completed fsync covers (records before
  // this run count as synced). Under every_batch the ring's durable_seq() never passes
  // it; under interval_ms it catches up within the interval; under none it stays put.
  uint64_t synced_seq() const noexcept { return synced_.load(std::memory_order_acquire); }
  // The first I/O error of the journal thread (empty when none). After an error the
  // journal stops advancing (the ring reports failed()): nothing more is acknowledged.
  std::string error() const;

 private:
  void run();

  Options opt_;
  dataplane::JournalRing& ring_;
  int fd_ = -1;
  std::atomic<uint64_t> offset_{0};
  std::atomic<uint64_t> batches_{0};
  std::atomic<uint64_t> fsyncs_{0};
  std::atomic<uint64_t> synced_{0};
  std::atomic<bool> stop_{false};
  std::string error_;
  std::thread thread_;
};

}  // namespace tachyon::controlplane
