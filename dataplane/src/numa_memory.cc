// NodeLocalResource: hwloc_alloc_membind on one NUMA node, touched before use, with a
// record of where each block landed. Control path.
#include "tachyon/dataplane/numa_memory.h"

#include <hwloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

#include "tachyon/dataplane/internal/hwloc_topology.h"

namespace tachyon::dataplane {

namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

// Writes one byte per page so every page is allocated (on the bound node) now.
void touch(void* p, std::size_t bytes) noexcept {
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  auto* c = static_cast<volatile char*>(p);
  for (std::size_t off = 0; off < bytes; off += page) c[off] = 0;
}

int node_of_area(hwloc_topology_t t, const void* p, std::size_t bytes) {
  hwloc_nodeset_t ns = hwloc_bitmap_alloc();
  int node = -1;
  if (hwloc_get_area_memlocation(t, p, bytes, ns, HWLOC_MEMBIND_BYNODESET) == 0 && hwloc_bitmap_weight(ns) == 1)
    node = hwloc_bitmap_first(ns);
  hwloc_bitmap_free(ns);
  return node;
}

}  // namespace

NodeLocalResource::NodeLocalResource(int node, std::string name) : node_(node), name_(std::move(name)) {}

NodeLocalResource::~NodeLocalResource() = default;

void* NodeLocalResource::do_allocate(std::size_t bytes, std::size_t alignment) {
  if (bytes == 0) bytes = 1;
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  if (alignment > page) throw std::bad_alloc();  // pools ask for cache-line alignment
  hwloc_topology_t t = internal::topology();
  BlockPlacement rec;
  rec.bytes = bytes;
  rec.requested_node = node_;
  void* p = nullptr;
  if (node_ >= 0) {
    hwloc_nodeset_t ns = hwloc_bitmap_alloc();
    hwloc_bitmap_only(ns, static_cast<unsigned>(node_));
    errno = 0;
    p = hwloc_alloc_membind(t, bytes, ns, HWLOC_MEMBIND_BIND, HWLOC_MEMBIND_BYNODESET);
    const int err = errno;
    hwloc_bitmap_free(ns);
    if (p != nullptr) {
      rec.method = "hwloc membind";
    } else {
      rec.method = std::string("first touch (hwloc_alloc_membind failed: ") + std::strerror(err) + ")";
    }
  } else {
    rec.method = "first touch (no node requested)";
  }
  if (p == nullptr) {
    p = hwloc_alloc(t, bytes);
    if (p == nullptr) throw std::bad_alloc();
  }
  // Large pools are random-access: ask for transparent huge pages (advice only).
  if (bytes >= kHugePage) ::madvise(p, bytes, MADV_HUGEPAGE);
  touch(p, bytes);
  rec.actual_node = node_of_area(t, p, bytes);
  placements_.push_back(std::move(rec));
  live_ += bytes;
  return p;
}

void NodeLocalResource::do_deallocate(void* p, std::size_t bytes, std::size_t) {
  if (bytes == 0) bytes = 1;
  hwloc_free(internal::topology(), p, bytes);
  live_ -= bytes;
}

std::string NodeLocalResource::describe() const {
  std::size_t total = 0;
  int node = -2;
  bool mixed = false;
  std::string method;
  for (const BlockPlacement& b : placements_) {
    total += b.bytes;
    if (node == -2) node = b.actual_node;
    else if (node != b.actual_node) mixed = true;
    if (method.empty()) method = b.method;
    else if (method != b.method) method = "mixed";
  }
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s: %zu blocks, %.1f MiB, requested node %d, %s (%s)", name_.c_str(),
                placements_.size(), static_cast<double>(total) / (1 << 20), node_,
                placements_.empty() ? "nothing allocated"
                : mixed             ? "spread over several nodes"
                : node < 0          ? "node unknown"
                                    : ("on node " + std::to_string(node)).c_str(),
                method.empty() ? "-" : method.c_str());
  return buf;
}

}  // namespace tachyon::dataplane
