// Cache-line prefetches that the compiler always keeps. Any core; no state.
//
// GCC 12 treats a function whose only effect is __builtin_prefetch as free of side
// effects and may delete calls to it before they are inlined: BookShard::apply_batch
// lost whole prefetch stages that way (objdump showed none of them in the ITCH
// builder's instantiation), with nothing in the source to say so. These issue the
// instruction through volatile asm, which is never deleted; the address goes in a
// register, so the compiler does not treat the asm as reading memory and keeps its
// freedom to reorder loads and stores around it. On other targets they fall back to
// the builtin.
#pragma once

namespace tachyon::book {

// Requests the line holding p into every cache level, for reading.
inline void prefetch_read(const void* p) noexcept {
#if defined(__x86_64__)
  asm volatile("prefetcht0 (%0)" : : "r"(p));
#else
  __builtin_prefetch(p, 0, 3);
#endif
}

// Requests the line holding p in a writable state, so a store to it does not wait for
// another core to give the line up.
inline void prefetch_write(const void* p) noexcept {
#if defined(__x86_64__) && defined(__PRFCHW__)
  asm volatile("prefetchw (%0)" : : "r"(p));
#elif defined(__x86_64__)
  asm volatile("prefetcht0 (%0)" : : "r"(p));
#else
  __builtin_prefetch(p, 1, 3);
#endif
}

}  // namespace tachyon::book
