// Names of MoldUDP64 parse outcomes and sequence verdicts. Control path.
#include "tachyon/dataplane/moldudp64.h"

#include "tachyon/dataplane/moldudp64_sequence.h"

#include <cstdio>
#include <string>

namespace tachyon::dataplane::mold {

const char* to_string(Status s) noexcept {
  switch (s) {
    case Status::kOk: return "ok";
    case Status::kTruncatedHeader: return "truncated_header";
    case Status::kTruncatedBlockLength: return "truncated_block_length";
    case Status::kTruncatedBlock: return "truncated_block";
    case Status::kTrailingBytes: return "trailing_bytes";
    case Status::kControlWithPayload: return "control_with_payload";
  }
  return "unknown";
}

const char* to_string(Verdict v) noexcept {
  switch (v) {
    case Verdict::kInOrder: return "in_order";
    case Verdict::kGap: return "gap";
    case Verdict::kDuplicate: return "duplicate";
    case Verdict::kPartialDuplicate: return "partial_duplicate";
    case Verdict::kLate: return "late";
    case Verdict::kHeartbeat: return "heartbeat";
    case Verdict::kEndOfSession: return "end_of_session";
    case Verdict::kWrongSession: return "wrong_session";
    case Verdict::kInvalid: return "invalid";
  }
  return "unknown";
}

namespace {

void range_line(std::string& s, const char* what, const RangeLog& r) {
  if (r.events == 0) return;
  char buf[200];
  std::snprintf(buf, sizeof buf, "%s: %llu packets, %llu messages, first %llu-%llu, last %llu-%llu\n", what,
                static_cast<unsigned long long>(r.events), static_cast<unsigned long long>(r.messages),
                static_cast<unsigned long long>(r.first.first), static_cast<unsigned long long>(r.first.last),
                static_cast<unsigned long long>(r.last.first), static_cast<unsigned long long>(r.last.last));
  s += buf;
}

}  // namespace

std::string describe(const SequenceTracker& t) {
  std::string s;
  char buf[200];
  std::snprintf(buf, sizeof buf, "session '%.*s': %llu packets, %llu messages delivered, next expected %llu%s\n",
                10, t.session().chars.data(), static_cast<unsigned long long>(t.packets()),
                static_cast<unsigned long long>(t.delivered()), static_cast<unsigned long long>(t.expected()),
                t.ended() ? ", ended" : "");
  s += buf;
  range_line(s, "gaps", t.gaps());
  range_line(s, "duplicates", t.duplicates());
  range_line(s, "out of order", t.out_of_order());
  if (!t.open_gaps().empty() || t.forgotten_gaps() > 0) {
    std::snprintf(buf, sizeof buf, "open gaps: %zu (%llu forgotten)\n", t.open_gaps().size(),
                  static_cast<unsigned long long>(t.forgotten_gaps()));
    s += buf;
  }
  if (t.wrong_session() > 0 || t.invalid() > 0) {
    std::snprintf(buf, sizeof buf, "ignored: %llu from other sessions, %llu with invalid sequence numbers\n",
                  static_cast<unsigned long long>(t.wrong_session()), static_cast<unsigned long long>(t.invalid()));
    s += buf;
  }
  return s;
}

}  // namespace tachyon::dataplane::mold
