// Runs a shell command from a test and captures what it printed and its exit status:
// the CLI tests run the tachyon binary (and the tools around it) this way. Each call
// has its own temporary file for stderr, so calls from several threads do not mix.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

namespace tachyon::test_support {

struct CommandRun {
  int status = -1;  // the exit status; -1 when the command did not exit normally
  std::string out;  // stdout (and stderr, when merged)
  std::string err;  // stderr, when not merged
};

// Runs cmd through /bin/sh. stdout goes to out; stderr goes to err through a temporary
// file, or into out (interleaved as the command wrote them) when merge_stderr is set.
inline CommandRun run_command(const std::string& cmd, bool merge_stderr = false) {
  static std::atomic<unsigned> calls{0};
  const std::string err_path = std::string(::testing::TempDir()) + "run_command_err_" + std::to_string(::getpid()) +
                               "_" + std::to_string(calls.fetch_add(1));
  CommandRun r;
  FILE* p = ::popen((cmd + (merge_stderr ? " 2>&1" : " 2>" + err_path)).c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  if (!merge_stderr) {
    std::ifstream e(err_path);
    r.err.assign(std::istreambuf_iterator<char>(e), std::istreambuf_iterator<char>());
    std::remove(err_path.c_str());
  }
  return r;
}

}  // namespace tachyon::test_support
