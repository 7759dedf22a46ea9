// DpdkPort set-up and teardown (configure, queues, RSS, timestamps, start/stop/close),
// counters, link and xstats; DpdkMempools. Control thread.
#include "tachyon/nic/dpdk_port.h"

#include <rte_errno.h>

#include <cstdio>

#include "tachyon/nic/nic_options.h"

namespace tachyon::nic {

std::shared_ptr<DpdkMempool> DpdkMempools::for_socket(int socket) {
  auto it = pools_.find(socket);
  if (it != pools_.end()) return it->second;
  // Unique per process: several pool sets may coexist (tests, benchmarks).
  static std::atomic<unsigned> serial{0};
  const std::string name = "tachyon_mbuf_s" + std::to_string(socket < 0 ? 0 : socket) + "_" + std::to_string(serial++);
  auto pool = std::make_shared<DpdkMempool>(name, mbufs_, socket);
  pools_.emplace(socket, pool);
  return pool;
}

std::vector<std::string> DpdkMempools::describe() const {
  std::vector<std::string> out;
  for (const auto& [socket, pool] : pools_) out.push_back(pool->describe());
  return out;
}

namespace {

std::string errtext(int rc) {
  const int e = rc < 0 ? -rc : rc;
  return std::to_string(rc) + " (" + rte_strerror(e) + ")";
}

}  // namespace

void DpdkPort::fail(const std::string& call, int rc) const {
  throw NicStartupError("port " + std::to_string(port_id_) + " (" + name_ + "): " + call + " failed: " + errtext(rc));
}

uint32_t DpdkPort::rx_lendable() const noexcept {
  const int64_t spare = int64_t{pool_->size()} - int64_t{rx_queues_} * rx_desc_ - 2 * int64_t{pool_->cache_size()};
  return spare <= 0 ? 0 : static_cast<uint32_t>(spare / rx_queues_);
}

DpdkPort::DpdkPort(std::shared_ptr<DpdkEal> eal, DpdkMempools& pools, const DpdkPortOptions& o)
    : eal_(std::move(eal)), port_id_(o.port_id), rx_queues_(o.rx_queues), tx_queues_(o.tx_queues),
      expected_rx_(o.expected_rx_packets) {
  if (!rte_eth_dev_is_valid_port(port_id_)) {
    std::string found;
    uint16_t p;
    RTE_ETH_FOREACH_DEV(p) {
      char n[RTE_ETH_NAME_MAX_LEN] = {};
      rte_eth_dev_get_name_by_port(p, n);
      found += (found.empty() ? "" : ", ") + std::to_string(p) + " " + n;
    }
    throw NicStartupError("port " + std::to_string(port_id_) + ": no such DPDK port (" +
                          std::to_string(rte_eth_dev_count_avail()) + " ports" +
                          (found.empty() ? "" : ": " + found) + ")");
  }
  char n[RTE_ETH_NAME_MAX_LEN] = {};
  rte_eth_dev_get_name_by_port(port_id_, n);
  name_ = n;
  rte_eth_dev_info info{};
  if (const int rc = rte_eth_dev_info_get(port_id_, &info); rc != 0) fail("rte_eth_dev_info_get()", rc);
  driver_ = info.driver_name ? info.driver_name : "?";
  if (rx_queues_ == 0 || rx_queues_ > info.max_rx_queues || rx_queues_ > kMaxQueues)
    throw NicStartupError("port " + std::to_string(port_id_) + " (" + name_ + ", driver " + driver_ + "): " +
                          std::to_string(rx_queues_) + " rx queues requested, the device offers 1.." +
                          std::to_string(info.max_rx_queues));
  if (tx_queues_ == 0 || tx_queues_ > info.max_tx_queues || tx_queues_ > kMaxQueues)
    throw NicStartupError("port " + std::to_string(port_id_) + " (" + name_ + ", driver " + driver_ + "): " +
                          std::to_string(tx_queues_) + " tx queues requested, the device offers 1.." +
                          std::to_string(info.max_tx_queues));

  socket_ = rte_eth_dev_socket_id(port_id_);
  pool_ = pools.for_socket(socket_ >= 0 ? socket_ : eal_->main_socket());
  tx_pool_ = pool_->get();
  queue_ = std::make_unique<QueueCounters[]>(kMaxQueues);

  rte_eth_conf conf{};
  if (rx_queues_ > 1) {
    if (info.flow_type_rss_offloads != 0) {
      uint64_t hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
      if (hf == 0) hf = info.flow_type_rss_offloads;
      conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
      conf.rx_adv_conf.rss_conf.rss_key = nullptr;  // the driver's default key
      conf.rx_adv_conf.rss_conf.rss_hf = hf;
      rss_ = true;
    } else {
      notes_ += "; RSS not offered by " + driver_ + ": frames reach the queues the device puts them on";
    }
  }
  if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP) {
    conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
    rte_mbuf_dyn_rx_timestamp_register(nullptr, nullptr);
  }
  // From here on a failure must close the port again: the destructor will not run.
  struct CloseOnThrow {
    DpdkPort& p;
    bool armed = true;
    ~CloseOnThrow() {
      if (!armed) return;
      if (p.started_) rte_eth_dev_stop(p.port_id_);
      rte_eth_dev_close(p.port_id_);
    }
  } guard{*this};
  if (const int rc = rte_eth_dev_configure(port_id_, rx_queues_, tx_queues_, &conf); rc != 0)
    fail("rte_eth_dev_configure(rx_queues=" + std::to_string(rx_queues_) + ", tx_queues=" + std::to_string(tx_queues_) +
             (rss_ ? ", mq_mode=RSS" : "") + ")",
         rc);
  uint16_t nb_rxd = static_cast<uint16_t>(o.rx_descriptors > 65535 ? 65535 : o.rx_descriptors);
  uint16_t nb_txd = static_cast<uint16_t>(o.tx_descriptors > 65535 ? 65535 : o.tx_descriptors);
  if (const int rc = rte_eth_dev_adjust_nb_rx_tx_desc(port_id_, &nb_rxd, &nb_txd); rc != 0)
    fail("rte_eth_dev_adjust_nb_rx_tx_desc(nb_rxd=" + std::to_string(nb_rxd) + ", nb_txd=" + std::to_string(nb_txd) + ")",
         rc);
  rx_desc_ = nb_rxd;
  tx_desc_ = nb_txd;
  const unsigned qsocket = static_cast<unsigned>(socket_ >= 0 ? socket_ : pool_->socket());
  for (uint16_t q = 0; q < rx_queues_; ++q) {
    rte_eth_rxconf rxconf = info.default_rxconf;
    rxconf.offloads = conf.rxmode.offloads;
    if (const int rc = rte_eth_rx_queue_setup(port_id_, q, nb_rxd, qsocket, &rxconf, pool_->get()); rc != 0)
      fail("rte_eth_rx_queue_setup(q=" + std::to_string(q) + ", nb_rxd=" + std::to_string(nb_rxd) + ", socket=" +
               std::to_string(qsocket) + ", pool=" + pool_->name() + ")",
           rc);
  }
  for (uint16_t q = 0; q < tx_queues_; ++q) {
    rte_eth_txconf txconf = info.default_txconf;
    txconf.offloads = conf.txmode.offloads;
    if (const int rc = rte_eth_tx_queue_setup(port_id_, q, nb_txd, qsocket, &txconf); rc != 0)
      fail("rte_eth_tx_queue_setup(q=" + std::to_string(q) + ", nb_txd=" + std::to_string(nb_txd) + ", socket=" +
               std::to_string(qsocket) + ")",
           rc);
  }
  if (o.promiscuous) {
    const int rc = rte_eth_promiscuous_enable(port_id_);
    if (rc != 0 && rc != -ENOTSUP) notes_ += "; promiscuous mode: " + errtext(rc);
  }
  if (const int rc = rte_eth_dev_start(port_id_); rc != 0) fail("rte_eth_dev_start()", rc);
  started_ = true;

