// PipelineReport: totals and the final stats print. Control path.
#include "tachyon/dataplane/pipeline_report.h"

#include <cinttypes>
#include <cstdio>

namespace tachyon::dataplane {

uint64_t PipelineReport::lost_to_backpressure() const noexcept {
  uint64_t n = 0;
  bool packet_rings = false;
  for (const RingReport& r : rings) {
    if (r.packets) packet_rings = true;
    else n += r.counts.lost();
  }
  if (packet_rings) n += dropped.messages + rejected;
  return n;
}

uint64_t RxBurstSizes::bursts() const noexcept {
  uint64_t b = 0;
  for (std::size_t n = 1; n < count.size(); ++n) b += count[n];
  return b;
}

uint64_t RxBurstSizes::packets() const noexcept { return packets_in_bursts_of_at_least(1); }

uint64_t RxBurstSizes::packets_in_bursts_of_at_least(std::size_t n) const noexcept {
  uint64_t p = 0;
  for (std::size_t k = n < 1 ? 1 : n; k < count.size(); ++k) p += count[k] * k;
  return p;
}

double RxBurstSizes::big_burst_share() const noexcept {
  const uint64_t p = packets();
  return p ? static_cast<double>(packets_in_bursts_of_at_least(kBig)) / static_cast<double>(p) : 0.0;
}

std::size_t RxBurstSizes::packet_percentile(double p) const noexcept {
  const uint64_t total = packets();
  if (total == 0) return 0;
  // The packet of rank ceil(p% of total), at least the first.
  const double want = p / 100.0 * static_cast<double>(total);
  uint64_t rank = static_cast<uint64_t>(want);
  if (static_cast<double>(rank) < want) ++rank;
  if (rank == 0) rank = 1;
  uint64_t seen = 0;
  for (std::size_t n = 1; n < count.size(); ++n) {
    seen += count[n] * n;
    if (seen >= rank) return n;
  }
  return count.size() - 1;
}

std::string RxBurstSizes::describe() const {
  const uint64_t b = bursts();
  if (b == 0) return "no rx bursts";
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "rx bursts %" PRIu64 " (%.1f packets each); packets by burst size p50 %zu, p99 %zu; %.1f %% in "
                "bursts of %zu or more",
                b, static_cast<double>(packets()) / static_cast<double>(b), packet_percentile(50),
                packet_percentile(99), 100.0 * big_burst_share(), kBig);
  return buf;
}

namespace {

std::string placement(const CorePlacement& p) {
  std::string s = p.role + ": cpu " + (p.cpu >= 0 ? std::to_string(p.cpu) : "?") + " (node " +
                  std::to_string(p.node) + (p.requested_cpu >= 0 ? ", pinned" : ", not pinned");
  if (p.dpdk_lcore >= 0) s += ", lcore " + std::to_string(p.dpdk_lcore);
  s += ")";
  if (!p.note.empty()) s += " [" + p.note + "]";
  return s;
}

std::string percentiles(const LatencyHistogram& h) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "p50 %" PRIu64 " ns, p99 %" PRIu64 " ns, p99.9 %" PRIu64 " ns, max %" PRIu64 " ns",
                h.percentile(50), h.percentile(99), h.percentile(99.9), h.max());
  return buf;
}

}  // namespace

std::string PipelineReport::describe() const {
  std::string s;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "pipeline (%s, %zu shard cores): %.3f s, %" PRIu64 " packets, %" PRIu64 " messages decoded\n",
                direct ? "direct" : packet_handoff ? "dispatch, packet hand-off" : "dispatch", shards.size(), seconds, decoded.packets, decoded.messages);
  s += buf;
  std::snprintf(buf, sizeof buf,
                "  not decoded: %" PRIu64 " bad frames, %" PRIu64 " filtered, %" PRIu64 " bad datagrams, %" PRIu64
                " beyond %d sessions; %" PRIu64 " oversize, %" PRIu64 " unroutable\n",
                decoded.bad_frames, decoded.filtered, decoded.bad_datagrams, decoded.too_many_sessions, 16, oversize,
                unroutable);
  s += buf;
  std::snprintf(buf, sizeof buf,
                "  sequence: %" PRIu64 " sessions, gaps %" PRIu64 " (%" PRIu64 " msgs), duplicates %" PRIu64
                ", out of order %" PRIu64 "\n",
                sessions, gaps.events, gaps.messages, duplicates.events, out_of_order.events);
  s += buf;
  std::snprintf(buf, sizeof buf,
                "  backpressure: %" PRIu64 " lost (dropped %" PRIu64 " msgs reported as gaps, rejected %" PRIu64 ")\n",
                lost_to_backpressure(), dropped.messages, rejected);
  s += buf;
  if (packet_handoff) {
    std::snprintf(buf, sizeof buf, "  hold list: up to %" PRIu64 " frames; full: %" PRIu64 " datagrams dropped\n",
                  hold_capacity, hold_full);
    s += buf;
  }
  for (const RingReport& r : rings) {
    std::snprintf(buf, sizeof buf,
                  "  ring %s [%s]: queued %" PRIu64 ", taken %" PRIu64 ", dropped %" PRIu64 ", rejected %" PRIu64
                  ", blocked %" PRIu64 ", aborted %" PRIu64 "\n",
                  r.name.c_str(), to_string(r.policy), r.counts.queued, r.counts.taken, r.counts.dropped,
                  r.counts.rejected, r.counts.blocked, r.counts.aborted);
    s += buf;
  }
  if (!direct) s += "  " + placement(dispatch) + ": " + dispatch_rx_bursts.describe() + "\n";
  for (const ShardCoreReport& sh : shards) {
    std::snprintf(buf, sizeof buf, ": %" PRIu64 " messages in %" PRIu64 " bursts; rx->book ", sh.messages, sh.bursts);
    s += "  " + placement(sh.placement) + buf + percentiles(*sh.rx_to_book) + "\n";
    if (direct) s += "    " + sh.rx_bursts.describe() + "\n";
    if (!sh.memory.empty()) s += "    memory: " + sh.memory + "\n";
  }
  std::snprintf(buf, sizeof buf, "  tx: %" PRIu64 " messages in %" PRIu64 " datagrams, %" PRIu64 " frames refused",
                tx_messages, tx_datagrams, tx_frames_refused);
  s += buf;
  if (rx_to_tx->count()) s += "; rx->tx " + percentiles(*rx_to_tx);
  s += "\n";
  std::snprintf(buf, sizeof buf,
                "  port: rx %" PRIu64 " packets (%" PRIu64 " missed, %" PRIu64 " errors, %" PRIu64
                " no buffer), tx %" PRIu64 " packets (%" PRIu64 " dropped, %" PRIu64 " errors)\n",
                port.rx_packets, port.rx_missed, port.rx_errors, port.rx_nombuf, port.tx_packets, port.tx_dropped,
                port.tx_errors);
  s += buf;
  for (const std::string& n : notes) s += "  note: " + n + "\n";
  return s;
}

