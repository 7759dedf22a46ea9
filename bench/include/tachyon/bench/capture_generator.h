// Deterministic synthetic captures for `tachyon gen` and the default replay: the
// benchmark's order-flow model for several symbols, written as OUCH 4.2 order entry
// (match mode) or as the ITCH 5.0 market data a venue would publish for that flow
// (feed mode), in MoldUDP64 over Ethernet/IPv4/UDP, with the flow's arrival times as
// packet timestamps. Control path; reentrant.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tachyon/bench/scenario.h"

namespace tachyon::bench {

enum class CaptureKind : uint8_t { kFeed, kMatch };

struct CaptureConfig {
  CaptureKind kind = CaptureKind::kMatch;
  uint64_t messages = 1'000'000;  // order-entry messages of the flow (about)
  uint32_t symbols = 4;
  uint64_t seed = 1;
  Scenario scenario = Scenario::kNormal;
  uint32_t clients = 4;           // match mode: order-entry sessions
  int64_t tick_price4 = 100;      // one tick in ITCH/OUCH Price(4) units ($0.01)

  // Checks every field; returns an empty string when valid, else one line naming the
  // field, its value and the rule it breaks.
  std::string validate() const;
};

struct CaptureInfo {
  uint64_t packets = 0;
  uint64_t messages = 0;              // application messages in the capture
  std::vector<std::string> symbols;   // SymbolId order
  uint64_t first_ns = 0, last_ns = 0; // packet timestamps
};

// Returns the symbol names the generator uses for n symbols.
std::vector<std::string> capture_symbols(uint32_t n);

// Writes the capture of cfg to path (pcap, nanosecond timestamps). Throws
// std::invalid_argument for an invalid cfg and std::runtime_error when the file cannot
// be written. Identical output for identical cfg.
CaptureInfo generate_capture(const CaptureConfig& cfg, const std::string& path);

}  // namespace tachyon::bench
