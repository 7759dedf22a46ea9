// Names of MoldUDP64 parse outcomes and sequence verdicts. Control path.
#include "tachyon/dataplane/moldudp64.h"

#include "tachyon/dataplane/moldudp64_sequence.h"

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

}  // namespace tachyon::dataplane::mold
