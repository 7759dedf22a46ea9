// Names of the backpressure policies (config rings.backpressure). Thread-safe.
#include "tachyon/dataplane/backpressure.h"

namespace tachyon::dataplane {

const char* to_string(BackpressurePolicy p) noexcept {
  switch (p) {
    case BackpressurePolicy::kReject: return "reject";
    case BackpressurePolicy::kDrop: return "drop";
    case BackpressurePolicy::kBlock: return "block";
  }
  return "unknown";
}

std::optional<BackpressurePolicy> backpressure_from_string(std::string_view s) noexcept {
  if (s == "reject") return BackpressurePolicy::kReject;
  if (s == "drop") return BackpressurePolicy::kDrop;
  if (s == "block") return BackpressurePolicy::kBlock;
  return std::nullopt;
}

}  // namespace tachyon::dataplane
