// NASDAQ BinaryFILE framing of ITCH 5.0: each message is preceded by a 2-byte big-endian
// length. A zero length (files written without prefixes) is recovered from the message
// type. Scans a whole in-memory file and reports every framing problem with its byte
// offset. Used by the replay core; not thread-safe per report, stateless otherwise.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "tachyon/dataplane/big_endian.h"
#include "tachyon/dataplane/itch_decoder.h"
#include "tachyon/dataplane/itch_messages.h"
#include "tachyon/book/prefetch.h"

namespace tachyon::dataplane::itch {

enum class FileIssueKind : uint8_t {
  kTruncatedPrefix = 0,   // fewer than 2 bytes left for a length prefix
  kTruncatedMessage = 1,  // the prefix (or recovered length) runs past the end
  kUnknownType = 2,       // a type byte that names no ITCH message
  kBadLength = 3,         // a non-zero prefix that differs from the type's length
  kUnrecoverable = 4,     // zero prefix with an unknown type: framing is lost, scan stops
};

const char* to_string(FileIssueKind k) noexcept;

struct FileIssue {
  uint64_t offset = 0;  // byte offset of the record (its length prefix) in the file
  FileIssueKind kind = FileIssueKind::kTruncatedPrefix;
  uint8_t type = 0;     // message type byte, when there was one
  uint16_t prefix = 0;  // the length prefix as read
};

struct BinaryFileReport {
  static constexpr std::size_t kKeptIssues = 8;

  uint64_t records = 0;            // records framed (dispatched or skipped)
  uint64_t messages = 0;           // messages decoded and dispatched
  uint64_t bytes = 0;              // bytes consumed
  uint64_t recovered_lengths = 0;  // zero prefixes whose length came from the type
  uint64_t first_recovery_offset = 0;
  uint64_t unknown_types = 0;
  uint64_t bad_lengths = 0;
  uint64_t issue_count = 0;  // all issues; the first kKeptIssues are kept below
  bool truncated = false;
  bool stopped = false;  // framing was lost before the end of the data
  std::array<FileIssue, kKeptIssues> issues{};
  FileIssue last_issue{};

  bool clean() const noexcept { return issue_count == 0; }
  void note(const FileIssue& i) noexcept {
    if (issue_count < kKeptIssues) issues[issue_count] = i;
    last_issue = i;
    ++issue_count;
  }
};

// How far ahead of the record being decoded scan_binary_file() prefetches the input
// (files are usually far larger than the caches, and read once).
inline constexpr std::size_t kScanPrefetchAhead = 2048;

// Frames every record of data and dispatches each message to h (see deliver()). Stops at
// truncation or at an unrecoverable record; skips (and reports) records whose prefix is
// intact but whose content is an unknown type or a wrong length. O(size), no allocation.
template <class H>
BinaryFileReport scan_binary_file(std::span<const uint8_t> data, H& h) noexcept {
  // Up to bulk_end, a record ends inside the data whatever its prefix says, and so does
  // the prefetch: only the last 64 KiB need the truncation checks.
  constexpr std::size_t kLongestRecord = 2 + UINT16_MAX;
  static_assert(kScanPrefetchAhead < kLongestRecord);
  BinaryFileReport r;
  const uint8_t* const base = data.data();
  const std::size_t n = data.size();
  const std::size_t bulk_end = n > kLongestRecord ? n - kLongestRecord : 0;
  // Counted in locals: the handler's stores could otherwise alias r (returned in place).
  uint64_t records = 0, bad = 0;
  std::size_t off = 0;
  while (off < n) {
    const bool bulk = off < bulk_end;
    if (bulk) {
      book::prefetch_read(base + off + kScanPrefetchAhead);
    } else if (n - off < 2) {
      r.truncated = true;
      r.note(FileIssue{off, FileIssueKind::kTruncatedPrefix, 0, 0});
      break;
    }
    const uint16_t prefix = load_be16(base + off);
    std::size_t len = prefix;
    if (len == 0) [[unlikely]] {
      if (n - off < 3) {
        r.truncated = true;
        r.note(FileIssue{off, FileIssueKind::kTruncatedMessage, 0, prefix});
        break;
      }
      const uint8_t type = base[off + 2];
      len = message_length(type);
      if (len == 0) {
        r.stopped = true;
        ++r.unknown_types;
        r.note(FileIssue{off, FileIssueKind::kUnrecoverable, type, prefix});
        break;
      }
      if (r.recovered_lengths++ == 0) r.first_recovery_offset = off;
    }
    if (!bulk && n - off - 2 < len) {
      r.truncated = true;
      r.note(FileIssue{off, FileIssueKind::kTruncatedMessage, n - off > 2 ? base[off + 2] : uint8_t{0}, prefix});
      break;
    }
    const uint8_t* msg = base + off + 2;
    ++records;
    const DecodeStatus st = deliver(msg, len, h);
    if (st != DecodeStatus::kOk) [[unlikely]] {
      ++bad;
      if (st == DecodeStatus::kUnknownType) {
        ++r.unknown_types;
        r.note(FileIssue{off, FileIssueKind::kUnknownType, msg[0], prefix});
      } else {
        ++r.bad_lengths;
        r.note(FileIssue{off, FileIssueKind::kBadLength, msg[0], prefix});
      }
    }
    off += 2 + len;
  }
  r.records = records;
  r.messages = records - bad;
  r.bytes = off;
  return r;
}

// Describes a report in one line per fact (counts, recovery, each kept issue with its
// offset). Control path.
std::string describe(const BinaryFileReport& r);

// Writes the record prefix for a message of len bytes at out[0..1]. Precondition: 2
// writable bytes. Hot path.
inline void write_binary_file_prefix(uint8_t* out, uint16_t len) noexcept { store_be16(out, len); }

}  // namespace tachyon::dataplane::itch
