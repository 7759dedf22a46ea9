// Tests of feed selection by destination port and/or group.
#include "tachyon/nic/udp_feed_filter.h"

#include <gtest/gtest.h>

#include "golden_frames.h"

namespace tachyon::nic {
namespace {

UdpFrame golden() {
  UdpFrame f;
  EXPECT_EQ(decode_udp_frame(test::kGoldenMulticastFrame, f), FrameError::kOk);
  return f;  // 233.54.12.1:26400
}

TEST(UdpFeedFilter, DefaultSelectsEverything) {
  const UdpFeedFilter any;
  EXPECT_TRUE(any.selects_all());
  EXPECT_TRUE(any.matches(golden()));
}

TEST(UdpFeedFilter, ByPort) {
  EXPECT_TRUE((UdpFeedFilter{26400, {}}).matches(golden()));
  EXPECT_FALSE((UdpFeedFilter{26401, {}}).matches(golden()));
  EXPECT_FALSE((UdpFeedFilter{40000, {}}).matches(golden()));  // the source port
}

TEST(UdpFeedFilter, ByGroup) {
  EXPECT_TRUE((UdpFeedFilter{0, Ipv4Address(233, 54, 12, 1)}).matches(golden()));
  EXPECT_FALSE((UdpFeedFilter{0, Ipv4Address(233, 54, 12, 2)}).matches(golden()));
  EXPECT_FALSE((UdpFeedFilter{0, Ipv4Address(10, 1, 2, 3)}).matches(golden()));  // the source
}

TEST(UdpFeedFilter, ByPortAndGroupNeedsBoth) {
  EXPECT_TRUE((UdpFeedFilter{26400, Ipv4Address(233, 54, 12, 1)}).matches(golden()));
  EXPECT_FALSE((UdpFeedFilter{26400, Ipv4Address(233, 54, 12, 2)}).matches(golden()));
  EXPECT_FALSE((UdpFeedFilter{26401, Ipv4Address(233, 54, 12, 1)}).matches(golden()));
  EXPECT_FALSE((UdpFeedFilter{26400, Ipv4Address(233, 54, 12, 1)}).selects_all());
}

}  // namespace
}  // namespace tachyon::nic
