// Resource readings: /proc stat parsing on golden lines (names with spaces and
// parentheses), per-thread CPU of a named busy thread, resident memory growing with
// touched pages, allocator figures growing with live allocations, and the sampler's
// time series.
#include "tachyon/dataplane/resource_usage.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "tachyon/dataplane/resource_sampler.h"

namespace tachyon::dataplane {
namespace {

TEST(ResourceUsage, ParsesProcStatLines) {
  // Field 14 utime = 250 ticks, 15 stime = 50 ticks, 39 processor = 1.
  const std::string line =
      "4242 (my (odd) name) R 1 4242 4242 0 -1 4194304 101 0 0 0 250 50 0 0 20 0 1 0 444686 3133440 408 "
      "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
  ThreadCpu t;
  ASSERT_TRUE(parse_proc_stat(line, 100, t));
  EXPECT_EQ(t.tid, 4242);
  EXPECT_EQ(t.name, "my (odd) name");
  EXPECT_EQ(t.cpu_ns, 3'000'000'000u);
  EXPECT_EQ(t.processor, 1);
  EXPECT_FALSE(parse_proc_stat("garbage", 100, t));
  EXPECT_FALSE(parse_proc_stat("1 (x) R 1 2", 100, t));
}

TEST(ResourceUsage, SeesTheCpuTimeOfANamedBusyThread) {
  std::atomic<bool> stop{false};
  std::thread busy([&] {
    ::pthread_setname_np(::pthread_self(), "tachyon-busy");
    volatile uint64_t x = 0;
    while (!stop.load(std::memory_order_relaxed)) x = x + 1;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  const std::vector<ThreadCpu> threads = read_thread_cpu();
  stop = true;
  busy.join();
  const auto it = std::find_if(threads.begin(), threads.end(), [](const ThreadCpu& t) { return t.name == "tachyon-busy"; });
  ASSERT_NE(it, threads.end());
  EXPECT_GE(it->cpu_ns, 100'000'000u) << "a spinning thread used under 0.1 s of CPU in 0.4 s";
  EXPECT_GE(threads.size(), 2u);
}

TEST(ResourceUsage, ResidentMemoryAndAllocatorFiguresFollowAllocations) {
  const MemoryStats before = read_memory_stats();
  EXPECT_GT(before.rss, 0u);
  EXPECT_GE(before.peak_rss, before.rss);
  constexpr std::size_t kBytes = 64u << 20;
  char* p = static_cast<char*>(std::malloc(kBytes));
  ASSERT_NE(p, nullptr);
  std::memset(p, 1, kBytes);  // touch every page
  const MemoryStats during = read_memory_stats();
  EXPECT_GE(during.rss, before.rss + kBytes / 2);
  EXPECT_GE(during.peak_rss, during.rss);
#if defined(__SANITIZE_ADDRESS__)
  EXPECT_EQ(during.allocator, "sanitizer");
  EXPECT_FALSE(during.has_allocator_stats);
#else
  // This test binary does not link jemalloc: glibc's figures.
  EXPECT_FALSE(jemalloc_in_use());
  EXPECT_FALSE(thread_allocated_bytes().has_value());
  EXPECT_EQ(during.allocator, "glibc");
  ASSERT_TRUE(during.has_allocator_stats);
  EXPECT_GE(during.allocated, before.allocated + kBytes);
#endif
  std::free(p);
}

TEST(ResourceSampler, RecordsATimeSeriesWithPerThreadLoad) {
  ResourceSampler s(std::chrono::milliseconds(20));
  std::atomic<bool> stop{false};
  s.start();
  std::thread busy([&] {
    ::pthread_setname_np(::pthread_self(), "tachyon-spin");
    volatile uint64_t x = 0;
    while (!stop.load(std::memory_order_relaxed)) x = x + 1;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  busy.join();
  s.stop();
  s.stop();  // idempotent
  const auto& samples = s.samples();
  ASSERT_GE(samples.size(), 5u);
  for (std::size_t i = 1; i < samples.size(); ++i) EXPECT_GT(samples[i].t_ns, samples[i - 1].t_ns);
  double peak = 0;
  for (const ResourceSample& r : samples)
    for (const ThreadLoad& l : r.threads)
      if (l.name == "tachyon-spin") peak = std::max(peak, l.utilization);
  EXPECT_GT(peak, 0.3) << "the spinning thread never showed in the samples";
  const auto totals = s.thread_totals();
  ASSERT_FALSE(totals.empty());
  // The sampler's own thread has ended by the last sample; this thread is still there.
  const int self = static_cast<int>(::gettid());
  EXPECT_TRUE(std::any_of(totals.begin(), totals.end(), [&](const ThreadTotal& t) { return t.tid == self; }));
}

}  // namespace
}  // namespace tachyon::dataplane
