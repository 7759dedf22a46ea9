// Prometheus text for the matching core's circuit breakers (halts by reason, resumes,
// refusals, symbols halted now), for the metrics endpoint's extra lines. Control
// thread; reads the breakers' counters, which the core updates without stopping.
#pragma once

#include <string>

#include "tachyon/dataplane/circuit_breaker.h"

namespace tachyon::controlplane {

// Formats the breakers' counters as Prometheus counters and gauges:
//   tachyon_breaker_halts_total{reason="price_band|message_rate|command"}
//   tachyon_breaker_resumes_total{by="timer|command"}
//   tachyon_breaker_rejected_while_halted_total, tachyon_breaker_commands_refused_total
//   tachyon_breaker_halted_symbols (gauge)
// O(symbols) for the gauge. Any thread.
std::string breaker_metrics(const dataplane::CircuitBreakers& breakers);

}  // namespace tachyon::controlplane
