// MoldUDP64 1.00 downstream packets: a 20-byte header (session 10, sequence 8, count 2)
// then count length-prefixed message blocks; count 0 is a heartbeat and 0xFFFF ends the
// session. Validating parser and a packetizer that batches messages into MTU-sized
// datagrams. Used by one core per stream; a Packetizer is not thread-safe.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "tachyon/dataplane/alpha_field.h"
#include "tachyon/dataplane/big_endian.h"

namespace tachyon::dataplane::mold {

inline constexpr std::size_t kHeaderSize = 20;
inline constexpr std::size_t kBlockPrefixSize = 2;
inline constexpr uint16_t kHeartbeatCount = 0;
inline constexpr uint16_t kEndOfSessionCount = 0xFFFF;
inline constexpr uint16_t kMaxMessagesPerPacket = 0xFFFE;
// UDP payload of one Ethernet frame: 1500 MTU - 20 IPv4 - 8 UDP.
inline constexpr std::size_t kDefaultMaxPayload = 1472;

using Session = Alpha<10>;

struct Header {
  Session session;
  uint64_t sequence = 0;  // sequence number of the first message (or the next expected)
  uint16_t count = 0;     // messages in the packet, or a control value

  bool heartbeat() const noexcept { return count == kHeartbeatCount; }
  bool end_of_session() const noexcept { return count == kEndOfSessionCount; }
  // Returns the number of message blocks the packet carries (0 for control packets).
  uint16_t messages() const noexcept { return (heartbeat() || end_of_session()) ? 0 : count; }
  friend bool operator==(const Header&, const Header&) = default;
};

enum class Status : uint8_t {
  kOk = 0,
  kTruncatedHeader = 1,       // fewer than 20 bytes
  kTruncatedBlockLength = 2,  // a block's 2-byte length runs past the datagram
  kTruncatedBlock = 3,        // a block's data runs past the datagram
  kTrailingBytes = 4,         // bytes left after count blocks
  kControlWithPayload = 5,    // a heartbeat or end-of-session packet carrying bytes
};

const char* to_string(Status s) noexcept;

struct ParseResult {
  Status status = Status::kOk;
  uint32_t offset = 0;  // byte offset in the datagram where the problem starts
  uint16_t block = 0;   // index of the offending block, for block errors
  bool ok() const noexcept { return status == Status::kOk; }
};

// A parsed datagram: its header and its message blocks, already validated.
struct Packet {
  Header header;
  std::span<const uint8_t> blocks;  // the bytes after the header

  // Calls f(uint64_t sequence, std::span<const uint8_t> message) for each message, in
  // order. Hot path.
  template <class F>
  void for_each(F&& f) const noexcept {
    const uint8_t* p = blocks.data();
    const uint8_t* end = p + blocks.size();
    const uint16_t n = header.messages();
    for (uint16_t i = 0; i < n && end - p >= 2; ++i) {
      const uint16_t len = load_be16(p);
      p += 2;
      if (static_cast<std::size_t>(end - p) < len) return;
      f(header.sequence + i, std::span<const uint8_t>(p, len));
      p += len;
    }
  }
};

// Whether two sessions are equal, compared with one 8-byte and one 2-byte load each:
// the sizes of the stores that wrote a received packet's session (read_header), so the
// store buffer forwards them. Session's own == (a memcmp, inlined or not) reads them
// with wider or overlapping loads that cannot be forwarded and stall every packet.
// Hot path.
inline bool same_session(const Session& a, const Session& b) noexcept {
  static_assert(sizeof(a.chars) == 10);
  uint64_t a8, b8;
  uint16_t a2, b2;
  std::memcpy(&a8, a.chars.data(), 8);
  std::memcpy(&b8, b.chars.data(), 8);
  std::memcpy(&a2, a.chars.data() + 8, 2);
  std::memcpy(&b2, b.chars.data() + 8, 2);
  return a8 == b8 && a2 == b2;
}

// Reads the header only, into h field by field. Precondition: p holds at least
// kHeaderSize bytes. Hot path: filling the caller's Header in place matters, because
// copying a Header built in a temporary reads its session with one 16-byte load just
// after the 8- and 2-byte stores that wrote it, which the store buffer cannot forward;
// that stall was the largest single cost of the dispatch core.
inline void read_header(const uint8_t* p, Header& h) noexcept {
  std::memcpy(h.session.chars.data(), p, 10);
  h.sequence = load_be64(p + 10);
  h.count = load_be16(p + 18);
}

// Writes h at p. Precondition: kHeaderSize writable bytes.
inline void write_header(uint8_t* p, const Header& h) noexcept {
  std::memcpy(p, h.session.chars.data(), 10);
  store_be64(p + 10, h.sequence);
  store_be16(p + 18, h.count);
}

// Validates a whole datagram (header, every block length, nothing left over) before
// any message is used, so a damaged packet is dropped as a unit. O(count), hot path.
inline ParseResult parse(std::span<const uint8_t> dgram, Packet& out) noexcept {
  if (dgram.size() < kHeaderSize) return {Status::kTruncatedHeader, static_cast<uint32_t>(dgram.size()), 0};
  read_header(dgram.data(), out.header);
  out.blocks = dgram.subspan(kHeaderSize);
  const std::size_t size = dgram.size();
  if (out.header.heartbeat() || out.header.end_of_session()) {
    if (size != kHeaderSize) return {Status::kControlWithPayload, static_cast<uint32_t>(kHeaderSize), 0};
    return {};
  }
  std::size_t off = kHeaderSize;
  for (uint16_t i = 0; i < out.header.count; ++i) {
    if (size - off < kBlockPrefixSize) return {Status::kTruncatedBlockLength, static_cast<uint32_t>(off), i};
    const std::size_t len = load_be16(&dgram[off]);
    if (size - off - kBlockPrefixSize < len) return {Status::kTruncatedBlock, static_cast<uint32_t>(off), i};
    off += kBlockPrefixSize + len;
  }
  if (off != size) return {Status::kTrailingBytes, static_cast<uint32_t>(off), out.header.count};
  return {};
}

// Writes a retransmission request (same 20-byte layout: session, first sequence,
// requested count) into out. Returns kHeaderSize, or 0 when out is too small.
inline std::size_t encode_request(const Session& s, uint64_t sequence, uint16_t count,
                                  std::span<uint8_t> out) noexcept {
  if (out.size() < kHeaderSize) return 0;
  write_header(out.data(), Header{s, sequence, count});
  return kHeaderSize;
}

// Builds downstream datagrams in a caller-owned buffer: messages are appended until the
// next one would pass the payload limit, then flush() stamps the header and returns the
// datagram. Sequence numbers advance by the messages flushed. No allocation.
class Packetizer {
 public:
  // buffer must outlive the packetizer; the payload limit is the smaller of max_payload
  // and buffer.size(), and at least kHeaderSize (else nothing fits).
  Packetizer(std::span<uint8_t> buffer, const Session& session, uint64_t next_sequence,
             std::size_t max_payload = kDefaultMaxPayload) noexcept
      : buf_(buffer.data()),
        limit_(std::min(buffer.size(), max_payload)),
        session_(session),
        next_seq_(next_sequence) {}

