// A memory resource for the data plane's large preallocated pools (books, rings):
// allocations of 2 MiB or more are mmap'd, 2 MiB aligned and advised to use
// transparent huge pages, so random access over tens of megabytes does not miss the
// TLB on every touch; smaller ones go to the upstream resource. Allocation happens
// before the core starts; thread-safe (the byte count is atomic; the upstream resource
// must be thread-safe too, as the default one is).
#pragma once

#include <atomic>
#include <cstddef>
#include <memory_resource>

namespace tachyon::dataplane {

class HugePageResource final : public std::pmr::memory_resource {
 public:
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;

  explicit HugePageResource(std::pmr::memory_resource* upstream = std::pmr::new_delete_resource()) noexcept
      : upstream_(upstream) {}

  // Huge-page-backed bytes handed out so far and still live (for reports).
  std::size_t mapped_bytes() const noexcept { return mapped_.load(std::memory_order_relaxed); }

  // One process-wide instance over the default heap, never destroyed: for books that
  // are handed out in shared_ptrs (the replay paths' shards) and may outlive any scope
  // that could own a resource.
  static HugePageResource& shared() noexcept;

 private:
  void* do_allocate(std::size_t bytes, std::size_t alignment) override;
  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override;
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }

  std::pmr::memory_resource* upstream_;
  std::atomic<std::size_t> mapped_{0};
};

}  // namespace tachyon::dataplane
