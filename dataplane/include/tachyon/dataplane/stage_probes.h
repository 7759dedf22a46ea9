// Named per-stage latency probes of one data-plane core, double-buffered so that the
// control plane can take snapshots while the core keeps recording.
// The core (one thread) calls record() and poll(); one reader thread calls
// request_snapshot() / try_collect(). No lock is shared: the two sides meet through two
// atomic counters on their own cache lines. No allocation after construction.
//
// Protocol: the core records into the active half. A reader asks for a snapshot by
// bumping requested_; at its next poll() (a burst boundary) the core switches halves and
// echoes the request in served_. The reader then owns the retired half alone: it merges
// it into its running totals, clears it and only then may ask again, so the core never
// writes a half the reader is reading. Recording stays plain increments; poll() is one
// load of a line the reader writes about ten times a second.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "tachyon/book/cache_line.h"
#include "tachyon/dataplane/latency_histogram.h"

namespace tachyon::dataplane {

// The measured stages. Times run between four stamps of each message: rx (its packet
// is in hand), decode (the message is framed and decoded), book (the book operation is
// done) and tx (the packet's output is handed on). The per-operation stages hold the
// decode->book time of each book operation by kind.
enum class Stage : uint8_t {
  kRxDecode = 0,
  kDecodeBook,
  kBookTx,
  kWireToWire,
  kAdd,
  kCancel,
  kModify,
  kMatch,
};
inline constexpr std::size_t kStageCount = 8;

// Returns the stage's stable name: rx_decode, decode_book, book_tx, wire_to_wire, add,
// cancel, modify, match. Used as JSON keys, CSV values and Prometheus labels.
std::string_view stage_name(Stage s) noexcept;
// Returns the stage named name, if any.
std::optional<Stage> stage_from_name(std::string_view name) noexcept;

// One histogram per stage (about 1.8 MB: allocate it on the heap). Not thread-safe.
struct StageHistograms {
  std::array<LatencyHistogram, kStageCount> by_stage;

  LatencyHistogram& operator[](Stage s) noexcept { return by_stage[static_cast<std::size_t>(s)]; }
  const LatencyHistogram& operator[](Stage s) const noexcept { return by_stage[static_cast<std::size_t>(s)]; }
  // Adds every count of other. O(stages x buckets).
  void merge(const StageHistograms& other) noexcept;
  void reset() noexcept;
};

class StageProbes {
 public:
  // Allocates both halves. Control path.
  StageProbes();
  StageProbes(const StageProbes&) = delete;
  StageProbes& operator=(const StageProbes&) = delete;

  // --- core side -------------------------------------------------------------------

  // Records ns in stage s of the active half. Hot path: a few ns.
  void record(Stage s, uint64_t ns) noexcept { (*core_.active)[s].record(ns); }

  // Serves a pending snapshot request by switching halves. Call at burst boundaries.
  // Hot path: one relaxed load when no request is pending.
  void poll() noexcept {
    const uint64_t r = requested_.value.load(std::memory_order_acquire);
    if (r != core_.served) [[unlikely]] flip(r);
  }

  // --- reader side (one thread) ----------------------------------------------------

  // Asks the core for the histograms recorded since the last snapshot. Returns false
  // when an earlier request is still unanswered (it stays pending).
  bool request_snapshot() noexcept;
  // When the core has answered the last request, adds the retired half into totals,
  // clears it and returns true; otherwise returns false at once. O(stages x buckets).
  bool try_collect(StageHistograms& totals) noexcept;

  // --- after the core has stopped (any thread, with the core joined) ---------------

  // Adds both halves into totals and clears them.
  void drain(StageHistograms& totals) noexcept;

 private:
  [[gnu::cold]] void flip(uint64_t request) noexcept;

  struct alignas(kCacheLine) Counter {
    std::atomic<uint64_t> value{0};
  };
  struct alignas(kCacheLine) CoreSide {
    StageHistograms* active = nullptr;  // the half record() writes
    uint64_t served = 0;                // requests answered (= halves switched)
  };
  struct alignas(kCacheLine) ReaderSide {
    uint64_t requested = 0;  // requests made
    bool collected = true;   // the last answered request's half was merged
  };
  static_assert(sizeof(Counter) == kCacheLine && sizeof(CoreSide) == kCacheLine &&
                sizeof(ReaderSide) == kCacheLine);

  std::unique_ptr<StageHistograms[]> halves_;  // halves_[k & 1] is active after k switches
  CoreSide core_;
  ReaderSide reader_;
  Counter requested_;  // written by the reader
  Counter served_;     // written by the core
};

}  // namespace tachyon::dataplane
