// What the control plane hands a match-mode replay so that it survives a crash: the
// journal ring (every input and every datagram out is journaled, and a datagram leaves
// only once its record is durable), snapshots, operator commands, and the state to
// resume from. Plain data plus rings; the rings are shared with control-plane threads.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "tachyon/dataplane/circuit_breaker.h"
#include "tachyon/dataplane/journal_record.h"
#include "tachyon/dataplane/journal_ring.h"
#include "tachyon/dataplane/risk_gate.h"
#include "tachyon/dataplane/spsc_ring.h"

namespace tachyon::dataplane {

// Datagrams (replies and market data) the matching core holds while their journal
// records are not yet durable. With this many waiting, the core stops and sends each
// one as soon as its record is durable, before it takes more input.
inline constexpr std::size_t kMaxHeldDatagrams = 4096;

// An operator command for the matching core. Journaled (RecordType::kCommand) before it
// takes effect, so a recovery applies it at the same point.
struct EngineCommand {
  enum Kind : uint8_t {
    kPause = 1,
    kResume = 2,
    kHalt = 3,      // symbol
    kUnhalt = 4,    // symbol
    kKill = 5,      // cancel every open order, refuse new ones
    kRelease = 6,   // lift the kill switch
    kSnapshot = 7,  // take a snapshot now
    kClient = 8,    // journal only: client index `stream` is ip:port
    kLimits = 9,    // new risk limits (a configuration reload); journaled as the values
    kBreaker = 10,  // new circuit breaker limits (a configuration reload); journaled as the values
  };
  uint8_t kind = 0;
  uint8_t pad[3] = {};
  uint32_t ip = 0;
  uint16_t port = 0;
  uint16_t pad2 = 0;
  char symbol[8] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
  const RiskLimits* limits = nullptr;  // kLimits: immutable, outlives the run
  const BreakerLimits* breaker = nullptr;  // kBreaker: immutable, outlives the run

  // The bytes a journal record keeps: the command without the pointers, and for
  // kLimits / kBreaker the limits themselves.
  static constexpr std::size_t kJournalBytes = 20;
};

// Commands travel from the control thread to the core over this ring.
using CommandRing = SpscRing<EngineCommand>;

// State to resume from: the latest snapshot (empty: the start) and every journal record
// after it, in order.
struct RecoveryPlan {
  std::vector<uint8_t> snapshot;
  uint64_t snapshot_seq = 0;  // the journal sequence number the snapshot covers
  struct Record {
    journal::RecordType type;
    uint32_t stream;
    std::vector<uint8_t> payload;
  };
  std::vector<Record> records;
};

// What the matching core publishes for the control plane's metrics, every 64 packets
// and at the end: per-session positions and risk counters, journal progress and the
// operator state. A seqlock: the core writes, any thread reads without stopping it.
struct PublishedEngineState {
  static constexpr uint32_t kMaxSessions = 64;
  struct Session {
    std::atomic<int64_t> gross{0}, net{0};  // shares
    // P&L in Price(4) x shares (1 = $0.0001 per share): closed at average cost, and the
    // open positions marked at each symbol's last trade (RiskGate::mark).
    std::atomic<int64_t> realized{0}, unrealized{0};
    std::atomic<uint32_t> open_orders{0};
    std::atomic<uint64_t> risk_rejects{0};
  };
  std::atomic<uint64_t> version{0};  // odd while the core writes
  std::atomic<uint32_t> sessions{0};
  Session session[kMaxSessions];
  // Journal progress: records appended by the core, durable under the fsync policy, and
  // the last journaled datagram that has left (held until durable, so never above it).
  std::atomic<uint64_t> journal_appended{0}, journal_durable{0}, journal_released{0};
  std::atomic<bool> paused{false}, killed{false};

  // Core: brackets one update.
  void begin_write() noexcept { version.fetch_add(1, std::memory_order_acq_rel); }
  void end_write() noexcept { version.fetch_add(1, std::memory_order_release); }
  // Reader: calls read() until it saw a stable version (a consistent copy).
  template <class F>
  void read(F&& f) const {
    for (;;) {
      const uint64_t v0 = version.load(std::memory_order_acquire);
      if (v0 & 1) continue;
      f(*this);
      std::atomic_thread_fence(std::memory_order_acquire);
      if (version.load(std::memory_order_relaxed) == v0) return;
    }
  }
};

// Where the matching core is in its run, for the control plane's state machine.
enum class CoreStage : uint8_t {
  kTakingInput,  // recovery is done; input starts (paused: a journaled pause is in force)
  kDraining,     // input stopped (stop flag or end of input): snapshot, flush, journal sync
};

struct MatchDurability {
  JournalRing* journal = nullptr;        // null: no journal
  const RecoveryPlan* recovery = nullptr;
  uint64_t snapshot_every = 0;           // inputs between snapshots; 0: only at the end
  // Called on the replay thread with a snapshot of the state covering the journal up to
  // covers_seq; the control plane writes it to disk.
  std::function<void(uint64_t covers_seq, std::vector<uint8_t>&& state)> write_snapshot;
  CommandRing* commands = nullptr;         // operator commands (the control socket); may be null
  CommandRing* config_commands = nullptr;  // new limits from configuration reloads; may be null
  // Set by a signal handler or the control thread: stop reading input, then finish as
  // at the end of the capture (snapshot, journal synced, output flushed).
  const std::atomic<bool>* stop = nullptr;
  // Positions, risk counters, journal progress and state for the metrics endpoint.
  PublishedEngineState* published = nullptr;
  // Called on the replay thread when the core reaches a stage (twice a run); may be empty.
  std::function<void(CoreStage stage, bool paused)> on_stage;
};

}  // namespace tachyon::dataplane