  // Returns true when a message of len bytes fits into the current packet.
  bool fits(std::size_t len) const noexcept {
    return len <= 0xFFFF && limit_ >= kHeaderSize && count_ < kMaxMessagesPerPacket &&
           limit_ - kHeaderSize - used_ >= kBlockPrefixSize && limit_ - kHeaderSize - used_ - kBlockPrefixSize >= len;
  }
  // Returns a pointer to len writable bytes for the next message of the current packet
  // (the caller encodes into them), or nullptr when it does not fit: flush() and retry;
  // a message that does not fit an empty packet never will. Hot path.
  uint8_t* reserve(std::size_t len) noexcept {
    if (!fits(len)) return nullptr;
    uint8_t* p = buf_ + kHeaderSize + used_;
    store_be16(p, static_cast<uint16_t>(len));
    used_ += kBlockPrefixSize + len;
    ++count_;
    return p + kBlockPrefixSize;
  }
  // Copies msg into the current packet; false when it does not fit. Hot path.
  bool append(std::span<const uint8_t> msg) noexcept {
    uint8_t* dst = reserve(msg.size());
    if (dst == nullptr) return false;
    if (!msg.empty()) std::memcpy(dst, msg.data(), msg.size());
    return true;
  }
  // Drops the last reserved message (an encoder failed to fill it). Precondition:
  // reserve(len) was the last call and succeeded.
  void unreserve(std::size_t len) noexcept {
    used_ -= kBlockPrefixSize + len;
    --count_;
  }

  // Stamps the header of the current packet and returns the datagram; the buffer is
  // reused by the next packet. Returns an empty span when no message is pending.
  std::span<const uint8_t> flush() noexcept {
    if (count_ == 0) return {};
    write_header(buf_, Header{session_, next_seq_, count_});
    const std::size_t size = kHeaderSize + used_;
    next_seq_ += count_;
    count_ = 0;
    used_ = 0;
    return std::span<const uint8_t>(buf_, size);
  }
  // Returns a heartbeat carrying the next sequence number. Precondition: nothing pending.
  std::span<const uint8_t> heartbeat() noexcept { return control(kHeartbeatCount); }
  // Returns an end-of-session packet. Precondition: nothing pending.
  std::span<const uint8_t> end_of_session() noexcept { return control(kEndOfSessionCount); }

  // Continues a session from next (restoring a snapshot). Precondition: nothing pending.
  void set_next_sequence(uint64_t next) noexcept { next_seq_ = next; }

  uint16_t pending() const noexcept { return count_; }
  std::size_t pending_bytes() const noexcept { return count_ == 0 ? 0 : kHeaderSize + used_; }
  uint64_t next_sequence() const noexcept { return next_seq_; }
  const Session& session() const noexcept { return session_; }

 private:
  std::span<const uint8_t> control(uint16_t count) noexcept {
    if (limit_ < kHeaderSize || count_ != 0) return {};
    write_header(buf_, Header{session_, next_seq_, count});
    return std::span<const uint8_t>(buf_, kHeaderSize);
  }

  uint8_t* buf_;
  std::size_t limit_;
  std::size_t used_ = 0;  // block bytes after the header
  uint16_t count_ = 0;
  Session session_;
  uint64_t next_seq_;
};

}  // namespace tachyon::dataplane::mold
