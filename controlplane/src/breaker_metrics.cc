// breaker_metrics(): Prometheus text of the circuit breaker counters. Control thread.
#include "tachyon/controlplane/breaker_metrics.h"

namespace tachyon::controlplane {

std::string breaker_metrics(const dataplane::CircuitBreakers& breakers) {
  const dataplane::BreakerCounts c = breakers.counts();
  auto n = [](uint64_t v) { return std::to_string(v); };
  std::string out;
  out += "# HELP tachyon_breaker_halts_total Symbols halted by the circuit breaker, by reason.\n"
         "# TYPE tachyon_breaker_halts_total counter\n";
  out += "tachyon_breaker_halts_total{reason=\"price_band\"} " + n(c.halts_price_band) + "\n";
  out += "tachyon_breaker_halts_total{reason=\"message_rate\"} " + n(c.halts_message_rate) + "\n";
  out += "tachyon_breaker_halts_total{reason=\"command\"} " + n(c.halts_command) + "\n";
  out += "# HELP tachyon_breaker_resumes_total Halted symbols resumed, by timer or by command.\n"
         "# TYPE tachyon_breaker_resumes_total counter\n";
  out += "tachyon_breaker_resumes_total{by=\"timer\"} " + n(c.resumes_timer) + "\n";
  out += "tachyon_breaker_resumes_total{by=\"command\"} " + n(c.resumes_command) + "\n";
  out += "# HELP tachyon_breaker_rejected_while_halted_total Orders and replaces refused (OUCH Rejected 'H') "
         "because their symbol was halted.\n"
         "# TYPE tachyon_breaker_rejected_while_halted_total counter\n"
         "tachyon_breaker_rejected_while_halted_total " + n(c.rejected_while_halted) + "\n";
  out += "# HELP tachyon_breaker_commands_refused_total Halt or resume requests that found the breaker's "
         "command ring full.\n"
         "# TYPE tachyon_breaker_commands_refused_total counter\n"
         "tachyon_breaker_commands_refused_total " + n(c.commands_refused) + "\n";
  out += "# HELP tachyon_breaker_halted_symbols Symbols halted now.\n"
         "# TYPE tachyon_breaker_halted_symbols gauge\n"
         "tachyon_breaker_halted_symbols " + n(breakers.halted_symbols()) + "\n";
  return out;
}

}  // namespace tachyon::controlplane
