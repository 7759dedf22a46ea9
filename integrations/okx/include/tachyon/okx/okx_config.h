// OKX connection settings: the [okx] TOML section (a file holding secrets must be 0600)
// plus the environment variables OKX_API_KEY, OKX_SECRET_KEY, OKX_PASSPHRASE and
// OKX_SANDBOX (which override the file). Validated into an immutable value before
// anything connects. Plain value; thread-safe to read. Its text form (describe)
// redacts every secret.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "tachyon/okx/error.h"
#include "tachyon/okx/signer.h"

namespace tachyon::okx {

inline constexpr std::string_view kProductionRestUrl = "https://www.okx.com";
inline constexpr std::string_view kProductionWsPublicUrl = "wss://ws.okx.com:8443/ws/v5/public";
inline constexpr std::string_view kProductionWsPrivateUrl = "wss://ws.okx.com:8443/ws/v5/private";
inline constexpr std::string_view kDemoRestUrl = "https://www.okx.com";  // demo is a header on REST
inline constexpr std::string_view kDemoWsPublicUrl = "wss://wspap.okx.com:8443/ws/v5/public";
inline constexpr std::string_view kDemoWsPrivateUrl = "wss://wspap.okx.com:8443/ws/v5/private";

struct OkxConfig {
  Credentials credentials;
  bool demo = false;  // demo trading: x-simulated-trading: 1 and the demo WebSocket hosts

  std::string rest_url{kProductionRestUrl};
  std::string ws_public_url{kProductionWsPublicUrl};
  std::string ws_private_url{kProductionWsPrivateUrl};
  std::string ca_file;  // extra trusted CA (PEM); empty: the system store

  int connect_timeout_ms = 5'000;
  int request_timeout_ms = 10'000;
  int ping_after_silence_ms = 20'000;  // OKX closes a connection silent for 30 s
  int pong_timeout_ms = 5'000;
  int reconnect_min_ms = 250;
  int reconnect_max_ms = 30'000;
  int rate_limit_max_wait_ms = 2'000;  // queue for a rate-limit slot up to this, else refuse
  int rate_limit_retries = 3;          // retries after 50011 / HTTP 429
  int rate_limit_backoff_ms = 500;     // first wait after 50011 / 429, doubled each time

  // Returns "" when valid, else one line naming the field, its value and the rule.
  std::string validate() const;
  // Returns a multi-line description with every credential redacted.
  std::string describe() const;
  // Switches to the demo or production defaults for the URLs that were not set.
  void use_environment(bool demo_trading);
};

// Returns the environment variable's value or nullopt; tests pass their own.
using EnvLookup = std::function<std::optional<std::string>(const char*)>;
EnvLookup process_environment();

// Builds the configuration from the [okx] table of toml_text ("" for none) and the
// environment. Keys: api_key, secret_key, passphrase, demo (bool), rest_url,
// ws_public_url, ws_private_url, ca_file, and the *_ms timings above. Errors name the
// key and the value (secrets redacted).
Result<OkxConfig> load_okx_config(std::string_view toml_text, const EnvLookup& env);

// As load_okx_config, from the file at path. A file that sets api_key, secret_key or
// passphrase must be 0600 or stricter: with any permission bit for group or others it
// is refused, and the error names the file, its mode and the keys (never the values).
// Errors name the file.
Result<OkxConfig> load_okx_config_file(const std::string& path, const EnvLookup& env);

}  // namespace tachyon::okx
