// Error kinds, OKX code classification and one-line descriptions. Control path.
#include "tachyon/okx/error.h"

namespace tachyon::okx {

const char* to_string(ErrorKind k) noexcept {
  switch (k) {
    case ErrorKind::kRateLimited: return "rate limited by OKX";
    case ErrorKind::kLocalRateLimit: return "refused by the local rate limiter";
    case ErrorKind::kTimestampExpired: return "timestamp expired";
    case ErrorKind::kBadSignature: return "bad signature";
    case ErrorKind::kInsufficientFunds: return "insufficient funds";
    case ErrorKind::kFateUnknown: return "order fate unknown";
    case ErrorKind::kOrderNotFound: return "order not found";
    case ErrorKind::kServiceUnavailable: return "service unavailable";
    case ErrorKind::kRejected: return "rejected";
    case ErrorKind::kTimeout: return "timeout";
    case ErrorKind::kTransport: return "transport error";
    case ErrorKind::kHttp: return "HTTP error";
    case ErrorKind::kParse: return "unparsable answer";
    case ErrorKind::kInvalidArgument: return "invalid argument";
    case ErrorKind::kAuth: return "authentication failed";
  }
  return "unknown";
}

ErrorKind classify_okx_code(int code) noexcept {
  switch (code) {
    case 50011: return ErrorKind::kRateLimited;       // requests too frequent
    case 50061: return ErrorKind::kRateLimited;       // sub-account order rate limit
    case 50102: return ErrorKind::kTimestampExpired;
    case 50113: return ErrorKind::kBadSignature;
    case 51008: return ErrorKind::kInsufficientFunds;
    case 50004: return ErrorKind::kFateUnknown;       // endpoint timeout: check the result
    case 51603: return ErrorKind::kOrderNotFound;
    case 50001: return ErrorKind::kServiceUnavailable;
    case 50013: return ErrorKind::kServiceUnavailable;  // systems busy
    case 50026: return ErrorKind::kServiceUnavailable;  // system error, try again later
    default: break;
  }
  if (code >= 50100 && code <= 50119) return ErrorKind::kAuth;
  return ErrorKind::kRejected;
}

std::string Error::describe() const {
  std::string s = context.empty() ? std::string("okx") : "okx: " + context;
  s += ": ";
  s += to_string(kind);
  if (okx_code != 0) s += " (code " + std::to_string(okx_code) + ")";
  if (http_status != 0) s += " (HTTP " + std::to_string(http_status) + ")";
  if (!message.empty()) s += ": " + message;
  return s;
}

}  // namespace tachyon::okx
