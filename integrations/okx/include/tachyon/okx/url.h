// A parsed http(s)/ws(s) URL: scheme, host, port and the path with its query.
// Plain value; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tachyon::okx {

struct Url {
  std::string scheme;  // "https", "http", "wss", "ws"
  std::string host;    // name or IPv4 literal (IPv6 in brackets is kept without them)
  uint16_t port = 0;   // the scheme's default when absent
  std::string path;    // "/ws/v5/public", "/" when absent; includes any query
  bool tls() const noexcept { return scheme == "https" || scheme == "wss"; }
  // Returns "host" or "host:port" when the port is not the scheme's default.
  std::string host_header() const;

  static std::optional<Url> parse(std::string_view text);
};

}  // namespace tachyon::okx
