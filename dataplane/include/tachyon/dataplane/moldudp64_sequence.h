// Per-session MoldUDP64 sequence tracking: detects, counts and reports gaps, duplicates
// and out-of-order (late) packets with their sequence ranges, in fixed memory. One
// tracker per stream, owned by the core that receives it; not thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "tachyon/dataplane/moldudp64.h"

namespace tachyon::dataplane::mold {

// An inclusive range of message sequence numbers.
struct SeqRange {
  uint64_t first = 0;
  uint64_t last = 0;
  uint64_t size() const noexcept { return last - first + 1; }
  friend bool operator==(const SeqRange&, const SeqRange&) = default;
};

// Counts of one kind of anomaly, with the first and the latest range seen.
struct RangeLog {
  uint64_t events = 0;    // packets (or heartbeats) that showed the anomaly
  uint64_t messages = 0;  // sequence numbers involved, saturating
  SeqRange first{};
  SeqRange last{};

  void add(SeqRange r, uint64_t messages_in_range) noexcept {
    if (events == 0) first = r;
    last = r;
    ++events;
    messages = messages + messages_in_range < messages ? UINT64_MAX : messages + messages_in_range;
  }
};

enum class Verdict : uint8_t {
  kInOrder = 0,           // exactly the next messages
  kGap = 1,               // new messages after a hole (the hole is logged)
  kDuplicate = 2,         // nothing new: every message was seen (or is late; see kLate)
  kPartialDuplicate = 3,  // starts with seen messages, then new ones
  kLate = 4,              // carries messages of an open gap (out of order)
  kHeartbeat = 5,
  kEndOfSession = 6,
  kWrongSession = 7,  // another session's packet: ignored and counted
  kInvalid = 8,       // sequence range reaches 2^64 - 1: ignored and counted
};

const char* to_string(Verdict v) noexcept;

class SequenceTracker;
// Describes a tracker's counts and ranges, one fact per line. Control path.
std::string describe(const SequenceTracker& t);

// What to do with one packet: apply its messages [skip, count) in order.
struct Delivery {
  Verdict verdict = Verdict::kInOrder;
  uint16_t skip = 0;
};

// The book moves forward only, so messages behind the next expected sequence number
// are never delivered: late ones (filling an open gap) are logged as out of order and
// the gap shrinks; the rest are duplicates. Open gaps are kept up to kMaxOpenGaps; the
// oldest is forgotten (and counted) beyond that, and its late messages then count as
// duplicates.
class SequenceTracker {
 public:
  static constexpr std::size_t kMaxOpenGaps = 16;

  // first_expected: the sequence number of the session's first message (1 in MoldUDP64).
  explicit SequenceTracker(uint64_t first_expected = 1) noexcept : expected_(first_expected) {}

  // Classifies one packet header and updates the state. The first packet binds the
  // session. O(kMaxOpenGaps), hot path.
  Delivery on_packet(const Header& h) noexcept {
    ++packets_;
    if (!bound_) {
      session_ = h.session;
      bound_ = true;
    } else if (!same_session(h.session, session_)) {
      ++wrong_session_;
      return {Verdict::kWrongSession, h.messages()};
    }
    const uint64_t s = h.sequence;
    if (h.heartbeat() || h.end_of_session()) {
      // A control packet carries the next expected sequence number.
      if (s > expected_) open_gap(SeqRange{expected_, s - 1});
      if (s > expected_) expected_ = s;
      if (h.end_of_session()) ended_ = true;
      return {h.end_of_session() ? Verdict::kEndOfSession : Verdict::kHeartbeat, 0};
    }
    const uint16_t c = h.count;
    if (s > UINT64_MAX - c) {  // the next expected number must stay representable
      ++invalid_;
      return {Verdict::kInvalid, c};
    }
    const uint64_t last = s + (c - 1u);
    if (s == expected_) {
      expected_ = last + 1;
      delivered_ += c;
      return {Verdict::kInOrder, 0};
    }
    if (s > expected_) {
      open_gap(SeqRange{expected_, s - 1});
      expected_ = last + 1;
      delivered_ += c;
      return {Verdict::kGap, 0};
    }
    // s < expected_: [s, old_last] was passed already.
    const uint64_t old_last = last < expected_ ? last : expected_ - 1;
    const uint64_t late = fill_gaps(SeqRange{s, old_last});
    const uint64_t old_count = old_last - s + 1;
    if (old_count > late) duplicates_.add(SeqRange{s, old_last}, old_count - late);
    const uint16_t skip = static_cast<uint16_t>(old_count);
    Verdict v = late > 0 ? Verdict::kLate : Verdict::kDuplicate;
    if (last >= expected_) {
      delivered_ += last - expected_ + 1;
      expected_ = last + 1;
      if (late == 0) v = Verdict::kPartialDuplicate;
    }
    return {v, skip};
  }

