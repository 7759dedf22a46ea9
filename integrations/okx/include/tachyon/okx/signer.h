// OKX v5 request signing: Base64(HMAC-SHA256(secret, prehash)) with OpenSSL, the REST
// headers (OK-ACCESS-*, x-simulated-trading) and the WebSocket login message.
// Control path; a RequestSigner is immutable after construction and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tachyon/okx/secret.h"

namespace tachyon::okx {

// Returns Base64(HMAC-SHA256(key, message)), 44 characters.
std::string hmac_sha256_base64(std::string_view key, std::string_view message);

// Formats Unix milliseconds as ISO-8601 UTC with milliseconds: 2020-12-08T09:08:57.715Z.
std::string format_iso8601_ms(int64_t unix_ms);

struct Credentials {
  Secret api_key;
  Secret secret_key;
  Secret passphrase;

  bool complete() const noexcept { return !api_key.empty() && !secret_key.empty() && !passphrase.empty(); }
};

struct Header {
  std::string name;
  std::string value;
};

class RequestSigner {
 public:
  RequestSigner(Credentials creds, bool simulated) : creds_(std::move(creds)), simulated_(simulated) {}

  // Returns the prehash string timestamp + METHOD + request_path (with its query) + body.
  static std::string prehash(std::string_view timestamp, std::string_view method, std::string_view request_path,
                             std::string_view body);

  // Returns the signature of one REST request at the given ISO-8601 timestamp.
  std::string sign(std::string_view timestamp, std::string_view method, std::string_view request_path,
                   std::string_view body) const;

  // Returns the headers of a signed REST request made at unix_ms (server time):
  // OK-ACCESS-KEY, OK-ACCESS-SIGN, OK-ACCESS-TIMESTAMP, OK-ACCESS-PASSPHRASE, and
  // x-simulated-trading: 1 in demo mode. The values hold secrets: never log them.
  std::vector<Header> rest_headers(int64_t unix_ms, std::string_view method, std::string_view request_path,
                                   std::string_view body) const;

  // Returns the headers every request carries, signed or not (demo flag only).
  std::vector<Header> public_headers() const;

  // Returns the WebSocket login op, signing unix_seconds + "GET" + "/users/self/verify".
  std::string ws_login_message(int64_t unix_seconds) const;

  bool simulated() const noexcept { return simulated_; }
  const Credentials& credentials() const noexcept { return creds_; }

 private:
  Credentials creds_;
  bool simulated_;
};

}  // namespace tachyon::okx
