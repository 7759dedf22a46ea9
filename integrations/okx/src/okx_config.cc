// OKX configuration: TOML [okx] section, environment overrides, validation and the
// redacted description. Control path (start-up and reload).
#include "tachyon/okx/okx_config.h"

#include <toml++/toml.h>

#include <cstdlib>
#include <sstream>
#include <vector>

#include "tachyon/okx/secret_file.h"

namespace tachyon::okx {

EnvLookup process_environment() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

void OkxConfig::use_environment(bool demo_trading) {
  const bool was_default_public =
      ws_public_url == kProductionWsPublicUrl || ws_public_url == kDemoWsPublicUrl;
  const bool was_default_private =
      ws_private_url == kProductionWsPrivateUrl || ws_private_url == kDemoWsPrivateUrl;
  demo = demo_trading;
  if (was_default_public) ws_public_url = std::string(demo ? kDemoWsPublicUrl : kProductionWsPublicUrl);
  if (was_default_private) ws_private_url = std::string(demo ? kDemoWsPrivateUrl : kProductionWsPrivateUrl);
}

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string check_range(const char* name, int v, int lo, int hi) {
  if (v < lo || v > hi)
    return std::string("okx.") + name + " = " + std::to_string(v) + ": must be in [" + std::to_string(lo) + ", " +
           std::to_string(hi) + "]";
  return "";
}

std::optional<bool> parse_bool(std::string_view s) {
  if (s == "1" || s == "true" || s == "TRUE" || s == "yes" || s == "on") return true;
  if (s == "0" || s == "false" || s == "FALSE" || s == "no" || s == "off" || s.empty()) return false;
  return std::nullopt;
}

}  // namespace

