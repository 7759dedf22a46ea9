// UdpUringPort over loopback (127.0.0.1 only): datagrams sent by a plain socket arrive
// as frames with a synthetic Ethernet/IPv4/UDP header naming the sender; frames sent
// through tx_burst reach the destination in the frame; buffers return to the kernel;
// SO_REUSEPORT queues; refused frames are counted.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "tachyon/nic/nic_options.h"
#include "tachyon/nic/nic_port.h"
#include "tachyon/nic/udp_frame.h"
#include "tachyon/nic/udp_frame_builder.h"
#include "tachyon/nic/udp_uring_port.h"

namespace tachyon::nic {
namespace {

class Peer {
 public:
  Peer() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~Peer() { ::close(fd_); }
  void send_to(uint16_t port, const std::vector<uint8_t>& payload) const {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::sendto(fd_, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
              static_cast<ssize_t>(payload.size()));
  }
  // Waits up to 2 s for one datagram.
  std::vector<uint8_t> receive() const {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 2000) != 1) return {};
    std::vector<uint8_t> buf(4096);
    const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    buf.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return buf;
  }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

NicOptions loopback(uint16_t queues = 1) {
  NicOptions o;
  o.backend = NicBackendKind::kSocket;
  o.bind_address = "127.0.0.1";
  o.udp_port = 0;
  o.rx_queues = queues;
  o.socket_buffers = 64;
  return o;
}

// Polls queue q until n frames arrived (or 2 s passed); keeps them unreleased.
std::vector<RxPacket> receive(UdpUringPort& port, uint16_t q, std::size_t n) {
  std::vector<RxPacket> got;
  std::array<RxPacket, kBurstSize> burst;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (got.size() < n && std::chrono::steady_clock::now() < deadline) {
    const std::size_t k = port.rx_burst(q, burst);
    got.insert(got.end(), burst.begin(), burst.begin() + static_cast<std::ptrdiff_t>(k));
  }
  return got;
}

TEST(UdpUringPort, ReceivesDatagramsAsFramesNamingTheSender) {
  UdpUringPort port(loopback());
  ASSERT_NE(port.local_port(), 0);
  Peer peer;
  std::vector<std::vector<uint8_t>> sent;
  for (int i = 0; i < 50; ++i) {
    sent.push_back(std::vector<uint8_t>(20 + i, static_cast<uint8_t>(i)));
    peer.send_to(port.local_port(), sent.back());
  }
  const std::vector<RxPacket> got = receive(port, 0, sent.size());
  ASSERT_EQ(got.size(), sent.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    UdpFrame f;
    ASSERT_EQ(decode_udp_frame(std::span<const uint8_t>(got[i].data, got[i].length), f), FrameError::kOk) << i;
    EXPECT_EQ(std::vector<uint8_t>(f.payload.begin(), f.payload.end()), sent[i]) << i;
    EXPECT_EQ(f.src_ip, Ipv4Address(127, 0, 0, 1));
    EXPECT_EQ(f.dst_ip, Ipv4Address(127, 0, 0, 1));
    EXPECT_EQ(f.src_port, peer.port());
    EXPECT_EQ(f.dst_port, port.local_port());
    EXPECT_GT(got[i].timestamp_ns, 1'600'000'000'000'000'000ull);  // SO_TIMESTAMPNS: wall clock
    EXPECT_NE(got[i].rx_tsc, 0u);
  }
  port.release(0, got);
  const PortStats s = port.stats();
  EXPECT_EQ(s.rx_packets, sent.size());
  EXPECT_EQ(s.rx_errors + s.rx_missed, 0u);
}

TEST(UdpUringPort, RoundTripThroughTxBurst) {
  NicPort port(std::make_unique<UdpUringPort>(loopback()));
  UdpUringPort& p = *port.get_if<UdpUringPort>();
  Peer peer;
  peer.send_to(p.local_port(), {'p', 'i', 'n', 'g'});
  const std::vector<RxPacket> got = receive(p, 0, 1);
  ASSERT_EQ(got.size(), 1u);
  UdpFrame in;
  ASSERT_EQ(decode_udp_frame(std::span<const uint8_t>(got[0].data, got[0].length), in), FrameError::kOk);
  // Answer to the sender, as the data plane would: a frame addressed to its source.
  UdpFlow back;
  back.src_ip = in.dst_ip;
  back.dst_ip = in.src_ip;
  back.src_port = in.dst_port;
  back.dst_port = in.src_port;
  UdpFrameBuilder b(back);
  const std::vector<uint8_t> pong = {'p', 'o', 'n', 'g', '!'};
  std::vector<uint8_t> frame(b.frame_size(pong.size()));
  b.build(frame, pong, 1);
  port.release(0, got);
  const TxPacket t{frame.data(), static_cast<uint32_t>(frame.size()), 0};
  EXPECT_EQ(port.tx_burst(0, std::span<const TxPacket>(&t, 1)), 1u);
  port.flush_tx(0);
  EXPECT_EQ(peer.receive(), pong);
  EXPECT_EQ(port.stats().tx_packets, 1u);
  EXPECT_EQ(port.stats().tx_errors, 0u);
}

TEST(UdpUringPort, ReleasedBuffersAreReusedAcrossManyMoreDatagramsThanBuffers) {
  UdpUringPort port(loopback());  // 64 buffers
  Peer peer;
  std::size_t received = 0;
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 40; ++i) peer.send_to(port.local_port(), std::vector<uint8_t>(100, uint8_t(round)));
    const std::vector<RxPacket> got = receive(port, 0, 40);
    ASSERT_EQ(got.size(), 40u) << "round " << round;
    received += got.size();
    port.release(0, got);
  }
  EXPECT_EQ(received, 400u);
  EXPECT_EQ(port.stats().rx_nombuf, 0u);
}