std::string ring_prometheus(const std::vector<RingReport>& rings) {
  std::string o;
  const auto help = [&](const char* name, const char* type, const char* text) {
    o += std::string("# HELP ") + name + " " + text + "\n# TYPE " + name + " " + type + "\n";
  };
  help("tachyon_ring_records_total", "counter",
       "Records per inter-core ring by fate: queued, taken, and lost to backpressure (dropped, rejected, aborted); "
       "blocked counts pushes that waited for room. A ring named '... packets' carries whole datagrams (packet "
       "hand-off), one record per datagram. On match mode's gateway->matching ring, rejected records are the orders "
       "answered busy (OUCH Rejected 'O'); each answer is one more queued record.");
  for (const RingReport& r : rings) {
    const std::string l = "ring=\"" + r.name + "\",policy=\"" + to_string(r.policy) + "\",fate=\"";
    const std::pair<const char*, uint64_t> fates[] = {{"queued", r.counts.queued},   {"taken", r.counts.taken},
                                                      {"dropped", r.counts.dropped}, {"rejected", r.counts.rejected},
                                                      {"blocked", r.counts.blocked}, {"aborted", r.counts.aborted}};
    for (const auto& [fate, v] : fates) o += "tachyon_ring_records_total{" + l + fate + "\"} " + std::to_string(v) + "\n";
  }
  return o;
}

std::string pipeline_prometheus(const std::vector<RingReport>& rings, const std::vector<uint64_t>& shard_messages,
                                const nic::NicPort& port) {
  std::string o = ring_prometheus(rings);
  const auto help = [&](const char* name, const char* type, const char* text) {
    o += std::string("# HELP ") + name + " " + text + "\n# TYPE " + name + " " + type + "\n";
  };
  help("tachyon_shard_messages_total", "counter", "Messages each shard core's books have processed.");
  for (std::size_t s = 0; s < shard_messages.size(); ++s)
    o += "tachyon_shard_messages_total{shard=\"" + std::to_string(s) + "\"} " + std::to_string(shard_messages[s]) + "\n";
  const nic::PortStats st = port.stats();
  help("tachyon_nic_packets_total", "counter", "Packets through the NIC port by direction and fate.");
  const std::pair<const char*, uint64_t> ps[] = {
      {"direction=\"rx\",fate=\"received\"", st.rx_packets}, {"direction=\"rx\",fate=\"missed\"", st.rx_missed},
      {"direction=\"rx\",fate=\"error\"", st.rx_errors},     {"direction=\"rx\",fate=\"no_buffer\"", st.rx_nombuf},
      {"direction=\"tx\",fate=\"sent\"", st.tx_packets},     {"direction=\"tx\",fate=\"dropped\"", st.tx_dropped},
      {"direction=\"tx\",fate=\"error\"", st.tx_errors}};
  for (const auto& [l, v] : ps) o += std::string("tachyon_nic_packets_total{") + l + "} " + std::to_string(v) + "\n";
  help("tachyon_nic_bytes_total", "counter", "Bytes through the NIC port.");
  o += "tachyon_nic_bytes_total{direction=\"rx\"} " + std::to_string(st.rx_bytes) + "\n";
  o += "tachyon_nic_bytes_total{direction=\"tx\"} " + std::to_string(st.tx_bytes) + "\n";
  const nic::LinkStatus link = port.link();
  help("tachyon_nic_link_up", "gauge", "1 while the port's link is up.");
  o += std::string("tachyon_nic_link_up ") + (link.up ? "1" : "0") + "\n";
  help("tachyon_nic_link_speed_mbps", "gauge", "Link speed the device reports (0: unknown).");
  o += "tachyon_nic_link_speed_mbps " + std::to_string(link.speed_mbps) + "\n";
  const std::vector<nic::XStat> xs = port.xstats();
  if (!xs.empty()) {
    help("tachyon_nic_xstat", "untyped", "The device's extended statistics, by its own names (DPDK xstats).");
    for (const nic::XStat& x : xs) o += "tachyon_nic_xstat{name=\"" + x.name + "\"} " + std::to_string(x.value) + "\n";
  }
  return o;
}

}  // namespace tachyon::dataplane
