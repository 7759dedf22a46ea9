// The venue's clock as seen from here: local wall clock plus an offset calibrated from
// GET /api/v5/public/time, so signed timestamps stay within OKX's 30 s window (error
// 50102). A fixed clock can be injected for tests. Control path; not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>

namespace tachyon::okx {

class ServerClock {
 public:
  // Returns local Unix milliseconds (or the frozen value when frozen).
  int64_t local_ms() const noexcept {
    if (frozen_) return frozen_ms_;
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  // Returns the estimated server Unix milliseconds.
  int64_t now_ms() const noexcept { return local_ms() + offset_ms_; }

  // Records one calibration sample: the request left at sent_ms and its answer came
  // at received_ms (both local), carrying server_ms. Assumes the server stamped the
  // midpoint of the round trip.
  void calibrate(int64_t sent_ms, int64_t server_ms, int64_t received_ms) noexcept {
    offset_ms_ = server_ms - (sent_ms + (received_ms - sent_ms) / 2);
    rtt_ms_ = received_ms - sent_ms;
    calibrated_ = true;
  }

  bool calibrated() const noexcept { return calibrated_; }
  int64_t offset_ms() const noexcept { return offset_ms_; }
  int64_t last_rtt_ms() const noexcept { return rtt_ms_; }
  void invalidate() noexcept { calibrated_ = false; }

  // Freezes local time at unix_ms (tests and signature cross-checks).
  void freeze(int64_t unix_ms) noexcept {
    frozen_ = true;
    frozen_ms_ = unix_ms;
  }
  void set_offset_ms(int64_t o) noexcept { offset_ms_ = o; }

 private:
  int64_t offset_ms_ = 0;
  int64_t rtt_ms_ = 0;
  int64_t frozen_ms_ = 0;
  bool frozen_ = false;
  bool calibrated_ = false;
};

}  // namespace tachyon::okx
