// Per-symbol circuit breakers of one shard core: a symbol halts when a trade moves
// further than the price band from the window's reference price, or when more than
// the message-rate limit of messages reach it within one window. A halted symbol's
// orders are refused with the halt's reason (match mode answers OUCH Rejected 'H',
// Halted) until it resumes: by timer (resume_after) or by command.
//
// Owned by the shard core: admit(), on_trade() and poll() run there. The control
// thread asks for halts and resumes through request_halt()/request_resume() (a small
// SPSC command ring the core drains in poll()); any thread may read the counters and
// a symbol's state. No allocation after construction.
//
// Windows are fixed and per symbol: a window opens at the first message (or trade)
// after the previous one closed and lasts window_ns. The price reference is the first
// trade price of the window.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>

#include "tachyon/book/cache_line.h"
#include "tachyon/dataplane/spsc_ring.h"

namespace tachyon::dataplane {

struct BreakerLimits {
  int64_t price_band_bps = 1'000;     // halt on a trade this far (1/100 %) from the reference
  uint64_t window_ns = 1'000'000'000;
  uint64_t resume_after_ns = 5'000'000'000;  // 0: resume only by command
  uint32_t max_msgs_per_window = 0;   // halt above this many messages in a window; 0: off
  // false: no automatic halts (neither band nor rate is checked); the breakers then
  // only hold command halts. Match mode runs with this off unless configured.
  bool enabled = true;
  uint8_t pad[3] = {};  // explicit, so that the journaled bytes are defined

  // No automatic halts: command halts only.
  static constexpr BreakerLimits off() noexcept {
    BreakerLimits l;
    l.enabled = false;
    return l;
  }
  friend bool operator==(const BreakerLimits&, const BreakerLimits&) = default;
};
static_assert(sizeof(BreakerLimits) == 32, "journaled as raw bytes: no implicit padding");

enum class HaltReason : uint8_t { kNone = 0, kPriceBand, kMessageRate, kCommand };

// "none", "price_band", "message_rate", "command".
const char* to_string(HaltReason r) noexcept;

struct BreakerCounts {
  uint64_t halts_price_band = 0;
  uint64_t halts_message_rate = 0;
  uint64_t halts_command = 0;
  uint64_t resumes_timer = 0;
  uint64_t resumes_command = 0;
  uint64_t rejected_while_halted = 0;  // messages admit() refused
  uint64_t commands_refused = 0;       // request_* calls that found the command ring full
};

// A halt or resume asked for by the control thread.
struct BreakerCommand {
  uint32_t symbol = 0;
  bool halt = false;
};

class CircuitBreakers {
 public:
  // One breaker per symbol 0..symbols-1. Control path.
  CircuitBreakers(uint32_t symbols, const BreakerLimits& limits);
  CircuitBreakers(const CircuitBreakers&) = delete;
  CircuitBreakers& operator=(const CircuitBreakers&) = delete;

  // --- shard core ---------------------------------------------------------------

  // Counts one message to symbol at now_ns and returns kNone when it may proceed, or
  // the reason the symbol is halted (the message is then counted as refused). Resumes
  // a halt whose timer ran out; halts when the message breaks the rate limit (that
  // message is refused too). Symbols out of range are admitted. Hot path, O(1).
  HaltReason admit(uint32_t symbol, uint64_t now_ns) noexcept {
    if (symbol >= symbols_) [[unlikely]]
      return HaltReason::kNone;
    State& s = state_[symbol];
    if (s.reason != HaltReason::kNone) {
      if (!timer_resume(symbol, now_ns)) {
        bump(counts_.rejected_while_halted);
        return s.reason;
      }
    }
    if (!limits_.enabled) return HaltReason::kNone;
    if (now_ns - s.window_start >= limits_.window_ns || !s.window_open) open_window(s, now_ns);
    ++s.messages;
    if (limits_.max_msgs_per_window != 0 && s.messages > limits_.max_msgs_per_window) [[unlikely]] {
      halt_now(symbol, HaltReason::kMessageRate, now_ns);
      bump(counts_.rejected_while_halted);
      return HaltReason::kMessageRate;
    }
    return HaltReason::kNone;
  }

  // Checks a trade of symbol at price (ticks) against the band around the window's
  // reference price; halts the symbol when it is outside. Returns true when it halted.
  // Hot path, O(1).
  bool on_trade(uint32_t symbol, int64_t price, uint64_t now_ns) noexcept {
    if (symbol >= symbols_ || !limits_.enabled) [[unlikely]]
      return false;
    State& s = state_[symbol];
    if (now_ns - s.window_start >= limits_.window_ns || !s.window_open) open_window(s, now_ns);
    if (!s.has_reference) {
      s.reference = price;
      s.has_reference = true;
      return false;
    }
    // |price - ref| / |ref| > band / 10000, without overflow.
    __extension__ using Int128 = __int128;
    const Int128 diff = static_cast<Int128>(price) - s.reference;
    const Int128 ref = s.reference < 0 ? -static_cast<Int128>(s.reference) : static_cast<Int128>(s.reference);
    const Int128 adiff = diff < 0 ? -diff : diff;
    if (adiff * 10'000 > ref * limits_.price_band_bps && s.reason == HaltReason::kNone) [[unlikely]] {
      halt_now(symbol, HaltReason::kPriceBand, now_ns);
      return true;
    }
    return false;
  }

  // Applies pending commands from the control thread and resumes halts whose timer
  // ran out. Call at burst boundaries. Hot path: one ring check when idle, plus a
  // scan of the halted symbols (kept in a short list) when any are halted.
  void poll(uint64_t now_ns) noexcept;

