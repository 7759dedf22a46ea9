// The data plane's side of the journal: the matching core encodes records into an
// SPSC ring of slots; the control plane's journal thread (controlplane/journal_writer.h)
// writes them and publishes how far the journal is written and durable. The producer
// methods belong to the core; written/durable are set by the journal thread, released
// by the core (how far the datagrams held for durability have left).
#pragma once

#include <atomic>
#include <cstdint>
#include <span>

#include "tachyon/book/cache_line.h"
#include "tachyon/dataplane/cpu_relax.h"
#include "tachyon/dataplane/journal_record.h"
#include "tachyon/dataplane/spsc_ring.h"

namespace tachyon::dataplane {

class JournalRing {
 public:
  // One ring slot: a whole encoded record (an input message, or an outbound datagram
  // of up to one Ethernet MTU).
  struct alignas(kCacheLine) Slot {
    static constexpr std::size_t kBytes = 1536;
    uint8_t bytes[kBytes];
  };

  // next_seq: the sequence number of the next record (1 for a new journal).
  JournalRing(std::size_t slots, uint64_t next_seq) : ring_(slots), next_seq_(next_seq) {
    written_.value.store(next_seq - 1, std::memory_order_relaxed);
    durable_.value.store(next_seq - 1, std::memory_order_relaxed);
  }

  // --- producer (the matching core) ----------------------------------------------------

  // Appends a record (prefix then payload) and returns its sequence number, or 0 when
  // it does not fit a slot. Waits while the ring is full: the journal is the
  // durability guarantee, so records are never dropped. Hot path.
  uint64_t append(journal::RecordType type, uint32_t stream, std::span<const uint8_t> prefix,
                  std::span<const uint8_t> payload) noexcept {
    if (journal::record_size(static_cast<uint32_t>(prefix.size() + payload.size())) > Slot::kBytes) return 0;
    std::span<Slot> s = ring_.claim(1);
    while (s.empty()) {
      ++full_waits_;
      ring_.publish();
      cpu_relax();
      s = ring_.claim(1);
    }
    const uint64_t seq = next_seq_++;
    journal::encode_record(std::span<uint8_t>(s[0].bytes, Slot::kBytes), seq, type, stream, prefix, payload);
    ring_.commit(1);
    return seq;
  }
  // Makes appended records visible to the journal thread. Hot path.
  void publish() noexcept { ring_.publish(); }
  // Waits until every appended record is durable, or the journal failed.
  void sync() noexcept {
    ring_.publish();
    const uint64_t want = next_seq_ - 1;
    while (durable_seq() < want && !failed()) cpu_relax();
  }
  uint64_t last_appended() const noexcept { return next_seq_ - 1; }
  uint64_t full_waits() const noexcept { return full_waits_; }
  // Records that the datagram journaled as seq has left the appliance (match mode sends
  // it only once durable_seq() >= seq). Sequence numbers only grow. Hot path: one store.
  void note_released(uint64_t seq) noexcept { released_.value.store(seq, std::memory_order_release); }

  // --- both sides -------------------------------------------------------------------
  uint64_t written_seq() const noexcept { return written_.value.load(std::memory_order_acquire); }
  uint64_t durable_seq() const noexcept { return durable_.value.load(std::memory_order_acquire); }
  bool failed() const noexcept { return failed_.value.load(std::memory_order_acquire) != 0; }
  // The sequence number of the last datagram that left (0: none yet). Never above
  // durable_seq(): a probe for tests and metrics.
  uint64_t released_seq() const noexcept { return released_.value.load(std::memory_order_acquire); }

  // --- consumer (the journal thread) -----------------------------------------------
  std::span<const Slot> peek(std::size_t max) noexcept { return ring_.peek(max); }
  void release(std::size_t n) noexcept { ring_.release(n); }
  void set_written(uint64_t seq) noexcept { written_.value.store(seq, std::memory_order_release); }
  void set_durable(uint64_t seq) noexcept { durable_.value.store(seq, std::memory_order_release); }
  void set_failed() noexcept { failed_.value.store(1, std::memory_order_release); }

 private:
  struct alignas(kCacheLine) Counter {
    std::atomic<uint64_t> value{0};
  };
  SpscRing<Slot> ring_;
  uint64_t next_seq_;     // producer only
  uint64_t full_waits_ = 0;
  Counter written_;
  Counter durable_;
  Counter failed_;
  Counter released_;  // written by the core only
};

}  // namespace tachyon::dataplane
