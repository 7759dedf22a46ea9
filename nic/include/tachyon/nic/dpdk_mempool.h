// DpdkMempool: one packet-buffer (mbuf) pool on one NUMA socket, freed with the object.
// Ports take their receive buffers from the pool on their own socket. Created and
// destroyed by the control thread; the pool itself is thread-safe (DPDK's mempool).
#pragma once

#if defined(TACHYON_HAVE_DPDK)

#include <cstdint>
#include <string>

struct rte_mempool;

namespace tachyon::nic {

class DpdkMempool {
 public:
  // Creates a pool of mbufs buffers of data_room bytes (headroom included) on socket
  // (SOCKET_ID_ANY: -1) with a per-lcore cache of cache_size. Throws NicStartupError
  // naming the pool, the sizes, the socket and rte_strerror(rte_errno). Control path.
  DpdkMempool(const std::string& name, uint32_t mbufs, int socket, uint32_t cache_size = 256,
              uint16_t data_room = 2048 + 128);
  ~DpdkMempool();
  DpdkMempool(const DpdkMempool&) = delete;
  DpdkMempool& operator=(const DpdkMempool&) = delete;

  rte_mempool* get() const noexcept { return pool_; }
  const std::string& name() const noexcept { return name_; }
  int socket() const noexcept { return socket_; }
  uint32_t size() const noexcept { return mbufs_; }
  // mbufs each lcore may keep in its cache (after the clamps of construction).
  uint32_t cache_size() const noexcept { return cache_size_; }
  // mbufs currently in the pool (not held by a queue or a core).
  uint32_t available() const noexcept;
  // Bytes the pool occupies (objects and headers).
  uint64_t memory_bytes() const noexcept;
  // "mbuf pool 'NAME' on socket S: N mbufs x B bytes (M MiB), A free".
  std::string describe() const;

 private:
  std::string name_;
  rte_mempool* pool_ = nullptr;
  int socket_ = -1;
  uint32_t mbufs_ = 0;
  uint32_t cache_size_ = 0;
};

}  // namespace tachyon::nic

#endif  // TACHYON_HAVE_DPDK
