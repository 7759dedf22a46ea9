// The mirrored OKX books on /metrics: per instrument and channel its state (live,
// stale, awaiting-snapshot), last seqId, snapshots, updates, gaps, resyncs, stale
// events, checksum checks and failures, and best bid and ask (exact decimals); and the
// WebSocket connection's counters. Rendered on the OKX control-plane thread (which owns
// OkxMarketData) and handed to the metrics thread through OkxBookMetrics, which is
// thread-safe.
#pragma once

#include <mutex>
#include <string>

#include "tachyon/okx/market_data.h"

namespace tachyon::controlplane {

// Renders md's books and connection in the Prometheus text format (0.0.4). Call on the
// thread that runs md. O(books).
std::string render_okx_book_metrics(const okx::OkxMarketData& md);

// The last rendering, published by the OKX thread and read by the metrics endpoint
// (MetricsServerOptions::extra_metrics). Thread-safe.
class OkxBookMetrics {
 public:
  // Renders md now (OKX thread) and keeps the text for readers.
  void publish(const okx::OkxMarketData& md);
  // Returns the last published text ("" before the first publish). Any thread.
  std::string text() const;

 private:
  mutable std::mutex mutex_;
  std::string text_;
};

}  // namespace tachyon::controlplane
