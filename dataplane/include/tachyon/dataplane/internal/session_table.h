// MoldUDP64 sequence trackers for the sessions of one replayed stream (a few at most),
// found by linear search. Owned by the replay thread; not thread-safe. Internal.
#pragma once

#include <array>
#include <cstddef>
#include <cstdio>
#include <span>
#include <string>

#include "tachyon/dataplane/message_dispatch.h"
#include "tachyon/dataplane/moldudp64_sequence.h"
#include "tachyon/dataplane/replay.h"

namespace tachyon::dataplane::internal {

// Adds the anomalies of one session's log to a total over sessions.
inline void merge(mold::RangeLog& into, const mold::RangeLog& from) noexcept {
  if (from.events == 0) return;
  if (into.events == 0) into.first = from.first;
  into.last = from.last;
  into.events += from.events;
  into.messages += from.messages;
}

class SessionTable {
 public:
  static constexpr std::size_t kMaxSessions = 16;

  // Returns the tracker of session s, binding a free one on first sight; nullptr when
  // every tracker is bound to another session. O(sessions), hot path.
  mold::SequenceTracker* find(const mold::Session& s) noexcept {
    for (std::size_t i = 0; i < used_; ++i)
      if (sessions_[i] == s) return &trackers_[i];
    if (used_ == kMaxSessions) return nullptr;
    sessions_[used_] = s;
    return &trackers_[used_++];
  }

  // Adds every session's gaps, duplicates and out-of-order packets to sum.
  void summarise(ReplaySummary& sum) const noexcept {
    sum.sessions = used_;
    for (std::size_t i = 0; i < used_; ++i) {
      const mold::SequenceTracker& t = trackers_[i];
      merge(sum.gaps, t.gaps());
      merge(sum.duplicates, t.duplicates());
      merge(sum.out_of_order, t.out_of_order());
      sum.end_of_sessions += t.ended() ? 1 : 0;
    }
  }

 private:
  std::array<mold::Session, kMaxSessions> sessions_{};
  std::array<mold::SequenceTracker, kMaxSessions> trackers_;
  std::size_t used_ = 0;
};

// Names a capture record in problem reports: "packet N (offset O)" for classic pcap,
// "packet N" for pcapng (whose block offsets the reader does not expose).
inline std::string where(uint64_t packet, bool classic, uint64_t offset) {
  std::string s = "packet " + std::to_string(packet);
  if (classic) s += " (offset " + std::to_string(offset) + ")";
  return s;
}

// Describes a message that did not decode: where its packet is, its MoldUDP64
// sequence number, its type byte and length, and why.
// length: the message's whole length, when msg holds only its first bytes.
inline std::string bad_message(const std::string& packet, uint64_t seq, std::span<const uint8_t> msg,
                               std::size_t length, DecodeStatus st) {
  char type[16];
  if (msg.empty()) std::snprintf(type, sizeof type, "none");
  else if (msg[0] >= 0x21 && msg[0] < 0x7f) std::snprintf(type, sizeof type, "'%c'", msg[0]);
  else std::snprintf(type, sizeof type, "0x%02x", msg[0]);
  return packet + ": message " + std::to_string(seq) + " (type " + type + ", " + std::to_string(length) +
         " bytes): " + to_string(st);
}
inline std::string bad_message(const std::string& packet, uint64_t seq, std::span<const uint8_t> msg,
                               DecodeStatus st) {
  return bad_message(packet, seq, msg, msg.size(), st);
}

}  // namespace tachyon::dataplane::internal
