// Capture replay, the appliance's main job: feeds a capture file (pcap/pcapng with
// ITCH-in-MoldUDP64 or OUCH-in-MoldUDP64, ITCH BinaryFILE, or LOBSTER CSV) through the
// data-plane decoders into the books, matching in match mode, and summarises what
// happened. The replay loop runs on the calling thread; time comes from the capture.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "tachyon/book/book_config.h"
#include "tachyon/dataplane/backpressure.h"
#include "tachyon/dataplane/circuit_breaker.h"
#include "tachyon/dataplane/latency_histogram.h"
#include "tachyon/dataplane/match_durability.h"
#include "tachyon/dataplane/moldudp64_sequence.h"
#include "tachyon/dataplane/risk_gate.h"
#include "tachyon/nic/nic_options.h"
#include "tachyon/nic/udp_feed_filter.h"

namespace tachyon::book {
class BookShard;
}

namespace tachyon::dataplane {

class CoreProbes;

enum class ReplayMode : uint8_t { kFeed, kMatch };
enum class InputFormat : uint8_t { kPcap, kPcapng, kItchBinaryFile, kLobsterCsv };

const char* to_string(ReplayMode m) noexcept;
const char* to_string(InputFormat f) noexcept;

// An input that cannot be replayed: the message names the file, the byte offset and
// the problem, in one line.
class ReplayError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Detects the format of path from its content. Throws ReplayError when the file cannot
// be read or is none of the formats.
InputFormat detect_input(const std::string& path);

struct ReplayProgress {
  double fraction = 0;  // 0..1 of the input consumed
  uint64_t messages = 0;
  double msgs_per_s = 0;
  double eta_s = 0;
};

struct ReplayOptions {
  ReplayMode mode = ReplayMode::kFeed;
  std::string input;
  // Pacing: 0 replays as fast as possible; N > 0 replays at N times capture speed.
  double speed = 0;
  // Match mode: write OUCH replies and ITCH market data here (pcap), when not empty.
  std::string out_path;
  // Where a capture's packets come from: pcap (libpcap, the default), dpdk (DPDK's
  // net_pcap vdev; out_path is then its tx_pcap) or auto (DPDK, else libpcap, saying
  // why). The summary is the same either way. A DPDK start-up failure throws
  // nic::NicStartupError (the command line exits 2).
  nic::NicBackendKind nic = nic::NicBackendKind::kPcap;
  // DPDK EAL arguments; empty: the replay default (nic::default_eal_args).
  std::vector<std::string> eal_args;
  // Which datagrams of a capture to take (destination port and/or group).
  nic::UdpFeedFilter filter{};
  // Book capacities (one shard holds every symbol).
  book::BookConfig book{};
  // Match mode symbols (SymbolId order); OUCH orders for other stocks are rejected.
  std::vector<std::string> symbols;
  // Match mode: pre-trade risk limits for every session (default: none refuse).
  RiskLimits risk = RiskLimits::unlimited();
  // Match mode: per-symbol circuit breaker limits (default: off, so that symbols halt
  // only by command).
  BreakerLimits breaker = BreakerLimits::off();
  // Match mode: the matching core's circuit breakers, when the caller wants to read
  // their counters and halt states from another thread while the replay runs (metrics).
  // They take `breaker` as their limits at start and need at least book.max_symbols
  // symbols. Null: the replay makes its own.
  CircuitBreakers* breakers = nullptr;
  // Match mode: journal, snapshots, commands and recovery (see match_durability.h).
  MatchDurability durability{};
  // LOBSTER: compare the book after every event with this orderbook file (and seed
  // the book from its first row), when not empty.
  std::string check_path;
  uint32_t depth = 10;
  // LOBSTER price unit: LOBSTER prices are USD x 10000, the same scale as ITCH Price(4).
  // Per-event LOBSTER orderbook rows of this symbol are written to lobster_out.
  std::string lobster_symbol;
  std::FILE* lobster_out = nullptr;
  // Called about every 200 ms of replay with the progress so far. May be empty.
  std::function<void(const ReplayProgress&)> on_progress;
  // Profiling (tachyon replay --profile): when set, the loop also records per-stage
  // latencies, messages per 100 ms and book events per symbol here. Owned by the
  // caller, which may take snapshots from another thread while the replay runs.
  CoreProbes* probes = nullptr;
  // For tests of the regression check: spin this many ns in every message's book step.
  uint64_t slow_ns_per_message = 0;
  // Where the data plane runs (config cores.dataplane): replay() pins its calling
  // thread to the first CPU before it allocates the books; replay_feed_on_cores puts
  // the dispatch core on the first and the shard cores on the next. Empty: replay()
  // stays where it is called, replay_feed_on_cores takes the allowed CPUs in order.
  std::vector<int> cpus;
  // >= 0: the data plane's books (and rings) come from this NUMA node (config
  // cores.numa_node); -1: where the cores run.
  int memory_node = -1;
  // replay_feed_on_cores: hand datagrams to the shard cores whole where the port keeps
  // its buffers (config rings.packet_handoff; PipelineOptions::packet_handoff).
  bool packet_handoff = false;
  // Match mode on two cores (tachyon replay --mode match --cores 2). A gateway core
  // receives the packets, decodes frames and MoldUDP64, tracks every session's
  // sequence numbers and hands each OUCH message to the matching core over an input
  // ring; cancels and replaces take its priority lane once their client's earlier
  // messages are taken. When a lane is full the ring's policy decides: reject answers
  // a new order or replace with OUCH Rejected 'O' (engine busy) at once, block waits
  // for room. Cancels are never refused (they wait). The matching core (the calling
  // thread, on cpus[0] with its books) applies, journals and answers everything;
  // the gateway core runs on cpus[1], else the next allowed CPU.
  struct MatchCores {
    bool split = false;
    uint32_t capacity = 4096;           // normal lane, records (a power of two)
    uint32_t priority_capacity = 1024;  // priority lane, records (a power of two)
    BackpressurePolicy policy = BackpressurePolicy::kBlock;  // or kReject; kDrop is refused
    // Tests: the matching core takes nothing until the gateway core has read the whole
    // input or has to wait for room, so that a small ring refuses an exact count.
    bool hold_until_input_ends = false;
    // When set, the matching core publishes the ring's counters here about every 64
    // packets and at the end (metrics read them while the replay runs).
    PublishedRingCounts* published = nullptr;
  } match_cores;
};

// The first few instances of a problem, kept for the report.
struct ProblemLog {
  static constexpr std::size_t kKept = 4;
  uint64_t count = 0;
  std::array<std::string, kKept> first;  // "packet N (offset O): what" or similar
  void add(std::string what) {
    if (count < kKept) first[count] = std::move(what);
    ++count;
  }
  // Appends other's problems after these: its kept texts while there is room, and its
  // whole count.
  void merge(ProblemLog&& other) {
    const uint64_t kept = std::min<uint64_t>(other.count, kKept);
    for (uint64_t k = 0; k < kept; ++k) add(std::move(other.first[k]));
    count += other.count - kept;
  }
};

struct ReplaySummary {
  std::string input;
  InputFormat format = InputFormat::kPcap;
  ReplayMode mode = ReplayMode::kFeed;

