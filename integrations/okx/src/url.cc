// URL parsing for the OKX clients. Control path.
#include "tachyon/okx/url.h"

#include <charconv>

namespace tachyon::okx {

std::string Url::host_header() const {
  const uint16_t def = tls() ? 443 : 80;
  const bool v6 = host.find(':') != std::string::npos;
  const std::string h = v6 ? "[" + host + "]" : host;
  return port == def ? h : h + ":" + std::to_string(port);
}

std::optional<Url> Url::parse(std::string_view t) {
  Url u;
  const auto sep = t.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  u.scheme = std::string(t.substr(0, sep));
  if (u.scheme != "https" && u.scheme != "http" && u.scheme != "wss" && u.scheme != "ws") return std::nullopt;
  t.remove_prefix(sep + 3);
  const auto slash = t.find_first_of("/?");
  std::string_view authority = t.substr(0, slash);
  u.path = slash == std::string_view::npos ? "/" : std::string(t.substr(slash));
  if (!u.path.empty() && u.path[0] == '?') u.path.insert(u.path.begin(), '/');
  std::string_view port_text;
  if (!authority.empty() && authority[0] == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    u.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (!authority.empty()) {
      if (authority[0] != ':') return std::nullopt;
      port_text = authority.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (u.host.empty()) return std::nullopt;
  u.port = u.tls() ? 443 : 80;
  if (!port_text.empty()) {
    unsigned p = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), p);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || p == 0 || p > 65535) return std::nullopt;
    u.port = static_cast<uint16_t>(p);
  }
  return u;
}

}  // namespace tachyon::okx
