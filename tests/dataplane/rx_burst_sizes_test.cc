// RxBurstSizes: counts of rx bursts by size, the packets they held, the burst size
// at a packet percentile, merging, clamping and the report line.
#include <gtest/gtest.h>

#include "tachyon/dataplane/pipeline_report.h"

namespace tachyon::dataplane {
namespace {

TEST(RxBurstSizes, EmptyReportsNothingReceived) {
  const RxBurstSizes b;
  EXPECT_EQ(b.bursts(), 0u);
  EXPECT_EQ(b.packets(), 0u);
  EXPECT_EQ(b.packet_percentile(50), 0u);
  EXPECT_EQ(b.describe(), "no rx bursts");
}

TEST(RxBurstSizes, PercentilesRankPacketsByTheirBurstsSize) {
  RxBurstSizes b;
  for (int i = 0; i < 10; ++i) b.record(1);
  b.record(nic::kBurstSize);  // one backlog burst of 32
  EXPECT_EQ(b.bursts(), 11u);
  EXPECT_EQ(b.packets(), 42u);
  EXPECT_EQ(b.packets_in_bursts_of_at_least(16), 32u);
  EXPECT_EQ(b.packets_in_bursts_of_at_least(2), 32u);
  EXPECT_EQ(b.packets_in_bursts_of_at_least(0), 42u);
  // Ten of the 42 packets came alone, 32 in the big burst.
  EXPECT_EQ(b.packet_percentile(0), 1u);
  EXPECT_EQ(b.packet_percentile(20), 1u);   // rank 9
  EXPECT_EQ(b.packet_percentile(23.8), 1u);  // rank 10, the last packet that came alone
  EXPECT_EQ(b.packet_percentile(24), 32u);  // rank 11
  EXPECT_EQ(b.packet_percentile(50), 32u);
  EXPECT_EQ(b.packet_percentile(100), 32u);
  EXPECT_EQ(b.describe(),
            "rx bursts 11 (3.8 packets each); packets by burst size p50 32, p99 32; 76.2 % in bursts of 16 or more");
}

TEST(RxBurstSizes, OversizedBurstsCountAsFullAndMergeAdds) {
  RxBurstSizes a, b;
  a.record(3);
  a.record(nic::kBurstSize + 8);  // more than a burst can hold: counted as a full one
  b.record(3);
  b.record(1);
  a.merge(b);
  EXPECT_EQ(a.count[3], 2u);
  EXPECT_EQ(a.count[1], 1u);
  EXPECT_EQ(a.count[nic::kBurstSize], 1u);
  EXPECT_EQ(a.bursts(), 4u);
  EXPECT_EQ(a.packets(), 1u + 3u + 3u + nic::kBurstSize);
}

}  // namespace
}  // namespace tachyon::dataplane
