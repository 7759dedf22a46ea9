// Reading a journal back: header check, record-by-record validation with CRC32C and
// sequence continuity, and the offset of the first bad record (a torn or corrupt
// tail). Control path; not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "tachyon/dataplane/journal_record.h"

namespace tachyon::controlplane {

struct JournalScan {
  dataplane::journal::FileHeader header{};
  uint64_t records = 0;
  uint64_t by_type[6] = {};            // index: RecordType
  uint64_t first_seq = 0, last_seq = 0;
  uint64_t valid_bytes = 0;            // offset just after the last valid record
  uint64_t file_bytes = 0;
  bool clean = true;                   // false when something follows the last valid record
  dataplane::journal::RecordStatus tail_status = dataplane::journal::RecordStatus::kOk;
  uint64_t tail_offset = 0;            // where the bad tail starts
  std::string problem;                 // one line: file, offset, what is wrong
};

// Reads path, checks the header, and calls on_record (when set) for every valid record
// in order, stopping at the first invalid one. Throws std::runtime_error naming the
// file for an unreadable file or a bad header (magic, version, size).
JournalScan scan_journal(const std::string& path,
                         const std::function<void(const dataplane::journal::RecordHeader&,
                                                  std::span<const uint8_t>)>& on_record = {});

}  // namespace tachyon::controlplane
