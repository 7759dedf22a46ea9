// Replay bookkeeping shared by the replay loops: per-message latency stamps, progress
// callbacks, and pacing by capture timestamps. With ReplayOptions::probes set it also
// stamps each message's stages (rx, decode, book, tx) into the core's probes. Owned by
// the replay thread; not thread-safe. Internal to dataplane/.
#pragma once

#include <sched.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <thread>

#include "tachyon/dataplane/core_probes.h"
#include "tachyon/dataplane/replay.h"
#include "tachyon/dataplane/resource_usage.h"
#include "tachyon/dataplane/tsc_clock.h"

namespace tachyon::dataplane::internal {

// The book operation a message performed, for the per-operation probes.
enum class ProbeOp : uint8_t { kOther, kAdd, kCancel, kModify, kMatch };

// Classifies an ITCH 5.0 message type: A/F add, D/X cancel, U modify, E/C match.
constexpr ProbeOp itch_probe_op(uint8_t type) noexcept {
  switch (type) {
    case 'A': case 'F': return ProbeOp::kAdd;
    case 'D': case 'X': return ProbeOp::kCancel;
    case 'U': return ProbeOp::kModify;
    case 'E': case 'C': return ProbeOp::kMatch;
    default: return ProbeOp::kOther;
  }
}

class ReplayMeter {
 public:
  ReplayMeter(const ReplayOptions& opt, ReplaySummary& sum, uint64_t total_bytes)
      : opt_(opt),
        sum_(sum),
        clock_(TscClock::calibrate(std::chrono::milliseconds(50))),
        total_(total_bytes),
        probes_(opt.probes) {
    report_every_ = clock_.to_cycles(200'000'000);
    slow_cycles_ = clock_.to_cycles(opt.slow_ns_per_message);
  }

  // Starts the timed loop.
  void start() noexcept {
    start_ = last_ = next_report_ = rdtsc();
    rx_ = start_;
    next_report_ += report_every_;
    if (probes_) {
      probes_->timeline().start(start_, clock_.to_cycles(ThroughputTimeline::kDefaultBucketNs),
                                ThroughputTimeline::kDefaultBucketNs);
      probes_->facts().tsc_hz = clock_.hz();
      probes_->facts().slow_ns_per_message = opt_.slow_ns_per_message;
      allocated0_ = thread_allocated_bytes();
      probes_->set_state(CoreProbes::State::kRunning);
    }
  }

  // Stamps the end of one message: its latency runs from the previous stamp (the
  // previous message, or mark()). With probes, also its rx->decode and decode->book
  // times, the latter under op too. Hot path.
  void message_done(ProbeOp op = ProbeOp::kOther) noexcept {
    uint64_t t = rdtsc();
    if (slow_cycles_ != 0) [[unlikely]] t = spin_until(t + slow_cycles_);
    sum_.latency->record(clock_.to_ns(t - last_));
    last_ = t;
    ++sum_.messages;
    if (probes_) record_stages(t, op);
  }
  // Stamps the end of one message that arrived at TSC rx (two-core match mode: its
  // packet's rx stamp on the gateway core), so its latency includes the wait in the
  // ring. Hot path.
  void message_done_since(uint64_t rx, ProbeOp op = ProbeOp::kOther) noexcept {
    uint64_t t = rdtsc();
    if (slow_cycles_ != 0) [[unlikely]] t = spin_until(t + slow_cycles_);
    sum_.latency->record(clock_.to_ns(t > rx ? t - rx : 0));
    last_ = t;
    ++sum_.messages;
    if (probes_) {
      rx_ = rx;
      record_stages(t, op);
    }
  }
  // Starts a latency interval without ending one (e.g. when a packet arrives, so the
  // first message carries the packet's decode, but not the wait for the packet).
  void mark() noexcept { last_ = rdtsc(); }

  // --- stage stamps (no-ops without probes) ------------------------------------------

