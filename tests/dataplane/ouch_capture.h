// Test helper: writes hand-made OUCH 4.2 order entry from one or more clients (one
// MoldUDP64 datagram per message, at chosen capture times) into a pcap that match mode
// replays, and reads the OUCH replies of a match-mode --out capture back. Test code;
// not thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "tachyon/dataplane/match_endpoints.h"
#include "tachyon/dataplane/moldudp64.h"
#include "tachyon/dataplane/ouch_codec.h"
#include "tachyon/dataplane/ouch_messages.h"
#include "tachyon/nic/pcap_reader.h"
#include "tachyon/nic/pcap_writer.h"
#include "tachyon/nic/udp_frame.h"
#include "tachyon/nic/udp_frame_builder.h"

namespace tachyon::dataplane::testing {

inline constexpr uint64_t kMs = 1'000'000;
inline constexpr uint64_t kT0 = 1'700'000'000'000'000'000ull;  // capture time of the first order

// Encodes OUCH inbound messages (Enter, Replace, Cancel) the way the capture generator
// does.
inline std::vector<uint8_t> enter_order(const std::string& token, char side, uint32_t shares,
                                        const std::string& stock, int64_t price) {
  ouch::EnterOrder o;
  o.token = ouch::Token::from(token);
  o.side = side;
  o.shares = shares;
  o.stock = Stock::from(stock);
  o.price = book::Price{price};
  o.time_in_force = ouch::kTifSystemHours;
  o.firm = ouch::Firm::from("TCHY");
  o.display = 'Y';
  o.capacity = 'A';
  o.intermarket_sweep = 'N';
  o.cross_type = 'N';
  o.customer_type = 'R';
  std::vector<uint8_t> out(ouch::EnterOrder::kLength);
  EXPECT_EQ(ouch::encode(o, out), out.size());
  return out;
}
inline std::vector<uint8_t> replace_order(const std::string& existing, const std::string& replacement,
                                          uint32_t shares, int64_t price) {
  ouch::ReplaceOrder u;
  u.existing_token = ouch::Token::from(existing);
  u.replacement_token = ouch::Token::from(replacement);
  u.shares = shares;
  u.price = book::Price{price};
  u.time_in_force = ouch::kTifSystemHours;
  u.display = 'Y';
  u.intermarket_sweep = 'N';
  std::vector<uint8_t> out(ouch::ReplaceOrder::kLength);
  EXPECT_EQ(ouch::encode(u, out), out.size());
  return out;
}
inline std::vector<uint8_t> cancel_order(const std::string& token) {
  ouch::CancelOrder x;
  x.token = ouch::Token::from(token);
  x.shares = 0;
  std::vector<uint8_t> out(ouch::CancelOrder::kLength);
  EXPECT_EQ(ouch::encode(x, out), out.size());
  return out;
}

// Order entry of one or more clients into a pcap; every message is its own datagram.
// Client c sends from 10.0.1.(10+c):(40000+c) in its own MoldUDP64 session, so match
// mode sees it as its own session (numbered in order of first appearance).
class OuchCapture {
 public:
  explicit OuchCapture(const std::string& path) {
    writer_ = std::make_unique<nic::PcapWriter>(path, flow_of(0));
  }

  void send(uint64_t ts_ns, const std::vector<uint8_t>& msg, uint32_t client = 0) {
    Client& c = client_(client);
    ASSERT_TRUE(c.packetizer->append(msg));
    const std::span<const uint8_t> d = c.packetizer->flush();
    std::vector<uint8_t> frame(nic::kMaxUdpPayload + 64);
    const std::size_t n = c.builder->build(frame, d, c.ip_id++);
    ASSERT_GT(n, 0u);
    ASSERT_EQ(writer_->write_frame(ts_ns, std::span<const uint8_t>(frame.data(), n)), nic::WriteStatus::kOk);
    ++messages_;
  }
  void close() { writer_->close(); }
  uint64_t messages() const noexcept { return messages_; }

 private:
  struct Client {
    std::unique_ptr<nic::UdpFrameBuilder> builder;
    std::vector<uint8_t> buffer = std::vector<uint8_t>(mold::kDefaultMaxPayload);
    std::unique_ptr<mold::Packetizer> packetizer;
    uint16_t ip_id = 0;
  };

  static nic::UdpFlow flow_of(uint32_t client) {
    nic::UdpFlow f;
    f.dst_ip = kApplianceAddress;
    f.dst_port = kOrderEntryPort;
    f.dst_mac = nic::MacAddress{{0x02, 0x00, 0x00, 0x00, 0x00, 0x64}};
    f.src_ip = nic::Ipv4Address{10, 0, 1, static_cast<uint8_t>(10 + client)};
    f.src_port = static_cast<uint16_t>(40000 + client);
    f.src_mac = nic::MacAddress{{0x02, 0x00, 0x00, 0x00, 0x01, static_cast<uint8_t>(client)}};
    return f;
  }
  Client& client_(uint32_t client) {
    while (clients_.size() <= client) {
      const auto c = static_cast<uint32_t>(clients_.size());
      auto& n = clients_.emplace_back(std::make_unique<Client>());
      n->builder = std::make_unique<nic::UdpFrameBuilder>(flow_of(c));
      char session[16];
      std::snprintf(session, sizeof session, "CLIENT%04u", c % 10000);
      n->packetizer = std::make_unique<mold::Packetizer>(n->buffer, mold::Session::from(session), 1);
    }
    return *clients_[client];
  }

  std::unique_ptr<nic::PcapWriter> writer_;
  std::vector<std::unique_ptr<Client>> clients_;
  uint64_t messages_ = 0;
};

// One OUCH reply to a client: its type, token (the replacement token of a Replaced) and
// reason (Rejected, Canceled).
struct OuchReply {
  char type = 0;
  std::string token;
  char reason = 0;
};

// Reads every OUCH reply from a match-mode --out capture (market data skipped), in order.
inline std::vector<OuchReply> read_replies(const std::string& path) {
  std::vector<OuchReply> out;
  nic::PcapReader reader(path);
  nic::CapturedPacket pkt;
  while (reader.next(pkt) == nic::ReadStatus::kPacket) {
    nic::UdpFrame f;
    if (nic::decode_udp_frame(pkt.data, f) != nic::FrameError::kOk || f.src_port != kOrderEntryPort) continue;
    mold::Packet p;
    if (!mold::parse(f.payload, p).ok()) continue;
    p.for_each([&](uint64_t, std::span<const uint8_t> msg) {
      OuchReply r;
      r.type = static_cast<char>(msg[0]);
      switch (r.type) {
        case 'J': {
          ouch::Rejected j;
          if (ouch::decode_message(msg, j) == DecodeStatus::kOk) {
            r.token = std::string(j.token.trimmed());
            r.reason = j.reason;
          }
          break;
        }
        case 'A': {
          ouch::Accepted a;
          if (ouch::decode_message(msg, a) == DecodeStatus::kOk) r.token = std::string(a.token.trimmed());
          break;
        }
        case 'C': {
          ouch::Canceled c;
          if (ouch::decode_message(msg, c) == DecodeStatus::kOk) {
            r.token = std::string(c.token.trimmed());
            r.reason = c.reason;
          }
          break;
        }
        default: break;
      }
      out.push_back(r);
    });
  }
  return out;
}

}  // namespace tachyon::dataplane::testing
