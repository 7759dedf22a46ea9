// Redaction of text bound for logs: JSON values of credential-like keys (apiKey,
// secretKey, passphrase, sign, password, OK-ACCESS-*) become "***", and long bodies are
// cut. Control path; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tachyon::okx {

// Returns json with the values of sensitive keys replaced and at most max_bytes kept.
std::string redact_json(std::string_view json, std::size_t max_bytes = 512);

// True when a JSON key or header name names a credential.
bool is_sensitive_key(std::string_view key) noexcept;

}  // namespace tachyon::okx