  // The rx timestamp lives in a dynamic mbuf field, registered by the PMD (net_pcap
  // always: the capture time in microseconds) or by the offload above (NIC clock, ns).
  const int off = rte_mbuf_dynfield_lookup(RTE_MBUF_DYNFIELD_TIMESTAMP_NAME, nullptr);
  const int flag = rte_mbuf_dynflag_lookup(RTE_MBUF_DYNFLAG_RX_TIMESTAMP_NAME, nullptr);
  if (off >= 0 && flag >= 0) {
    ts_offset_ = off;
    ts_flag_ = uint64_t{1} << flag;
    ts_unit_ns_ = driver_ == "net_pcap" ? 1000 : 1;
  }
  guard.armed = false;
}

DpdkPort::~DpdkPort() {
  if (started_) rte_eth_dev_stop(port_id_);
  rte_eth_dev_close(port_id_);
}

PortStats DpdkPort::stats() const {
  rte_eth_stats st{};
  rte_eth_stats_get(port_id_, &st);
  PortStats s;
  s.rx_packets = st.ipackets;
  s.rx_bytes = st.ibytes;
  s.rx_missed = st.imissed;
  s.rx_errors = st.ierrors;
  s.rx_nombuf = st.rx_nombuf;
  s.tx_packets = st.opackets;
  s.tx_bytes = st.obytes;
  s.tx_errors = st.oerrors;
  for (uint16_t q = 0; q < kMaxQueues; ++q) {
    s.rx_errors += queue_[q].rx_errors.load(std::memory_order_relaxed);
    s.tx_dropped += queue_[q].tx_dropped.load(std::memory_order_relaxed);
  }
  return s;
}

