// CircuitBreakers: halts, resumes and the command ring (cold paths). Shard core,
// except request() on the control thread.
#include "tachyon/dataplane/circuit_breaker.h"

namespace tachyon::dataplane {

const char* to_string(HaltReason r) noexcept {
  switch (r) {
    case HaltReason::kNone: return "none";
    case HaltReason::kPriceBand: return "price_band";
    case HaltReason::kMessageRate: return "message_rate";
    case HaltReason::kCommand: return "command";
  }
  return "unknown";
}

CircuitBreakers::CircuitBreakers(uint32_t symbols, const BreakerLimits& limits)
    : symbols_(symbols),
      limits_(limits),
      state_(std::make_unique<State[]>(symbols)),
      published_(std::make_unique<std::atomic<HaltReason>[]>(symbols)),
      halted_list_(std::make_unique<uint32_t[]>(symbols)),
      commands_(64) {
  for (uint32_t i = 0; i < symbols; ++i) published_[i].store(HaltReason::kNone, std::memory_order_relaxed);
  if (limits_.window_ns == 0) limits_.window_ns = 1;
}

bool CircuitBreakers::timer_resume(uint32_t symbol, uint64_t now_ns) noexcept {
  const State& s = state_[symbol];
  if (limits_.resume_after_ns == 0 || s.reason == HaltReason::kCommand) return false;
  if (now_ns - s.halted_at < limits_.resume_after_ns) return false;
  resume_now(symbol, now_ns, false);
  return true;
}

void CircuitBreakers::halt_now(uint32_t symbol, HaltReason why, uint64_t now_ns) noexcept {
  State& s = state_[symbol];
  if (s.reason == HaltReason::kNone) halted_list_[halted_count_++] = symbol;
  s.reason = why;
  s.halted_at = now_ns;
  published_[symbol].store(why, std::memory_order_relaxed);
  switch (why) {
    case HaltReason::kPriceBand: bump(counts_.halts_price_band); break;
    case HaltReason::kMessageRate: bump(counts_.halts_message_rate); break;
    case HaltReason::kCommand: bump(counts_.halts_command); break;
    case HaltReason::kNone: break;
  }
}

void CircuitBreakers::resume_now(uint32_t symbol, uint64_t now_ns, bool by_command) noexcept {
  State& s = state_[symbol];
  if (s.reason == HaltReason::kNone) return;
  s.reason = HaltReason::kNone;
  published_[symbol].store(HaltReason::kNone, std::memory_order_relaxed);
  // A fresh window: the messages and the reference that tripped the breaker are past.
  open_window(s, now_ns);
  for (uint32_t i = 0; i < halted_count_; ++i)
    if (halted_list_[i] == symbol) {
      halted_list_[i] = halted_list_[--halted_count_];
      break;
    }
  bump(by_command ? counts_.resumes_command : counts_.resumes_timer);
}

void CircuitBreakers::poll(uint64_t now_ns) noexcept {
  BreakerCommand c;
  while (commands_.try_pop(c)) {
    if (c.symbol >= symbols_) continue;
    if (c.halt) halt_now(c.symbol, HaltReason::kCommand, now_ns);
    else resume_now(c.symbol, now_ns, true);
  }
  for (uint32_t i = 0; i < halted_count_;) {
    const uint32_t sym = halted_list_[i];
    if (!timer_resume(sym, now_ns)) ++i;  // a resume swaps the last entry into slot i
  }
}

bool CircuitBreakers::request(uint32_t symbol, bool halt) noexcept {
  if (commands_.try_push(BreakerCommand{symbol, halt})) return true;
  bump(control_.commands_refused);
  return false;
}

uint32_t CircuitBreakers::halted_symbols() const noexcept {
  uint32_t n = 0;
  for (uint32_t i = 0; i < symbols_; ++i) n += published_[i].load(std::memory_order_relaxed) != HaltReason::kNone;
  return n;
}

BreakerCounts CircuitBreakers::counts() const noexcept {
  BreakerCounts c;
  c.halts_price_band = counts_.halts_price_band.load(std::memory_order_relaxed);
  c.halts_message_rate = counts_.halts_message_rate.load(std::memory_order_relaxed);
  c.halts_command = counts_.halts_command.load(std::memory_order_relaxed);
  c.resumes_timer = counts_.resumes_timer.load(std::memory_order_relaxed);
  c.resumes_command = counts_.resumes_command.load(std::memory_order_relaxed);
  c.rejected_while_halted = counts_.rejected_while_halted.load(std::memory_order_relaxed);
  c.commands_refused = control_.commands_refused.load(std::memory_order_relaxed);
  return c;
}

}  // namespace tachyon::dataplane
