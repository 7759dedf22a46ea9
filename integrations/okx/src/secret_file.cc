// Settings files that may hold credentials: open + fstat + read on one descriptor, and
// the permission rule for files that hold secrets.
#include "tachyon/okx/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace tachyon::okx {

namespace {

Error file_error(const std::string& path, const char* call, int err) {
  return Error{ErrorKind::kInvalidArgument, 0, 0, path + ": " + call + ": " + std::strerror(err), "config"};
}

}  // namespace

std::string octal_mode(uint32_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

Result<SettingsFile> read_settings_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return file_error(path, "open", errno);
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    return file_error(path, "fstat", e);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error{ErrorKind::kInvalidArgument, 0, 0, path + ": not a regular file", "config"};
  }
  SettingsFile f;
  f.path = path;
  f.mode = static_cast<uint32_t>(st.st_mode) & 07777;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      return file_error(path, "read", e);
    }
    f.text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return f;
}

std::optional<Error> refuse_exposed_secrets(const SettingsFile& f, const std::vector<std::string>& holding) {
  if (holding.empty() || (f.mode & 077) == 0) return std::nullopt;
  std::string keys;
  for (const std::string& k : holding) keys += (keys.empty() ? "" : ", ") + k;
  const char* who = (f.mode & 070) && (f.mode & 07) ? "group and others" : (f.mode & 070) ? "group" : "others";
  return Error{ErrorKind::kInvalidArgument, 0, 0,
               f.path + ": mode " + octal_mode(f.mode) + " gives " + who + " access, but the file holds " + keys +
                   ": refused (a file with secrets must be 0600 or stricter: chmod 600 " + f.path +
                   ", or pass the secrets in OKX_API_KEY, OKX_SECRET_KEY and OKX_PASSPHRASE)",
               "config"};
}

}  // namespace tachyon::okx
