// Typed OKX errors and the Result<T> every control-path call returns: the venue's
// code/msg and each batch item's sCode/sMsg, HTTP status, transport failures and local
// refusals. Plain values; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace tachyon::okx {

enum class ErrorKind : uint8_t {
  kRateLimited = 0,        // venue said 50011 or HTTP 429: not executed, may retry later
  kLocalRateLimit = 1,     // refused here before sending: the endpoint's budget is spent
  kTimestampExpired = 2,   // 50102: the request timestamp was too far from server time
  kBadSignature = 3,       // 50113: the venue could not verify OK-ACCESS-SIGN
  kInsufficientFunds = 4,  // 51008
  kFateUnknown = 5,        // 50004 or a timeout after sending: the order may or may not exist
  kOrderNotFound = 6,      // 51603: no such order
  kServiceUnavailable = 7, // 50001/50013: busy or in maintenance, nothing executed
  kRejected = 8,           // any other non-zero code or sCode
  kTimeout = 9,            // no (complete) answer within the deadline
  kTransport = 10,         // DNS, TCP, TLS or HTTP framing failure
  kHttp = 11,              // non-2xx status without an OKX code
  kParse = 12,             // the answer was not the JSON we expect
  kInvalidArgument = 13,   // the request was refused here as malformed (e.g. batch > 20)
  kAuth = 14,              // other authentication failures (50100-50119)
};

const char* to_string(ErrorKind k) noexcept;

// Returns the kind of an OKX code (0 is not an error; do not call with 0).
ErrorKind classify_okx_code(int code) noexcept;

struct Error {
  ErrorKind kind = ErrorKind::kRejected;
  int okx_code = 0;     // code or sCode, 0 when the venue gave none
  int http_status = 0;  // 0 when there was no HTTP answer
  std::string message;  // the venue's msg/sMsg or the system's message
  std::string context;  // what was being done: "POST /api/v5/trade/order"
  bool maybe_executed = false;  // the request may have reached the venue and acted

  // Returns one line naming the context, the kind, the code and the message.
  std::string describe() const;
};

// Either a value or an Error (std::expected-style; C++20 has no std::expected).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T v) : v_(std::in_place_index<0>, std::move(v)) {}                 // NOLINT
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}             // NOLINT
  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
struct Ok {};
using Status = Result<Ok>;

}  // namespace tachyon::okx