  uint64_t messages = 0;                   // application messages processed
  std::array<uint64_t, 256> by_type{};     // by ITCH/OUCH type letter (LOBSTER: '1'..'7')
  uint64_t packets = 0;                    // capture records read
  bool stopped = false;                    // a stop request (signal, ctl stop) ended the input early
  uint64_t bytes = 0;                      // input bytes consumed
  uint64_t filtered = 0;                   // datagrams for other feeds (not malformed)
  ProblemLog malformed;                    // frames, datagrams or messages that did not decode
  // MoldUDP64 sequencing, over all sessions.
  uint64_t sessions = 0;
  mold::RangeLog gaps, duplicates, out_of_order;
  uint64_t heartbeats = 0, end_of_sessions = 0;
  // BinaryFILE framing.
  uint64_t recovered_lengths = 0;
  uint64_t first_recovery_offset = 0;
  // Books.
  uint64_t unknown_refs = 0;               // events on orders never added (feed mode)
  std::array<uint64_t, 256> unknown_refs_by_type{};
  uint64_t book_rejects = 0;               // other refused book operations
  uint64_t live_orders = 0;
  uint64_t symbols = 0;                    // symbols known (directory or first use)
  uint64_t books = 0;                      // books holding at least one order
  uint64_t trades = 0;                     // match mode: fills; feed mode: executions
  uint64_t book_hash = 0;                  // book_digest() over all books
  uint64_t shard_hash = 0;                 // BookShard::hash(), order ids included
  // Match mode replies.
  uint64_t accepted = 0, replaced = 0, canceled = 0, executed = 0, rejected = 0;
  uint64_t unknown_tokens = 0, duplicate_tokens = 0;
  uint64_t out_packets = 0;                // packets written to out_path
  uint64_t md_messages = 0;                // ITCH market-data messages published
  // LOBSTER check.
  uint64_t rows_compared = 0, rows_matched = 0, rows_relearned = 0;
  uint64_t hidden_executions = 0, halts = 0;
  // Match mode durability.
  uint64_t journal_records = 0;            // records appended this run
  uint64_t snapshots = 0;                  // snapshots taken this run
  uint64_t recovered_records = 0;          // journal records re-applied at start
  uint64_t resumed_from_seq = 0;           // the snapshot the state resumed from (0: none)
  uint64_t skipped_replayed = 0;           // capture messages already in the journal
  uint64_t commands = 0;                   // operator commands applied
  uint64_t positions_hash = 0;             // digest of every session's positions and P&L
  uint64_t risk_rejects = 0;               // orders the risk gates refused
  // New orders and replaces refused by the engine's state (OUCH reject 'C', 'H', 'a'),
  // and open orders the kill switch canceled.
  uint64_t refused_paused = 0, refused_halted = 0, refused_killed = 0, kill_cancels = 0;
  // Two-core match mode: the input ring's counters (queued, refused under reject,
  // waits under block) and the orders and replaces answered busy (OUCH reject 'O').
  bool match_split = false;
  RingCounts input_ring{};
  uint64_t refused_busy = 0;
  // Match mode circuit breakers: halts by reason, resumes, refusals (see circuit_breaker.h).
  bool breaker_enabled = false;            // automatic halts were on at the end
  BreakerCounts breaker{};
  uint64_t halted_at_end = 0;              // symbols still halted when the replay ended
  // Speed.
  double seconds = 0;                      // wall time of the replay loop
  double msgs_per_s = 0;
  std::unique_ptr<LatencyHistogram> latency = std::make_unique<LatencyHistogram>();  // ns per message

  // How the input was opened (--nic): backend, EAL arguments, port, pools, fallbacks.
  // Not part of the report stream (the CLI prints it to stderr).
  std::vector<std::string> nic_notes;
  // Where the replay core ran and where its memory came from (options.cpus,
  // options.memory_node), one line each; empty when neither was given. Not part of the
  // report stream either.
  std::vector<std::string> placement;

  // Final books, for printing: the shard and the name of each SymbolId.
  std::shared_ptr<const book::BookShard> shard;
  std::vector<std::string> names;
};

// Replays options.input. Throws ReplayError for an unreadable or unrecognised file or
// a capture it cannot use (e.g. an unsupported link type); a malformed packet inside a
// good capture is counted in the summary and skipped.
ReplaySummary replay(const ReplayOptions& options);

}  // namespace tachyon::dataplane
