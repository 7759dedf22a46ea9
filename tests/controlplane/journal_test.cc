// The journal: records written through io_uring under each fsync policy read back in
// order with valid CRCs; durable_seq() keeps each policy's promise (written; fsynced
// under every_batch), and a match-mode replay acknowledges nothing before it; torn and
// corrupt tails are found with their offsets; a journal cut at its last valid record
// can be continued.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "../dataplane/ouch_capture.h"
#include "tachyon/controlplane/journal_reader.h"
#include "tachyon/controlplane/journal_writer.h"
#include "tachyon/dataplane/match_durability.h"
#include "tachyon/dataplane/replay.h"

namespace tachyon::controlplane {
namespace {

namespace journal = dataplane::journal;

std::string temp_path(const std::string& name) {
  return std::string(::testing::TempDir()) + "journal_test_" + std::to_string(::getpid()) + "_" + name;
}

std::vector<uint8_t> payload_of(uint64_t i) {
  std::vector<uint8_t> p(1 + i % 60);
  for (std::size_t k = 0; k < p.size(); ++k) p[k] = static_cast<uint8_t>(i * 31 + k);
  return p;
}

void write_records(const std::string& path, FsyncPolicy policy, uint64_t n, uint64_t first_seq = 1,
                   uint64_t append_offset = 0) {
  JournalWriter::Options o;
  o.path = path;
  o.config_hash = 0xfeed;
  o.fsync = policy;
  o.interval_ms = 1;
  o.append = first_seq != 1;
  o.append_offset = append_offset;
  dataplane::JournalRing ring(64, first_seq);  // small, so the producer waits on a full ring too
  JournalWriter writer(o, ring);
  dataplane::JournalRing& w = ring;
  for (uint64_t i = first_seq; i < first_seq + n; ++i) {
    const journal::InputPrefix pre{i * 1000, i};
    const std::vector<uint8_t> p = payload_of(i);
    const uint64_t seq = w.append(i % 3 ? journal::RecordType::kInput : journal::RecordType::kOutcome,
                                  static_cast<uint32_t>(i % 4),
                                  std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(&pre), sizeof pre), p);
    ASSERT_EQ(seq, i);
    if (i % 16 == 0) w.publish();
  }
  w.sync();
  EXPECT_EQ(w.durable_seq(), first_seq + n - 1);
  EXPECT_EQ(writer.error(), "");
  if (policy == FsyncPolicy::kEveryBatch) EXPECT_GE(writer.fsyncs(), 1u);
}

TEST(Journal, RecordsReadBackInOrderUnderEveryPolicy) {
  for (const FsyncPolicy p : {FsyncPolicy::kNone, FsyncPolicy::kIntervalMs, FsyncPolicy::kEveryBatch}) {
    const std::string path = temp_path(std::string("policy_") + to_string(p));
    write_records(path, p, 5000);
    uint64_t expect = 1;
    const JournalScan s = scan_journal(path, [&](const journal::RecordHeader& h, std::span<const uint8_t> pl) {
      ASSERT_EQ(h.seq, expect);
      ASSERT_EQ(h.stream, expect % 4);
      ASSERT_EQ(pl.size(), sizeof(journal::InputPrefix) + payload_of(expect).size());
      journal::InputPrefix pre;
      std::memcpy(&pre, pl.data(), sizeof pre);
      ASSERT_EQ(pre.stream_seq, expect);
      ASSERT_TRUE(std::equal(pl.begin() + sizeof pre, pl.end(), payload_of(expect).begin()));
      ++expect;
    });
    EXPECT_TRUE(s.clean) << s.problem;
    EXPECT_EQ(s.records, 5000u);
    EXPECT_EQ(s.last_seq, 5000u);
    EXPECT_EQ(s.header.config_hash, 0xfeedu);
    EXPECT_EQ(s.by_type[static_cast<int>(journal::RecordType::kOutcome)], 5000u / 3);
    std::remove(path.c_str());
  }
}

// What each policy promises, seen from the ring: durable_seq() is what match mode waits
// for before an acknowledgement leaves. It never passes what is written; under
// every_batch it never passes what an fsync covered; interval_ms fsyncs within the
// interval; none never fsyncs.
TEST(Journal, DurableFollowsTheFsyncPolicy) {
  for (const FsyncPolicy policy : {FsyncPolicy::kNone, FsyncPolicy::kIntervalMs, FsyncPolicy::kEveryBatch}) {
    SCOPED_TRACE(to_string(policy));
    const std::string path = temp_path(std::string("durable_") + to_string(policy));
    JournalWriter::Options o;
    o.path = path;
    o.fsync = policy;
    o.interval_ms = 5;
    dataplane::JournalRing ring(256, 1);
    JournalWriter writer(o, ring);
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> samples{0}, ahead_of_written{0}, ahead_of_fsync{0};
    std::thread checker([&] {
      while (!stop.load(std::memory_order_acquire)) {
        const uint64_t durable = ring.durable_seq();  // first: the others only grow after it
        const uint64_t synced = writer.synced_seq();
        const uint64_t written = ring.written_seq();
        if (durable > written) ahead_of_written.fetch_add(1);
        if (policy == FsyncPolicy::kEveryBatch && durable > synced) ahead_of_fsync.fetch_add(1);
        samples.fetch_add(1);
      }
    });
    constexpr uint64_t kRecords = 20'000;
    for (uint64_t i = 1; i <= kRecords; ++i) {
      const std::vector<uint8_t> p = payload_of(i);
      ASSERT_EQ(ring.append(journal::RecordType::kInput, 0, {}, p), i);
      if (i % 16 == 0) ring.publish();
    }
    ring.sync();
    stop.store(true, std::memory_order_release);
    checker.join();
    EXPECT_GT(samples.load(), 0u);
    EXPECT_EQ(ahead_of_written.load(), 0u);
    EXPECT_EQ(ahead_of_fsync.load(), 0u);
    EXPECT_EQ(ring.durable_seq(), kRecords);
    EXPECT_EQ(writer.error(), "");
    switch (policy) {
      case FsyncPolicy::kNone:
        EXPECT_EQ(writer.fsyncs(), 0u);
        EXPECT_EQ(writer.synced_seq(), 0u);
        break;
      case FsyncPolicy::kIntervalMs: {
        // A dirty journal is fsynced once the interval has passed, records or not.
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (writer.synced_seq() < kRecords && std::chrono::steady_clock::now() < until) std::this_thread::yield();
        EXPECT_EQ(writer.synced_seq(), kRecords);
        EXPECT_GE(writer.fsyncs(), 1u);
        break;
      }
      case FsyncPolicy::kEveryBatch:
        EXPECT_EQ(writer.synced_seq(), kRecords);
        EXPECT_EQ(writer.fsyncs(), writer.batches());
        break;
    }
    std::remove(path.c_str());
  }
}

// End to end under each policy: a match-mode replay journaled by the real writer. No
// datagram leaves before its record is written, and under every_batch before an fsync
// covered it (the acknowledgement survives a power loss).
TEST(Journal, AcknowledgementsLeaveOnlyUnderThePolicysGuarantee) {
  const std::string in = temp_path("acks.pcap");
  {
    dataplane::testing::OuchCapture c(in);
    for (int i = 0; i < 3'000; ++i)  // more datagrams than the core holds: it waits on the journal too
      c.send(dataplane::testing::kT0 + static_cast<uint64_t>(i) * 1'000,
             dataplane::testing::enter_order("T" + std::to_string(i), i % 2 ? 'B' : 'S', 1 + i % 7, "AAPL",
                                             1'000'000 + (i % 2 ? -1 : 1) * (1 + i % 50)));
    c.close();
  }
  for (const FsyncPolicy policy : {FsyncPolicy::kNone, FsyncPolicy::kIntervalMs, FsyncPolicy::kEveryBatch}) {
    SCOPED_TRACE(to_string(policy));
    const std::string path = temp_path(std::string("acks_") + to_string(policy));
    JournalWriter::Options o;
    o.path = path;
    o.fsync = policy;
    o.interval_ms = 2;
    dataplane::JournalRing ring(1u << 12, 1);
    JournalWriter writer(o, ring);
    dataplane::ReplayOptions opt;
    opt.mode = dataplane::ReplayMode::kMatch;
    opt.input = in;
    opt.symbols = {"AAPL"};
    opt.book.max_orders = 1u << 14;
    opt.book.max_levels = 1u << 14;
    opt.book.max_symbols = 2;
    opt.durability.journal = &ring;
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> samples{0}, before_written{0}, before_fsync{0};
    std::thread checker([&] {
      while (!stop.load(std::memory_order_acquire)) {
        const uint64_t released = ring.released_seq();  // first: the others only grow after it
        const uint64_t synced = writer.synced_seq();
        const uint64_t written = ring.written_seq();
        if (released > written) before_written.fetch_add(1);
        if (policy == FsyncPolicy::kEveryBatch && released > synced) before_fsync.fetch_add(1);
        samples.fetch_add(1);
      }
    });
    const dataplane::ReplaySummary sum = dataplane::replay(opt);
    stop.store(true, std::memory_order_release);
    checker.join();
    EXPECT_EQ(sum.by_type['O'], 3'000u);
    EXPECT_GT(sum.out_packets, dataplane::kMaxHeldDatagrams);
    EXPECT_GT(samples.load(), 0u);
    EXPECT_EQ(before_written.load(), 0u);
    EXPECT_EQ(before_fsync.load(), 0u);
    EXPECT_GT(ring.released_seq(), 0u);
    EXPECT_LE(ring.released_seq(), ring.durable_seq());
    EXPECT_EQ(writer.error(), "");
    std::remove(path.c_str());
  }
  std::remove(in.c_str());
}

TEST(Journal, TornAndCorruptTailsAreFoundAndCut) {
  const std::string path = temp_path("torn");
  write_records(path, FsyncPolicy::kNone, 100);
  const JournalScan whole = scan_journal(path);
  ASSERT_TRUE(whole.clean);
  // A torn write: the file ends inside record 101's bytes.
  {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    const char partial[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    out.write(partial, sizeof partial);
  }
  JournalScan torn = scan_journal(path);
  EXPECT_FALSE(torn.clean);
  EXPECT_EQ(torn.records, 100u);
  EXPECT_EQ(torn.tail_status, journal::RecordStatus::kTruncated);
  EXPECT_EQ(torn.tail_offset, whole.file_bytes);
  EXPECT_NE(torn.problem.find("offset " + std::to_string(whole.file_bytes)), std::string::npos) << torn.problem;
  // Continue after the last valid record: the tail is cut, the sequence goes on.
  write_records(path, FsyncPolicy::kEveryBatch, 50, torn.last_seq + 1, torn.valid_bytes);
  const JournalScan cont = scan_journal(path);
  EXPECT_TRUE(cont.clean) << cont.problem;
  EXPECT_EQ(cont.records, 150u);
  // A flipped byte inside record 60: the scan stops there with a CRC error.
  uint64_t off60 = 0;
  scan_journal(path, [&, off = uint64_t{64}](const journal::RecordHeader& h, std::span<const uint8_t>) mutable {
    if (h.seq == 60) off60 = off;
    off += journal::record_size(h.length);
  });
  {
    std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(off60 + sizeof(journal::RecordHeader)));
    f.put('\x7f');
  }
  const JournalScan bad = scan_journal(path);
  EXPECT_EQ(bad.records, 59u);
  EXPECT_EQ(bad.tail_status, journal::RecordStatus::kBadCrc);
  EXPECT_EQ(bad.tail_offset, off60);
  std::remove(path.c_str());
}

TEST(Journal, BadHeadersAreRefusedWithTheFileName) {
  const std::string path = temp_path("notjournal");
  {
    std::ofstream(path) << std::string(100, 'x');
  }
  try {
    scan_journal(path);
    ADD_FAILURE();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": offset 0: not a tachyon journal"), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}

TEST(Journal, Crc32cMatchesTheStandardCheckValue) {
  const char* s = "123456789";
  EXPECT_EQ(journal::crc32c(0, reinterpret_cast<const uint8_t*>(s), 9), 0xE3069283u);
  EXPECT_EQ(journal::crc32c_portable(0, reinterpret_cast<const uint8_t*>(s), 9), 0xE3069283u);
}

}  // namespace
}  // namespace tachyon::controlplane
