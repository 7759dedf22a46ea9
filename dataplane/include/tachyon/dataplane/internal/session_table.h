// MoldUDP64 sequence trackers for the sessions of one replayed stream (a few at most),
// found by linear search. Owned by the replay thread; not thread-safe. Internal.
#pragma once

#include <array>
#include <cstddef>

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

}  // namespace tachyon::dataplane::internal
