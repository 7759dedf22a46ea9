// Flow statistics by replay through a BookShard (see flow_stats.h). Control path.
#include "tachyon/bench/flow_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "tachyon/book/book_shard.h"

namespace tachyon::bench {

using book::Event;
using book::EventKind;
using book::MsgType;

namespace {

enum : uint8_t {
  kCancelled = 1,
  kUserCancelled = 2,
  kModified = 4,
  kTraded = 8,
  kFilled = 16,
  kCrossed = 32,
};

class StatsSink {
 public:
  StatsSink(FlowStats& s, std::size_t orders) : s_(s) {
    ids_.reserve(orders);
    flags_.reserve(orders);
  }
  void set_message(MsgType t) noexcept { msg_ = t; }

  void on_event(const Event& e) noexcept {
    ++s_.events;
    switch (e.kind) {
      case EventKind::kAccepted:
        ids_.emplace(e.id.value, static_cast<uint32_t>(flags_.size()));
        flags_.push_back(0);
        break;
      case EventKind::kTrade: {
        ++s_.trades;
        uint8_t& taker = flag(e.id.value);
        taker |= kTraded | (msg_ == MsgType::kAdd ? kCrossed : 0);
        if (e.remaining.value == 0) taker |= kFilled;
        uint8_t& maker = flag(e.contra);
        maker |= kTraded;
        if (e.contra_remaining.value == 0) maker |= kFilled;
        break;
      }
      case EventKind::kCanceled:
        flag(e.id.value) |= kCancelled | (e.cancel_reason() == book::CancelReason::kUser ? kUserCancelled : 0);
        break;
      case EventKind::kModified: {
        flag(e.id.value) |= kModified;
        const int64_t old_price = static_cast<int64_t>(e.contra);
        const int64_t dp = e.price.ticks - old_price;
        if ((dp == 1 || dp == -1) && e.qty == e.contra_remaining) ++s_.reprice_modifies;
        else if (dp == 0 && e.qty > e.contra_remaining) ++s_.qty_increase_modifies;
        else ++s_.other_effective_modifies;
        break;
      }
      case EventKind::kRejected:
        if (e.reject_reason() == book::RejectReason::kNotResting &&
            (msg_ == MsgType::kCancel || msg_ == MsgType::kModify))
          ++s_.stale_targets;
        else
          ++s_.other_rejects;
        break;
    }
  }

  void finish() const {
    for (uint8_t f : flags_) {
      s_.orders_cancelled += (f & kCancelled) != 0;
      s_.orders_user_cancelled += (f & kUserCancelled) != 0;
      s_.orders_modified += (f & kModified) != 0;
      s_.orders_traded += (f & kTraded) != 0;
      s_.orders_filled += (f & kFilled) != 0;
      s_.adds_crossing += (f & kCrossed) != 0;
    }
  }

 private:
  uint8_t& flag(uint64_t id) noexcept {
    const auto it = ids_.find(id);
    return it == ids_.end() ? sink_ : flags_[it->second];
  }

  FlowStats& s_;
  MsgType msg_ = MsgType::kAdd;
  std::unordered_map<uint64_t, uint32_t> ids_;
  std::vector<uint8_t> flags_;
  uint8_t sink_ = 0;  // for events about ids never accepted (none in a valid flow)
};

}  // namespace

double tail_alpha(std::span<const uint64_t> histogram, uint32_t from) noexcept {
  // Continuous power law truncated to [a, b] (the histogram's range, with the usual
  // half-unit continuity correction). With beta = alpha - 1, r = a / b and
  // L = mean ln(x / a), the likelihood is maximal where
  //   g(beta) = 1/beta - L - r^beta ln(b/a) / (1 - r^beta) = 0,
  // and g decreases in beta, so bisect.
  if (from < 1) from = 1;
  if (histogram.size() <= from + 1) return 0;
  const double a = static_cast<double>(from) - 0.5;
  const double b = static_cast<double>(histogram.size() - 1) + 0.5;
  double n = 0;
  double log_sum = 0;
  for (std::size_t d = from; d < histogram.size(); ++d) {
    if (histogram[d] == 0) continue;
    n += static_cast<double>(histogram[d]);
    log_sum += static_cast<double>(histogram[d]) * std::log(static_cast<double>(d) / a);
  }
  if (n < 2 || log_sum <= 0) return 0;
  const double mean_log = log_sum / n;
  const double log_ba = std::log(b / a);
  auto g = [&](double beta) {
    const double rb = std::exp(-beta * log_ba);
    return 1.0 / beta - mean_log - rb * log_ba / (1.0 - rb);
  };
  double lo = 1e-6;
  double hi = 50.0;
  if (g(hi) > 0) return 1.0 + hi;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (g(mid) > 0) lo = mid; else hi = mid;
  }
  return 1.0 + 0.5 * (lo + hi);
}

