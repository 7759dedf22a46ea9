// Mid-price path construction (see mid_path.h). Control path: runs before a benchmark.
#include "tachyon/bench/mid_path.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "tachyon/bench/det_math.h"
#include "tachyon/bench/rng.h"

namespace tachyon::bench {

namespace {

constexpr double kPi = 3.14159265358979323846;

// A random walk of unit-variance steps (Irwin-Hall sums of four uniforms: close to
// normal and free of library transcendental functions), rescaled to span 1.
std::vector<double> unit_walk(std::size_t n, uint64_t seed) {
  Xoshiro256 rng(seed);
  std::vector<double> w(n);
  double x = 0;
  for (std::size_t k = 0; k < n; ++k) {
    w[k] = x;
    const double u = rng.unit() + rng.unit() + rng.unit() + rng.unit() - 2.0;
    x += u * 1.7320508075688772;  // sqrt(3): Var(sum of 4 uniforms) = 1/3
  }
  const auto [lo, hi] = std::minmax_element(w.begin(), w.end());
  const double span = *hi - *lo;
  if (span > 0)
    for (double& v : w) v /= span;
  return w;
}

// The scenario's log-price shape before scaling, with shape[0] == 0.
std::vector<double> shape(Scenario s, std::size_t n, uint64_t seed) {
  std::vector<double> x(n, 0.0);
  if (s == Scenario::kStatic || n == 0) return x;
  const std::vector<double> w = unit_walk(n, seed);
  const double last = n > 1 ? static_cast<double>(n - 1) : 1.0;
  for (std::size_t k = 0; k < n; ++k) {
    const double t = static_cast<double>(k) / last;
    double trend = 0;
    double noise = 0.1;
    switch (s) {
      case Scenario::kStatic: break;
      case Scenario::kNormal: noise = 1.0; break;
      case Scenario::kSwing25:
      case Scenario::kSwing40: {
        // sin(pi t) without libm: a parabola 4t(1-t) has the same ends and peak.
        trend = -4.0 * t * (1.0 - t);
        break;
      }
      case Scenario::kFlashCrash:
        noise = 0.05;
        if (t < 0.45) trend = 0;
        else if (t < 0.47) trend = -(t - 0.45) / 0.02;          // collapse
        else if (t < 0.60) trend = -1.0 + 0.5 * (t - 0.47) / 0.13;  // half recovery
        else trend = -0.5;
        break;
    }
    x[k] = trend + noise * w[k];
  }
  return x;
}

}  // namespace

std::vector<double> make_mid_path(Scenario s, std::size_t points, double start, uint64_t seed) {
  if (!(start > 0)) throw std::invalid_argument("make_mid_path: start mid must be > 0");
  std::vector<double> x = shape(s, points, seed);
  const double target = scenario_swing(s);
  std::vector<double> path(points, start);
  if (points == 0 || target == 0) return path;
  const auto [lo_it, hi_it] = std::minmax_element(x.begin(), x.end());
  const double xlo = *lo_it;
  const double xhi = *hi_it;
  // The span exp(k xhi) - exp(k xlo) grows with the scale k (xlo <= 0 <= xhi since
  // x[0] == 0): bracket and bisect for the scale that gives the target swing.
  auto span = [&](double k) { return det_exp(k * xhi) - det_exp(k * xlo); };
  double lo = 0;
  double hi = 1;
  while (span(hi) < target) hi *= 2;
  for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (span(mid) < target) lo = mid; else hi = mid;
  }
  const double k = 0.5 * (lo + hi);
  for (std::size_t i = 0; i < points; ++i) path[i] = start * det_exp(k * x[i]);
  return path;
}

}  // namespace tachyon::bench
