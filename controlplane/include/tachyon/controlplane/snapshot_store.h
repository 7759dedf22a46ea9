// Snapshot files: written atomically (temp file, fsync, rename, fsync of the
// directory) as DIR/snapshot-<covers_seq>.tsnap, with a header and a CRC32C, and found
// again at recovery. Control path; not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tachyon::controlplane {

struct SnapshotFile {
  std::string path;
  uint64_t covers_seq = 0;
  uint64_t config_hash = 0;
  std::vector<uint8_t> body;
};

// Writes a snapshot covering the journal up to covers_seq. Throws std::system_error
// naming the file and the call.
std::string write_snapshot(const std::string& dir, uint64_t covers_seq, uint64_t config_hash,
                           std::span<const uint8_t> body);

// Returns the newest valid snapshot in dir that covers no more than max_seq (one the
// journal on disk reaches); damaged ones are skipped with a line in problems.
std::optional<SnapshotFile> latest_snapshot(const std::string& dir, uint64_t max_seq, std::vector<std::string>& problems);

}  // namespace tachyon::controlplane
