// PcapPort: libpcap file backend of the burst interface. Runs on the core that owns it.
#include "tachyon/nic/pcap_port.h"

#include <x86intrin.h>

#include <cstring>

#include "tachyon/nic/capture_error.h"
#include "tachyon/nic/frame_layout.h"
#include "tachyon/nic/nic_options.h"

namespace tachyon::nic {

namespace {

// libpcap link types of bare IPv4 captures (DLT_RAW, LINKTYPE_RAW, DLT_IPV4).
constexpr int kDltRaw = 12;
constexpr int kLinktypeRaw = 101;
constexpr int kDltIpv4 = 228;
// One raw-IP packet behind its Ethernet header: IPv4 packets are at most 65535 bytes.
constexpr std::size_t kRawSlot = kEthernetHeaderSize + 65535;

}  // namespace

PcapPort::PcapPort(const std::string& rx_path, const std::string& tx_path) : rx_path_(rx_path), tx_path_(tx_path) {
  try {
    if (!rx_path.empty()) {
      reader_ = std::make_unique<PcapReader>(rx_path);
      const int lt = reader_->link_type();
      raw_ip_ = lt == kDltRaw || lt == kLinktypeRaw || lt == kDltIpv4;
      if (lt != kDltEthernet && !raw_ip_)
        throw NicStartupError("pcap backend: capture '" + rx_path + "': link type " + std::to_string(lt) + " (" +
                              reader_->link_type_name() + ") is not supported: need Ethernet or raw IPv4");
      if (raw_ip_) raw_arena_.resize(kBurstSize * kRawSlot);
    }
    if (!tx_path.empty()) writer_ = std::make_unique<PcapWriter>(tx_path, UdpFlow{});
  } catch (const CaptureError& e) {
    throw NicStartupError(std::string("pcap backend: ") + e.what());
  }
}

PcapPort::~PcapPort() = default;

std::size_t PcapPort::rx_burst(uint16_t q, std::span<RxPacket> out) noexcept {
  if (!reader_) return 0;
  const std::size_t want = out.size() < kBurstSize ? out.size() : kBurstSize;
  const std::size_t n = reader_->rx_burst(std::span<CapturedPacket>(burst_.data(), want));
  if (n == 0) {
    if (reader_->failed() && c_.rx_errors.load(std::memory_order_relaxed) == 0) bump(c_.rx_errors);
    return 0;
  }
  const uint64_t tsc = __rdtsc();
  std::size_t k = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const CapturedPacket& c = burst_[i];
    bump(c_.rx_bytes, c.captured_length());
    if (raw_ip_ && c.data.size() > kRawSlot - kEthernetHeaderSize) [[unlikely]] {
      bump(c_.rx_errors);  // a bare IPv4 packet longer than IPv4 allows
      continue;
    }
    RxPacket& p = out[k++];
    if (raw_ip_) [[unlikely]] {
      uint8_t* f = raw_arena_.data() + i * kRawSlot;
      std::memset(f, 0, 12);
      f[12] = 0x08;  // EtherType IPv4
      f[13] = 0x00;
      std::memcpy(f + kEthernetHeaderSize, c.data.data(), c.data.size());
      p.data = f;
      p.length = static_cast<uint32_t>(kEthernetHeaderSize + c.data.size());
    } else {
      p.data = c.data.data();
      p.length = c.captured_length();
    }
    p.queue = q;
    p.timestamp_ns = c.timestamp_ns;
    p.rx_tsc = tsc;
    p.handle = 0;
  }
  bump(c_.rx_packets, n);
  return k;
}

std::size_t PcapPort::tx_burst(uint16_t, std::span<const TxPacket> pkts) noexcept {
  if (!writer_) {
    bump(c_.tx_dropped, pkts.size());
    return 0;
  }
  std::size_t sent = 0;
  for (const TxPacket& t : pkts) {
    const WriteStatus st = writer_->write_frame(t.timestamp_ns, std::span<const uint8_t>(t.data, t.length));
    if (st == WriteStatus::kOk) {
      ++sent;
      bump(c_.tx_bytes, t.length);
    } else if (st == WriteStatus::kIoError || st == WriteStatus::kClosed) {
      bump(c_.tx_errors);
    } else {
      bump(c_.tx_dropped);
    }
  }
  bump(c_.tx_packets, sent);
  return sent;
}

void PcapPort::flush_tx(uint16_t) noexcept {
  if (!writer_) return;
  try {
    writer_->flush();
  } catch (const CaptureError&) {
    bump(c_.tx_errors);
  }
}

void PcapPort::close_tx() {
  if (writer_) writer_->close();
}

PortStats PcapPort::stats() const {
  PortStats s;
  s.rx_packets = c_.rx_packets.load(std::memory_order_relaxed);
  s.rx_bytes = c_.rx_bytes.load(std::memory_order_relaxed);
  s.rx_errors = c_.rx_errors.load(std::memory_order_relaxed);
  s.tx_packets = c_.tx_packets.load(std::memory_order_relaxed);
  s.tx_bytes = c_.tx_bytes.load(std::memory_order_relaxed);
  s.tx_dropped = c_.tx_dropped.load(std::memory_order_relaxed);
  s.tx_errors = c_.tx_errors.load(std::memory_order_relaxed);
  return s;
}

std::string PcapPort::describe() const {
  std::string s = "pcap backend: ";
  if (reader_) {
    s += "rx '" + rx_path_ + "' (" + std::string(to_string(reader_->sniff().format)) + ", " +
         reader_->link_type_name() + (raw_ip_ ? ", framed as Ethernet" : "") + ")";
  } else {
    s += "no rx";
  }
  s += tx_path_.empty() ? ", no tx" : ", tx '" + tx_path_ + "' (pcap, ns)";
  return s;
}

}  // namespace tachyon::nic
