// The `tachyon okx ...` subcommands (book, time, config): registered on the CLI11 app
// by run_cli, run when parsed. Control path, main thread.
#pragma once

#include <memory>

namespace CLI {
class App;
}

namespace tachyon::controlplane {

class OkxCommands {
 public:
  // Adds `okx` and its subcommands to app.
  explicit OkxCommands(CLI::App& app);
  ~OkxCommands();
  OkxCommands(const OkxCommands&) = delete;
  OkxCommands& operator=(const OkxCommands&) = delete;

  // True when the command line chose an okx subcommand.
  bool parsed() const;
  // Runs it; returns the exit code. Throws std::exception with a one-line message.
  int run();

  struct State;  // the parsed options (opaque)

 private:
  std::unique_ptr<State> s_;
};

}  // namespace tachyon::controlplane
