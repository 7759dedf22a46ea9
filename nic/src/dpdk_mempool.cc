// DpdkMempool: rte_pktmbuf_pool_create / rte_mempool_free. Control thread.
#include "tachyon/nic/dpdk_mempool.h"

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <cstdio>

#include "tachyon/nic/nic_options.h"

namespace tachyon::nic {

DpdkMempool::DpdkMempool(const std::string& name, uint32_t mbufs, int socket, uint32_t cache_size,
                         uint16_t data_room)
    : name_(name), socket_(socket), mbufs_(mbufs) {
  if (cache_size > RTE_MEMPOOL_CACHE_MAX_SIZE) cache_size = RTE_MEMPOOL_CACHE_MAX_SIZE;
  // rte_mempool wants the cache to be at most 1/1.5 of the pool.
  if (cache_size * 3 / 2 > mbufs) cache_size = mbufs * 2 / 3;
  cache_size_ = cache_size;
  pool_ = rte_pktmbuf_pool_create(name.c_str(), mbufs, cache_size, 0, data_room, socket);
  if (pool_ == nullptr) {
    const int err = rte_errno;
    throw NicStartupError("DPDK: rte_pktmbuf_pool_create(name=" + name + ", n=" + std::to_string(mbufs) +
                          ", cache=" + std::to_string(cache_size) + ", data_room=" + std::to_string(data_room) +
                          ", socket=" + std::to_string(socket) + ") failed: rte_errno " + std::to_string(err) + " (" +
                          rte_strerror(err) + ")");
  }
}

DpdkMempool::~DpdkMempool() { rte_mempool_free(pool_); }

uint32_t DpdkMempool::available() const noexcept { return rte_mempool_avail_count(pool_); }

uint64_t DpdkMempool::memory_bytes() const noexcept {
  return uint64_t{pool_->size} * (pool_->header_size + pool_->elt_size + pool_->trailer_size);
}

std::string DpdkMempool::describe() const {
  char buf[256];
  std::snprintf(buf, sizeof buf, "mbuf pool '%s' on socket %d: %u mbufs x %u bytes (%.1f MiB), %u free", name_.c_str(),
                socket_, mbufs_, pool_->elt_size, static_cast<double>(memory_bytes()) / (1 << 20), available());
  return buf;
}

}  // namespace tachyon::nic
