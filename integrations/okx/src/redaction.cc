// Log redaction (see redaction.h). Control path.
#include "tachyon/okx/redaction.h"

#include <cctype>

namespace tachyon::okx {

bool is_sensitive_key(std::string_view key) noexcept {
  char lower[32];
  if (key.size() >= sizeof lower) return false;
  for (std::size_t i = 0; i < key.size(); ++i)
    lower[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(key[i])));
  const std::string_view k(lower, key.size());
  for (const char* s : {"apikey", "api_key", "secretkey", "secret_key", "secret", "passphrase", "sign", "password",
                        "ok-access-key", "ok-access-sign", "ok-access-passphrase"})
    if (k == s) return true;
  return false;
}

namespace {
// Returns the index one past the string literal starting at i (json[i] == '"').
std::size_t string_end(std::string_view json, std::size_t i) {
  std::size_t j = i + 1;
  while (j < json.size() && json[j] != '"') j += json[j] == '\\' ? 2 : 1;
  return j < json.size() ? j + 1 : json.size();
}
}  // namespace

std::string redact_json(std::string_view json, std::size_t max_bytes) {
  // A small scanner: the value after a sensitive "key": (string or bare token) is
  // replaced. Works on well-formed and truncated text alike.
  std::string out;
  std::size_t i = 0;
  while (i < json.size()) {
    if (json[i] != '"') {
      out += json[i++];
      continue;
    }
    const std::size_t end = string_end(json, i);
    const std::string_view lit = json.substr(i, end - i);
    out += lit;
    i = end;
    std::size_t k = i;
    while (k < json.size() && std::isspace(static_cast<unsigned char>(json[k]))) ++k;
    if (k >= json.size() || json[k] != ':' || lit.size() < 2 || !is_sensitive_key(lit.substr(1, lit.size() - 2)))
      continue;
    // Copy up to the value, then replace the value.
    ++k;
    while (k < json.size() && std::isspace(static_cast<unsigned char>(json[k]))) ++k;
    out.append(json.substr(i, k - i));
    if (k < json.size() && json[k] == '"') {
      i = string_end(json, k);
    } else {
      i = k;
      while (i < json.size() && json[i] != ',' && json[i] != '}' && json[i] != ']') ++i;
    }
    out += "\"***\"";
  }
  if (out.size() > max_bytes) {
    out.resize(max_bytes);
    out += "...(" + std::to_string(json.size()) + " bytes)";
  }
  return out;
}

}  // namespace tachyon::okx
