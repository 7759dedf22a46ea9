// NicPort: any BurstPort behind one small handle, for code that picks its backend at
// run time (config nic.backend). One indirect call per burst, never per packet; code
// that knows its backend at compile time uses the backend type directly instead.
// Owned by the thread that opened it; each queue is then used by one core at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "tachyon/nic/packet_burst.h"

namespace tachyon::nic {

// Link state as the device reports it (backends without a link say up).
struct LinkStatus {
  bool up = true;
  uint32_t speed_mbps = 0;  // 0: unknown
  bool full_duplex = true;
};

// One extended statistic: the device's own name for it and its value.
struct XStat {
  std::string name;
  uint64_t value = 0;
};

class NicPort {
 public:
  NicPort() = default;

  // Takes ownership of a backend port. Control path.
  template <BurstPort P>
  explicit NicPort(std::unique_ptr<P> port) : impl_(port.release(), &destroy<P>), vt_(&kTable<P>) {}

  NicPort(NicPort&&) noexcept = default;
  NicPort& operator=(NicPort&&) noexcept = default;

  explicit operator bool() const noexcept { return impl_ != nullptr; }

  // Hot path: one indirect call per burst.
  std::size_t rx_burst(uint16_t q, std::span<RxPacket> out) noexcept { return vt_->rx(impl_.get(), q, out); }
  void release(uint16_t q, std::span<const RxPacket> done) noexcept { vt_->release(impl_.get(), q, done); }
  std::size_t tx_burst(uint16_t q, std::span<const TxPacket> pkts) noexcept { return vt_->tx(impl_.get(), q, pkts); }
  void flush_tx(uint16_t q) noexcept { vt_->flush(impl_.get(), q); }
  bool at_end() const noexcept { return vt_->at_end(impl_.get()); }
  uint16_t rx_queues() const noexcept { return vt_->rxq(impl_.get()); }
  uint16_t tx_queues() const noexcept { return vt_->txq(impl_.get()); }
  // Whether received frames stay valid until release(), across later rx bursts
  // (kHoldsRx in packet_burst.h). Any thread.
  bool holds_rx() const noexcept { return vt_->holds_rx; }
  // With holds_rx(): how many received frames one rx queue's user may hold before the
  // port runs out of receive buffers (and misses packets); kUnbounded when the port
  // names no limit. Any thread.
  static constexpr uint32_t kUnbounded = UINT32_MAX;
  uint32_t rx_lendable() const noexcept { return vt_->lendable(impl_.get()); }

  // Control path (metrics, reports).
  PortStats stats() const { return vt_->stats(impl_.get()); }
  LinkStatus link() const { return vt_->link(impl_.get()); }
  std::vector<XStat> xstats() const { return vt_->xstats(impl_.get()); }
  // One line: backend, device, queues and where its memory lives.
  std::string describe() const { return vt_->describe(impl_.get()); }

  // Returns the backend object when it is a P, else nullptr.
  template <BurstPort P>
  P* get_if() noexcept {
    return vt_ == &kTable<P> ? static_cast<P*>(impl_.get()) : nullptr;
  }

 private:
  struct Table {
    std::size_t (*rx)(void*, uint16_t, std::span<RxPacket>) noexcept;
    void (*release)(void*, uint16_t, std::span<const RxPacket>) noexcept;
    std::size_t (*tx)(void*, uint16_t, std::span<const TxPacket>) noexcept;
    void (*flush)(void*, uint16_t) noexcept;
    bool (*at_end)(const void*) noexcept;
    uint16_t (*rxq)(const void*) noexcept;
    uint16_t (*txq)(const void*) noexcept;
    PortStats (*stats)(const void*);
    LinkStatus (*link)(const void*);
    std::vector<XStat> (*xstats)(const void*);
    std::string (*describe)(const void*);
    bool holds_rx;
    uint32_t (*lendable)(const void*) noexcept;
  };

  template <class P>
  static void destroy(void* p) noexcept {
    delete static_cast<P*>(p);
  }

  template <class P>
  static constexpr Table kTable = {
      [](void* p, uint16_t q, std::span<RxPacket> out) noexcept { return static_cast<P*>(p)->rx_burst(q, out); },
      [](void* p, uint16_t q, std::span<const RxPacket> d) noexcept { static_cast<P*>(p)->release(q, d); },
      [](void* p, uint16_t q, std::span<const TxPacket> t) noexcept { return static_cast<P*>(p)->tx_burst(q, t); },
      [](void* p, uint16_t q) noexcept { static_cast<P*>(p)->flush_tx(q); },
      [](const void* p) noexcept { return static_cast<const P*>(p)->at_end(); },
      [](const void* p) noexcept { return static_cast<const P*>(p)->rx_queues(); },
      [](const void* p) noexcept { return static_cast<const P*>(p)->tx_queues(); },
      [](const void* p) { return static_cast<const P*>(p)->stats(); },
      [](const void* p) {
        if constexpr (requires(const P& x) { x.link(); }) return static_cast<const P*>(p)->link();
        else return LinkStatus{};
      },
      [](const void* p) {
        if constexpr (requires(const P& x) { x.xstats(); }) return static_cast<const P*>(p)->xstats();
        else return std::vector<XStat>{};
      },
      [](const void* p) {
        if constexpr (requires(const P& x) { x.describe(); }) return static_cast<const P*>(p)->describe();
        else return std::string("port");
      },
      kHoldsRx<P>,
      [](const void* p) noexcept -> uint32_t {
        if constexpr (requires(const P& x) { x.rx_lendable(); }) return static_cast<const P*>(p)->rx_lendable();
        else return kUnbounded;
      },
  };

  std::unique_ptr<void, void (*)(void*) noexcept> impl_{nullptr, nullptr};
  const Table* vt_ = nullptr;
};

}  // namespace tachyon::nic
