// Resource readings: /proc stat parsing on golden lines (names with spaces and
// parentheses), per-thread CPU time agreeing with the thread's own clock, resident
// memory growing with touched pages, allocator figures growing with live allocations,
// and the sampler's time series adding up to the same CPU time.
#include "tachyon/dataplane/resource_usage.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
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

// A thread that spins until it has used cpu_ns of CPU time by its own clock, then
// reports that time and idles until told to stop (so its /proc entry stays).
class SpinningThread {
 public:
  SpinningThread(const char* name, uint64_t cpu_ns) {
    thread_ = std::thread([this, name, cpu_ns] {
      ::pthread_setname_np(::pthread_self(), name);
      tid_ = static_cast<int>(::gettid());
      volatile uint64_t x = 0;
      while (own_cpu_ns() < cpu_ns) x = x + 1;
      used_.store(own_cpu_ns(), std::memory_order_release);
      while (!stop_.load(std::memory_order_acquire)) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    });
  }
  ~SpinningThread() {
    stop_ = true;
    thread_.join();
  }
  // Waits until the thread has spun; returns its own CPU time.
  uint64_t wait_spun() const {
    while (used_.load(std::memory_order_acquire) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return used_.load();
  }
  int tid() const { return tid_; }

 private:
  static uint64_t own_cpu_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
  }
  std::thread thread_;
  std::atomic<int> tid_{0};
  std::atomic<uint64_t> used_{0};
  std::atomic<bool> stop_{false};
};

// /proc counts in clock ticks (10 ms): two readings can each be a tick off.
constexpr uint64_t kTickSlackNs = 30'000'000;

TEST(ResourceUsage, ReadsTheCpuTimeOfANamedThreadAsItsOwnClockDoes) {
  SpinningThread busy("tachyon-busy", 200'000'000);
  const uint64_t own = busy.wait_spun();
  const std::vector<ThreadCpu> threads = read_thread_cpu();
  const auto it = std::find_if(threads.begin(), threads.end(), [](const ThreadCpu& t) { return t.name == "tachyon-busy"; });
  ASSERT_NE(it, threads.end());
  EXPECT_EQ(it->tid, busy.tid());
  EXPECT_LE(it->cpu_ns, own + kTickSlackNs);
  EXPECT_GE(it->cpu_ns + kTickSlackNs, own);
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

TEST(ResourceSampler, PerSampleLoadsAddUpToTheThreadsCpuTime) {
  ResourceSampler s(std::chrono::milliseconds(20));
  s.start();
  uint64_t own = 0;
  int tid = 0;
  {
    SpinningThread busy("tachyon-spin", 150'000'000);
    own = busy.wait_spun();
    tid = busy.tid();
    std::this_thread::sleep_for(std::chrono::milliseconds(60));  // a few samples after it spun
    s.stop();
  }
  s.stop();  // idempotent
  const auto& samples = s.samples();
  ASSERT_GE(samples.size(), 4u);
  // Utilisation times the interval, summed over the samples, is the CPU time.
  double cpu_s = 0;
  for (std::size_t i = 1; i < samples.size(); ++i) {
    EXPECT_GT(samples[i].t_ns, samples[i - 1].t_ns);
    for (const ThreadLoad& l : samples[i].threads)
      if (l.tid == tid) cpu_s += l.utilization * static_cast<double>(samples[i].t_ns - samples[i - 1].t_ns) / 1e9;
  }
  EXPECT_NEAR(cpu_s, static_cast<double>(own) / 1e9, 2.0 * kTickSlackNs / 1e9);
  const auto totals = s.thread_totals();
  const auto t = std::find_if(totals.begin(), totals.end(), [&](const ThreadTotal& x) { return x.tid == tid; });
  ASSERT_NE(t, totals.end());
  EXPECT_EQ(t->name, "tachyon-spin");
  EXPECT_NEAR(t->cpu_seconds, static_cast<double>(own) / 1e9, 2.0 * kTickSlackNs / 1e9);
}

}  // namespace
}  // namespace tachyon::dataplane
