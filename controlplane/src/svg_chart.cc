// SvgChart rendering: axis ranges and ticks, coordinate mapping, series paths, grouped
// bars and the legend. Control path.
#include "tachyon/controlplane/svg_chart.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

namespace tachyon::controlplane {

namespace {

constexpr int kLeft = 80, kRight = 44, kTop = 52, kBottom = 50;

std::string esc(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// Trims "1.50" to "1.5" and "2.0" to "2".
std::string trim_number(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

std::string scaled(double v, const std::array<const char*, 5>& units, double base) {
  std::size_t u = 0;
  double a = std::fabs(v);
  while (a >= base && u + 1 < units.size()) {
    a /= base;
    v /= base;
    ++u;
  }
  const int decimals = std::fabs(v) >= 100 ? 0 : std::fabs(v) >= 10 ? 1 : 2;
  return trim_number(v, decimals) + units[u];
}

// A step of 1, 2 or 5 times a power of ten near range / target.
double nice_step(double range, int target) {
  if (range <= 0) return 1;
  const double raw = range / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

struct Range {
  double lo = 0, hi = 1;
  AxisScale scale = AxisScale::kLinear;
  double t(double v) const { return scale == AxisScale::kLog10 ? std::log10(v) : v; }
  double frac(double v) const { return (t(v) - t(lo)) / (t(hi) - t(lo)); }
};

Range make_range(const ChartAxis& a, double dmin, double dmax, bool have) {
  Range r;
  r.scale = a.scale;
  if (a.min < a.max) {
    r.lo = a.min;
    r.hi = a.max;
    return r;
  }
  if (!have) {
    r.lo = a.scale == AxisScale::kLog10 ? 1 : 0;
    r.hi = a.scale == AxisScale::kLog10 ? 10 : 1;
    return r;
  }
  if (a.scale == AxisScale::kLog10) {
    r.lo = std::pow(10.0, std::floor(std::log10(dmin)));
    r.hi = std::pow(10.0, std::ceil(std::log10(dmax)));
    if (r.hi <= r.lo) r.hi = r.lo * 10;
    return r;
  }
  r.lo = dmin >= 0 ? 0 : dmin;
  if (dmax <= r.lo) dmax = r.lo + 1;
  const double step = nice_step(dmax - r.lo, 5);
  r.hi = std::ceil(dmax / step - 1e-9) * step;
  if (r.hi <= r.lo) r.hi = r.lo + step;
  return r;
}

std::vector<std::pair<double, std::string>> make_ticks(const ChartAxis& a, const Range& r) {
  if (!a.ticks.empty()) return a.ticks;
  std::vector<std::pair<double, std::string>> out;
  if (r.scale == AxisScale::kLog10) {
    const int d0 = static_cast<int>(std::lround(std::log10(r.lo)));
    const int d1 = static_cast<int>(std::lround(std::log10(r.hi)));
    const int every = d1 - d0 > 8 ? 2 : 1;
    for (int d = d0; d <= d1; d += every) {
      const double v = std::pow(10.0, d);
      out.emplace_back(v, format_value(v, a.format));
    }
    return out;
  }
  const double step = nice_step(r.hi - r.lo, 5);
  for (double v = std::ceil(r.lo / step) * step; v <= r.hi + step * 1e-6; v += step)
    out.emplace_back(v, format_value(v, a.format));
  return out;
}

}  // namespace

const char* chart_color(std::size_t i) noexcept {
  static constexpr std::array<const char*, 10> kPalette = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                                           "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"};
  return kPalette[i % kPalette.size()];
}

std::string format_value(double v, AxisFormat f) {
  switch (f) {
    case AxisFormat::kNanoseconds:
      if (std::fabs(v) < 1e3) return trim_number(v, v < 10 ? 1 : 0) + " ns";
      if (std::fabs(v) < 1e6) return trim_number(v / 1e3, v < 1e4 ? 2 : v < 1e5 ? 1 : 0) + " us";
      if (std::fabs(v) < 1e9) return trim_number(v / 1e6, v < 1e7 ? 2 : v < 1e8 ? 1 : 0) + " ms";
      return trim_number(v / 1e9, 2) + " s";
    case AxisFormat::kBytes: return scaled(v, {" B", " KB", " MB", " GB", " TB"}, 1024);
    case AxisFormat::kPercent: return trim_number(v, std::fabs(v) < 10 ? 1 : 0) + " %";
    case AxisFormat::kNumber: break;
  }
  return scaled(v, {"", " k", " M", " G", " T"}, 1000);
}

SvgChart::SvgChart(std::string title, int width, int height)
    : title_(std::move(title)), width_(width), height_(height) {}

void SvgChart::set_bars(std::vector<std::string> categories, std::vector<std::string> labels,
                        std::vector<std::string> colors, std::vector<std::vector<double>> values) {
  categories_ = std::move(categories);
  bar_labels_ = std::move(labels);
  bar_colors_ = std::move(colors);
  bar_values_ = std::move(values);
}

std::string SvgChart::render() const {
  const bool bars = !categories_.empty();
  const double pw = width_ - kLeft - kRight, ph = height_ - kTop - kBottom;
  // Data extent.
  double xmin = std::numeric_limits<double>::max(), xmax = std::numeric_limits<double>::lowest();
  double ymin = xmin, ymax = xmax;
  bool have_x = false, have_y = false;
  auto take_y = [&](double y) {
    if (y_.scale == AxisScale::kLog10 && !(y > 0)) return;
    ymin = std::min(ymin, y);
    ymax = std::max(ymax, y);
    have_y = true;
  };
  if (bars) {
    for (const auto& row : bar_values_)
      for (const double v : row) take_y(v);
  } else {
    for (const ChartSeries& s : series_)
      for (const auto& [x, y] : s.points) {
        if (x_.scale == AxisScale::kLog10 && !(x > 0)) continue;
        xmin = std::min(xmin, x);
        xmax = std::max(xmax, x);
        have_x = true;
        take_y(y);
      }
  }
  const Range xr = make_range(x_, xmin, xmax, have_x);
  const Range yr = make_range(y_, ymin, ymax, have_y);
  auto px = [&](double x) { return kLeft + std::clamp(xr.frac(x), 0.0, 1.0) * pw; };
  auto py = [&](double y) { return kTop + ph - std::clamp(yr.frac(y), 0.0, 1.0) * ph; };

  std::string o;
  o += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"" + std::to_string(width_) + "\" height=\"" +
       std::to_string(height_) + "\" viewBox=\"0 0 " + std::to_string(width_) + " " + std::to_string(height_) +
       "\" font-family=\"Helvetica, Arial, sans-serif\">\n";
  o += "<rect x=\"0\" y=\"0\" width=\"" + std::to_string(width_) + "\" height=\"" + std::to_string(height_) +
       "\" fill=\"#ffffff\"/>\n";
  o += "<text x=\"" + std::to_string(kLeft) + "\" y=\"20\" font-size=\"15\" font-weight=\"bold\" fill=\"#222\">" +
       esc(title_) + "</text>\n";
  // Legend.
  {
    double lx = kLeft;
    auto item = [&](const std::string& label, const std::string& color, bool dashed) {
      o += "<rect x=\"" + num(lx) + "\" y=\"30\" width=\"14\" height=\"" + (dashed ? "3" : "10") + "\" fill=\"" +
           color + "\"/>";
      o += "<text x=\"" + num(lx + 18) + "\" y=\"39\" font-size=\"11\" fill=\"#333\">" + esc(label) + "</text>\n";
      lx += 30 + 6.5 * static_cast<double>(label.size());
    };
    if (bars) {
      for (std::size_t i = 0; i < bar_labels_.size(); ++i) item(bar_labels_[i], bar_colors_[i], false);
    } else {
      for (const ChartSeries& s : series_)
        if (!s.label.empty()) item(s.label, s.color, s.kind == ChartSeries::Kind::kDashed);
    }
  }
  // Plot frame and y grid.
  o += "<rect x=\"" + std::to_string(kLeft) + "\" y=\"" + std::to_string(kTop) + "\" width=\"" + num(pw) +
       "\" height=\"" + num(ph) + "\" fill=\"#fafafa\" stroke=\"#bbb\"/>\n";
  for (const auto& [v, label] : make_ticks(y_, yr)) {
    if (v < std::min(yr.lo, yr.hi) || v > std::max(yr.lo, yr.hi)) continue;
    const double y = py(v);
    o += "<line x1=\"" + std::to_string(kLeft) + "\" x2=\"" + num(kLeft + pw) + "\" y1=\"" + num(y) + "\" y2=\"" +
         num(y) + "\" stroke=\"#e2e2e2\"/>";
    o += "<text x=\"" + std::to_string(kLeft - 6) + "\" y=\"" + num(y + 4) +
         "\" font-size=\"11\" text-anchor=\"end\" fill=\"#444\">" + esc(label) + "</text>\n";
  }
  if (!y_.label.empty())
    o += "<text transform=\"translate(16," + num(kTop + ph / 2) +
         ") rotate(-90)\" font-size=\"12\" text-anchor=\"middle\" fill=\"#333\">" + esc(y_.label) + "</text>\n";
  if (!x_.label.empty())
    o += "<text x=\"" + num(kLeft + pw / 2) + "\" y=\"" + std::to_string(height_ - 8) +
         "\" font-size=\"12\" text-anchor=\"middle\" fill=\"#333\">" + esc(x_.label) + "</text>\n";

  if (bars) {
    const double group = pw / static_cast<double>(categories_.size());
    const double bw = group * 0.8 / static_cast<double>(std::max<std::size_t>(1, bar_values_.size()));
    for (std::size_t c = 0; c < categories_.size(); ++c) {
      const double gx = kLeft + group * static_cast<double>(c);
      o += "<text x=\"" + num(gx + group / 2) + "\" y=\"" + num(kTop + ph + 16) +
           "\" font-size=\"11\" text-anchor=\"middle\" fill=\"#444\">" + esc(categories_[c]) + "</text>\n";
      for (std::size_t s = 0; s < bar_values_.size(); ++s) {
        const double v = c < bar_values_[s].size() ? bar_values_[s][c] : 0;
        if (yr.scale == AxisScale::kLog10 && !(v > 0)) continue;
        const double top = py(v), bottom = kTop + ph;
        o += "<rect x=\"" + num(gx + group * 0.1 + bw * static_cast<double>(s)) + "\" y=\"" + num(top) +
             "\" width=\"" + num(std::max(1.0, bw - 1)) + "\" height=\"" + num(std::max(0.5, bottom - top)) +
             "\" fill=\"" + bar_colors_[s] + "\"><title>" + esc(categories_[c] + " " + bar_labels_[s] + ": " +
                                                                format_value(v, y_.format)) +
             "</title></rect>\n";
      }
    }
  } else {
    for (const auto& [v, label] : make_ticks(x_, xr)) {
      if (v < std::min(xr.lo, xr.hi) || v > std::max(xr.lo, xr.hi)) continue;
      const double x = px(v);
      o += "<line x1=\"" + num(x) + "\" x2=\"" + num(x) + "\" y1=\"" + std::to_string(kTop) + "\" y2=\"" +
           num(kTop + ph) + "\" stroke=\"#e2e2e2\"/>";
      o += "<text x=\"" + num(x) + "\" y=\"" + num(kTop + ph + 16) +
           "\" font-size=\"11\" text-anchor=\"middle\" fill=\"#444\">" + esc(label) + "</text>\n";
    }
    for (const ChartSeries& s : series_) {
      std::string d;
      bool first = true;
      for (const auto& [x, y] : s.points) {
        if ((xr.scale == AxisScale::kLog10 && !(x > 0)) || (yr.scale == AxisScale::kLog10 && !(y > 0))) continue;
        if (first) {
          d += "M" + num(px(x)) + " " + num(py(y));
          first = false;
        } else if (s.kind == ChartSeries::Kind::kStep) {
          d += " H" + num(px(x)) + " V" + num(py(y));
        } else {
          d += " L" + num(px(x)) + " " + num(py(y));
        }
      }
      if (d.empty()) continue;
      o += "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + s.color + "\" stroke-width=\"2\"" +
           (s.kind == ChartSeries::Kind::kDashed ? " stroke-dasharray=\"6 4\"" : "") + " stroke-linejoin=\"round\"/>\n";
    }
  }
  if (!(bars ? have_y : have_x))
    o += "<text x=\"" + num(kLeft + pw / 2) + "\" y=\"" + num(kTop + ph / 2) +
         "\" font-size=\"14\" text-anchor=\"middle\" fill=\"#888\">no data</text>\n";
  o += "</svg>\n";
  return o;
}

}  // namespace tachyon::controlplane
