// PacketDecoder: the first stage of a data-plane core. Takes received frames
// (Ethernet/[VLAN]/IPv4/UDP), keeps the datagrams of one feed (UdpFeedFilter), parses
// MoldUDP64, tracks each session's sequence numbers and hands every new message, in
// order, to a callback; counts everything it does not hand on. Owned by one core; not
// thread-safe; no allocation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "tachyon/dataplane/moldudp64.h"
#include "tachyon/dataplane/moldudp64_sequence.h"
#include "tachyon/nic/packet_burst.h"
#include "tachyon/nic/udp_feed_filter.h"
#include "tachyon/nic/udp_frame.h"

namespace tachyon::dataplane {

struct DecoderCounts {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t bad_frames = 0;     // not a complete IPv4/UDP frame
  uint64_t filtered = 0;       // datagrams of other feeds
  uint64_t bad_datagrams = 0;  // MoldUDP64 framing errors (the datagram is dropped whole)
  uint64_t too_many_sessions = 0;
  uint64_t messages = 0;       // messages handed on
  uint64_t heartbeats = 0;
};

class PacketDecoder {
 public:
  static constexpr std::size_t kMaxSessions = 16;

  explicit PacketDecoder(const nic::UdpFeedFilter& filter = {}) noexcept : filter_(filter) {}

  // Decodes one frame and calls on_message(std::span<const uint8_t> msg, uint64_t seq,
  // uint8_t session_index) for each new message. Hot path.
  template <class F>
  void decode(const nic::RxPacket& pkt, F&& on_message) noexcept {
    decode_packet(pkt, [&](const mold::Packet& p, uint16_t skip, uint8_t si) noexcept {
      uint16_t index = 0;
      p.for_each([&](uint64_t seq, std::span<const uint8_t> msg) {
        if (index++ < skip) return;
        on_message(msg, seq, si);
      });
    });
  }

  // Decodes one frame as decode() does, but calls on_packet(const mold::Packet& p,
  // uint16_t skip, uint8_t session_index) once for a datagram with new messages: the
  // first skip messages of p are duplicates, the rest (counted in messages) are new.
  // For a core that hands the datagram on whole. Hot path.
  template <class F>
  void decode_packet(const nic::RxPacket& pkt, F&& on_packet) noexcept {
    ++c_.packets;
    c_.bytes += pkt.length;
    nic::UdpFrame f;
    if (nic::decode_udp_frame(std::span<const uint8_t>(pkt.data, pkt.length), f) != nic::FrameError::kOk) [[unlikely]] {
      ++c_.bad_frames;
      return;
    }
    if (!filter_.matches(f)) {
      ++c_.filtered;
      return;
    }
    mold::Packet p;
    if (!mold::parse(f.payload, p).ok()) [[unlikely]] {
      ++c_.bad_datagrams;
      return;
    }
    const int si = session_index(p.header.session);
    if (si < 0) [[unlikely]] {
      ++c_.too_many_sessions;
      return;
    }
    const mold::Delivery d = trackers_[static_cast<std::size_t>(si)].on_packet(p.header);
    if (p.header.heartbeat()) ++c_.heartbeats;
    const uint16_t n = p.header.messages();
    if (d.skip >= n) return;
    c_.messages += n - d.skip;
    on_packet(p, static_cast<uint16_t>(d.skip), static_cast<uint8_t>(si));
  }

  const DecoderCounts& counts() const noexcept { return c_; }
  std::size_t sessions() const noexcept { return used_; }
  const mold::SequenceTracker& tracker(std::size_t i) const noexcept { return trackers_[i]; }

 private:
  int session_index(const mold::Session& s) noexcept {
    for (std::size_t i = 0; i < used_; ++i)
      if (mold::same_session(sessions_[i], s)) return static_cast<int>(i);
    if (used_ == kMaxSessions) return -1;
    sessions_[used_] = s;
    return static_cast<int>(used_++);
  }

  nic::UdpFeedFilter filter_;
  DecoderCounts c_;
  std::array<mold::Session, kMaxSessions> sessions_{};
  std::array<mold::SequenceTracker, kMaxSessions> trackers_;
  std::size_t used_ = 0;
};

}  // namespace tachyon::dataplane
