// UdpUringPort: UDP sockets over io_uring (multishot recvmsg into provided buffers,
// sendmsg from preallocated slots). Set-up on the control thread; each queue's bursts
// on its owning data-plane thread.
#include "tachyon/nic/udp_uring_port.h"

#include <arpa/inet.h>
#include <liburing.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <x86intrin.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <vector>

#include "tachyon/book/cache_line.h"
#include "tachyon/nic/frame_layout.h"
#include "tachyon/nic/internal/big_endian.h"
#include "tachyon/nic/udp_frame.h"

namespace tachyon::nic {

namespace {

constexpr uint16_t kBufferGroup = 1;
constexpr uint64_t kRecvTag = uint64_t{1} << 63;  // user_data of the multishot recvmsg
constexpr uint32_t kTxSlots = 256;
constexpr uint32_t kTxSlotBytes = 2048;
// Synthetic Ethernet II + IPv4 (IHL 5) + UDP header written in front of each payload.
constexpr std::size_t kFrameHeader = kEthernetHeaderSize + kIpv4MinHeaderSize + kUdpHeaderSize;  // 42
// Control space asked of the kernel: SO_TIMESTAMPNS (a timespec) and SO_RXQ_OVFL (a
// u32), then room for the synthetic header right before the payload.
constexpr std::size_t kCmsgBytes = CMSG_SPACE(sizeof(timespec)) + CMSG_SPACE(sizeof(uint32_t));
constexpr std::size_t kControlBytes = (kCmsgBytes + kFrameHeader + 7) / 8 * 8;
constexpr std::size_t kPayloadOffset = sizeof(io_uring_recvmsg_out) + sizeof(sockaddr_in) + kControlBytes;

std::string errno_text(int e) { return std::to_string(e) + " (" + std::strerror(e) + ")"; }

void bump(std::atomic<uint64_t>& c, uint64_t by = 1) noexcept {
  c.store(c.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

}  // namespace

struct UdpUringPort::Queue {
  struct alignas(kCacheLine) Counters {
    std::atomic<uint64_t> rx_packets{0}, rx_bytes{0}, rx_missed{0}, rx_errors{0}, rx_nombuf{0};
    std::atomic<uint64_t> tx_packets{0}, tx_bytes{0}, tx_dropped{0}, tx_errors{0};
  };
  struct TxSlot {
    msghdr msg{};
    iovec iov{};
    sockaddr_in to{};
    uint8_t* data = nullptr;
  };
  struct Pending {  // a receive completion reaped while looking for send completions
    int32_t res;
    uint32_t flags;
  };

  uint16_t index = 0;
  int fd = -1;
  bool ring_ok = false;
  bool armed = false;
  io_uring ring{};
  io_uring_buf_ring* br = nullptr;
  std::size_t br_bytes = 0;
  uint32_t nbufs = 0;
  uint32_t buf_bytes = 0;
  uint8_t* bufs = nullptr;
  std::size_t bufs_bytes = 0;
  msghdr recv_tmpl{};
  uint32_t local_ip_be = 0;
  uint16_t local_port = 0;
  uint32_t last_overflow = 0;
  // Receive completions waiting for rx_burst (bounded by the buffer count).
  std::vector<Pending> pending;
  uint32_t pending_head = 0, pending_count = 0;
  std::vector<TxSlot> slots;
  std::vector<uint32_t> free_slots;
  std::vector<uint8_t> slot_memory;
  uint32_t in_flight = 0;
  Counters c;

  ~Queue() {
    if (ring_ok) {
      if (br) io_uring_unregister_buf_ring(&ring, kBufferGroup);
      io_uring_queue_exit(&ring);
    }
    if (br) ::munmap(br, br_bytes);
    if (bufs) ::munmap(bufs, bufs_bytes);
    if (fd >= 0) ::close(fd);
  }

  uint8_t* buffer(uint32_t bid) const noexcept { return bufs + std::size_t{bid} * buf_bytes; }

  void give_back(uint32_t bid, int offset) noexcept {
    io_uring_buf_ring_add(br, buffer(bid), buf_bytes, static_cast<unsigned short>(bid),
                          io_uring_buf_ring_mask(nbufs), offset);
  }

  // Submits the multishot recvmsg (again, after the kernel ended the last one).
  bool arm() noexcept {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    if (sqe == nullptr) {
      io_uring_submit(&ring);
      sqe = io_uring_get_sqe(&ring);
      if (sqe == nullptr) return false;
    }
    io_uring_prep_recvmsg_multishot(sqe, fd, &recv_tmpl, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = kBufferGroup;
    io_uring_sqe_set_data64(sqe, kRecvTag);
    armed = io_uring_submit(&ring) >= 0;
    return armed;
  }

  // Handles one send completion: frees its slot and counts a failure.
  void on_send(const io_uring_cqe* cqe) noexcept {
    const auto slot = static_cast<uint32_t>(cqe->user_data);
    free_slots.push_back(slot);  // capacity reserved: never allocates
    --in_flight;
    if (cqe->res < 0) bump(c.tx_errors);
  }

  // Moves completions from the CQ: sends free their slots; receives go to pending.
  void reap() noexcept {
    io_uring_cqe* cqes[64];
    for (;;) {
      const unsigned n = io_uring_peek_batch_cqe(&ring, cqes, 64);
      if (n == 0) return;
      for (unsigned i = 0; i < n; ++i) {
        const io_uring_cqe* cqe = cqes[i];
        if (cqe->user_data == kRecvTag) {
          if (!(cqe->flags & IORING_CQE_F_MORE)) armed = false;
          if (pending_count < pending.size()) {
            pending[(pending_head + pending_count) % pending.size()] = Pending{cqe->res, cqe->flags};
            ++pending_count;
          } else if (cqe->flags & IORING_CQE_F_BUFFER) {
            // Cannot happen (one pending slot per buffer); give the buffer back counted.
            bump(c.rx_errors);
            give_back(cqe->flags >> IORING_CQE_BUFFER_SHIFT, 0);
            io_uring_buf_ring_advance(br, 1);
          }
        } else {
          on_send(cqe);
        }
      }
      io_uring_cq_advance(&ring, n);
    }
  }
};

UdpUringPort::UdpUringPort(const NicOptions& o)
    : queues_(o.rx_queues == 0 ? 1 : o.rx_queues), bind_address_(o.bind_address), buffers_(o.socket_buffers),
      buffer_bytes_(o.socket_buffer_bytes) {
  const std::string who = "socket backend (udp " + o.bind_address + ":" + std::to_string(o.udp_port) + ")";
  if (buffers_ == 0 || (buffers_ & (buffers_ - 1)) != 0 || buffers_ > 32768)
    throw NicStartupError(who + ": socket_buffers = " + std::to_string(buffers_) +
                          ": must be a power of two in [1, 32768]");
  if (buffer_bytes_ < kPayloadOffset + 64)
    throw NicStartupError(who + ": socket_buffer_bytes = " + std::to_string(buffer_bytes_) + ": must be >= " +
                          std::to_string(kPayloadOffset + 64));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(o.udp_port);
  if (::inet_pton(AF_INET, o.bind_address.c_str(), &addr.sin_addr) != 1)
    throw NicStartupError(who + ": bind_address '" + o.bind_address + "' is not an IPv4 address");

  q_.reset(new Queue[queues_]);
  for (uint16_t i = 0; i < queues_; ++i) {
    Queue& q = q_[i];
    q.index = i;
    const std::string qwho = who + " queue " + std::to_string(i);
    q.fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (q.fd < 0) throw NicStartupError(qwho + ": socket(AF_INET, SOCK_DGRAM) failed: " + errno_text(errno));
    const int one = 1;
    if (queues_ > 1 && ::setsockopt(q.fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
      throw NicStartupError(qwho + ": setsockopt(SO_REUSEPORT) failed: " + errno_text(errno));
    ::setsockopt(q.fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
    ::setsockopt(q.fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
    const int rcvbuf = 8 << 20;
    ::setsockopt(q.fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);  // capped by rmem_max
    if (::bind(q.fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
      throw NicStartupError(qwho + ": bind(" + o.bind_address + ":" + std::to_string(ntohs(addr.sin_port)) +
                            ") failed: " + errno_text(errno));
    if (i == 0 && addr.sin_port == 0) {
      // Let the other queues share the port the kernel chose.
      sockaddr_in bound{};
      socklen_t len = sizeof bound;
      ::getsockname(q.fd, reinterpret_cast<sockaddr*>(&bound), &len);
      addr.sin_port = bound.sin_port;
    }
    q.local_port = ntohs(addr.sin_port);
    q.local_ip_be = addr.sin_addr.s_addr;

    const unsigned entries = 256;
    io_uring_params params{};
    params.flags = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
    params.cq_entries = 4096;
    params.flags |= IORING_SETUP_CQSIZE;
    int rc = io_uring_queue_init_params(entries, &q.ring, &params);
    if (rc == -EINVAL) {  // kernels before 5.19 lack the task-run flags
      params = io_uring_params{};
      params.cq_entries = 4096;
      params.flags = IORING_SETUP_CQSIZE;
      rc = io_uring_queue_init_params(entries, &q.ring, &params);
    }
    if (rc < 0) throw NicStartupError(qwho + ": io_uring_queue_init(" + std::to_string(entries) + ") failed: " + errno_text(-rc));
    q.ring_ok = true;

    q.nbufs = buffers_;
    q.buf_bytes = buffer_bytes_;
    q.br_bytes = sizeof(io_uring_buf) * q.nbufs;
    void* br = ::mmap(nullptr, q.br_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (br == MAP_FAILED) throw NicStartupError(qwho + ": mmap(buffer ring) failed: " + errno_text(errno));
    q.br = static_cast<io_uring_buf_ring*>(br);
    q.bufs_bytes = std::size_t{q.nbufs} * q.buf_bytes;
    void* bufs = ::mmap(nullptr, q.bufs_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (bufs == MAP_FAILED) throw NicStartupError(qwho + ": mmap(receive buffers) failed: " + errno_text(errno));
    q.bufs = static_cast<uint8_t*>(bufs);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<uint64_t>(q.br);
    reg.ring_entries = q.nbufs;
    reg.bgid = kBufferGroup;
    if (const int r = io_uring_register_buf_ring(&q.ring, &reg, 0); r != 0) {
      ::munmap(q.br, q.br_bytes);
      q.br = nullptr;
      throw NicStartupError(qwho + ": io_uring_register_buf_ring(" + std::to_string(q.nbufs) +
                            " buffers) failed: " + errno_text(-r) + " (needs Linux 5.19+)");
    }
    io_uring_buf_ring_init(q.br);
    for (uint32_t b = 0; b < q.nbufs; ++b) q.give_back(b, static_cast<int>(b));
    io_uring_buf_ring_advance(q.br, static_cast<int>(q.nbufs));
    q.recv_tmpl.msg_namelen = sizeof(sockaddr_in);
    q.recv_tmpl.msg_controllen = kControlBytes;
    q.pending.resize(q.nbufs + 1);

    q.slots.resize(kTxSlots);
    q.slot_memory.resize(std::size_t{kTxSlots} * kTxSlotBytes);
    q.free_slots.reserve(kTxSlots);
    for (uint32_t s = 0; s < kTxSlots; ++s) {
      Queue::TxSlot& t = q.slots[s];
      t.data = q.slot_memory.data() + std::size_t{s} * kTxSlotBytes;
      t.iov.iov_base = t.data;
      t.msg.msg_name = &t.to;
      t.msg.msg_namelen = sizeof t.to;
      t.msg.msg_iov = &t.iov;
      t.msg.msg_iovlen = 1;
      q.free_slots.push_back(kTxSlots - 1 - s);
    }
  }
  local_port_ = q_[0].local_port;
}

UdpUringPort::~UdpUringPort() = default;

std::size_t UdpUringPort::rx_burst(uint16_t qi, std::span<RxPacket> out) noexcept {
  Queue& q = q_[qi];
  if (!q.armed && !q.arm()) [[unlikely]] {
    bump(q.c.rx_nombuf);
    return 0;
  }
  if (q.pending_count == 0) q.reap();
  if (q.pending_count == 0) return 0;
  const uint64_t tsc = __rdtsc();
  const std::size_t want = out.size() < kBurstSize ? out.size() : kBurstSize;
  std::size_t k = 0;
  uint64_t bytes = 0;
  int given_back = 0;
  while (k < want && q.pending_count > 0) {
    const Queue::Pending p = q.pending[q.pending_head];
    q.pending_head = static_cast<uint32_t>((q.pending_head + 1) % q.pending.size());
    --q.pending_count;
    if (!(p.flags & IORING_CQE_F_BUFFER)) {
      // No buffer: the kernel ran out (ENOBUFS) or the request failed; re-armed above.
      if (p.res == -ENOBUFS) bump(q.c.rx_nombuf); else if (p.res < 0) bump(q.c.rx_errors);
      continue;
    }
    const uint32_t bid = p.flags >> IORING_CQE_BUFFER_SHIFT;
    uint8_t* buf = q.buffer(bid);
    io_uring_recvmsg_out* o = io_uring_recvmsg_validate(buf, p.res, &q.recv_tmpl);
    if (o == nullptr || (o->flags & MSG_TRUNC) || o->namelen < sizeof(sockaddr_in)) [[unlikely]] {
      bump(q.c.rx_errors);
      q.give_back(bid, given_back++);
      continue;
    }
    uint64_t ts = 0;
    for (cmsghdr* cm = io_uring_recvmsg_cmsg_firsthdr(o, &q.recv_tmpl); cm != nullptr;
         cm = io_uring_recvmsg_cmsg_nexthdr(o, &q.recv_tmpl, cm)) {
      if (cm->cmsg_level != SOL_SOCKET) continue;
      if (cm->cmsg_type == SO_TIMESTAMPNS) {
        timespec t;
        std::memcpy(&t, CMSG_DATA(cm), sizeof t);
        ts = static_cast<uint64_t>(t.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(t.tv_nsec);
      } else if (cm->cmsg_type == SO_RXQ_OVFL) {
        uint32_t dropped;
        std::memcpy(&dropped, CMSG_DATA(cm), sizeof dropped);
        if (dropped != q.last_overflow) {
          bump(q.c.rx_missed, dropped - q.last_overflow);
          q.last_overflow = dropped;
        }
      }
    }
    const sockaddr_in* from = static_cast<const sockaddr_in*>(io_uring_recvmsg_name(o));
    uint8_t* payload = static_cast<uint8_t*>(io_uring_recvmsg_payload(o, &q.recv_tmpl));
    const uint32_t len = io_uring_recvmsg_payload_length(o, p.res, &q.recv_tmpl);
    // The synthetic header ends where the payload starts (it overwrites only control
    // space the kernel did not use: the cmsgs above were read first).
    uint8_t* f = payload - kFrameHeader;
    std::memset(f, 0, kEthernetHeaderSize + kIpv4MinHeaderSize);
    internal::store_be16(f + kEthernetTypeOffset, kEtherTypeIpv4);
    uint8_t* ip = f + kEthernetHeaderSize;
    ip[kIpv4VersionIhlOffset] = 0x45;
    internal::store_be16(ip + kIpv4TotalLengthOffset, static_cast<uint16_t>(kIpv4MinHeaderSize + kUdpHeaderSize + len));
    internal::store_be16(ip + kIpv4FlagsFragmentOffset, kIpv4FlagDontFragment);
    ip[kIpv4TtlOffset] = 64;
    ip[kIpv4ProtocolOffset] = kIpProtocolUdp;
    std::memcpy(ip + kIpv4SrcOffset, &from->sin_addr.s_addr, 4);
    std::memcpy(ip + kIpv4DstOffset, &q.local_ip_be, 4);
    uint8_t* udp = ip + kIpv4MinHeaderSize;
    std::memcpy(udp + kUdpSrcPortOffset, &from->sin_port, 2);
    internal::store_be16(udp + kUdpDstPortOffset, q.local_port);
    internal::store_be16(udp + kUdpLengthOffset, static_cast<uint16_t>(kUdpHeaderSize + len));
    internal::store_be16(udp + kUdpChecksumOffset, 0);
    RxPacket& r = out[k++];
    r.data = f;
    r.length = static_cast<uint32_t>(kFrameHeader + len);
    r.queue = qi;
    r.timestamp_ns = ts;
    r.rx_tsc = tsc;
    r.handle = bid;
    bytes += len;
  }
  if (given_back) io_uring_buf_ring_advance(q.br, given_back);
  bump(q.c.rx_packets, k);
  bump(q.c.rx_bytes, bytes);
  return k;
}

void UdpUringPort::release(uint16_t qi, std::span<const RxPacket> done) noexcept {
  Queue& q = q_[qi];
  int n = 0;
  for (const RxPacket& p : done) q.give_back(static_cast<uint32_t>(p.handle), n++);
  if (n) io_uring_buf_ring_advance(q.br, n);
}

std::size_t UdpUringPort::tx_burst(uint16_t qi, std::span<const TxPacket> pkts) noexcept {
  Queue& q = q_[qi];
  if (q.free_slots.size() < pkts.size()) q.reap();
  std::size_t queued = 0;
  uint64_t bytes = 0;
  for (const TxPacket& t : pkts) {
    UdpFrame f;
    if (decode_udp_frame(std::span<const uint8_t>(t.data, t.length), f) != FrameError::kOk ||
        f.payload.size() > kTxSlotBytes || q.free_slots.empty()) [[unlikely]] {
      bump(q.c.tx_dropped);
      continue;
    }
    io_uring_sqe* sqe = io_uring_get_sqe(&q.ring);
    if (sqe == nullptr) {
      io_uring_submit(&q.ring);
      sqe = io_uring_get_sqe(&q.ring);
      if (sqe == nullptr) [[unlikely]] {
        bump(q.c.tx_dropped);
        continue;
      }
    }
    const uint32_t s = q.free_slots.back();
    q.free_slots.pop_back();
    Queue::TxSlot& slot = q.slots[s];
    std::memcpy(slot.data, f.payload.data(), f.payload.size());
    slot.iov.iov_len = f.payload.size();
    slot.to.sin_family = AF_INET;
    slot.to.sin_port = htons(f.dst_port);
    slot.to.sin_addr.s_addr = htonl(f.dst_ip.value);
    io_uring_prep_sendmsg(sqe, q.fd, &slot.msg, 0);
    io_uring_sqe_set_data64(sqe, s);
    ++q.in_flight;
    ++queued;
    bytes += f.payload.size();
  }
  if (queued) io_uring_submit(&q.ring);
  bump(q.c.tx_packets, queued);
  bump(q.c.tx_bytes, bytes);
  return queued;
}

void UdpUringPort::flush_tx(uint16_t qi) noexcept {
  Queue& q = q_[qi];
  for (int spins = 0; q.in_flight > 0 && spins < 100000; ++spins) {
    io_uring_get_events(&q.ring);
    q.reap();
  }
}

PortStats UdpUringPort::stats() const {
  PortStats s;
  for (uint16_t i = 0; i < queues_; ++i) {
    const Queue::Counters& c = q_[i].c;
    s.rx_packets += c.rx_packets.load(std::memory_order_relaxed);
    s.rx_bytes += c.rx_bytes.load(std::memory_order_relaxed);
    s.rx_missed += c.rx_missed.load(std::memory_order_relaxed);
    s.rx_errors += c.rx_errors.load(std::memory_order_relaxed);
    s.rx_nombuf += c.rx_nombuf.load(std::memory_order_relaxed);
    s.tx_packets += c.tx_packets.load(std::memory_order_relaxed);
    s.tx_bytes += c.tx_bytes.load(std::memory_order_relaxed);
    s.tx_dropped += c.tx_dropped.load(std::memory_order_relaxed);
    s.tx_errors += c.tx_errors.load(std::memory_order_relaxed);
  }
  return s;
}

std::string UdpUringPort::describe() const {
  return "socket backend: udp " + bind_address_ + ":" + std::to_string(local_port_) + ", " + std::to_string(queues_) +
         (queues_ > 1 ? " queues (SO_REUSEPORT)" : " queue") + ", io_uring multishot recvmsg into " +
         std::to_string(buffers_) + " x " + std::to_string(buffer_bytes_) + " B buffers per queue, sendmsg from " +
         std::to_string(kTxSlots) + " slots";
}

}  // namespace tachyon::nic