std::string OkxConfig::validate() const {
  if (!starts_with(rest_url, "https://") && !starts_with(rest_url, "http://"))
    return "okx.rest_url = '" + rest_url + "': must start with https://";
  for (const auto* u : {&ws_public_url, &ws_private_url})
    if (!starts_with(*u, "wss://") && !starts_with(*u, "ws://"))
      return "okx.ws_*_url = '" + *u + "': must start with wss://";
  const bool any = !credentials.api_key.empty() || !credentials.secret_key.empty() || !credentials.passphrase.empty();
  if (any && !credentials.complete())
    return std::string("okx credentials incomplete: api_key ") + credentials.api_key.redacted() + ", secret_key " +
           credentials.secret_key.redacted() + ", passphrase " + credentials.passphrase.redacted() +
           ": set all three (OKX_API_KEY, OKX_SECRET_KEY, OKX_PASSPHRASE) or none";
  std::string e;
  if (!(e = check_range("connect_timeout_ms", connect_timeout_ms, 1, 120'000)).empty()) return e;
  if (!(e = check_range("request_timeout_ms", request_timeout_ms, 1, 120'000)).empty()) return e;
  if (!(e = check_range("ping_after_silence_ms", ping_after_silence_ms, 1, 29'999)).empty())
    return e + " (OKX drops a connection silent for 30 s)";
  if (!(e = check_range("pong_timeout_ms", pong_timeout_ms, 1, 60'000)).empty()) return e;
  if (!(e = check_range("reconnect_min_ms", reconnect_min_ms, 1, 600'000)).empty()) return e;
  if (!(e = check_range("reconnect_max_ms", reconnect_max_ms, reconnect_min_ms, 600'000)).empty()) return e;
  if (!(e = check_range("rate_limit_max_wait_ms", rate_limit_max_wait_ms, 0, 60'000)).empty()) return e;
  if (!(e = check_range("rate_limit_retries", rate_limit_retries, 0, 10)).empty()) return e;
  if (!(e = check_range("rate_limit_backoff_ms", rate_limit_backoff_ms, 1, 60'000)).empty()) return e;
  return "";
}

std::string OkxConfig::describe() const {
  std::ostringstream o;
  o << "okx: " << (demo ? "demo trading (x-simulated-trading: 1)" : "production") << "\n"
    << "  rest_url        " << rest_url << "\n"
    << "  ws_public_url   " << ws_public_url << "\n"
    << "  ws_private_url  " << ws_private_url << "\n"
    << "  api_key         " << credentials.api_key.redacted() << "\n"
    << "  secret_key      " << credentials.secret_key.redacted() << "\n"
    << "  passphrase      " << credentials.passphrase.redacted() << "\n";
  if (!ca_file.empty()) o << "  ca_file         " << ca_file << "\n";
  return o.str();
}

namespace {

// Parses toml_text's [okx] table and the environment; file_secrets (when given) gets
// the secret keys the text itself sets ("okx.api_key", ...).
Result<OkxConfig> parse_okx_config(std::string_view toml_text, const EnvLookup& env,
                                   std::vector<std::string>* file_secrets) {
  OkxConfig c;
  auto fail = [](std::string m) { return Error{ErrorKind::kInvalidArgument, 0, 0, std::move(m), "config"}; };
  bool demo = false;
  if (!toml_text.empty()) {
    toml::table root;
    try {
      root = toml::parse(toml_text);
    } catch (const toml::parse_error& e) {
      std::ostringstream o;
      o << "TOML parse error at line " << e.source().begin.line << ": " << e.description();
      return fail(o.str());
    }
    if (const toml::table* t = root["okx"].as_table()) {
      for (const auto& entry : *t) {
        const std::string key(entry.first.str());
        const toml::node& v = entry.second;  // a named reference: lambdas below capture it
        auto str = [&](std::string& out) -> bool {
          if (const auto s = v.value<std::string>()) {
            out = *s;
            return true;
          }
          return false;
        };
        auto integer = [&](int& out) -> bool {
          if (const auto i = v.value<int64_t>(); i && *i >= INT32_MIN && *i <= INT32_MAX) {
            out = static_cast<int>(*i);
            return true;
          }
          return false;
        };
        std::string s;
        bool ok = true;
        if (file_secrets && (key == "api_key" || key == "secret_key" || key == "passphrase"))
          file_secrets->push_back("okx." + key);
        if (key == "api_key") {
          ok = str(s);
          c.credentials.api_key = Secret(std::move(s));
        } else if (key == "secret_key") {
          ok = str(s);
          c.credentials.secret_key = Secret(std::move(s));
        } else if (key == "passphrase") {
          ok = str(s);
          c.credentials.passphrase = Secret(std::move(s));
        } else if (key == "demo") {
          const auto b = v.value<bool>();
          ok = b.has_value();
          if (ok) demo = *b;
        } else if (key == "rest_url") {
          ok = str(c.rest_url);
        } else if (key == "ws_public_url") {
          ok = str(c.ws_public_url);
        } else if (key == "ws_private_url") {
          ok = str(c.ws_private_url);
        } else if (key == "ca_file") {
          ok = str(c.ca_file);
        } else if (key == "connect_timeout_ms") {
          ok = integer(c.connect_timeout_ms);
        } else if (key == "request_timeout_ms") {
          ok = integer(c.request_timeout_ms);
        } else if (key == "ping_after_silence_ms") {
          ok = integer(c.ping_after_silence_ms);
        } else if (key == "pong_timeout_ms") {
          ok = integer(c.pong_timeout_ms);
        } else if (key == "reconnect_min_ms") {
          ok = integer(c.reconnect_min_ms);
        } else if (key == "reconnect_max_ms") {
          ok = integer(c.reconnect_max_ms);
        } else if (key == "rate_limit_max_wait_ms") {
          ok = integer(c.rate_limit_max_wait_ms);
        } else if (key == "rate_limit_retries") {
          ok = integer(c.rate_limit_retries);
        } else if (key == "rate_limit_backoff_ms") {
          ok = integer(c.rate_limit_backoff_ms);
        } else {
          return fail("okx." + key + ": unknown key");
        }
        if (!ok) {
          const bool secret = key == "api_key" || key == "secret_key" || key == "passphrase";
          return fail("okx." + key + ": wrong type" + (secret ? " (value not shown)" : ""));
        }
      }
    }
  }
  if (auto v = env("OKX_API_KEY")) c.credentials.api_key = Secret(std::move(*v));
  if (auto v = env("OKX_SECRET_KEY")) c.credentials.secret_key = Secret(std::move(*v));
  if (auto v = env("OKX_PASSPHRASE")) c.credentials.passphrase = Secret(std::move(*v));
  if (auto v = env("OKX_SANDBOX")) {
    const auto b = parse_bool(*v);
    if (!b) return fail("OKX_SANDBOX = '" + *v + "': must be 1/0/true/false");
    demo = *b;
  }
  c.use_environment(demo);
  if (std::string e = c.validate(); !e.empty()) return fail(e);
  return c;
}

}  // namespace

Result<OkxConfig> load_okx_config(std::string_view toml_text, const EnvLookup& env) {
  return parse_okx_config(toml_text, env, nullptr);
}

Result<OkxConfig> load_okx_config_file(const std::string& path, const EnvLookup& env) {
  Result<SettingsFile> f = read_settings_file(path);
  if (!f) return std::move(f).error();
  std::vector<std::string> secrets;
  Result<OkxConfig> c = parse_okx_config(f->text, env, &secrets);
  // The permission rule first: a file exposing secrets is refused whatever else is wrong.
  if (std::optional<Error> e = refuse_exposed_secrets(*f, secrets)) return std::move(*e);
  if (!c) {
    Error e = std::move(c).error();
    e.message = path + ": " + e.message;
    return e;
  }
  return c;
}

}  // namespace tachyon::okx
