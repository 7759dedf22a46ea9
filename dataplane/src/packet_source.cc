// PacketSource: libpcap or a NIC port (net_pcap vdev) as the replay loops' input.
// Replay thread.
#include "tachyon/dataplane/internal/packet_source.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cinttypes>
#include <cstdio>

#include "tachyon/dataplane/cpu_relax.h"
#include "tachyon/nic/capture_error.h"
#include "tachyon/nic/nic_options.h"
#include "tachyon/nic/open_nic.h"

namespace tachyon::dataplane::internal {

namespace {

class PcapSource final : public PacketSource {
 public:
  explicit PcapSource(const std::string& path) {
    try {
      reader_ = std::make_unique<nic::PcapReader>(path);
    } catch (const nic::CaptureError& e) {
      throw ReplayError(e.what());
    }
    notes_.push_back("nic: pcap (libpcap reads " + path + ")");
  }
  std::size_t rx_burst(std::span<nic::CapturedPacket> out) noexcept override { return reader_->rx_burst(out); }
  bool failed() const noexcept override { return reader_->failed(); }
  std::string error() const override { return std::string(reader_->error()); }
  int link_type() const noexcept override { return reader_->link_type(); }
  const char* link_type_name() const noexcept override { return reader_->link_type_name(); }

 private:
  std::unique_ptr<nic::PcapReader> reader_;
};

class NicSource final : public PacketSource {
 public:
  NicSource(const ReplayOptions& opt, const std::string& tx_path) : path_(opt.input) {
    // The file's own timestamps (ns) and its length, read once.
    try {
      nic::PcapReader r(opt.input);
      link_type_ = r.link_type();
      link_name_ = r.link_type_name();
      nic::CapturedPacket p;
      while (r.next(p) == nic::ReadStatus::kPacket) stamps_.push_back(p.timestamp_ns);
      if (r.failed()) reader_error_ = std::string(r.error());
    } catch (const nic::CaptureError& e) {
      throw ReplayError(e.what());
    }
    nic::NicOptions o;
    o.backend = opt.nic;
    o.eal_args = opt.eal_args;
    o.rx_pcap = opt.input;
    o.tx_pcap = tx_path;
    nic::OpenedNic n = nic::open_nic(o);
    notes_ = n.notes;
    notes_.push_back("nic: " + n.port.describe());
    for (const std::string& p : n.pools) notes_.push_back("nic: " + p);
    // A fallback to the pcap backend frames raw-IPv4 captures as Ethernet.
    if (n.backend == nic::NicBackendKind::kPcap && link_type_ != nic::kDltEthernet) {
      link_type_ = nic::kDltEthernet;
      link_name_ = "EN10MB";
    }
    port_ = std::move(n.port);
  }

  std::size_t rx_burst(std::span<nic::CapturedPacket> out) noexcept override {
    if (held_) {
      port_.release(0, std::span<const nic::RxPacket>(rx_.data(), held_));
      held_ = 0;
    }
    if (failed_ || next_ == stamps_.size()) return 0;
    const std::size_t want = std::min({out.size(), rx_.size(), stamps_.size() - next_});
    std::size_t n = 0;
    const auto since = std::chrono::steady_clock::now();
    uint32_t spins = 0;
    while ((n = port_.rx_burst(0, std::span<nic::RxPacket>(rx_.data(), want))) == 0) {
      // net_pcap hands out the whole file without pause; a port that stops short of
      // it is an error, not a reason to wait forever.
      if ((++spins & 1023) == 0 && std::chrono::steady_clock::now() - since > std::chrono::seconds(5)) {
        fail("the port delivered " + std::to_string(next_) + " of the capture's " + std::to_string(stamps_.size()) +
             " packets and then nothing for 5 s");
        return 0;
      }
      cpu_relax();
    }
    held_ = n;
    for (std::size_t i = 0; i < n; ++i, ++next_) {
      const nic::RxPacket& r = rx_[i];
      const uint64_t ns = stamps_[next_];
      if (r.timestamp_ns != 0 && r.timestamp_ns / 1000 != ns / 1000) [[unlikely]] {
        fail("packet " + std::to_string(next_ + 1) + ": the port's timestamp " + std::to_string(r.timestamp_ns) +
             " ns is not the file's " + std::to_string(ns) + " ns (packets out of order?)");
        return i;
      }
      out[i] = nic::CapturedPacket{std::span<const uint8_t>(r.data, r.length), ns, r.length};
    }
    if (next_ == stamps_.size() && !reader_error_.empty()) fail(reader_error_);
    return n;
  }
  bool failed() const noexcept override { return failed_; }
  std::string error() const override { return error_; }
  int link_type() const noexcept override { return link_type_; }
  const char* link_type_name() const noexcept override { return link_name_.c_str(); }
  nic::NicPort* port() noexcept override { return &port_; }

  ~NicSource() override {
    if (held_) port_.release(0, std::span<const nic::RxPacket>(rx_.data(), held_));
  }

 private:
  void fail(std::string what) noexcept {
    failed_ = true;
    error_ = path_ + ": " + what;
  }

  std::string path_;
  std::vector<uint64_t> stamps_;
  std::string reader_error_;
  int link_type_ = 0;
  std::string link_name_;
  nic::NicPort port_;
  std::array<nic::RxPacket, nic::kBurstSize> rx_{};
  std::size_t held_ = 0;
  std::size_t next_ = 0;
  bool failed_ = false;
  std::string error_;
};

}  // namespace

std::unique_ptr<PacketSource> open_packet_source(const ReplayOptions& opt, const std::string& tx_path) {
  if (opt.nic == nic::NicBackendKind::kPcap) return std::make_unique<PcapSource>(opt.input);
  if (opt.nic == nic::NicBackendKind::kSocket)
    throw ReplayError(opt.input + ": --nic socket receives live UDP, it cannot replay a capture (use pcap or dpdk)");
  return std::make_unique<NicSource>(opt, tx_path);
}

}  // namespace tachyon::dataplane::internal
