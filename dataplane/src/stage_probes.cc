// StageProbes setup, snapshot hand-over and stage names. The reader side runs on the
// control-plane thread; flip() runs on the core (cold path).
#include "tachyon/dataplane/stage_probes.h"

namespace tachyon::dataplane {

namespace {

constexpr std::array<std::string_view, kStageCount> kStageNames = {
    "rx_decode", "decode_book", "book_tx", "wire_to_wire", "add", "cancel", "modify", "match"};

}  // namespace

std::string_view stage_name(Stage s) noexcept {
  const auto i = static_cast<std::size_t>(s);
  return i < kStageCount ? kStageNames[i] : std::string_view("unknown");
}

std::optional<Stage> stage_from_name(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kStageCount; ++i)
    if (kStageNames[i] == name) return static_cast<Stage>(i);
  return std::nullopt;
}

void StageHistograms::merge(const StageHistograms& other) noexcept {
  for (std::size_t i = 0; i < kStageCount; ++i) by_stage[i].merge(other.by_stage[i]);
}

void StageHistograms::reset() noexcept {
  for (LatencyHistogram& h : by_stage) h.reset();
}

StageProbes::StageProbes() : halves_(std::make_unique<StageHistograms[]>(2)) { core_.active = &halves_[0]; }

void StageProbes::flip(uint64_t request) noexcept {
  core_.served = request;
  core_.active = &halves_[request & 1];
  served_.value.store(request, std::memory_order_release);
}

bool StageProbes::request_snapshot() noexcept {
  if (!reader_.collected) return false;
  ++reader_.requested;
  reader_.collected = false;
  requested_.value.store(reader_.requested, std::memory_order_release);
  return true;
}

bool StageProbes::try_collect(StageHistograms& totals) noexcept {
  if (reader_.collected) return false;
  if (served_.value.load(std::memory_order_acquire) != reader_.requested) return false;
  // After k switches the core writes halves_[k & 1]; the one it left is the other.
  StageHistograms& retired = halves_[(reader_.requested - 1) & 1];
  totals.merge(retired);
  retired.reset();
  reader_.collected = true;
  return true;
}

void StageProbes::drain(StageHistograms& totals) noexcept {
  for (int i = 0; i < 2; ++i) {
    totals.merge(halves_[i]);
    halves_[i].reset();
  }
  // Settle any unanswered request so that the probes can be used again.
  core_.served = reader_.requested;
  core_.active = &halves_[reader_.requested & 1];
  served_.value.store(reader_.requested, std::memory_order_release);
  reader_.collected = true;
}

}  // namespace tachyon::dataplane
