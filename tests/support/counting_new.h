// Counting replacements of every replaceable global operator new and delete (plain,
// array, nothrow and aligned forms), for the tests that assert a hot path allocates
// nothing. Each test executable is one source file, and that file includes this header:
// the replacements are ordinary (non-inline) definitions, so a second source file in
// the same executable that included it would fail to link. Thread-safe counters.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace tachyon::test_support {

namespace detail {
inline std::atomic<uint64_t> g_allocations{0};
inline std::atomic<uint64_t> g_frees{0};

inline void* counted_alloc(std::size_t n, std::size_t align, bool nothrow) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (n == 0) n = 1;
  void* p = align <= alignof(std::max_align_t) ? std::malloc(n) : std::aligned_alloc(align, (n + align - 1) / align * align);
  if (p == nullptr && !nothrow) throw std::bad_alloc();
  return p;
}

inline void counted_free(void* p) {
  if (p == nullptr) return;
  g_frees.fetch_add(1, std::memory_order_relaxed);
  std::free(p);
}
}  // namespace detail

// Calls of any operator new, and of any operator delete on a non-null pointer, so far.
inline uint64_t heap_allocations() noexcept { return detail::g_allocations.load(std::memory_order_relaxed); }
inline uint64_t heap_frees() noexcept { return detail::g_frees.load(std::memory_order_relaxed); }

// Runs f and returns how many allocations it made.
template <class F>
uint64_t allocations_in(F&& f) {
  const uint64_t before = heap_allocations();
  f();
  return heap_allocations() - before;
}

}  // namespace tachyon::test_support

void* operator new(std::size_t n) { return tachyon::test_support::detail::counted_alloc(n, 0, false); }
void* operator new[](std::size_t n) { return tachyon::test_support::detail::counted_alloc(n, 0, false); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return tachyon::test_support::detail::counted_alloc(n, 0, true);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return tachyon::test_support::detail::counted_alloc(n, 0, true);
}
void* operator new(std::size_t n, std::align_val_t a) {
  return tachyon::test_support::detail::counted_alloc(n, static_cast<std::size_t>(a), false);
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return tachyon::test_support::detail::counted_alloc(n, static_cast<std::size_t>(a), false);
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return tachyon::test_support::detail::counted_alloc(n, static_cast<std::size_t>(a), true);
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return tachyon::test_support::detail::counted_alloc(n, static_cast<std::size_t>(a), true);
}
void operator delete(void* p) noexcept { tachyon::test_support::detail::counted_free(p); }
void operator delete[](void* p) noexcept { tachyon::test_support::detail::counted_free(p); }
void operator delete(void* p, std::size_t) noexcept { tachyon::test_support::detail::counted_free(p); }
void operator delete[](void* p, std::size_t) noexcept { tachyon::test_support::detail::counted_free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { tachyon::test_support::detail::counted_free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { tachyon::test_support::detail::counted_free(p); }
void operator delete(void* p, std::align_val_t) noexcept { tachyon::test_support::detail::counted_free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { tachyon::test_support::detail::counted_free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { tachyon::test_support::detail::counted_free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  tachyon::test_support::detail::counted_free(p);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  tachyon::test_support::detail::counted_free(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  tachyon::test_support::detail::counted_free(p);
}
