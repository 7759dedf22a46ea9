// Replay bookkeeping shared by the replay loops: per-message latency stamps, progress
// callbacks, and pacing by capture timestamps. Owned by the replay thread; not
// thread-safe. Internal to dataplane/.
#pragma once

#include <chrono>
#include <cstdint>
#include <thread>

#include "tachyon/dataplane/replay.h"
#include "tachyon/dataplane/tsc_clock.h"

namespace tachyon::dataplane::internal {

class ReplayMeter {
 public:
  ReplayMeter(const ReplayOptions& opt, ReplaySummary& sum, uint64_t total_bytes)
      : opt_(opt), sum_(sum), clock_(TscClock::calibrate(std::chrono::milliseconds(50))), total_(total_bytes) {
    report_every_ = clock_.to_cycles(200'000'000);
  }

  // Starts the timed loop.
  void start() noexcept {
    start_ = last_ = next_report_ = rdtsc();
    next_report_ += report_every_;
  }

  // Stamps the end of one message: its latency runs from the previous stamp (the
  // previous message, or mark()). Hot path.
  void message_done() noexcept {
    const uint64_t t = rdtsc();
    sum_.latency->record(clock_.to_ns(t - last_));
    last_ = t;
    ++sum_.messages;
  }
  // Starts a latency interval without ending one (e.g. when a packet arrives, so the
  // first message carries the packet's decode, but not the wait for the packet).
  void mark() noexcept { last_ = rdtsc(); }

  // Waits until capture time ts_ns is due at the configured speed. Hot path when
  // pacing; free when replaying at full speed.
  void pace(uint64_t ts_ns) noexcept {
    if (opt_.speed <= 0) return;
    if (!paced_) {
      paced_ = true;
      ts0_ = ts_ns;
      pace0_ = rdtsc();
      return;
    }
    if (ts_ns <= ts0_) return;
    const auto due_ns = static_cast<uint64_t>(static_cast<double>(ts_ns - ts0_) / opt_.speed);
    const uint64_t due = pace0_ + clock_.to_cycles(due_ns);
    for (;;) {
      const uint64_t now = rdtsc();
      if (now >= due) break;
      const uint64_t left_ns = clock_.to_ns(due - now);
      if (left_ns > 200'000) std::this_thread::sleep_for(std::chrono::nanoseconds(left_ns - 100'000));
    }
  }

  // Calls the progress callback when due; consumed is the input bytes read so far.
  void maybe_report(uint64_t consumed) {
    if (!opt_.on_progress) return;
    const uint64_t now = rdtsc();
    if (now < next_report_) return;
    next_report_ = now + report_every_;
    ReplayProgress p;
    p.fraction = total_ ? static_cast<double>(consumed) / static_cast<double>(total_) : 0;
    p.messages = sum_.messages;
    const double secs = static_cast<double>(clock_.to_ns(now - start_)) / 1e9;
    p.msgs_per_s = secs > 0 ? static_cast<double>(sum_.messages) / secs : 0;
    p.eta_s = p.fraction > 0 ? secs * (1 - p.fraction) / p.fraction : 0;
    opt_.on_progress(p);
  }

  // Ends the timed loop and fills seconds and msgs_per_s.
  void finish() noexcept {
    const uint64_t end = rdtsc();
    sum_.seconds = static_cast<double>(clock_.to_ns(end - start_)) / 1e9;
    sum_.msgs_per_s = sum_.seconds > 0 ? static_cast<double>(sum_.messages) / sum_.seconds : 0;
  }

 private:
  const ReplayOptions& opt_;
  ReplaySummary& sum_;
  TscClock clock_;
  uint64_t total_;
  uint64_t start_ = 0, last_ = 0, next_report_ = 0, report_every_ = 0;
  bool paced_ = false;
  uint64_t ts0_ = 0, pace0_ = 0;
};

}  // namespace tachyon::dataplane::internal
