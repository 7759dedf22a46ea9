// Process resource readings for the profiler: allocator statistics (jemalloc through
// mallctl when jemalloc serves malloc, else glibc's mallinfo2), resident memory from
// /proc/self/status, and CPU time per thread from /proc/self/task/*/stat.
// Control path (each call reads /proc or takes allocator locks); thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tachyon::dataplane {

struct MemoryStats {
  std::string allocator;        // "jemalloc", "glibc" or "sanitizer" (no allocator figures)
  bool has_allocator_stats = false;
  uint64_t allocated = 0;       // bytes in live allocations (jemalloc stats.allocated)
  uint64_t active = 0;          // bytes in active pages (jemalloc stats.active)
  uint64_t resident = 0;        // allocator bytes resident in RAM (jemalloc stats.resident)
  uint64_t rss = 0;             // process resident set (VmRSS)
  uint64_t peak_rss = 0;        // process high-water resident set (VmHWM)
};

// Reads the allocator's and the process's memory figures now (refreshes jemalloc's
// statistics epoch first).
MemoryStats read_memory_stats();

// Returns whether jemalloc's mallctl is linked in and serves this process's malloc.
// Decided once, on first call.
bool jemalloc_in_use();

// Returns the bytes the calling thread has allocated since it started (jemalloc's
// thread.allocated), or nullopt when jemalloc is not in use. Two readings bracket a
// region: their difference counts every allocation the thread made inside it. Cheap
// enough to call around a loop, not per message.
std::optional<uint64_t> thread_allocated_bytes() noexcept;

struct ThreadCpu {
  int tid = 0;
  std::string name;       // comm, as set by pthread_setname_np
  uint64_t cpu_ns = 0;    // user + system time (clock-tick resolution)
  int processor = -1;     // CPU it last ran on
};

// Lists this process's threads with their CPU time so far. Threads that exit while the
// list is read are left out.
std::vector<ThreadCpu> read_thread_cpu();

// Parses one /proc/.../stat line into out (name, cpu_ns, processor). Returns false when
// the line is not a stat line. ticks_per_s converts utime and stime.
bool parse_proc_stat(const std::string& line, long ticks_per_s, ThreadCpu& out);

// CLOCK_MONOTONIC in nanoseconds.
uint64_t monotonic_ns() noexcept;

}  // namespace tachyon::dataplane
