// HMAC-SHA256 + Base64 with OpenSSL, timestamps and the OKX headers. Control path.
#include "tachyon/okx/signer.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "tachyon/okx/json_text.h"

namespace tachyon::okx {

std::string hmac_sha256_base64(std::string_view key, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &mac_len) == nullptr)
    throw std::runtime_error("okx: HMAC(EVP_sha256) failed");
  unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(b64, mac, static_cast<int>(mac_len));
  return std::string(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(n));
}

std::string format_iso8601_ms(int64_t unix_ms) {
  int64_t secs = unix_ms / 1000;
  int64_t ms = unix_ms % 1000;
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  const std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

std::string RequestSigner::prehash(std::string_view timestamp, std::string_view method,
                                   std::string_view request_path, std::string_view body) {
  std::string s;
  s.reserve(timestamp.size() + method.size() + request_path.size() + body.size());
  s.append(timestamp).append(method).append(request_path).append(body);
  return s;
}

std::string RequestSigner::sign(std::string_view timestamp, std::string_view method, std::string_view request_path,
                                std::string_view body) const {
  return hmac_sha256_base64(creds_.secret_key.reveal(), prehash(timestamp, method, request_path, body));
}

std::vector<Header> RequestSigner::rest_headers(int64_t unix_ms, std::string_view method,
                                                std::string_view request_path, std::string_view body) const {
  const std::string ts = format_iso8601_ms(unix_ms);
  std::vector<Header> h;
  h.reserve(5);
  h.push_back({"OK-ACCESS-KEY", std::string(creds_.api_key.reveal())});
  h.push_back({"OK-ACCESS-SIGN", sign(ts, method, request_path, body)});
  h.push_back({"OK-ACCESS-TIMESTAMP", ts});
  h.push_back({"OK-ACCESS-PASSPHRASE", std::string(creds_.passphrase.reveal())});
  if (simulated_) h.push_back({"x-simulated-trading", "1"});
  return h;
}

std::vector<Header> RequestSigner::public_headers() const {
  std::vector<Header> h;
  if (simulated_) h.push_back({"x-simulated-trading", "1"});
  return h;
}


std::string RequestSigner::ws_login_message(int64_t unix_seconds) const {
  const std::string ts = std::to_string(unix_seconds);
  const std::string sig = sign(ts, "GET", "/users/self/verify", "");
  std::string m = R"({"op":"login","args":[{"apiKey":)";
  append_json_string(m, creds_.api_key.reveal());
  m += R"(,"passphrase":)";
  append_json_string(m, creds_.passphrase.reveal());
  m += R"(,"timestamp":)";
  append_json_string(m, ts);
  m += R"(,"sign":)";
  append_json_string(m, sig);
  m += "}]}";
  return m;
}

}  // namespace tachyon::okx