  // A packet is in hand: mark() and the rx stamp of its messages. Hot path.
  void packet_arrived() noexcept {
    mark();
    rx_ = last_;
  }
  // The next message arrives now (inputs without packets). Hot path.
  void arrived() noexcept {
    if (probes_) rx_ = rdtsc();
  }
  // The next message arrived when the previous one was done. Hot path.
  void arrived_after_previous() noexcept { rx_ = last_; }
  // The message is framed (and, for file inputs, decoded). Hot path.
  void decoded() noexcept {
    if (probes_) decoded_ = rdtsc();
  }
  // The packet's output is handed on: book->tx and wire-to-wire for each of its
  // messages, then a snapshot hand-over point for the control plane. Hot path.
  void packet_done() noexcept {
    if (!probes_) return;
    const uint64_t t = rdtsc();
    StageProbes& st = probes_->stages();
    const uint64_t wire = clock_.to_ns(t - rx_);
    for (std::size_t i = 0; i < pending_; ++i) {
      st.record(Stage::kBookTx, clock_.to_ns(t - book_done_[i]));
      st.record(Stage::kWireToWire, wire);
    }
    pending_ = 0;
    st.poll();
  }

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

  // Ends the timed loop and fills seconds and msgs_per_s (and the probes' run facts).
  void finish() noexcept {
    const uint64_t end = rdtsc();
    sum_.seconds = static_cast<double>(clock_.to_ns(end - start_)) / 1e9;
    sum_.msgs_per_s = sum_.seconds > 0 ? static_cast<double>(sum_.messages) / sum_.seconds : 0;
    if (probes_) {
      packet_done();
      probes_->timeline().finish(end);
      CoreRunFacts& f = probes_->facts();
      f.seconds = sum_.seconds;
      f.cpu = ::sched_getcpu();
      const std::optional<uint64_t> allocated = thread_allocated_bytes();
      f.allocations_counted = allocated0_.has_value() && allocated.has_value();
      f.loop_allocated_bytes = f.allocations_counted ? *allocated - *allocated0_ : 0;
      probes_->set_state(CoreProbes::State::kStopped);
    }
  }

 private:
  static constexpr std::size_t kMaxPending = 1024;  // stamps kept per packet

  uint64_t spin_until(uint64_t due) noexcept {
    uint64_t now = rdtsc();
    while (now < due) now = rdtsc();
    return now;
  }

  void record_stages(uint64_t t, ProbeOp op) noexcept {
    StageProbes& st = probes_->stages();
    const uint64_t dec = decoded_ > rx_ ? decoded_ : rx_;
    st.record(Stage::kRxDecode, clock_.to_ns(dec - rx_));
    const uint64_t book = clock_.to_ns(t - dec);
    st.record(Stage::kDecodeBook, book);
    switch (op) {
      case ProbeOp::kAdd: st.record(Stage::kAdd, book); break;
      case ProbeOp::kCancel: st.record(Stage::kCancel, book); break;
      case ProbeOp::kModify: st.record(Stage::kModify, book); break;
      case ProbeOp::kMatch: st.record(Stage::kMatch, book); break;
      case ProbeOp::kOther: break;
    }
    // A packet of more than kMaxPending messages shares the last stamp (rare: only
    // jumbo datagrams of tiny messages get there).
    book_done_[pending_ < kMaxPending ? pending_++ : kMaxPending - 1] = t;
    decoded_ = 0;
    probes_->count_message(t);
  }

  const ReplayOptions& opt_;
  ReplaySummary& sum_;
  TscClock clock_;
  uint64_t total_;
  uint64_t start_ = 0, last_ = 0, next_report_ = 0, report_every_ = 0;
  bool paced_ = false;
  uint64_t ts0_ = 0, pace0_ = 0;
  // Stage stamps.
  CoreProbes* probes_;
  uint64_t slow_cycles_ = 0;
  uint64_t rx_ = 0, decoded_ = 0;
  std::size_t pending_ = 0;
  std::array<uint64_t, kMaxPending> book_done_{};
  std::optional<uint64_t> allocated0_;
};

}  // namespace tachyon::dataplane::internal