TEST(UdpUringPort, RunningOutOfBuffersIsCountedNotSilent) {
  NicOptions o = loopback();
  o.socket_buffers = 8;
  UdpUringPort port(o);
  Peer peer;
  std::array<RxPacket, kBurstSize> burst;
  (void)port.rx_burst(0, burst);  // arms the receive
  for (int i = 0; i < 12; ++i) peer.send_to(port.local_port(), std::vector<uint8_t>(32, 1));
  std::vector<RxPacket> held = receive(port, 0, 8);  // never released: the 8 buffers stay out
  EXPECT_EQ(held.size(), 8u);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (port.stats().rx_nombuf == 0 && std::chrono::steady_clock::now() < deadline) (void)port.rx_burst(0, burst);
  EXPECT_GT(port.stats().rx_nombuf, 0u);
  port.release(0, held);
  // The 4 datagrams still in the socket arrive once buffers are back.
  const std::vector<RxPacket> rest = receive(port, 0, 4);
  EXPECT_EQ(rest.size(), 4u);
  port.release(0, rest);
}

TEST(UdpUringPort, TwoQueuesShareThePortWithReusePort) {
  UdpUringPort port(loopback(2));
  EXPECT_EQ(port.rx_queues(), 2);
  std::array<RxPacket, kBurstSize> burst;
  (void)port.rx_burst(0, burst);
  (void)port.rx_burst(1, burst);
  // Many senders (flows); the kernel hashes each to one of the two sockets.
  std::vector<std::unique_ptr<Peer>> peers;
  for (int i = 0; i < 16; ++i) {
    peers.push_back(std::make_unique<Peer>());
    peers.back()->send_to(port.local_port(), {uint8_t(i)});
  }
  std::size_t total = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  std::array<std::size_t, 2> per{};
  while (total < 16 && std::chrono::steady_clock::now() < deadline) {
    for (uint16_t q = 0; q < 2; ++q) {
      const std::size_t k = port.rx_burst(q, burst);
      per[q] += k;
      total += k;
      port.release(q, std::span<const RxPacket>(burst.data(), k));
    }
  }
  EXPECT_EQ(total, 16u);
  EXPECT_NE(port.describe().find("2 queues (SO_REUSEPORT)"), std::string::npos);
}

TEST(UdpUringPort, UndecodableFramesAreCountedAsDropped) {
  UdpUringPort port(loopback());
  std::vector<uint8_t> junk(30, 0xFF);
  const TxPacket t{junk.data(), 30, 0};
  EXPECT_EQ(port.tx_burst(0, std::span<const TxPacket>(&t, 1)), 0u);
  EXPECT_EQ(port.stats().tx_dropped, 1u);
}

}  // namespace
}  // namespace tachyon::nic
