// The `tachyon` command line: subcommands, their options and exit codes.
// Runs on the main thread; not re-entrant.
#pragma once

namespace tachyon::controlplane {

// Parses argv, runs the chosen subcommand and returns the process exit code:
// 0 success, 1 a runtime failure (unreadable input, ...), 2 a usage or config error,
// 3 tachyon report --compare found a performance regression.
int run_cli(int argc, char** argv);

}  // namespace tachyon::controlplane