  // Forgets everything, including the bound session.
  void reset(uint64_t first_expected = 1) noexcept { *this = SequenceTracker(first_expected); }

  uint64_t expected() const noexcept { return expected_; }
  bool ended() const noexcept { return ended_; }
  bool bound() const noexcept { return bound_; }
  const Session& session() const noexcept { return session_; }
  const RangeLog& gaps() const noexcept { return gaps_; }
  const RangeLog& duplicates() const noexcept { return duplicates_; }
  const RangeLog& out_of_order() const noexcept { return late_; }
  std::span<const SeqRange> open_gaps() const noexcept { return {open_.data(), nopen_}; }
  uint64_t forgotten_gaps() const noexcept { return forgotten_; }
  uint64_t wrong_session() const noexcept { return wrong_session_; }
  uint64_t invalid() const noexcept { return invalid_; }
  uint64_t packets() const noexcept { return packets_; }
  uint64_t delivered() const noexcept { return delivered_; }

 private:
  void open_gap(SeqRange r) noexcept {
    gaps_.add(r, r.size());
    push_open(r);
  }
  void push_open(SeqRange r) noexcept {
    if (nopen_ == kMaxOpenGaps) {
      for (std::size_t i = 1; i < nopen_; ++i) open_[i - 1] = open_[i];
      --nopen_;
      ++forgotten_;
    }
    open_[nopen_++] = r;
  }
  // Removes the parts of open gaps that r covers; logs each as out of order and returns
  // how many sequence numbers of r were late.
  uint64_t fill_gaps(SeqRange r) noexcept {
    uint64_t late = 0;
    for (std::size_t i = 0; i < nopen_;) {
      const SeqRange g = open_[i];
      const uint64_t lo = g.first > r.first ? g.first : r.first;
      const uint64_t hi = g.last < r.last ? g.last : r.last;
      if (lo > hi) {
        ++i;
        continue;
      }
      late_.add(SeqRange{lo, hi}, hi - lo + 1);
      late += hi - lo + 1;
      // Keep what is left of g: a left part, a right part, or both (a split).
      const bool left = lo > g.first;
      const bool right = hi < g.last;
      if (left && right) {
        open_[i] = SeqRange{g.first, lo - 1};
        // When full, push_open() drops open_[0] and shifts: open_[i] is then unvisited.
        const bool shifts = nopen_ == kMaxOpenGaps;
        push_open(SeqRange{hi + 1, g.last});
        if (!shifts) ++i;
      } else if (left) {
        open_[i++] = SeqRange{g.first, lo - 1};
      } else if (right) {
        open_[i++] = SeqRange{hi + 1, g.last};
      } else {
        for (std::size_t j = i + 1; j < nopen_; ++j) open_[j - 1] = open_[j];
        --nopen_;
      }
    }
    return late;
  }

  uint64_t expected_;
  Session session_{};
  bool bound_ = false;
  bool ended_ = false;
  RangeLog gaps_{};
  RangeLog duplicates_{};
  RangeLog late_{};
  std::array<SeqRange, kMaxOpenGaps> open_{};
  std::size_t nopen_ = 0;
  uint64_t forgotten_ = 0;
  uint64_t wrong_session_ = 0;
  uint64_t invalid_ = 0;
  uint64_t packets_ = 0;
  uint64_t delivered_ = 0;
};

}  // namespace tachyon::dataplane::mold
