// Tests for BinaryFILE framing: real prefixes, zero prefixes recovered from the type,
// and every framing error reported with its byte offset.
#include "tachyon/dataplane/itch_binary_file.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tachyon/dataplane/itch_encoder.h"

namespace tachyon::dataplane::itch {
namespace {

struct Recorder {
  std::vector<char> types;
  std::vector<uint64_t> refs;
  template <class M>
  void on(const M& m) noexcept {
    types.push_back(M::kType);
    if constexpr (requires { m.order_ref; }) refs.push_back(m.order_ref);
  }
};

// Appends m with a length prefix (or a zero prefix when zero_prefix).
template <class M>
void put(std::vector<uint8_t>& file, const M& m, bool zero_prefix = false) {
  const std::size_t at = file.size();
  file.resize(at + 2 + M::kLength);
  write_binary_file_prefix(&file[at], zero_prefix ? 0 : static_cast<uint16_t>(M::kLength));
  ASSERT_EQ(encode(m, std::span<uint8_t>(&file[at + 2], M::kLength)), M::kLength);
}

std::vector<uint8_t> sample(bool zero_prefix) {
  std::vector<uint8_t> f;
  put(f, SystemEvent{{0, 0, 1}, 'O'}, zero_prefix);                                           // 0..13
  put(f, AddOrder{{1, 0, 2}, 11, 'B', 100, Stock::from("A"), book::Price{10}}, zero_prefix);  // 14..51
  put(f, OrderExecuted{{1, 0, 3}, 11, 40, 1}, zero_prefix);                                   // 52..84
  put(f, OrderDelete{{1, 0, 4}, 11}, zero_prefix);                                            // 85..105
  return f;
}

TEST(ItchBinaryFile, ReadsRealPrefixes) {
  const auto f = sample(false);
  Recorder r;
  const BinaryFileReport rep = scan_binary_file(f, r);
  EXPECT_TRUE(rep.clean());
  EXPECT_EQ(rep.records, 4u);
  EXPECT_EQ(rep.messages, 4u);
  EXPECT_EQ(rep.bytes, f.size());
  EXPECT_EQ(rep.recovered_lengths, 0u);
  EXPECT_EQ(r.types, (std::vector<char>{'S', 'A', 'E', 'D'}));
  EXPECT_EQ(r.refs, (std::vector<uint64_t>{11, 11, 11}));
}

TEST(ItchBinaryFile, RecoversZeroPrefixesFromTheType) {
  const auto f = sample(true);
  Recorder r;
  const BinaryFileReport rep = scan_binary_file(f, r);
  EXPECT_TRUE(rep.clean());
  EXPECT_EQ(rep.messages, 4u);
  EXPECT_EQ(rep.recovered_lengths, 4u);
  EXPECT_EQ(rep.first_recovery_offset, 0u);
  EXPECT_EQ(r.types, (std::vector<char>{'S', 'A', 'E', 'D'}));
  EXPECT_NE(describe(rep).find("recovered 4 zero length prefixes"), std::string::npos) << describe(rep);
}

TEST(ItchBinaryFile, MixedPrefixesRecordTheFirstRecovery) {
  std::vector<uint8_t> f;
  put(f, SystemEvent{{0, 0, 1}, 'O'});
  put(f, OrderDelete{{1, 0, 4}, 11}, true);  // at offset 14
  put(f, OrderDelete{{1, 0, 4}, 12}, true);
  Recorder r;
  const BinaryFileReport rep = scan_binary_file(f, r);
  EXPECT_EQ(rep.messages, 3u);
  EXPECT_EQ(rep.recovered_lengths, 2u);
  EXPECT_EQ(rep.first_recovery_offset, 14u);
}

TEST(ItchBinaryFile, ReportsTruncationWithOffsets) {
  const auto full = sample(false);
  // Cut inside the third record's message: the first two are delivered.
  {
    std::vector<uint8_t> f(full.begin(), full.begin() + 60);
    Recorder r;
    const BinaryFileReport rep = scan_binary_file(f, r);
    EXPECT_EQ(rep.messages, 2u);
    EXPECT_TRUE(rep.truncated);
    ASSERT_EQ(rep.issue_count, 1u);
    EXPECT_EQ(rep.issues[0].offset, 52u);
    EXPECT_EQ(rep.issues[0].kind, FileIssueKind::kTruncatedMessage);
    EXPECT_EQ(rep.issues[0].type, 'E');
    EXPECT_EQ(rep.issues[0].prefix, 31);
    EXPECT_EQ(rep.bytes, 52u);
  }
  // One byte of a prefix left.
  {
    std::vector<uint8_t> f(full.begin(), full.begin() + 53);
    Recorder r;
    const BinaryFileReport rep = scan_binary_file(f, r);
    EXPECT_EQ(rep.messages, 2u);
    ASSERT_EQ(rep.issue_count, 1u);
    EXPECT_EQ(rep.issues[0].offset, 52u);
    EXPECT_EQ(rep.issues[0].kind, FileIssueKind::kTruncatedPrefix);
  }
  // A prefix and nothing after it.
  {
    std::vector<uint8_t> f(full.begin(), full.begin() + 54);
    Recorder r;
    const BinaryFileReport rep = scan_binary_file(f, r);
    ASSERT_EQ(rep.issue_count, 1u);
    EXPECT_EQ(rep.issues[0].kind, FileIssueKind::kTruncatedMessage);
    EXPECT_EQ(rep.issues[0].type, 0);
  }
  // Zero prefixes: the recovered length runs past the end.
  {
    const auto z = sample(true);
    std::vector<uint8_t> f(z.begin(), z.begin() + 20);
    Recorder r;
    const BinaryFileReport rep = scan_binary_file(f, r);
    EXPECT_EQ(rep.messages, 1u);
    ASSERT_EQ(rep.issue_count, 1u);
    EXPECT_EQ(rep.issues[0].offset, 14u);
    EXPECT_EQ(rep.issues[0].type, 'A');
    EXPECT_EQ(rep.issues[0].kind, FileIssueKind::kTruncatedMessage);
  }
}

TEST(ItchBinaryFile, SkipsUnknownTypesAndWrongLengthsWhenThePrefixIsIntact) {
  std::vector<uint8_t> f;
  put(f, SystemEvent{{0, 0, 1}, 'O'});
  // offset 14: an unknown type 'Z' with a 5-byte prefix
  for (const uint8_t b : {0x00, 0x05, 0x5A, 1, 2, 3, 4}) f.push_back(b);  // 0x5A = 'Z'
  // offset 21: an 'A' framed as 20 bytes (the spec says 36)
  f.push_back(0x00);
  f.push_back(20);
  f.push_back('A');
  f.resize(f.size() + 19, 0);
  put(f, OrderDelete{{1, 0, 4}, 12});  // offset 43
  Recorder r;
  const BinaryFileReport rep = scan_binary_file(f, r);
  EXPECT_EQ(rep.records, 4u);
  EXPECT_EQ(rep.messages, 2u);
  EXPECT_EQ(r.types, (std::vector<char>{'S', 'D'}));
  EXPECT_EQ(rep.unknown_types, 1u);
  EXPECT_EQ(rep.bad_lengths, 1u);
  EXPECT_FALSE(rep.truncated);
  EXPECT_FALSE(rep.stopped);
  ASSERT_EQ(rep.issue_count, 2u);
  EXPECT_EQ(rep.issues[0].offset, 14u);
  EXPECT_EQ(rep.issues[0].kind, FileIssueKind::kUnknownType);
  EXPECT_EQ(rep.issues[0].type, 'Z');
  EXPECT_EQ(rep.issues[1].offset, 21u);
  EXPECT_EQ(rep.issues[1].kind, FileIssueKind::kBadLength);
  EXPECT_EQ(rep.issues[1].prefix, 20);
  const std::string text = describe(rep);
  EXPECT_NE(text.find("offset 14: unknown_type (type 'Z'"), std::string::npos) << text;
  EXPECT_NE(text.find("offset 21: bad_length (type 'A', length prefix 20)"), std::string::npos) << text;
}

TEST(ItchBinaryFile, StopsWhenAZeroPrefixHidesAnUnknownType) {
  std::vector<uint8_t> f = sample(true);
  const std::size_t at = f.size();
  for (const uint8_t b : {0x00, 0x00, 0x7A, 0, 0, 0}) f.push_back(b);
  put(f, OrderDelete{{1, 0, 4}, 12});
  Recorder r;
  const BinaryFileReport rep = scan_binary_file(f, r);
  EXPECT_EQ(rep.messages, 4u);
  EXPECT_TRUE(rep.stopped);
  ASSERT_EQ(rep.issue_count, 1u);
  EXPECT_EQ(rep.issues[0].offset, at);
  EXPECT_EQ(rep.issues[0].kind, FileIssueKind::kUnrecoverable);
  EXPECT_EQ(rep.bytes, at);
}

TEST(ItchBinaryFile, KeepsTheFirstIssuesAndTheLast) {
  std::vector<uint8_t> f;
  for (int i = 0; i < 20; ++i)
    for (const uint8_t b : {0x00, 0x01, 0x01}) f.push_back(b);  // a 1-byte record of unknown type 0x01
  Recorder r;
  const BinaryFileReport rep = scan_binary_file(f, r);
  EXPECT_EQ(rep.issue_count, 20u);
  EXPECT_EQ(rep.unknown_types, 20u);
  EXPECT_EQ(rep.issues[7].offset, 21u);
  EXPECT_EQ(rep.last_issue.offset, 57u);
  EXPECT_NE(describe(rep).find("last: offset 57"), std::string::npos);
}

TEST(ItchBinaryFile, EmptyFileIsClean) {
  Recorder r;
  const BinaryFileReport rep = scan_binary_file(std::span<const uint8_t>(), r);
  EXPECT_TRUE(rep.clean());
  EXPECT_EQ(rep.records, 0u);
}

// Files longer than the longest possible record take the scan's bulk path (no
// truncation checks, input prefetched) until their last 64 KiB: problems anywhere
// must be reported the same way, with their offsets.
TEST(ItchBinaryFile, LongFilesReportProblemsInTheBulkAndAtTheEnd) {
  std::vector<uint8_t> f;
  uint64_t adds = 0;
  std::vector<uint64_t> problem_offsets;
  auto add = [&](bool zero_prefix) {
    put(f, AddOrder{{1, 0, 2}, ++adds, 'B', 100, Stock::from("A"), book::Price{10}}, zero_prefix);
  };
  for (int i = 0; i < 1000; ++i) add(i % 3 == 0);
  // Deep inside the bulk: a wrong length (an Add framed as 40 bytes) and an unknown type.
  problem_offsets.push_back(f.size());
  f.insert(f.end(), {0, 40, 'A'});
  f.resize(f.size() + 39);
  problem_offsets.push_back(f.size());
  f.insert(f.end(), {0, 3, 'z', 1, 2});
  while (f.size() < 200'000) add(adds % 5 == 0);
  const std::size_t whole = f.size();
  add(false);
  f.resize(f.size() - 10);  // the last record is cut short
  Recorder r;
  const BinaryFileReport rep = scan_binary_file(f, r);
  EXPECT_EQ(rep.records, adds + 1);  // the cut record is not framed
  EXPECT_EQ(rep.messages, adds - 1);
  EXPECT_EQ(r.types.size(), adds - 1);
  EXPECT_EQ(r.refs.back(), adds - 1);
  EXPECT_EQ(rep.bad_lengths, 1u);
  EXPECT_EQ(rep.unknown_types, 1u);
  EXPECT_TRUE(rep.truncated);
  EXPECT_FALSE(rep.stopped);
  EXPECT_EQ(rep.bytes, whole);
  ASSERT_EQ(rep.issue_count, 3u);
  EXPECT_EQ(rep.issues[0].kind, FileIssueKind::kBadLength);
  EXPECT_EQ(rep.issues[0].offset, problem_offsets[0]);
  EXPECT_EQ(rep.issues[1].kind, FileIssueKind::kUnknownType);
  EXPECT_EQ(rep.issues[1].offset, problem_offsets[1]);
  EXPECT_EQ(rep.issues[2].kind, FileIssueKind::kTruncatedMessage);
  EXPECT_EQ(rep.issues[2].offset, whole);
  EXPECT_GT(rep.recovered_lengths, 300u);
}

// A huge prefix inside the bulk is skipped as a bad length, never read past the data.
TEST(ItchBinaryFile, LongestPrefixInTheBulkStaysInside) {
  std::vector<uint8_t> f{0xFF, 0xFF, 'A'};
  f.resize(2 + 0xFFFF);
  for (int i = 0; i < 3000; ++i) put(f, OrderDelete{{1, 0, 4}, static_cast<uint64_t>(i)});
  Recorder r;
  const BinaryFileReport rep = scan_binary_file(f, r);
  EXPECT_EQ(rep.bad_lengths, 1u);
  EXPECT_EQ(rep.messages, 3000u);
  EXPECT_EQ(rep.bytes, f.size());
  EXPECT_FALSE(rep.truncated);
}

}  // namespace
}  // namespace tachyon::dataplane::itch
