// Snapshot files: atomic writes and validated reads.
#include "tachyon/controlplane/snapshot_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "tachyon/dataplane/journal_record.h"

namespace tachyon::controlplane {

namespace {

constexpr char kMagic[8] = {'T', 'A', 'C', 'H', 'S', 'N', 'A', 'P'};

struct Header {
  char magic[8];
  uint32_t version;
  uint32_t body_crc;
  uint64_t covers_seq;
  uint64_t config_hash;
  uint64_t body_bytes;
};
static_assert(sizeof(Header) == 40);

[[noreturn]] void fail(const std::string& what, int err) { throw std::system_error(err, std::generic_category(), what); }

void write_all(int fd, const void* p, std::size_t n, const std::string& path) {
  const auto* b = static_cast<const uint8_t*>(p);
  while (n > 0) {
    const ssize_t w = ::write(fd, b, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      fail(path + ": write", errno);
    }
    b += w;
    n -= static_cast<std::size_t>(w);
  }
}

}  // namespace

std::string write_snapshot(const std::string& dir, uint64_t covers_seq, uint64_t config_hash,
                           std::span<const uint8_t> body) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  char name[64];
  std::snprintf(name, sizeof name, "snapshot-%020llu.tsnap", static_cast<unsigned long long>(covers_seq));
  const std::string path = dir + "/" + name;
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(tmp + ": open", errno);
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = 1;
  h.body_crc = dataplane::journal::crc32c(0, body.data(), body.size());
  h.covers_seq = covers_seq;
  h.config_hash = config_hash;
  h.body_bytes = body.size();
  try {
    write_all(fd, &h, sizeof h, tmp);
    write_all(fd, body.data(), body.size(), tmp);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::fsync(fd) != 0) {
    const int e = errno;
    ::close(fd);
    fail(tmp + ": fsync", e);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail(tmp + ": rename to " + path, errno);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // make the rename itself durable
    ::close(dfd);
  }
  return path;
}

std::optional<SnapshotFile> latest_snapshot(const std::string& dir, uint64_t max_seq,
                                            std::vector<std::string>& problems) {
  std::vector<std::pair<uint64_t, std::string>> found;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    unsigned long long seq = 0;
    char tail[8] = {};
    if (std::sscanf(name.c_str(), "snapshot-%20llu.%7s", &seq, tail) == 2 && std::string(tail) == "tsnap")
      found.emplace_back(seq, e.path().string());
  }
  std::sort(found.rbegin(), found.rend());
  for (const auto& [seq, path] : found) {
    if (seq > max_seq) {
      problems.push_back(path + ": covers journal record " + std::to_string(seq) + ", beyond the journal's last (" +
                         std::to_string(max_seq) + "): skipped");
      continue;
    }
    std::ifstream in(path, std::ios::binary);
    const std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Header h{};
    if (data.size() < sizeof h) {
      problems.push_back(path + ": shorter than its header: skipped");
      continue;
    }
    std::memcpy(&h, data.data(), sizeof h);
    if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0 || h.version != 1 || h.body_bytes != data.size() - sizeof h ||
        dataplane::journal::crc32c(0, data.data() + sizeof h, h.body_bytes) != h.body_crc) {
      problems.push_back(path + ": damaged (header, size or CRC32C): skipped");
      continue;
    }
    SnapshotFile f;
    f.path = path;
    f.covers_seq = h.covers_seq;
    f.config_hash = h.config_hash;
    f.body.assign(data.begin() + sizeof h, data.end());
    return f;
  }
  return std::nullopt;
}

}  // namespace tachyon::controlplane
