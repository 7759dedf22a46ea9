// MessageRecord: one application message (ITCH or OUCH, at most 52 bytes) with its rx
// stamp, as it travels between data-plane cores over SPSC rings: from the dispatch
// core to a shard core, and from a shard core's output back to the tx core. One cache
// line; trivially copyable. Thread-safe as a value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "tachyon/book/cache_line.h"
#include "tachyon/dataplane/big_endian.h"

namespace tachyon::dataplane {

struct alignas(kCacheLine) MessageRecord {
  // Bytes of message a record carries. Every ITCH 5.0 message (the longest, NOII 'I',
  // is 50 bytes) and every OUCH 4.2 message fits.
  static constexpr std::size_t kMaxBytes = 52;

  uint64_t rx_tsc = 0;  // TSC of the rx burst that brought the message's packet
  uint16_t length = 0;  // bytes used in bytes[]
  uint8_t origin = 0;   // inbound session index (match mode: which client); 0 otherwise
  uint8_t flags = 0;    // kFlag* below
  uint8_t bytes[kMaxBytes];

  // The packet ended with this message (the shard flushes batched work here).
  static constexpr uint8_t kFlagLastOfPacket = 1;

  // Fills the record; false (record untouched) when msg is longer than kMaxBytes.
  // Hot path.
  bool assign(std::span<const uint8_t> msg, uint64_t tsc, uint8_t from = 0) noexcept {
    if (msg.size() > kMaxBytes) [[unlikely]]
      return false;
    rx_tsc = tsc;
    length = static_cast<uint16_t>(msg.size());
    origin = from;
    flags = 0;
    std::memcpy(bytes, msg.data(), msg.size());
    return true;
  }
  std::span<const uint8_t> message() const noexcept { return {bytes, length}; }
};

static_assert(sizeof(MessageRecord) == kCacheLine && alignof(MessageRecord) == kCacheLine);
static_assert(offsetof(MessageRecord, bytes) + MessageRecord::kMaxBytes == kCacheLine);

// PacketRef: a received datagram's new messages, handed whole from the dispatch core
// to a shard core instead of one MessageRecord per message (packet hand-off). The
// MoldUDP64 message blocks stay in the port's receive buffer; the dispatch core frees
// that buffer once every shard it handed the datagram to has released the reference.
// Half a cache line; trivially copyable. Thread-safe as a value.
struct PacketRef {
  const uint8_t* blocks = nullptr;  // the first new message's 2-byte length prefix
  uint64_t rx_tsc = 0;              // TSC of the rx burst that brought the packet
  uint16_t messages = 0;            // new messages from blocks on
  uint8_t origin = 0;               // inbound session index

  // Calls f(std::span<const uint8_t> msg) for each new message, in order. The
  // datagram was validated (mold::parse) before the reference was made. Hot path.
  template <class F>
  void for_each(F&& f) const noexcept {
    const uint8_t* p = blocks;
    for (uint16_t i = 0; i < messages; ++i) {
      const uint16_t len = load_be16(p);
      f(std::span<const uint8_t>(p + 2, len));
      p += 2 + len;
    }
  }
};

static_assert(sizeof(PacketRef) <= kCacheLine / 2);

}  // namespace tachyon::dataplane