LinkStatus DpdkPort::link() const {
  rte_eth_link l{};
  if (rte_eth_link_get_nowait(port_id_, &l) != 0) return LinkStatus{false, 0, false};
  return LinkStatus{l.link_status == RTE_ETH_LINK_UP,
                    l.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN ? 0u : l.link_speed,
                    l.link_duplex == RTE_ETH_LINK_FULL_DUPLEX};
}

std::vector<XStat> DpdkPort::xstats() const {
  const int n = rte_eth_xstats_get_names(port_id_, nullptr, 0);
  if (n <= 0) return {};
  std::vector<rte_eth_xstat_name> names(static_cast<std::size_t>(n));
  std::vector<rte_eth_xstat> values(static_cast<std::size_t>(n));
  const int got_names = rte_eth_xstats_get_names(port_id_, names.data(), static_cast<unsigned>(n));
  const int got = rte_eth_xstats_get(port_id_, values.data(), static_cast<unsigned>(n));
  std::vector<XStat> out;
  for (int i = 0; i < got && i < got_names; ++i) {
    const uint64_t id = values[static_cast<std::size_t>(i)].id;
    if (id < names.size()) out.push_back({names[id].name, values[static_cast<std::size_t>(i)].value});
  }
  return out;
}

std::string DpdkPort::describe() const {
  char buf[256];
  std::snprintf(buf, sizeof buf, "dpdk port %u (%s, driver %s, socket %d): %u rx / %u tx queues, %u/%u descriptors, RSS %s, rx timestamps %s",
                port_id_, name_.c_str(), driver_.c_str(), socket_, rx_queues_, tx_queues_, rx_desc_, tx_desc_,
                rss_ ? "on" : "off", ts_offset_ >= 0 ? (ts_unit_ns_ == 1000 ? "on (us)" : "on") : "off");
  return std::string(buf) + notes_ + "; " + pool_->describe();
}

}  // namespace tachyon::nic
