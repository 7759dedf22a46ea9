// Portable ln/exp from basic IEEE-754 operations (see det_math.h). Not on a hot path.
// Relies on the build not contracting a*b+c into FMA (ISO -std=c++20 implies
// -ffp-contract=off with GCC), so every step rounds the same way everywhere.
#include "tachyon/bench/det_math.h"

#include <cmath>
#include <limits>

namespace tachyon::bench {

namespace {

// ln 2 split so that k * kLn2Hi is exact for |k| < 2^11.
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kInvLn2 = 1.44269504088896338700e+00;
constexpr double kSqrtHalf = 0.70710678118654752440;

}  // namespace

double det_log(double x) noexcept {
  int e = 0;
  double m = std::frexp(x, &e);  // exact: x = m * 2^e, m in [0.5, 1)
  if (m < kSqrtHalf) {
    m *= 2;  // exact
    --e;
  }
  // ln m = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), |s| <= 0.1716, so 15 terms reach
  // below 1e-22 relative.
  const double s = (m - 1) / (m + 1);
  const double s2 = s * s;
  double sum = 0;
  double power = s;
  for (int k = 1; k <= 29; k += 2) {
    sum += power / k;
    power *= s2;
  }
  const double de = e;
  return de * kLn2Hi + (de * kLn2Lo + 2 * sum);
}

double det_exp(double x) noexcept {
  if (x != x) return x;
  if (x > 709.78) return std::numeric_limits<double>::infinity();
  if (x < -745.2) return 0;
  // x = k ln2 + r with |r| <= ln2 / 2; e^r by its Taylor series (21 terms: 0.35^22/22!
  // is far below an ulp).
  const double k = std::floor(x * kInvLn2 + 0.5);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  double term = 1;
  double sum = 1;
  for (int n = 1; n <= 21; ++n) {
    term *= r / n;
    sum += term;
  }
  return std::ldexp(sum, static_cast<int>(k));
}

double det_pow(double x, double y) noexcept { return det_exp(y * det_log(x)); }

}  // namespace tachyon::bench
