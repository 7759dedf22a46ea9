// run_feed_pipeline: feed mode (ITCH 5.0 in MoldUDP64) on a dispatch core and N shard
// cores, or on N direct cores with one rx queue each, over any NicPort; returns the
// pipeline's report and the mirrored books' totals, including the same book_hash a
// single-core replay of the input gives. Control thread; blocks until the input ends
// or stop is set (SIGINT/SIGTERM through stop_signal.h).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "tachyon/book/book_config.h"
#include "tachyon/dataplane/itch_book_builder.h"
#include "tachyon/dataplane/pipeline_report.h"
#include "tachyon/dataplane/replay.h"
#include "tachyon/dataplane/shard_pipeline.h"
#include "tachyon/nic/nic_port.h"

namespace tachyon::dataplane {

struct FeedPipelineOptions {
  PipelineOptions pipeline{};
  book::BookConfig book{};  // per shard
  // symbol -> shard from the config; the rest are balanced as they appear.
  std::vector<std::pair<std::string, uint32_t>> shard_of_symbol;
  // Put each shard's books and rings on its core's NUMA node (hwloc membind).
  bool numa_local = true;
  // >= 0: put every shard's books and rings on this NUMA node instead (config
  // cores.numa_node: the NIC's node, which tuning/plan chose the cores on).
  int memory_node = -1;
  itch::ApplyMode apply = itch::ApplyMode::kBatched;
  // Called on the calling thread with the running pipeline once its cores started,
  // and with nullptr before it is torn down (live metrics). May be empty.
  std::function<void(const PipelineView*)> on_running;
};

struct FeedPipelineResult {
  PipelineReport report;
  uint64_t book_hash = 0;            // book_digest over every shard's books
  uint64_t live_orders = 0;
  uint64_t books = 0;                // books holding at least one order
  uint64_t symbols = 0;              // symbols mapped over all shards
  uint64_t trades = 0;
  uint64_t unknown_refs = 0;
  std::array<uint64_t, 256> unknown_refs_by_type{};
  uint64_t book_rejects = 0;
  uint64_t decode_errors = 0;
  std::array<uint64_t, 256> by_type{};  // messages by ITCH type letter
  std::string shard_map;             // "shard 0: AAPL ...; shard 1: ..."
  std::vector<std::string> memory;   // where each shard's memory lives

  // Messages the books processed (sum over shards).
  uint64_t messages() const noexcept;
};

// Replays a feed capture (opt.input: pcap/pcapng, ITCH 5.0 in MoldUDP64) on one
// dispatch core and `shards` shard cores, through opt.nic (pcap: libpcap; dpdk: the
// net_pcap vdev), and fills the summary fields replay() fills for the same input
// (counts by type, sequencing, books, book_hash; latency is rx -> book per message).
// Not filled: shard_hash (order ids are numbered per shard) and the book view; the
// malformed count has no per-packet texts. Cores: the first allowed CPU dispatches,
// the next ones take the shards, pinned while there are enough CPUs. report, when
// given, receives the pipeline's own report. Throws ReplayError or NicStartupError.
ReplaySummary replay_feed_on_cores(const ReplayOptions& opt, uint32_t shards, FeedPipelineResult* result = nullptr);

// Runs the feed pipeline over port until the input ends (options.pipeline.stop_at_end)
// or *stop turns true. Throws std::invalid_argument for an invalid shape. Control path.
FeedPipelineResult run_feed_pipeline(nic::NicPort& port, const FeedPipelineOptions& options,
                                     const std::atomic<bool>* stop = nullptr);

}  // namespace tachyon::dataplane
