// ResourceSampler: a control-path thread that reads memory and per-thread CPU figures
// every interval. Never touches a data-plane core.
#include "tachyon/dataplane/resource_sampler.h"

#include <pthread.h>

#include <algorithm>

namespace tachyon::dataplane {

ResourceSampler::ResourceSampler(std::chrono::milliseconds interval)
    : interval_(std::max(interval, std::chrono::milliseconds(1))) {}

ResourceSampler::~ResourceSampler() { stop(); }

void ResourceSampler::start() {
  t0_ = monotonic_ns();
  take_sample();
  thread_ = std::thread([this] { loop(); });
}

void ResourceSampler::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  take_sample();
}

void ResourceSampler::loop() {
  ::pthread_setname_np(::pthread_self(), "tachyon-sampler");
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, interval_, [this] { return stop_; })) {
    lock.unlock();
    take_sample();
    lock.lock();
  }
}

void ResourceSampler::take_sample() {
  const uint64_t now = monotonic_ns();
  std::vector<ThreadCpu> cpu = read_thread_cpu();
  ResourceSample s;
  s.t_ns = now - t0_;
  s.memory = read_memory_stats();
  const double span = static_cast<double>(now - last_ns_);
  for (const ThreadCpu& t : cpu) {
    ThreadLoad l{t.tid, t.name, 0.0, t.processor};
    if (!samples_.empty() && span > 0) {
      const auto prev = std::find_if(last_.begin(), last_.end(), [&](const ThreadCpu& p) { return p.tid == t.tid; });
      const uint64_t before = prev == last_.end() ? 0 : prev->cpu_ns;
      l.utilization = t.cpu_ns >= before ? static_cast<double>(t.cpu_ns - before) / span : 0.0;
    }
    s.threads.push_back(std::move(l));
  }
  if (samples_.empty()) {
    first_ = cpu;
    first_ns_ = now;
  }
  last_ = std::move(cpu);
  last_ns_ = now;
  samples_.push_back(std::move(s));
}

std::vector<ThreadTotal> ResourceSampler::thread_totals() const {
  std::vector<ThreadTotal> out;
  const double span = static_cast<double>(last_ns_ - first_ns_) / 1e9;
  // Threads that ended before the last sample are left out (their loads stay in the
  // per-sample figures).
  for (const ThreadCpu& t : last_) {
    const auto f = std::find_if(first_.begin(), first_.end(), [&](const ThreadCpu& p) { return p.tid == t.tid; });
    const uint64_t before = f == first_.end() ? 0 : f->cpu_ns;
    ThreadTotal tt{t.tid, t.name, static_cast<double>(t.cpu_ns - std::min(before, t.cpu_ns)) / 1e9, 0.0};
    tt.utilization = span > 0 ? tt.cpu_seconds / span : 0.0;
    out.push_back(std::move(tt));
  }
  std::sort(out.begin(), out.end(), [](const ThreadTotal& a, const ThreadTotal& b) { return a.cpu_seconds > b.cpu_seconds; });
  return out;
}

}  // namespace tachyon::dataplane