FlowStats measure_flow(const Flow& flow) {
  if (flow.messages.size() != flow.arrival_ns.size())
    throw std::invalid_argument("measure_flow: " + std::to_string(flow.messages.size()) + " messages but " +
                                std::to_string(flow.arrival_ns.size()) + " arrival times");
  FlowStats s;
  s.messages = flow.messages.size();
  uint64_t first_add_ns = 0;
  uint64_t last_add_ns = 0;
  s.qty_min = std::numeric_limits<int64_t>::max();
  s.qty_max = std::numeric_limits<int64_t>::min();
  double qty_sum = 0;
  s.seq_contiguous = true;
  uint32_t max_symbol = 0;
  for (std::size_t i = 0; i < flow.messages.size(); ++i) {
    const book::BookMessage& m = flow.messages[i];
    s.seq_contiguous = s.seq_contiguous && m.seq == i + 1;
    max_symbol = std::max(max_symbol, m.symbol.value);
    switch (m.type) {
      case MsgType::kAdd:
        if (s.adds == 0) first_add_ns = flow.arrival_ns[i];
        last_add_ns = flow.arrival_ns[i];
        ++s.adds;
        s.ioc_adds += m.order_type == book::OrderType::kIoc;
        s.qty_min = std::min(s.qty_min, m.qty.value);
        s.qty_max = std::max(s.qty_max, m.qty.value);
        qty_sum += static_cast<double>(m.qty.value);
        break;
      case MsgType::kCancel: ++s.cancels; break;
      case MsgType::kModify: ++s.modifies; break;
      default: ++s.other_messages; break;
    }
  }
  if (s.adds == 0) s.qty_min = s.qty_max = 0;
  if (last_add_ns > first_add_ns)
    s.new_order_rate_hz = static_cast<double>(s.adds - 1) / (static_cast<double>(last_add_ns - first_add_ns) * 1e-9);
  s.qty_mean = s.adds ? qty_sum / static_cast<double>(s.adds) : 0;

  book::BookConfig bc;
  bc.max_orders = static_cast<uint32_t>(std::min<uint64_t>(s.adds + 1, book::kMaxSlots));
  bc.max_levels = 1u << 18;
  bc.max_symbols = max_symbol + 1;  // the replay must know every symbol the flow names
  book::BookShard shard(bc);
  StatsSink sink(s, s.adds);
  for (const book::BookMessage& m : flow.messages) {
    sink.set_message(m.type);
    shard.apply(m, sink);
    s.peak_resting = std::max(s.peak_resting, shard.live_orders());
  }
  sink.finish();
  s.resting_at_end = shard.live_orders();
  s.book_hash = shard.hash();

  s.arrivals_nondecreasing = std::is_sorted(flow.arrival_ns.begin(), flow.arrival_ns.end());
  if (flow.arrival_ns.size() >= 2)
    s.duration_s = static_cast<double>(flow.arrival_ns.back() - flow.arrival_ns.front()) * 1e-9;
  // Burstiness of new-order arrivals: the coefficient of variation of their gaps.
  if (s.adds >= 3) {
    double sum = 0;
    double sum_sq = 0;
    uint64_t prev = 0;
    bool first = true;
    for (std::size_t i = 0; i < flow.messages.size(); ++i) {
      if (flow.messages[i].type != MsgType::kAdd) continue;
      if (!first) {
        const double g = static_cast<double>(flow.arrival_ns[i] - prev);
        sum += g;
        sum_sq += g * g;
      }
      first = false;
      prev = flow.arrival_ns[i];
    }
    const double gaps = static_cast<double>(s.adds - 1);
    const double mean = sum / gaps;
    const double var = std::max(0.0, sum_sq / gaps - mean * mean);
    s.interarrival_cv = mean > 0 ? std::sqrt(var) / mean : 0;
  }

  s.swing = flow.mid_start > 0 ? (flow.mid_max - flow.mid_min) / flow.mid_start : 0;
  s.distance_tail_alpha = tail_alpha(flow.distance_histogram, FlowStats::kTailFrom);
  const auto mode = std::max_element(flow.distance_histogram.begin(), flow.distance_histogram.end());
  s.distance_mode = static_cast<uint32_t>(mode - flow.distance_histogram.begin());
  return s;
}

}  // namespace tachyon::bench
