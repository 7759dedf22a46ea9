// NodeLocalResource: a memory resource whose blocks live on one NUMA node, for the
// pools a shard core uses (books, rings). Blocks are bound to the node with hwloc
// (hwloc_alloc_membind, MEMBIND_BIND) and touched page by page before they are handed
// out, so they are placed before the core starts; where the binding is not available
// (one-node machine without mbind, a container that forbids it) the block is still
// allocated and touched, and the record says so. Every block's placement is recorded
// and printed (describe()). Allocation happens at start-up only; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <string>
#include <vector>

namespace tachyon::dataplane {

// Where one block lives.
struct BlockPlacement {
  std::size_t bytes = 0;
  int requested_node = -1;
  int actual_node = -1;   // hwloc_get_area_memlocation after touching; -1 unknown/mixed
  std::string method;     // "hwloc membind" or "first touch (why)"
};

class NodeLocalResource final : public std::pmr::memory_resource {
 public:
  // node: the NUMA node to bind to; -1 places blocks by first touch on the calling
  // thread. name labels the pool in describe(). Control path.
  NodeLocalResource(int node, std::string name);
  ~NodeLocalResource() override;

  int node() const noexcept { return node_; }
  const std::string& name() const noexcept { return name_; }
  const std::vector<BlockPlacement>& placements() const noexcept { return placements_; }
  std::size_t bytes_live() const noexcept { return live_; }
  // "shard 1 books: 5 blocks, 212.4 MiB, on node 0 (hwloc membind)".
  std::string describe() const;

 private:
  void* do_allocate(std::size_t bytes, std::size_t alignment) override;
  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override;
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }

  int node_;
  std::string name_;
  std::vector<BlockPlacement> placements_;
  std::size_t live_ = 0;
};

}  // namespace tachyon::dataplane
