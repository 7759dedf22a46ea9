// The `tachyon` command line (CLI11): wires subcommands to the replay and generator
// code. Control path, main thread.
#include "tachyon/controlplane/cli.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

namespace tachyon::controlplane {

int run_cli(int argc, char** argv) {
  CLI::App app{"tachyon: kernel-bypass order-book appliance (feed handler and matching engine)"};
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return 0;
}

}  // namespace tachyon::controlplane
