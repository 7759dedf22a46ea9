// Book events per symbol (accepted, trade, canceled, modified) and each symbol's name,
// counted by the owning core and read by the control plane at any time for metric
// labels. One writer (the core) and any number of readers; every field is a relaxed
// atomic, so a reader sees each counter whole but not all counters at one instant.
// No allocation after construction.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "tachyon/book/cache_line.h"
#include "tachyon/book/event.h"

namespace tachyon::dataplane {

class SymbolCounters {
 public:
  // The counted event kinds, in book::EventKind order (rejects are not counted here).
  static constexpr std::size_t kKinds = 4;
  static std::string_view kind_name(std::size_t k) noexcept;

  // Allocates one cache line per symbol. Control path.
  explicit SymbolCounters(uint32_t symbols);

  // --- core side -------------------------------------------------------------------

  // Counts e against its symbol (ignores rejects and symbols beyond size()). Hot path.
  void on_event(const book::Event& e) noexcept {
    const auto k = static_cast<std::size_t>(e.kind);
    if (k >= kKinds || e.symbol.value >= symbols_) return;
    std::atomic<uint64_t>& c = entries_[e.symbol.value].counts[k];
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  // Returns whether symbol s has a name yet. Hot path.
  bool named(uint32_t s) const noexcept {
    return s < symbols_ && entries_[s].name.load(std::memory_order_relaxed) != 0;
  }
  // Records s's name (up to 8 characters, trailing spaces dropped). Cold path.
  void set_name(uint32_t s, std::string_view name) noexcept;

  // --- any thread ------------------------------------------------------------------

  uint32_t size() const noexcept { return symbols_; }
  uint64_t count(uint32_t s, std::size_t kind) const noexcept {
    return entries_[s].counts[kind].load(std::memory_order_relaxed);
  }
  // Returns the name recorded for s, or "" when none is.
  std::string name(uint32_t s) const;
  // Returns whether s has any counted event.
  bool active(uint32_t s) const noexcept;

 private:
  struct alignas(kCacheLine) Entry {
    std::atomic<uint64_t> name{0};  // up to 8 bytes of the name, first byte lowest
    std::atomic<uint64_t> counts[kKinds] = {};
  };
  static_assert(sizeof(Entry) == kCacheLine);

  std::unique_ptr<Entry[]> entries_;
  uint32_t symbols_;
};

}  // namespace tachyon::dataplane
