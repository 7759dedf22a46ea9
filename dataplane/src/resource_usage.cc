// Resource readings: jemalloc mallctl (looked up at run time, so that the libraries do
// not force an allocator on their users), glibc mallinfo2, /proc/self/status and
// /proc/self/task/*/stat. Control path; thread-safe.
#include "tachyon/dataplane/resource_usage.h"

#include <dirent.h>
#include <dlfcn.h>
#include <malloc.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace tachyon::dataplane {

namespace {

using MallctlFn = int (*)(const char*, void*, std::size_t*, void*, std::size_t);

MallctlFn find_mallctl() {
  return reinterpret_cast<MallctlFn>(::dlsym(RTLD_DEFAULT, "mallctl"));
}

bool read_u64(MallctlFn f, const char* name, uint64_t& out) {
  std::size_t v = 0;
  std::size_t len = sizeof v;
  if (f(name, &v, &len, nullptr, 0) != 0) return false;
  out = v;
  return true;
}

// Decides whether jemalloc serves malloc: its per-thread counter must see a fresh
// allocation. (A sanitizer or another allocator may take malloc while jemalloc is
// linked.)
bool detect_jemalloc() {
  const MallctlFn f = find_mallctl();
  if (f == nullptr) return false;
  uint64_t before = 0, after = 0;
  if (!read_u64(f, "thread.allocated", before)) return false;
  void* volatile p = std::malloc(1 << 20);
  const bool ok = read_u64(f, "thread.allocated", after);
  std::free(p);
  return ok && after >= before + (1 << 20);
}

// Returns the value of a "Key:   N kB" line of /proc/self/status, in bytes.
uint64_t status_kb(const std::string& text, const char* key) {
  const std::size_t at = text.find(key);
  if (at == std::string::npos) return 0;
  return std::strtoull(text.c_str() + at + std::strlen(key), nullptr, 10) * 1024;
}

}  // namespace

bool jemalloc_in_use() {
  static const bool in_use = detect_jemalloc();
  return in_use;
}

std::optional<uint64_t> thread_allocated_bytes() noexcept {
  if (!jemalloc_in_use()) return std::nullopt;
  uint64_t v = 0;
  if (!read_u64(find_mallctl(), "thread.allocated", v)) return std::nullopt;
  return v;
}

MemoryStats read_memory_stats() {
  MemoryStats m;
  if (jemalloc_in_use()) {
    const MallctlFn f = find_mallctl();
    uint64_t epoch = 1;
    std::size_t len = sizeof epoch;
    f("epoch", &epoch, &len, &epoch, len);  // refresh the cached statistics
    m.allocator = "jemalloc";
    m.has_allocator_stats = read_u64(f, "stats.allocated", m.allocated) && read_u64(f, "stats.active", m.active) &&
                            read_u64(f, "stats.resident", m.resident);
  } else {
#if defined(__SANITIZE_ADDRESS__)
    m.allocator = "sanitizer";
#else
    const struct mallinfo2 mi = ::mallinfo2();
    m.allocator = "glibc";
    m.has_allocator_stats = true;
    m.allocated = mi.uordblks + mi.hblkhd;
    m.active = mi.arena + mi.hblkhd;
    m.resident = m.active;
#endif
  }
  std::ifstream in("/proc/self/status");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  m.rss = status_kb(text, "VmRSS:");
  m.peak_rss = status_kb(text, "VmHWM:");
  return m;
}

bool parse_proc_stat(const std::string& line, long ticks_per_s, ThreadCpu& out) {
  // "tid (comm) state ppid ..." where comm may hold spaces and parentheses.
  const std::size_t open = line.find('(');
  const std::size_t close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return false;
  out.tid = std::atoi(line.c_str());
  out.name = line.substr(open + 1, close - open - 1);
  std::istringstream rest(line.substr(close + 1));
  std::vector<std::string> f;  // f[0] is field 3 (state)
  std::string tok;
  while (rest >> tok) f.push_back(tok);
  if (f.size() < 13) return false;
  const uint64_t ticks = std::strtoull(f[11].c_str(), nullptr, 10) + std::strtoull(f[12].c_str(), nullptr, 10);
  const uint64_t tps = ticks_per_s > 0 ? static_cast<uint64_t>(ticks_per_s) : 100;
  out.cpu_ns = ticks * (1'000'000'000ull / tps);
  out.processor = f.size() > 36 ? std::atoi(f[36].c_str()) : -1;
  return true;
}

std::vector<ThreadCpu> read_thread_cpu() {
  std::vector<ThreadCpu> out;
  const long tps = ::sysconf(_SC_CLK_TCK);
  DIR* d = ::opendir("/proc/self/task");
  if (d == nullptr) return out;
  while (const dirent* e = ::readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::ifstream in(std::string("/proc/self/task/") + e->d_name + "/stat");
    std::string line;
    if (!std::getline(in, line)) continue;  // the thread exited meanwhile
    ThreadCpu t;
    if (parse_proc_stat(line, tps, t)) out.push_back(std::move(t));
  }
  ::closedir(d);
  return out;
}

uint64_t monotonic_ns() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace tachyon::dataplane
