// Logarithm and exponential built only from IEEE-754 basic operations (+ - * / and
// exact scaling), so a seeded workload is bit-identical on every platform and libm
// version. Accurate to a few ulp; for workload generation, not for the hot path.
// Pure functions; thread-safe.
#pragma once

namespace tachyon::bench {

// Returns ln(x). Precondition: x is positive and finite.
double det_log(double x) noexcept;
// Returns e^x (0 below -745, +inf above 709.78).
double det_exp(double x) noexcept;
// Returns x^y = e^(y ln x). Precondition: x is positive and finite.
double det_pow(double x, double y) noexcept;

}  // namespace tachyon::bench
