// The appliance's configuration: one TOML file (toml++), or several layered in order
// (a base file, then fragments such as tuning/plan's core map), with environment
// overrides TACHYON_SECTION__KEY, validated as a whole into an immutable Config before
// any core starts. Control path; a Config is immutable and safe to share between threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include "tachyon/book/book_config.h"
#include "tachyon/dataplane/circuit_breaker.h"
#include "tachyon/dataplane/risk_gate.h"

namespace tachyon::controlplane {

enum class NicBackend : uint8_t { kAuto, kDpdk, kPcap, kSocket };
enum class FsyncPolicy : uint8_t { kNone, kIntervalMs, kEveryBatch };
enum class Backpressure : uint8_t { kReject, kDrop, kBlock };

const char* to_string(NicBackend b) noexcept;
const char* to_string(FsyncPolicy p) noexcept;
const char* to_string(Backpressure b) noexcept;

// Pre-trade risk limits (see dataplane/risk_gate.h), per account/session.
using RiskLimits = dataplane::RiskLimits;

struct CircuitBreaker {
  bool enabled = false;              // off: symbols halt only by command
  int64_t price_band_bps = 1'000;    // halt when a trade moves this far within the window
  uint32_t max_msgs_per_window = 0;  // halt above this many messages per symbol per window; 0 = off
  uint32_t window_ms = 1'000;
  uint32_t resume_after_ms = 5'000;  // 0 = only by command
  friend bool operator==(const CircuitBreaker&, const CircuitBreaker&) = default;
};

struct Config {
  book::BookConfig book{};
  struct Nic {
    NicBackend backend = NicBackend::kAuto;
    std::vector<std::string> eal_args;  // empty: the documented replay default
    uint16_t port_id = 0;
    uint16_t rx_queues = 1;
    uint32_t rx_descriptors = 1024;
    uint32_t tx_descriptors = 1024;
    uint32_t mbufs = 8191;
    std::string bind_address = "127.0.0.1";  // socket backend
    uint16_t udp_port = 26000;               // socket backend
    // The data-plane NIC's PCI address ("0000:81:00.0"), as tuning/plan finds it; "":
    // not given. dpdk/auto without eal_args: EAL takes this device (-a) and no other.
    std::string pci;
    friend bool operator==(const Nic&, const Nic&) = default;
  } nic;
  // Where the appliance runs (tuning/plan writes these from the machine's topology);
  // checked against the machine at start (core_map.h), not here.
  struct Cores {
    std::vector<unsigned> dataplane;  // data-plane threads' CPUs; empty: chosen at start
    int control = -1;                 // the control-plane thread's CPU; -1: not pinned
    std::vector<unsigned> housekeeping;  // CPUs left to the OS; never data plane
    int numa_node = -1;               // data-plane memory node; -1: each core's own node
    friend bool operator==(const Cores&, const Cores&) = default;
  } cores;
  struct Feed {
    uint16_t port = 0;          // 0: any
    std::string group;          // empty: any
    // symbol -> shard core index (tachyon run); symbols not named are balanced as they appear
    std::vector<std::pair<std::string, uint32_t>> shard_map;
    friend bool operator==(const Feed&, const Feed&) = default;
  } feed;
  struct Match {
    std::vector<std::string> symbols;
    friend bool operator==(const Match&, const Match&) = default;
  } match;
  struct Rings {
    uint32_t capacity = 4096;
    Backpressure policy = Backpressure::kBlock;
    // Dispatch shape on a port that keeps its receive buffers (DPDK, the socket port):
    // hand each datagram to the shard cores whole instead of one record per message
    // (PipelineOptions::packet_handoff).
    bool packet_handoff = false;
    friend bool operator==(const Rings&, const Rings&) = default;
  } rings;
  RiskLimits risk{};
  CircuitBreaker breaker{};
  struct Journal {
    std::string path;  // empty: no journal
    FsyncPolicy fsync = FsyncPolicy::kIntervalMs;
    uint32_t interval_ms = 10;
    uint32_t snapshot_interval_s = 60;
    friend bool operator==(const Journal&, const Journal&) = default;
  } journal;
  struct Metrics {
    std::string listen = "127.0.0.1";
    uint16_t port = 9100;  // 0: no endpoint
    friend bool operator==(const Metrics&, const Metrics&) = default;
  } metrics;

  // FNV-1a digest of the validated settings (the journal header records it).
  uint64_t hash = 0;
};

// One validation problem: "risk.max_order_qty = -5: must be > 0".
struct ConfigError {
  std::string key;
  std::string value;
  std::string rule;
  std::string to_string() const { return key + " = " + value + ": " + rule; }
};

struct ConfigResult {
  std::optional<Config> config;     // set when there are no errors
  std::vector<ConfigError> errors;  // every problem found, in key order
};

// Parses and validates TOML text, after applying overrides (key "section.key" ->
// TOML value text, e.g. "100", "\"reject\"", "[1, 2]"; text that is not a TOML value is
// taken as a string). source names the text in parse errors. Never throws.
ConfigResult parse_config(std::string_view toml_text, const std::map<std::string, std::string>& overrides,
                          std::string_view source = "config");

// Returns the matching core's breaker limits for c (milliseconds to nanoseconds).
dataplane::BreakerLimits breaker_limits(const CircuitBreaker& c) noexcept;

// Collects TACHYON_SECTION__KEY=value overrides from an environment block (envp).
std::map<std::string, std::string> env_overrides(char** envp);

// Reads path (missing file: an error naming it) and parses it with overrides.
ConfigResult load_config(const std::string& path, const std::map<std::string, std::string>& overrides);
// Reads the files in order and layers them: a later file's key replaces the same key
// of an earlier one, section by section; then applies overrides and validates the
// whole. Errors name the file for what is wrong inside one (unreadable, TOML syntax).
ConfigResult load_config(const std::vector<std::string>& paths, const std::map<std::string, std::string>& overrides);

// Returns "a.toml" or "a.toml + b.toml" for messages.
std::string describe_paths(const std::vector<std::string>& paths);

// Returns the keys whose values differ between a and b and cannot change while the
// appliance runs (pool sizes, core map, NIC, journal, ...). Live keys: risk.* and
// breaker.*.
std::vector<std::string> static_changes(const Config& a, const Config& b);

}  // namespace tachyon::controlplane
