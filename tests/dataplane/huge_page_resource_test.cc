// HugePageResource: blocks of 2 MiB or more are mapped on their own, 2 MiB aligned and
// advised for transparent huge pages, and counted while live; smaller ones come from
// the upstream resource; the count stays exact when threads allocate at once; the
// shared instance is one object for the whole process.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory_resource>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tachyon/book/book_shard.h"
#include "tachyon/dataplane/huge_page_resource.h"

namespace tachyon::dataplane {
namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

// Counts what reaches the upstream resource.
class CountingResource final : public std::pmr::memory_resource {
 public:
  std::size_t calls = 0;
  std::size_t live = 0;

 private:
  void* do_allocate(std::size_t bytes, std::size_t alignment) override {
    ++calls;
    live += bytes;
    return std::pmr::new_delete_resource()->allocate(bytes, alignment);
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
    live -= bytes;
    std::pmr::new_delete_resource()->deallocate(p, bytes, alignment);
  }
  bool do_is_equal(const std::pmr::memory_resource& o) const noexcept override { return this == &o; }
};

// The VmFlags line of the mapping that holds p, from /proc/self/smaps ("" if none).
std::string vm_flags_of(const void* p) {
  std::ifstream smaps("/proc/self/smaps");
  const auto addr = reinterpret_cast<uintptr_t>(p);
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-' && line.find(' ') > line.find('-')) {
      inside = addr >= lo && addr < hi;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) return line;
  }
  return "";
}

TEST(HugePageResource, LargeBlocksAreAlignedAdvisedAndCounted) {
  CountingResource upstream;
  HugePageResource mr(&upstream);
  const std::size_t bytes = 5 * kMiB + 100;  // rounds up to three huge pages
  auto* p = static_cast<uint8_t*>(mr.allocate(bytes, 64));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % HugePageResource::kHugePage, 0u);
  EXPECT_EQ(mr.mapped_bytes(), 6 * kMiB);
  EXPECT_EQ(upstream.calls, 0u);
  std::memset(p, 0x5a, bytes);  // all of it is writable
  EXPECT_EQ(p[bytes - 1], 0x5a);
  // With THP in the kernel the block carries the advice ("hg" in its VmFlags); without
  // it the advice is refused and the block is plain memory, as the header promises.
  struct stat st {};
  const std::string flags = vm_flags_of(p);
  ASSERT_FALSE(flags.empty()) << "no mapping holds the block";
  if (::stat("/sys/kernel/mm/transparent_hugepage", &st) == 0) {
    EXPECT_NE(flags.find(" hg"), std::string::npos) << flags;
  }
  mr.deallocate(p, bytes, 64);
  EXPECT_EQ(mr.mapped_bytes(), 0u);
}

TEST(HugePageResource, SmallBlocksAndLargeAlignmentsGoUpstream) {
  CountingResource upstream;
  HugePageResource mr(&upstream);
  void* small = mr.allocate(HugePageResource::kHugePage - 1, 64);
  void* aligned = mr.allocate(4 * kMiB, 4 * kMiB);  // stricter than a huge page
  EXPECT_EQ(upstream.calls, 2u);
  EXPECT_EQ(upstream.live, HugePageResource::kHugePage - 1 + 4 * kMiB);
  EXPECT_EQ(mr.mapped_bytes(), 0u);
  mr.deallocate(small, HugePageResource::kHugePage - 1, 64);
  mr.deallocate(aligned, 4 * kMiB, 4 * kMiB);
  EXPECT_EQ(upstream.live, 0u);
}

TEST(HugePageResource, TheCountStaysExactWhenThreadsAllocateAtOnce) {
  HugePageResource mr;
  constexpr int kRounds = 200;
  auto churn = [&mr] {
    for (int i = 0; i < kRounds; ++i) {
      void* p = mr.allocate(2 * kMiB, 64);
      static_cast<uint8_t*>(p)[0] = 1;
      mr.deallocate(p, 2 * kMiB, 64);
    }
  };
  void* held = mr.allocate(4 * kMiB, 64);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) threads.emplace_back(churn);
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mr.mapped_bytes(), 4 * kMiB);
  mr.deallocate(held, 4 * kMiB, 64);
  EXPECT_EQ(mr.mapped_bytes(), 0u);
}

TEST(HugePageResource, TheSharedInstanceIsOneObjectAndHoldsABook) {
  HugePageResource& a = HugePageResource::shared();
  EXPECT_EQ(&a, &HugePageResource::shared());
  const std::size_t before = a.mapped_bytes();
  book::BookConfig cfg;
  cfg.max_orders = 1u << 20;
  {
    book::BookShard shard(cfg, &a);
    // The order pool and index of a 1 M-order book are tens of MiB: mapped here.
    EXPECT_GT(a.mapped_bytes(), before + 32 * kMiB);
    book::NullSink sink;
    shard.insert(1, book::SymbolId{0}, book::OrderId{7}, book::Side::kBuy, book::Price{100}, book::Qty{5}, sink);
    EXPECT_EQ(shard.live_orders(), 1u);
  }
  EXPECT_EQ(a.mapped_bytes(), before);
}

}  // namespace
}  // namespace tachyon::dataplane
