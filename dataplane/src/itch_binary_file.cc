// BinaryFILE scan reports in words. Control path.
#include "tachyon/dataplane/itch_binary_file.h"

#include <cctype>
#include <cstdio>
#include <string>

namespace tachyon::dataplane::itch {

const char* to_string(FileIssueKind k) noexcept {
  switch (k) {
    case FileIssueKind::kTruncatedPrefix: return "truncated_prefix";
    case FileIssueKind::kTruncatedMessage: return "truncated_message";
    case FileIssueKind::kUnknownType: return "unknown_type";
    case FileIssueKind::kBadLength: return "bad_length";
    case FileIssueKind::kUnrecoverable: return "unrecoverable";
  }
  return "unknown";
}

namespace {

std::string type_text(uint8_t t) {
  char buf[16];
  if (std::isprint(t)) {
    std::snprintf(buf, sizeof buf, "'%c'", static_cast<char>(t));
  } else {
    std::snprintf(buf, sizeof buf, "0x%02x", t);
  }
  return buf;
}

std::string issue_text(const FileIssue& i) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "offset %llu: %s (type %s, length prefix %u)",
                static_cast<unsigned long long>(i.offset), to_string(i.kind), type_text(i.type).c_str(),
                static_cast<unsigned>(i.prefix));
  return buf;
}

}  // namespace

std::string describe(const BinaryFileReport& r) {
  std::string s;
  char buf[200];
  std::snprintf(buf, sizeof buf, "%llu records, %llu messages, %llu bytes\n",
                static_cast<unsigned long long>(r.records), static_cast<unsigned long long>(r.messages),
                static_cast<unsigned long long>(r.bytes));
  s += buf;
  if (r.recovered_lengths > 0) {
    std::snprintf(buf, sizeof buf,
                  "recovered %llu zero length prefixes from the message type (first at offset %llu)\n",
                  static_cast<unsigned long long>(r.recovered_lengths),
                  static_cast<unsigned long long>(r.first_recovery_offset));
    s += buf;
  }
  if (r.issue_count > 0) {
    std::snprintf(buf, sizeof buf, "%llu issues (%llu unknown types, %llu bad lengths%s%s)\n",
                  static_cast<unsigned long long>(r.issue_count), static_cast<unsigned long long>(r.unknown_types),
                  static_cast<unsigned long long>(r.bad_lengths), r.truncated ? ", truncated" : "",
                  r.stopped ? ", framing lost" : "");
    s += buf;
    const std::size_t kept = r.issue_count < r.issues.size() ? r.issue_count : r.issues.size();
    for (std::size_t i = 0; i < kept; ++i) s += "  " + issue_text(r.issues[i]) + "\n";
    if (r.issue_count > kept) s += "  ...\n  last: " + issue_text(r.last_issue) + "\n";
  }
  return s;
}

}  // namespace tachyon::dataplane::itch
