// SIGINT/SIGTERM as a stop request for the data plane: the handler only sets an atomic
// flag (async-signal-safe); the control thread sees it and stops the pipeline, which
// stops rx, drains its rings, flushes tx and reports. Process-wide; thread-safe.
#pragma once

#include <atomic>

namespace tachyon::dataplane {

// Installs the handlers for SIGINT and SIGTERM (idempotent) and returns the flag they
// set. Control path.
const std::atomic<bool>& install_stop_signals();
// The flag itself, whether or not the handlers are installed: a control thread may set
// it too (tachyon ctl stop), and a reader may check it without taking the signals.
std::atomic<bool>& stop_flag() noexcept;
// The signal that set the flag (SIGINT or SIGTERM), or 0.
int stop_signal_number() noexcept;
// Clears the flag (tests, and a second run in one process).
void reset_stop_signal() noexcept;
// Restores the default dispositions the handlers replaced.
void uninstall_stop_signals() noexcept;

}  // namespace tachyon::dataplane
