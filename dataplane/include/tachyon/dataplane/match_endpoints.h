// Network endpoints of match mode: where order entry arrives and where replies and
// market data go. The generator writes captures to these and replay answers from them.
// Constants; thread-safe.
#pragma once

#include <cstdint>

#include "tachyon/nic/frame_layout.h"

namespace tachyon::dataplane {

inline constexpr nic::Ipv4Address kApplianceAddress{10, 0, 0, 100};
inline constexpr uint16_t kOrderEntryPort = 26000;       // OUCH 4.2 in MoldUDP64, client -> appliance
inline constexpr nic::Ipv4Address kMarketDataGroup{233, 54, 12, 111};
inline constexpr uint16_t kMarketDataPort = 26400;       // ITCH 5.0 in MoldUDP64, multicast
inline constexpr uint16_t kMarketDataSourcePort = 26401;
inline constexpr const char* kMarketDataSession = "TACHYONMD1";

}  // namespace tachyon::dataplane
