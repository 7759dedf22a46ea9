// A memory resource for the data plane's large preallocated pools (books, rings):
// allocations of 2 MiB or more are mmap'd, 2 MiB aligned and advised to use
// transparent huge pages, so random access over tens of megabytes does not miss the
// TLB on every touch; smaller ones go to the upstream resource. Allocation happens
// before the core starts; thread-safe (stateless apart from the upstream resource).
#pragma once

#include <cstddef>
#include <memory_resource>

namespace tachyon::dataplane {

class HugePageResource final : public std::pmr::memory_resource {
 public:
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;

  explicit HugePageResource(std::pmr::memory_resource* upstream = std::pmr::new_delete_resource()) noexcept
      : upstream_(upstream) {}

  // Huge-page-backed bytes handed out so far and still live (for reports).
  std::size_t mapped_bytes() const noexcept { return mapped_; }

 private:
  void* do_allocate(std::size_t bytes, std::size_t alignment) override;
  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override;
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }

  std::pmr::memory_resource* upstream_;
  std::size_t mapped_ = 0;
};

}  // namespace tachyon::dataplane
