// Match mode's acknowledgement rule, checked against a journal thread the test holds:
// the matching core journals every input and every datagram it would send, and a
// datagram (an OUCH reply or market data) leaves only once the journal says its record
// is durable. The test plays the journal thread: it drains the ring, keeps the records,
// and moves durable_seq by hand, one record at a time, while it watches what has left.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "ouch_capture.h"
#include "tachyon/dataplane/journal_record.h"
#include "tachyon/dataplane/journal_ring.h"
#include "tachyon/dataplane/match_durability.h"
#include "tachyon/dataplane/replay.h"
#include "tachyon/nic/pcap_reader.h"
#include "tachyon/nic/udp_frame.h"

namespace tachyon::dataplane {
namespace {

using testing::enter_order;
using testing::kT0;

namespace journal = dataplane::journal;

constexpr int64_t k100 = 1'000'000;  // 100.0000 in Price(4)

std::string temp_path(const std::string& name) {
  return std::string(::testing::TempDir()) + "match_durability_test_" + std::to_string(::getpid()) + "_" + name;
}

// orders buy orders that all rest: each is answered by an Accepted (one reply datagram)
// and an ITCH Add Order (one market-data datagram).
void write_resting_orders(const std::string& path, int orders) {
  testing::OuchCapture c(path);
  for (int i = 0; i < orders; ++i)
    c.send(kT0 + static_cast<uint64_t>(i) * 1'000, enter_order("B" + std::to_string(i), 'B', 1, "AAPL", k100 - i));
  c.close();
}

ReplayOptions match_options(const std::string& in, const std::string& out, JournalRing& ring) {
  ReplayOptions o;
  o.mode = ReplayMode::kMatch;
  o.input = in;
  o.out_path = out;
  o.symbols = {"AAPL"};
  o.book.max_orders = 1u << 14;
  o.book.max_levels = 1u << 14;
  o.book.max_symbols = 2;
  o.durability.journal = &ring;
  return o;
}

// The test's journal thread: takes records off the ring and keeps them; never writes.
struct HeldJournal {
  struct Record {
    uint64_t seq;
    journal::RecordType type;
    std::vector<uint8_t> payload;
  };
  JournalRing& ring;
  std::vector<Record> records;
  uint64_t outcomes = 0;

  void drain() {
    for (auto s = ring.peek(64); !s.empty(); s = ring.peek(64)) {
      for (const JournalRing::Slot& slot : s) {
        journal::RecordHeader h;
        std::span<const uint8_t> p;
        ASSERT_EQ(journal::decode_record(std::span<const uint8_t>(slot.bytes, JournalRing::Slot::kBytes),
                                         records.empty() ? 0 : records.back().seq + 1, h, p),
                  journal::RecordStatus::kOk);
        records.push_back(Record{h.seq, static_cast<journal::RecordType>(h.type), {p.begin(), p.end()}});
        if (records.back().type == journal::RecordType::kOutcome) ++outcomes;
      }
      ring.release(s.size());
    }
  }
};

// Polls cond until it holds or 30 s pass; true when it held.
template <class F>
bool eventually(F&& cond) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!cond()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(MatchDurability, NoDatagramLeavesBeforeItsRecordIsDurable) {
  const std::string in = temp_path("in.pcap"), out = temp_path("out.pcap");
  // More datagrams than the core may hold, so that it stops and waits for the journal.
  const int orders = static_cast<int>(kMaxHeldDatagrams) / 2 + 300;
  write_resting_orders(in, orders);
  JournalRing ring(1u << 12, 1);
  const ReplayOptions o = match_options(in, out, ring);
  std::atomic<bool> done{false};
  ReplaySummary sum;
  std::thread core([&] {
    sum = replay(o);
    done.store(true, std::memory_order_release);
  });
  HeldJournal j{ring, {}, 0};

  // 1. Nothing is durable: the core journals and holds, and nothing leaves, up to the
  //    point where it holds kMaxHeldDatagrams and journals one more (it then waits in
  //    the release loop for the journal).
  const bool blocked = eventually([&] {
    j.drain();
    EXPECT_EQ(ring.released_seq(), 0u) << "a datagram left with no record durable";
    return j.outcomes > kMaxHeldDatagrams || ::testing::Test::HasFailure();
  });
  ASSERT_TRUE(blocked) << "only " << j.outcomes << " outcome records in 30 s";
  ASSERT_FALSE(::testing::Test::HasFailure());
  ASSERT_FALSE(done.load());

  // 2. Durability moves one record at a time: each datagram leaves when its own record
  //    becomes durable, in journal order, and never one record earlier.
  uint64_t last_outcome = 0;
  std::size_t stepped = 0;
  for (const HeldJournal::Record& r : std::vector<HeldJournal::Record>(j.records.begin(), j.records.begin() + 600)) {
    ASSERT_LE(ring.released_seq(), ring.durable_seq());
    ASSERT_EQ(ring.released_seq(), last_outcome) << "released beyond the record made durable last";
    ring.set_durable(r.seq);
    if (r.type == journal::RecordType::kOutcome) {
      last_outcome = r.seq;
      ASSERT_TRUE(eventually([&] { return ring.released_seq() >= r.seq; })) << "record " << r.seq;
      ASSERT_EQ(ring.released_seq(), r.seq);
    }
    ++stepped;
  }
  ASSERT_GT(last_outcome, 0u);

  // 3. The journal catches up: everything is made durable as it arrives.
  while (!done.load(std::memory_order_acquire)) {
    j.drain();
    ASSERT_LE(ring.released_seq(), ring.durable_seq());
    if (!j.records.empty() && j.records.back().seq > ring.durable_seq()) ring.set_durable(j.records.back().seq);
    std::this_thread::yield();
  }
  core.join();
  j.drain();
  ASSERT_EQ(ring.durable_seq(), j.records.back().seq);

  // What left is exactly what was journaled as outcomes, in journal order.
  std::vector<const HeldJournal::Record*> outcomes;
  for (const HeldJournal::Record& r : j.records)
    if (r.type == journal::RecordType::kOutcome) outcomes.push_back(&r);
  EXPECT_EQ(ring.released_seq(), outcomes.back()->seq);
  EXPECT_EQ(sum.out_packets, outcomes.size());
  EXPECT_EQ(sum.accepted, static_cast<uint64_t>(orders));
  nic::PcapReader reader(out);
  nic::CapturedPacket pkt;
  std::size_t n = 0;
  while (reader.next(pkt) == nic::ReadStatus::kPacket) {
    nic::UdpFrame f;
    ASSERT_EQ(nic::decode_udp_frame(pkt.data, f), nic::FrameError::kOk);
    ASSERT_LT(n, outcomes.size());
    ASSERT_TRUE(std::equal(f.payload.begin(), f.payload.end(), outcomes[n]->payload.begin(),
                           outcomes[n]->payload.end()))
        << "datagram " << n;
    ++n;
  }
  EXPECT_EQ(n, outcomes.size());
  std::remove(in.c_str());
  std::remove(out.c_str());
}

TEST(MatchDurability, AFailedJournalAcknowledgesNothing) {
  const std::string in = temp_path("failed_in.pcap"), out = temp_path("failed_out.pcap");
  write_resting_orders(in, 50);
  JournalRing ring(1u << 10, 1);
  const ReplayOptions o = match_options(in, out, ring);
  std::atomic<bool> done{false};
  ReplaySummary sum;
  std::thread core([&] {
    sum = replay(o);
    done.store(true, std::memory_order_release);
  });
  HeldJournal j{ring, {}, 0};
  // The journal takes every input, then fails (say, the disk is gone) before anything
  // is durable.
  ASSERT_TRUE(eventually([&] {
    j.drain();
    uint64_t inputs = 0;
    for (const HeldJournal::Record& r : j.records) inputs += r.type == journal::RecordType::kInput;
    return inputs == 50;
  }));
  ring.set_failed();
  while (!done.load(std::memory_order_acquire)) {
    j.drain();
    std::this_thread::yield();
  }
  core.join();
  EXPECT_EQ(sum.accepted, 50u);      // the engine worked...
  EXPECT_EQ(sum.out_packets, 0u);    // ...but no acknowledgement left
  EXPECT_EQ(ring.released_seq(), 0u);
  nic::PcapReader reader(out);
  nic::CapturedPacket pkt;
  EXPECT_NE(reader.next(pkt), nic::ReadStatus::kPacket);
  std::remove(in.c_str());
  std::remove(out.c_str());
}

}  // namespace
}  // namespace tachyon::dataplane
