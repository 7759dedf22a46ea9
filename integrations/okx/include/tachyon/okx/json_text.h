// Writing JSON text for OKX request bodies: string escaping. Control path; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace tachyon::okx {

// Appends s to out as a JSON string literal (quotes included).
void append_json_string(std::string& out, std::string_view s);

// Appends "key":"value" (with a leading comma unless out ends with '{').
void append_json_field(std::string& out, std::string_view key, std::string_view value);

}  // namespace tachyon::okx
