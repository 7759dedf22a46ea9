// HugePageResource: mmap + madvise(MADV_HUGEPAGE) for large pools.
#include "tachyon/dataplane/huge_page_resource.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <new>

namespace tachyon::dataplane {

namespace {

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

}  // namespace

void* HugePageResource::do_allocate(std::size_t bytes, std::size_t alignment) {
  if (bytes < kHugePage || alignment > kHugePage) return upstream_->allocate(bytes, alignment);
  // Over-map by one huge page so the block can start on a 2 MiB boundary, then trim.
  const std::size_t len = round_up(bytes, kHugePage);
  void* raw = ::mmap(nullptr, len + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto base = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = round_up(base, kHugePage);
  if (aligned > base) ::munmap(raw, aligned - base);
  const uintptr_t end = aligned + len;
  const uintptr_t raw_end = base + len + kHugePage;
  if (raw_end > end) ::munmap(reinterpret_cast<void*>(end), raw_end - end);
  // Advice only: without THP (or with it disabled) the memory still works with 4 KiB pages.
  ::madvise(reinterpret_cast<void*>(aligned), len, MADV_HUGEPAGE);
  mapped_.fetch_add(len, std::memory_order_relaxed);
  return reinterpret_cast<void*>(aligned);
}

void HugePageResource::do_deallocate(void* p, std::size_t bytes, std::size_t alignment) {
  if (bytes < kHugePage || alignment > kHugePage) return upstream_->deallocate(p, bytes, alignment);
  const std::size_t len = round_up(bytes, kHugePage);
  ::munmap(p, len);
  mapped_.fetch_sub(len, std::memory_order_relaxed);
}

HugePageResource& HugePageResource::shared() noexcept {
  // Leaked on purpose: a static object would be destroyed while books still use it.
  static HugePageResource* const instance = new HugePageResource();
  return *instance;
}

}  // namespace tachyon::dataplane
