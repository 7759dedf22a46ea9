// Names of the shared decode outcomes, for reports and logs. Control path.
#include "tachyon/dataplane/message_dispatch.h"

namespace tachyon::dataplane {

const char* to_string(DecodeStatus s) noexcept {
  switch (s) {
    case DecodeStatus::kOk: return "ok";
    case DecodeStatus::kEmpty: return "empty";
    case DecodeStatus::kUnknownType: return "unknown_type";
    case DecodeStatus::kBadLength: return "bad_length";
  }
  return "unknown";
}

}  // namespace tachyon::dataplane
