// Circuit breakers through the tachyon binary: [breaker] of --config turns them on in
// match mode; the replay summary (text and --json) and /metrics count halts by reason,
// resumes and refusals; `ctl halt` / `ctl unhalt` go through the same breakers and a
// journal replay reaches the same state.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <simdjson.h>

#include "../support/run_command.h"
#include "../dataplane/ouch_capture.h"

namespace {

using tachyon::dataplane::testing::enter_order;
using tachyon::dataplane::testing::kMs;
using tachyon::dataplane::testing::kT0;
using tachyon::dataplane::testing::OuchCapture;

const std::string kTachyon = std::string(TACHYON_BINARY_DIR) + "/tachyon";
constexpr int64_t k100 = 1'000'000;  // 100.0000 in Price(4)

using Result = tachyon::test_support::CommandRun;  // stderr merged into out

Result run(const std::string& args, const std::string& prefix = kTachyon + " ") {
  return tachyon::test_support::run_command(prefix + args, /*merge_stderr=*/true);
}

// Starts tachyon with args in the background, stdout to out (or /dev/null); returns its pid.
pid_t spawn(const std::vector<std::string>& args, const std::string& out = "/dev/null") {
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(kTachyon.c_str()));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    if (!std::freopen(out.c_str(), "w", stdout)) std::_Exit(126);
    ::execv(kTachyon.c_str(), argv.data());
    std::_Exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int st = 0;
  ::waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct Breaker {
  bool parsed = false, enabled = false;
  uint64_t band = 0, rate = 0, command = 0, timer = 0, resumed_by_command = 0, refused = 0, halted_at_end = 0;
  std::string book_hash;
};

Breaker breaker_of(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  Breaker b;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS) return b;
  simdjson::dom::element br;
  if (doc["breaker"].get(br) != simdjson::SUCCESS) return b;
  b.parsed = true;
  b.enabled = bool(br["enabled"]);
  b.band = uint64_t(br["halts"]["price_band"]);
  b.rate = uint64_t(br["halts"]["message_rate"]);
  b.command = uint64_t(br["halts"]["command"]);
  b.timer = uint64_t(br["resumes"]["timer"]);
  b.resumed_by_command = uint64_t(br["resumes"]["command"]);
  b.refused = uint64_t(br["rejected_while_halted"]);
  b.halted_at_end = uint64_t(br["halted_at_end"]);
  b.book_hash = std::string(std::string_view(doc["book_hash"]));
  return b;
}

class BreakerCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) / ("breaker_cli_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write_config(const std::string& breaker) {
    const std::string path = (dir_ / "tachyon.toml").string();
    std::ofstream(path) << "[book]\nmax_orders = 65536\nmax_levels = 65536\nmax_symbols = 16\n"
                        << "[match]\nsymbols = [\"AAPL\", \"MSFT\"]\n"
                        << "[risk]\nprice_collar_bps = 1000000\n"  // the breaker, not the collar, acts
                        << "[breaker]\n"
                        << breaker;
    return path;
  }

  // AAPL trades at 100 then 120 (outside a 10 % band): halted; A5 and A6 refused; A8,
  // 60 ms later, after the 50 ms timer. MSFT: seven orders in one 10 ms window, the
  // seventh refused (limit six).
  std::string write_band_and_rate_capture() {
    const std::string path = (dir_ / "band.pcap").string();
    OuchCapture c(path);
    c.send(kT0, enter_order("A1", 'S', 100, "AAPL", k100));
    c.send(kT0 + 1 * kMs, enter_order("A2", 'B', 100, "AAPL", k100));
    c.send(kT0 + 2 * kMs, enter_order("A3", 'S', 100, "AAPL", 12 * k100 / 10));
    c.send(kT0 + 3 * kMs, enter_order("A4", 'B', 100, "AAPL", 12 * k100 / 10));
    c.send(kT0 + 4 * kMs, enter_order("A5", 'B', 10, "AAPL", k100));
    c.send(kT0 + 5 * kMs, enter_order("A6", 'B', 10, "AAPL", k100));
    c.send(kT0 + 60 * kMs, enter_order("A8", 'B', 10, "AAPL", k100));
    for (int i = 1; i <= 7; ++i)
      c.send(kT0 + 100 * kMs + static_cast<uint64_t>(i) * 100'000,
             enter_order("M" + std::to_string(i), 'B', 10, "MSFT", k100 / 2 - i));
    c.close();
    return path;
  }

  std::filesystem::path dir_;
};

