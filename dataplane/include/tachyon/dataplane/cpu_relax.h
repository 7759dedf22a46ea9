// The spin-wait hint for busy-polling loops (x86 PAUSE, AArch64 YIELD).
// Stateless; thread-safe.
#pragma once

namespace tachyon::dataplane {

// Tells the core this is a spin loop: saves power, frees the sibling hyperthread and
// avoids the memory-order machine clear on loop exit. Hot path; about 10-140 cycles
// depending on the microarchitecture.
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

}  // namespace tachyon::dataplane