  bool halted(uint32_t symbol) const noexcept { return reason(symbol) != HaltReason::kNone; }

  // Halts / resumes symbol at now_ns on the core itself, for commands that already
  // reached the core by another way (match mode's journaled engine commands, which
  // must take effect at their place in the journal rather than at the next poll()).
  // A command halt waits for a command resume; a command resume lifts any halt. A
  // halt of a symbol already halted by command, or a resume of a running symbol,
  // changes and counts nothing. Symbols out of range are ignored. Cold.
  void command_halt(uint32_t symbol, uint64_t now_ns) noexcept {
    if (symbol < symbols_ && state_[symbol].reason != HaltReason::kCommand) halt_now(symbol, HaltReason::kCommand, now_ns);
  }
  void command_resume(uint32_t symbol, uint64_t now_ns) noexcept {
    if (symbol < symbols_) resume_now(symbol, now_ns, true);
  }

  // Takes new limits (a configuration reload) for the next message and trade; windows
  // and halts in progress carry on. Core only (limits() is read there).
  void set_limits(const BreakerLimits& limits) noexcept {
    limits_ = limits;
    if (limits_.window_ns == 0) limits_.window_ns = 1;
  }

  // Writes / reads the state of every symbol and the counters (snapshots; core only,
  // between messages). load() throws std::runtime_error when the symbol count differs.
  template <class W>
  void save(W& w) const {
    w.put(symbols_);
    for (uint32_t i = 0; i < symbols_; ++i) w.put(state_[i]);
    w.put(halted_count_);
    for (uint32_t i = 0; i < halted_count_; ++i) w.put(halted_list_[i]);
    w.put(counts());
  }
  template <class R>
  void load(R& r) {
    if (r.template get<uint32_t>() != symbols_) throw std::runtime_error("snapshot: circuit breaker symbol count differs");
    for (uint32_t i = 0; i < symbols_; ++i) {
      state_[i] = r.template get<State>();
      published_[i].store(state_[i].reason, std::memory_order_relaxed);
    }
    halted_count_ = r.template get<uint32_t>();
    if (halted_count_ > symbols_) throw std::runtime_error("snapshot: circuit breaker halted list too long");
    for (uint32_t i = 0; i < halted_count_; ++i) halted_list_[i] = r.template get<uint32_t>();
    const auto c = r.template get<BreakerCounts>();
    counts_.halts_price_band.store(c.halts_price_band, std::memory_order_relaxed);
    counts_.halts_message_rate.store(c.halts_message_rate, std::memory_order_relaxed);
    counts_.halts_command.store(c.halts_command, std::memory_order_relaxed);
    counts_.resumes_timer.store(c.resumes_timer, std::memory_order_relaxed);
    counts_.resumes_command.store(c.resumes_command, std::memory_order_relaxed);
    counts_.rejected_while_halted.store(c.rejected_while_halted, std::memory_order_relaxed);
  }

  // --- control thread (one thread) -----------------------------------------------

  // Asks the core to halt / resume symbol at its next poll(); false when the command
  // ring is full (counted in commands_refused).
  bool request_halt(uint32_t symbol) noexcept { return request(symbol, true); }
  bool request_resume(uint32_t symbol) noexcept { return request(symbol, false); }

  // --- any thread ---------------------------------------------------------------

  HaltReason reason(uint32_t symbol) const noexcept {
    return symbol < symbols_ ? published_[symbol].load(std::memory_order_relaxed) : HaltReason::kNone;
  }
  uint32_t symbols() const noexcept { return symbols_; }
  // Symbols halted now, for any reason. O(symbols).
  uint32_t halted_symbols() const noexcept;
  BreakerCounts counts() const noexcept;

  // --- shard core -----------------------------------------------------------------
  const BreakerLimits& limits() const noexcept { return limits_; }

 private:
  struct State {
    uint64_t window_start = 0;
    uint64_t halted_at = 0;
    int64_t reference = 0;
    uint32_t messages = 0;
    HaltReason reason = HaltReason::kNone;
    bool window_open = false;
    bool has_reference = false;
    uint8_t pad = 0;  // snapshots copy the struct: no undefined bytes
  };
  static_assert(sizeof(State) == 32);
  struct alignas(kCacheLine) CoreCounters {
    std::atomic<uint64_t> halts_price_band{0}, halts_message_rate{0}, halts_command{0}, resumes_timer{0},
        resumes_command{0}, rejected_while_halted{0};
  };
  struct alignas(kCacheLine) ControlCounters {
    std::atomic<uint64_t> commands_refused{0};
  };

  static void bump(std::atomic<uint64_t>& c) noexcept {
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  static void open_window(State& s, uint64_t now_ns) noexcept {
    s.window_start = now_ns;
    s.window_open = true;
    s.messages = 0;
    s.has_reference = false;
  }
  bool timer_resume(uint32_t symbol, uint64_t now_ns) noexcept;
  [[gnu::cold]] void halt_now(uint32_t symbol, HaltReason why, uint64_t now_ns) noexcept;
  [[gnu::cold]] void resume_now(uint32_t symbol, uint64_t now_ns, bool by_command) noexcept;
  bool request(uint32_t symbol, bool halt) noexcept;

  uint32_t symbols_;
  BreakerLimits limits_;
  std::unique_ptr<State[]> state_;
  std::unique_ptr<std::atomic<HaltReason>[]> published_;
  std::unique_ptr<uint32_t[]> halted_list_;  // symbols currently halted
  uint32_t halted_count_ = 0;
  SpscRing<BreakerCommand> commands_;
  CoreCounters counts_;
  ControlCounters control_;
};

}  // namespace tachyon::dataplane