constexpr const char* kOn =
    "enabled = true\nprice_band_bps = 1000\nmax_msgs_per_window = 6\nwindow_ms = 10\nresume_after_ms = 50\n";

TEST_F(BreakerCli, SummaryJsonAndMetricsCountHaltsResumesAndRefusals) {
  const std::string capture = write_band_and_rate_capture();
  const std::string cfg = write_config(kOn);
  const Result json = run("replay --mode match --json --config " + cfg + " " + capture);
  ASSERT_EQ(json.status, 0) << json.out;
  const Breaker b = breaker_of(json.out);
  ASSERT_TRUE(b.parsed) << json.out;
  EXPECT_TRUE(b.enabled);
  EXPECT_EQ(b.band, 1u);
  EXPECT_EQ(b.rate, 1u);
  EXPECT_EQ(b.command, 0u);
  EXPECT_EQ(b.timer, 1u);  // AAPL at A8; MSFT stays halted (no later message)
  EXPECT_EQ(b.refused, 3u);  // A5, A6, M7
  EXPECT_EQ(b.halted_at_end, 1u);

  const Result text = run("replay --mode match --config " + cfg + " " + capture);
  ASSERT_EQ(text.status, 0) << text.out;
  EXPECT_NE(text.out.find("breaker    on; halts: 1 price band, 1 message rate, 0 command; resumes: 1 timer, "
                          "0 command; 3 refused while halted; 1 halted at the end"),
            std::string::npos)
      << text.out;

  // Without [breaker] enabled (the default) nothing halts and the books differ.
  const Result off = run("replay --mode match --json --config " + write_config("") + " " + capture);
  const Breaker o = breaker_of(off.out);
  ASSERT_TRUE(o.parsed) << off.out;
  EXPECT_FALSE(o.enabled);
  EXPECT_EQ(o.band + o.rate + o.refused, 0u);
  EXPECT_NE(o.book_hash, b.book_hash);  // A5, A6 and M7 rest there

  // /metrics, served while the replay runs and for a while after it.
  const int port = 20000 + static_cast<int>((::getpid() * 7) % 20000);
  const pid_t pid = spawn({"replay", "--mode", "match", "--config", write_config(kOn), "--metrics-port",
                           std::to_string(port), "--metrics-linger", "20", capture});
  std::string metrics;
  for (int i = 0; i < 300 && metrics.find("tachyon_breaker_resumes_total{by=\"timer\"} 1") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    metrics = run("-s -m 5 http://127.0.0.1:" + std::to_string(port) + "/metrics", "curl ").out;
  }
  ::kill(pid, SIGTERM);
  EXPECT_EQ(wait_exit(pid), 0);
  EXPECT_NE(metrics.find("# TYPE tachyon_breaker_halts_total counter"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tachyon_breaker_halts_total{reason=\"price_band\"} 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tachyon_breaker_halts_total{reason=\"message_rate\"} 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tachyon_breaker_halts_total{reason=\"command\"} 0\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tachyon_breaker_resumes_total{by=\"timer\"} 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tachyon_breaker_rejected_while_halted_total 3\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tachyon_breaker_halted_symbols 1\n"), std::string::npos) << metrics;
}

TEST_F(BreakerCli, OperatorHaltAndUnhaltGoThroughTheBreakerAndTheJournal) {
  // AAPL breaks the band at once and, with resume_after_ms = 0, stays halted until a
  // command; then both symbols get an order every 10 ms for 4 s of capture time.
  const std::string capture = (dir_ / "long.pcap").string();
  {
    OuchCapture c(capture);
    c.send(kT0, enter_order("A1", 'S', 100, "AAPL", k100));
    c.send(kT0 + 1 * kMs, enter_order("A2", 'B', 100, "AAPL", k100));
    c.send(kT0 + 2 * kMs, enter_order("A3", 'S', 100, "AAPL", 15 * k100 / 10));
    c.send(kT0 + 3 * kMs, enter_order("A4", 'B', 100, "AAPL", 15 * k100 / 10));
    for (int i = 0; i < 400; ++i) {
      const uint64_t t = kT0 + 10 * kMs + static_cast<uint64_t>(i) * 10 * kMs;
      c.send(t, enter_order("A" + std::to_string(10 + i), 'B', 1, "AAPL", k100 / 2));
      c.send(t + kMs, enter_order("M" + std::to_string(10 + i), 'B', 1, "MSFT", k100 / 2));
    }
    c.close();
  }
  const std::string cfg = write_config("enabled = true\nprice_band_bps = 1000\nresume_after_ms = 0\n");
  const std::string journal = (dir_ / "j").string();
  const std::string sock = (dir_ / "ctl.sock").string();
  const std::string out = (dir_ / "summary.json").string();
  const pid_t pid = spawn({"replay", "--mode", "match", "--json", "--config", cfg, "--journal", journal, "--ctl", sock,
                           "--speed", "1", capture},
                          out);
  for (int i = 0; i < 3000; ++i) {  // until the replay takes input (at most 30 s)
    std::error_code ec;
    if (std::filesystem::file_size(journal, ec) > 4096 && !ec) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::string ctl = "ctl --socket " + sock + " ";
  EXPECT_EQ(run(ctl + "halt MSFT").out, "ok halt MSFT\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(run(ctl + "unhalt AAPL").out, "ok unhalt AAPL\n");
  EXPECT_EQ(wait_exit(pid), 0);
  const std::string json = slurp(out);
  const Breaker b = breaker_of(json);
  ASSERT_TRUE(b.parsed) << json;
  EXPECT_EQ(b.band, 1u);
  EXPECT_EQ(b.command, 1u);
  EXPECT_EQ(b.resumed_by_command, 1u);  // AAPL's band halt, lifted by the command
  EXPECT_EQ(b.timer, 0u);
  EXPECT_EQ(b.halted_at_end, 1u);  // MSFT
  EXPECT_GT(b.refused, 2u);        // AAPL before the unhalt, MSFT after the halt
  EXPECT_LT(b.refused, 800u);      // AAPL's orders after the unhalt were taken

  // journal dump names the operator's commands and their symbols.
  const Result dump = run("journal dump " + journal);
  ASSERT_EQ(dump.status, 0);
  EXPECT_NE(dump.out.find("command halt MSFT"), std::string::npos);
  EXPECT_NE(dump.out.find("command unhalt AAPL"), std::string::npos);

  // The journal holds the commands at their places: replaying it reaches the same state.
  const Result rebuilt = run("journal replay --json --config " + cfg + " " + journal);
  ASSERT_EQ(rebuilt.status, 0) << rebuilt.out;
  const Breaker r = breaker_of(rebuilt.out);
  ASSERT_TRUE(r.parsed) << rebuilt.out;
  EXPECT_EQ(r.book_hash, b.book_hash);
  EXPECT_EQ(r.band, b.band);
  EXPECT_EQ(r.command, b.command);
  EXPECT_EQ(r.resumed_by_command, b.resumed_by_command);
  EXPECT_EQ(r.refused, b.refused);
  EXPECT_EQ(r.halted_at_end, b.halted_at_end);
  // Without the snapshots, every input and command is re-applied in journal order.
  std::filesystem::remove_all(journal + ".snapshots");
  const Result full = run("journal replay --json --config " + cfg + " " + journal);
  ASSERT_EQ(full.status, 0) << full.out;
  const Breaker f = breaker_of(full.out);
  ASSERT_TRUE(f.parsed) << full.out;
  EXPECT_EQ(f.book_hash, b.book_hash);
  EXPECT_EQ(f.command, b.command);
  EXPECT_EQ(f.resumed_by_command, b.resumed_by_command);
  EXPECT_EQ(f.refused, b.refused);
  EXPECT_EQ(f.halted_at_end, b.halted_at_end);
}

}  // namespace
