// SymbolCounters allocation and name packing. set_name() runs on the core (cold path);
// the rest on any thread.
#include "tachyon/dataplane/symbol_counters.h"

#include <array>

namespace tachyon::dataplane {

std::string_view SymbolCounters::kind_name(std::size_t k) noexcept {
  static constexpr std::array<std::string_view, kKinds> kNames = {"accepted", "trade", "canceled", "modified"};
  return k < kKinds ? kNames[k] : std::string_view("unknown");
}

SymbolCounters::SymbolCounters(uint32_t symbols)
    : entries_(std::make_unique<Entry[]>(symbols)), symbols_(symbols) {}

void SymbolCounters::set_name(uint32_t s, std::string_view name) noexcept {
  if (s >= symbols_) return;
  while (!name.empty() && (name.back() == ' ' || name.back() == '\0')) name.remove_suffix(1);
  uint64_t packed = 0;
  for (std::size_t i = 0; i < name.size() && i < 8; ++i)
    packed |= uint64_t{static_cast<uint8_t>(name[i])} << (8 * i);
  entries_[s].name.store(packed, std::memory_order_relaxed);
}

std::string SymbolCounters::name(uint32_t s) const {
  std::string out;
  if (s >= symbols_) return out;
  uint64_t packed = entries_[s].name.load(std::memory_order_relaxed);
  while (packed != 0) {
    out.push_back(static_cast<char>(packed & 0xFF));
    packed >>= 8;
  }
  return out;
}

bool SymbolCounters::active(uint32_t s) const noexcept {
  if (s >= symbols_) return false;
  for (std::size_t k = 0; k < kKinds; ++k)
    if (count(s, k) != 0) return true;
  return false;
}

}  // namespace tachyon::dataplane
