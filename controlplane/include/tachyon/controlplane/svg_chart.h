// A small SVG chart drawer for the HTML report: line and step series or grouped bars
// over linear or log10 axes, with ticks, grid, axis labels and a legend. The output is
// one self-contained <svg> element (no scripts, no external resources).
// Control path; an SvgChart is not thread-safe, render() is const.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace tachyon::controlplane {

enum class AxisScale { kLinear, kLog10 };
enum class AxisFormat { kNumber, kNanoseconds, kBytes, kPercent };

struct ChartAxis {
  std::string label;
  AxisScale scale = AxisScale::kLinear;
  AxisFormat format = AxisFormat::kNumber;
  // Fixed range when min < max; otherwise taken from the data (log axes snap to
  // decades, linear axes start at 0 when the data are non-negative).
  double min = 0, max = 0;
  // Explicit ticks (value, label); when empty, ticks are chosen from the range.
  std::vector<std::pair<double, std::string>> ticks;
};

struct ChartSeries {
  enum class Kind { kLine, kStep, kDashed };
  std::string label;
  std::string color;
  Kind kind = Kind::kLine;
  std::vector<std::pair<double, double>> points;  // (x, y); on log axes values <= 0 are left out
};

class SvgChart {
 public:
  SvgChart(std::string title, int width = 900, int height = 340);

  ChartAxis& x() noexcept { return x_; }
  ChartAxis& y() noexcept { return y_; }
  void add(ChartSeries s) { series_.push_back(std::move(s)); }

  // Grouped bars instead of series: values[s][c] is series s in category c; the x axis
  // shows the categories.
  void set_bars(std::vector<std::string> categories, std::vector<std::string> labels, std::vector<std::string> colors,
                std::vector<std::vector<double>> values);

  std::string render() const;

 private:
  std::string title_;
  int width_, height_;
  ChartAxis x_, y_;
  std::vector<ChartSeries> series_;
  std::vector<std::string> categories_, bar_labels_, bar_colors_;
  std::vector<std::vector<double>> bar_values_;
};

// Formats v for an axis or a table: "850 ns", "1.2 us", "3.4 MB", "12 %", "1.5 M".
std::string format_value(double v, AxisFormat f);

// The report's palette: color i (cycles).
const char* chart_color(std::size_t i) noexcept;

}  // namespace tachyon::controlplane
