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

}  // namespace tachyon::dataplane
