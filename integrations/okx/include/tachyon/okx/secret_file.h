// A settings file that may hold credentials: read through one descriptor together with
// its permission bits (the mode checked is the mode of the file read), and refused when
// it holds a secret that group or others could read or replace. Control path (start-up);
// plain functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tachyon/okx/error.h"

namespace tachyon::okx {

struct SettingsFile {
  std::string path;
  std::string text;
  uint32_t mode = 0;  // st_mode & 07777
};

// Reads the regular file at path. Errors name the file, the call and the system's
// message, e.g. "/etc/okx.toml: open: No such file or directory".
Result<SettingsFile> read_settings_file(const std::string& path);

// Returns the mode as four octal digits, e.g. "0644".
std::string octal_mode(uint32_t mode);

// Returns an error when f holds secrets (holding: the keys it sets, e.g.
// "okx.secret_key"; empty: it holds none) and any permission bit is set for group or
// others (0600 and 0400 pass; 0640, 0604 and 0660 do not). The message names the file,
// its mode and the keys, never their values, and says how to fix it.
std::optional<Error> refuse_exposed_secrets(const SettingsFile& f, const std::vector<std::string>& holding);

}  // namespace tachyon::okx
