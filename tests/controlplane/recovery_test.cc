// Crash recovery and operator control, end to end through the tachyon binary: a
// journaled match-mode replay killed with SIGKILL at many points resumes from its
// latest snapshot and journal and ends with the same books and positions as a run that
// was never interrupted; a damaged journal tail is cut and reported; the journal tools
// (verify, dump --json, replay) agree with the run; the control socket pauses, halts,
// kills, snapshots and stops a running replay, and its run states are observable.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <simdjson.h>

#include "../support/run_command.h"
#include "../dataplane/ouch_capture.h"
#include "tachyon/controlplane/journal_reader.h"
#include "tachyon/controlplane/snapshot_store.h"

namespace {

const std::string kTachyon = std::string(TACHYON_BINARY_DIR) + "/tachyon";

using Result = tachyon::test_support::CommandRun;  // stderr merged into out

Result run(const std::string& args) { return tachyon::test_support::run_command(kTachyon + " " + args, /*merge_stderr=*/true); }

// Starts tachyon with args in the background; returns its pid.
pid_t spawn(const std::vector<std::string>& args) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(kTachyon.c_str()));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::freopen("/dev/null", "w", stdout);
    ::execv(kTachyon.c_str(), argv.data());
    std::_Exit(127);
  }
  return pid;
}

struct Hashes {
  std::string book, positions;
  uint64_t live = 0;
};

Hashes hashes(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  Hashes h;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS) return h;
  h.book = std::string(std::string_view(doc["book_hash"]));
  h.positions = std::string(std::string_view(doc["positions_hash"]));
  h.live = uint64_t(doc["live_orders"]);
  return h;
}

// Waits until the journal at path holds records (the replay is past start-up and into
// its input), at most 30 s.
void wait_for_input(const std::string& path) {
  for (int i = 0; i < 3000; ++i) {
    std::error_code ec;
    if (std::filesystem::file_size(path, ec) > 4096 && !ec) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Input records in the journal at path so far (0 while it cannot be read yet): how far
// a running replay has got.
uint64_t journaled_inputs(const std::string& path) {
  try {
    return tachyon::controlplane::scan_journal(path).by_type[1];
  } catch (const std::exception&) {
    return 0;
  }
}

// Polls cond every 10 ms for up to seconds; true when it held.
template <class F>
bool wait_until(F&& cond, int seconds = 30) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!cond()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

constexpr uint64_t kSec = 1'000'000'000;
constexpr int64_t k100 = 1'000'000;  // 100.0000 in Price(4)

// One client's orders in three groups, 3 s of capture time apart, so that a replay at
// --speed 1 waits between them and the test can act in the gaps:
//   t=0   O1 buy 10 @ 100, O2 buy 10 @ 99        (rest)
//   t=3s  O3 buy 10 @ 98, X O1, U O2 -> O2R       (while paused: O3 and O2R refused, the cancel passes)
//   t=6s  O4 buy 10 @ 97                          (after resume: rests)
void write_paced_orders(const std::string& path) {
  using tachyon::dataplane::testing::cancel_order;
  using tachyon::dataplane::testing::enter_order;
  using tachyon::dataplane::testing::kT0;
  using tachyon::dataplane::testing::replace_order;
  tachyon::dataplane::testing::OuchCapture c(path);
  c.send(kT0, enter_order("O1", 'B', 10, "AAPL", k100));
  c.send(kT0, enter_order("O2", 'B', 10, "AAPL", 99 * k100 / 100));
  c.send(kT0 + 3 * kSec, enter_order("O3", 'B', 10, "AAPL", 98 * k100 / 100));
  c.send(kT0 + 3 * kSec, cancel_order("O1"));
  c.send(kT0 + 3 * kSec, replace_order("O2", "O2R", 5, 99 * k100 / 100));
  c.send(kT0 + 6 * kSec, enter_order("O4", 'B', 10, "AAPL", 97 * k100 / 100));
  c.close();
}

Result curl(const std::string& args) {
  Result r;
  FILE* p = ::popen(("curl -s -m 5 " + args).c_str(), "r");
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  r.status = ::pclose(p);
  return r;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class Recovery : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) / ("recovery_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    capture_ = (dir_ / "m.pcap").string();
    ASSERT_EQ(run("gen --mode match --messages 30000 --symbols 3 --seed 11 -o " + capture_).status, 0);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  std::string capture_;
};

TEST_F(Recovery, KilledRunsResumeToTheSameBooksAndPositions) {
  const Result plain = run("replay --mode match --json " + capture_);
  ASSERT_EQ(plain.status, 0) << plain.out;
  const Hashes want = hashes(plain.out);
  ASSERT_FALSE(want.book.empty()) << plain.out;

  std::mt19937 rng(20261125);
  int resumed_mid_run = 0;
  for (int k = 0; k < 6; ++k) {
    const std::string journal = (dir_ / ("j" + std::to_string(k))).string();
    // Paced at capture speed, the flow's burst (99% of it in its first second) is
    // replayed over about a second once input starts: kill it somewhere in there.
    const pid_t pid = spawn({"replay", "--mode", "match", "--journal", journal, "--snapshot-every", "2000", "--speed",
                             "1", "--fsync", "none", capture_});
    wait_for_input(journal);  // past start-up, however slow the machine
    const int delay_ms = std::uniform_int_distribution<int>(0, 900)(rng);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ::kill(pid, SIGKILL);
    int st = 0;
    ::waitpid(pid, &st, 0);
    const Result resumed = run("replay --mode match --json --journal " + journal + " --snapshot-every 2000 " + capture_);
    ASSERT_EQ(resumed.status, 0) << resumed.out;
    const Hashes got = hashes(resumed.out);
    EXPECT_EQ(got.book, want.book) << "kill after " << delay_ms << " ms";
    EXPECT_EQ(got.positions, want.positions) << "kill after " << delay_ms << " ms";
    EXPECT_EQ(got.live, want.live);
    if (resumed.out.find("\"skipped_replayed\":0,") == std::string::npos) ++resumed_mid_run;
  }
  // Most kill points land while the replay is still taking input.
  EXPECT_GE(resumed_mid_run, 3);
}

TEST_F(Recovery, TornAndCorruptJournalTailsAreReportedAndCut) {
  const std::string journal = (dir_ / "j").string();
  ASSERT_EQ(run("replay --mode match --journal " + journal + " --snapshot-every 0 " + capture_).status, 0);
  const Result plain = run("replay --mode match --json " + capture_);
  // A torn last write: bytes of a record that never finished.
  {
    std::ofstream out(journal, std::ios::binary | std::ios::app);
    out.write("\x40\x00\x00\x00garbage", 11);
  }
  const Result verify = run("journal verify " + journal);
  EXPECT_EQ(verify.status, 1);
  EXPECT_NE(verify.out.find("BAD TAIL"), std::string::npos) << verify.out;
  EXPECT_NE(verify.out.find("truncated record"), std::string::npos) << verify.out;
  // Without its snapshots, recovery replays the journal from the start and cuts the tail.
  std::filesystem::remove_all(journal + ".snapshots");
  const Result resumed = run("replay --mode match --journal " + journal + " " + capture_);
  ASSERT_EQ(resumed.status, 0) << resumed.out;
  EXPECT_NE(resumed.out.find("cut a bad tail"), std::string::npos) << resumed.out;
  EXPECT_EQ(run("journal verify " + journal).status, 0);
  // A flipped byte in the middle: the CRC catches it.
  const auto size = std::filesystem::file_size(journal);
  {
    std::fstream f(journal, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(size / 2));
    const char c = static_cast<char>(f.peek());
    f.put(static_cast<char>(c ^ 0x5a));
  }
  const Result bad = run("journal verify --json " + journal);
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.out.find("CRC32C mismatch"), std::string::npos) << bad.out;
  EXPECT_NE(plain.out.find("book_hash"), std::string::npos);
}

// Two cores under reject with a two-record ring and a slow matching core: the orders
// refused busy are journaled as `refused` records. A rerun against the journal resumes
// to the same books and positions, and `journal replay` rebuilds them from the
// journal alone (each refusal answered again, muted, so the reply sequences match).
TEST_F(Recovery, TwoCoreBusyRefusalsAreJournaledAndRecovered) {
  const std::string journal = (dir_ / "j").string();
  const std::string cmd = "replay --mode match --json --cores 2 --backpressure reject --ring-capacity 2 "
                          "--slow-ns 2000 --journal " + journal + " --snapshot-every 5000 " + capture_;
  const Result live = run(cmd);
  ASSERT_EQ(live.status, 0) << live.out;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const std::size_t brace = live.out.find('{');
  ASSERT_NE(brace, std::string::npos) << live.out;
  ASSERT_EQ(parser.parse(live.out.substr(brace)).get(doc), simdjson::SUCCESS) << live.out;
  const uint64_t busy = uint64_t(doc["refused"]["busy"]);
  EXPECT_GT(busy, 0u);
  EXPECT_EQ(uint64_t(doc["input_ring"]["refused"]), busy);

  const Result verify = run("journal verify --json " + journal);
  ASSERT_EQ(verify.status, 0) << verify.out;
  simdjson::dom::parser vp;
  simdjson::dom::element v;
  ASSERT_EQ(vp.parse(verify.out).get(v), simdjson::SUCCESS) << verify.out;
  EXPECT_EQ(uint64_t(v["refused"]), busy);

  const Result rebuilt = run("journal replay --json " + journal);
  ASSERT_EQ(rebuilt.status, 0) << rebuilt.out;
  EXPECT_EQ(hashes(rebuilt.out).book, hashes(live.out).book);
  EXPECT_EQ(hashes(rebuilt.out).positions, hashes(live.out).positions);
  const Result resumed = run(cmd);
  ASSERT_EQ(resumed.status, 0) << resumed.out;
  EXPECT_EQ(hashes(resumed.out).book, hashes(live.out).book);
  EXPECT_EQ(hashes(resumed.out).positions, hashes(live.out).positions);
}

TEST_F(Recovery, JournalReplayRebuildsTheBooksWithoutTheCapture) {
  const std::string journal = (dir_ / "j").string();
  const Result live = run("replay --mode match --json --journal " + journal + " --snapshot-every 5000 " + capture_);
  ASSERT_EQ(live.status, 0) << live.out;
  const Result rebuilt = run("journal replay --json " + journal);
  ASSERT_EQ(rebuilt.status, 0) << rebuilt.out;
  EXPECT_EQ(hashes(rebuilt.out).book, hashes(live.out).book);
  EXPECT_EQ(hashes(rebuilt.out).positions, hashes(live.out).positions);
  const Result dump = run("journal dump --limit 3 " + journal);
  EXPECT_NE(dump.out.find("input    client 0"), std::string::npos) << dump.out;

  // dump --json: one JSON object per record, in sequence order, agreeing with verify.
  const Result verify = run("journal verify --json " + journal);
  ASSERT_EQ(verify.status, 0) << verify.out;
  simdjson::dom::parser vp;
  simdjson::dom::element v;
  ASSERT_EQ(vp.parse(verify.out).get(v), simdjson::SUCCESS) << verify.out;
  const Result json = run("journal dump --json " + journal);
  ASSERT_EQ(json.status, 0);
  std::istringstream lines(json.out);
  std::string line;
  uint64_t n = 0, inputs = 0, outcomes = 0, commands = 0, orders = 0;
  while (std::getline(lines, line)) {
    simdjson::dom::parser parser;
    simdjson::dom::element rec;
    ASSERT_EQ(parser.parse(line).get(rec), simdjson::SUCCESS) << line;
    ++n;
    ASSERT_EQ(uint64_t(rec["seq"]), n) << line;  // 1, 2, 3, ... with no gap
    const std::string_view type = rec["type"];
    const std::string_view what = rec["what"];
    EXPECT_GT(uint64_t(rec["bytes"]), 0u) << line;
    if (type == "input") {
      ++inputs;
      EXPECT_EQ(what.rfind("client " + std::to_string(uint64_t(rec["stream"])) + " seq ", 0), 0u) << line;
      if (what.find("OUCH 'O'") != std::string_view::npos) ++orders;
    } else if (type == "outcome") {
      ++outcomes;
      EXPECT_TRUE(what.find("datagram") != std::string_view::npos) << line;
    } else if (type == "command") {
      ++commands;
      EXPECT_EQ(what.rfind("command ", 0), 0u) << line;
    } else {
      ADD_FAILURE() << "unexpected record type: " << line;
    }
  }
  EXPECT_EQ(n, uint64_t(v["records"]));
  EXPECT_EQ(inputs, uint64_t(v["inputs"]));
  EXPECT_EQ(outcomes, uint64_t(v["outcomes"]));
  EXPECT_EQ(commands, uint64_t(v["commands"]));
  simdjson::dom::parser lp;
  simdjson::dom::element l;
  ASSERT_EQ(lp.parse(live.out).get(l), simdjson::SUCCESS);
  EXPECT_EQ(inputs, uint64_t(l["messages"]));              // every message was journaled
  EXPECT_EQ(orders, uint64_t(l["messages_by_type"]["O"]));  // and named by its OUCH type
  EXPECT_GE(commands, 1u);                                 // the client's address, at least
}

TEST_F(Recovery, ControlSocketPausesHaltsKillsAndStops) {
  const std::string journal = (dir_ / "j").string();
  const std::string sock = (dir_ / "ctl.sock").string();
  const std::string out = (dir_ / "summary.json").string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::freopen(out.c_str(), "w", stdout);
    ::execl(kTachyon.c_str(), kTachyon.c_str(), "replay", "--mode", "match", "--json", "--journal", journal.c_str(),
            "--ctl", sock.c_str(), "--speed", "0.02", capture_.c_str(), static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  // Paced at 1/50 of capture speed, the flow's burst lasts several seconds: commands
  // land while orders still arrive, however slowly the machine starts the replay.
  wait_for_input(journal);
  ASSERT_TRUE(std::filesystem::exists(sock));
  const std::string ctl = "ctl --socket " + sock + " ";
  EXPECT_NE(run(ctl + "status").out.find("\"state\":\"running\""), std::string::npos);
  EXPECT_EQ(run(ctl + "pause").out, "ok pause\n");
  EXPECT_NE(run(ctl + "status").out.find("\"state\":\"paused\""), std::string::npos);
  EXPECT_EQ(run(ctl + "pause").status, 1);  // not while paused
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(run(ctl + "resume").out, "ok resume\n");
  EXPECT_EQ(run(ctl + "halt MSFT").out, "ok halt MSFT\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(run(ctl + "kill").out, "ok kill\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(run(ctl + "frobnicate").status, 1);
  EXPECT_EQ(run(ctl + "stop").out, "ok stop\n");
  int st = 0;
  ::waitpid(pid, &st, 0);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 0);  // a stop is a clean shutdown
  std::ifstream in(out);
  const std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_GE(uint64_t(doc["commands"]), 4u);          // pause, resume, halt, kill
  EXPECT_EQ(uint64_t(doc["live_orders"]), 0u);       // the kill switch canceled every open order
  EXPECT_GT(uint64_t(doc["reports"]["rejected"]), 0u);  // paused, halted and killed refusals
  // The journal recorded the commands: a journal replay ends in the same state.
  const Result rebuilt = run("journal replay --json " + journal);
  ASSERT_EQ(rebuilt.status, 0) << rebuilt.out;
  EXPECT_EQ(hashes(rebuilt.out).book, std::string(std::string_view(doc["book_hash"])));
}

TEST_F(Recovery, HttpControlAndPositionGaugesOnTheMetricsEndpoint) {
  const std::string journal = (dir_ / "j").string();
  const std::string sock = (dir_ / "ctl.sock").string();
  const int port = 20000 + static_cast<int>(::getpid() % 20000);
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  const pid_t pid = spawn({"replay", "--mode", "match", "--journal", journal, "--ctl", sock, "--metrics-port",
                           std::to_string(port), "--speed", "0.02", capture_});
  wait_for_input(journal);
  std::string metrics;
  for (int i = 0; i < 100 && metrics.find("tachyon_position_gross_shares{session=") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    metrics = curl(base + "/metrics").out;
  }
  EXPECT_NE(metrics.find("tachyon_position_net_shares{session=\"0\"}"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tachyon_realized_pnl_price4{session=\"0\"} "), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tachyon_unrealized_pnl_price4{session=\"0\"} "), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tachyon_journal_durable_records "), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tachyon_engine_paused 0"), std::string::npos) << metrics;
  EXPECT_EQ(curl("-X POST " + base + "/control/pause").out, "ok pause\n");
  EXPECT_EQ(curl("-o /dev/null -w %{http_code} -X POST " + base + "/control/frobnicate").out, "400");
  std::string paused;
  for (int i = 0; i < 100 && paused.find("tachyon_engine_paused 1") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    paused = curl(base + "/metrics").out;
  }
  EXPECT_NE(paused.find("tachyon_engine_paused 1"), std::string::npos);
  EXPECT_EQ(curl("-X POST " + base + "/control/stop").out, "ok stop\n");
  int st = 0;
  ::waitpid(pid, &st, 0);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 0);
}

TEST_F(Recovery, ConfigurationReloadsReachTheRunningEngine) {
  const std::string journal = (dir_ / "j").string();
  const std::string sock = (dir_ / "ctl.sock").string();
  const std::string cfg = (dir_ / "tachyon.toml").string();
  const std::string out = (dir_ / "summary.txt").string();
  auto write_cfg = [&](const std::string& extra, int max_orders = 1048576) {
    std::ofstream(cfg + ".tmp") << "[book]\nmax_orders = " << max_orders << "\nmax_levels = 1048576\nmax_symbols = 16\n"
                                << extra;
    std::filesystem::rename(cfg + ".tmp", cfg);  // as editors do: the watcher sees the rename
  };
  write_cfg("[risk]\nmax_order_qty = 1000000\n");
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::freopen(out.c_str(), "w", stdout);
    ::execl(kTachyon.c_str(), kTachyon.c_str(), "replay", "--mode", "match", "--config", cfg.c_str(), "--journal",
            journal.c_str(), "--ctl", sock.c_str(), "--speed", "0.02", capture_.c_str(), static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  wait_for_input(journal);
  write_cfg("[risk]\nmax_order_qty = 1\n");  // live: every order above one share is refused
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  write_cfg("[risk]\nmax_order_qty = 1\n", 1024);  // pool sizes are not live: refused
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(run("ctl --socket " + sock + " stop").out, "ok stop\n");
  int st = 0;
  ::waitpid(pid, &st, 0);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 0);
  std::ifstream in(out);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("reload applied"), std::string::npos) << text;
  EXPECT_NE(text.find("reload refused: book.max_orders: cannot change while running"), std::string::npos) << text;
  const std::size_t rr = text.find(" risk rejects");
  ASSERT_NE(rr, std::string::npos) << text;
  EXPECT_NE(text.substr(text.rfind(';', rr) + 2, 2), "0 ") << text;  // some orders were refused
}

// The run states, end to end: status, /healthz and the summary show init -> running ->
// paused -> running -> stopping -> stopped, and while paused new orders and replaces
// are refused with OUCH reject 'C' and counted, while a cancel is accepted.
TEST_F(Recovery, PauseRefusesNewOrdersAcceptsCancelsAndTheRunStatesAreObservable) {
  const std::string capture = (dir_ / "paced.pcap").string();
  write_paced_orders(capture);
  const std::string journal = (dir_ / "j").string();
  const std::string sock = (dir_ / "ctl.sock").string();
  const std::string summary = (dir_ / "summary.json").string();
  const std::string out = (dir_ / "out.pcap").string();
  const int port = 40000 + static_cast<int>(::getpid() % 20000);
  const std::string health = "http://127.0.0.1:" + std::to_string(port) + "/healthz";
  const std::string port_arg = std::to_string(port);
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::freopen(summary.c_str(), "w", stdout);
    ::execl(kTachyon.c_str(), kTachyon.c_str(), "replay", "--mode", "match", "--json", "--symbols", "AAPL", "--journal",
            journal.c_str(), "--ctl", sock.c_str(), "--metrics-port", port_arg.c_str(), "--speed", "1", "--fsync",
            "none", "--out", out.c_str(), capture.c_str(), static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  const std::string ctl = "ctl --socket " + sock + " ";
  // O1 and O2 are in; the core waits 3 s of capture time for the next group.
  ASSERT_TRUE(wait_until([&] { return journaled_inputs(journal) >= 2; }));
  std::string status = run(ctl + "status").out;
  EXPECT_NE(status.find("\"state\":\"running\""), std::string::npos) << status;
  EXPECT_NE(status.find("\"states\":[\"init\",\"running\"]"), std::string::npos) << status;
  std::string h;
  ASSERT_TRUE(wait_until([&] { return (h = curl(health).out).find("\"engine\":\"running\"") != std::string::npos; }))
      << h;

  EXPECT_EQ(run(ctl + "pause").out, "ok pause\n");
  ASSERT_EQ(journaled_inputs(journal), 2u) << "the machine was too slow: the next group came before the pause";
  status = run(ctl + "status").out;
  EXPECT_NE(status.find("\"state\":\"paused\""), std::string::npos) << status;
  EXPECT_NE(status.find("\"states\":[\"init\",\"running\",\"paused\"]"), std::string::npos) << status;
  h = curl(health).out;
  EXPECT_NE(h.find("\"engine\":\"paused\""), std::string::npos) << h;
  EXPECT_EQ(run(ctl + "pause").out.rfind("error: cannot pause while paused", 0), 0u);

  // The second group arrives while paused.
  ASSERT_TRUE(wait_until([&] { return journaled_inputs(journal) >= 5; }));
  EXPECT_EQ(run(ctl + "resume").out, "ok resume\n");
  ASSERT_EQ(journaled_inputs(journal), 5u) << "the machine was too slow: O4 came before the resume";
  status = run(ctl + "status").out;
  EXPECT_NE(status.find("\"states\":[\"init\",\"running\",\"paused\",\"running\"]"), std::string::npos)
      << status;

  // O4, then the end of the input: stopping (drain, snapshot, journal flush), stopped.
  int st = 0;
  ::waitpid(pid, &st, 0);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 0);
  const std::string json = read_text(summary);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  std::vector<std::string> states;
  for (const simdjson::dom::element e : doc["durable"]["engine_states"].get_array())
    states.emplace_back(std::string_view(e));
  EXPECT_EQ(states, (std::vector<std::string>{"init", "running", "paused", "running", "stopping", "stopped"}));
  EXPECT_EQ(uint64_t(doc["refused"]["paused"]), 2u);  // O3 and the replace O2 -> O2R
  EXPECT_EQ(uint64_t(doc["reports"]["rejected"]), 2u);
  EXPECT_EQ(uint64_t(doc["reports"]["canceled"]), 1u);  // X O1, while paused
  EXPECT_EQ(uint64_t(doc["reports"]["accepted"]), 3u);  // O1, O2, O4
  EXPECT_EQ(uint64_t(doc["commands"]), 2u);             // pause, resume
  // On the wire: the refusals carry 'C', O1 got its Canceled, O4 its Accepted.
  std::vector<std::string> got;
  for (const tachyon::dataplane::testing::OuchReply& r : tachyon::dataplane::testing::read_replies(out))
    got.push_back(std::string(1, r.type) + ":" + r.token + (r.reason ? std::string(":") + r.reason : ""));
  EXPECT_EQ(got, (std::vector<std::string>{"A:O1", "A:O2", "J:O3:C", "C:O1:U", "J:O2R:C", "A:O4"}));
}

// Snapshots on command and at shutdown: `ctl snapshot` writes one while the replay runs,
// `ctl stop` ends it with another; both are files a recovery can use, and the summary
// counts them.
TEST_F(Recovery, CtlSnapshotAndTheShutdownSnapshotWriteSnapshotFiles) {
  const std::string capture = (dir_ / "paced.pcap").string();
  write_paced_orders(capture);
  const std::string journal = (dir_ / "j").string();
  const std::string snapdir = journal + ".snapshots";
  const std::string sock = (dir_ / "ctl.sock").string();
  const std::string summary = (dir_ / "summary.json").string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::freopen(summary.c_str(), "w", stdout);
    ::execl(kTachyon.c_str(), kTachyon.c_str(), "replay", "--mode", "match", "--json", "--journal", journal.c_str(),
            "--ctl", sock.c_str(), "--snapshot-every", "0", "--speed", "1", "--fsync", "none", capture.c_str(),
            static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  auto snapshots = [&] {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(snapdir, ec))
      if (e.path().extension() == ".tsnap") names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  };
  ASSERT_TRUE(wait_until([&] { return journaled_inputs(journal) >= 2; }));
  EXPECT_TRUE(snapshots().empty());  // --snapshot-every 0: none until asked
  EXPECT_EQ(run("ctl --socket " + sock + " snapshot").out, "ok snapshot\n");
  // The core takes it before its next input (capture time 3 s).
  ASSERT_TRUE(wait_until([&] { return snapshots().size() == 1; }));
  EXPECT_EQ(run("ctl --socket " + sock + " stop").out, "ok stop\n");
  int st = 0;
  ::waitpid(pid, &st, 0);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 0);
  const std::vector<std::string> names = snapshots();
  ASSERT_EQ(names.size(), 2u);
  const std::string json = read_text(summary);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(uint64_t(doc["snapshots"]), 2u);
  // Each is valid and covers the journal up to its point; the shutdown one covers all of it.
  const tachyon::controlplane::JournalScan scan = tachyon::controlplane::scan_journal(journal);
  std::vector<std::string> problems;
  const auto newest = tachyon::controlplane::latest_snapshot(snapdir, scan.last_seq, problems);
  ASSERT_TRUE(newest.has_value());
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(newest->covers_seq, scan.last_seq) << newest->path;
  const auto first = tachyon::controlplane::latest_snapshot(snapdir, newest->covers_seq - 1, problems);
  ASSERT_TRUE(first.has_value());
  EXPECT_LT(first->covers_seq, newest->covers_seq);
  // A restart resumes from the shutdown snapshot.
  const Result resumed = run("replay --mode match --journal " + journal + " " + capture);
  ASSERT_EQ(resumed.status, 0) << resumed.out;
  EXPECT_NE(resumed.out.find("from " + newest->path), std::string::npos) << resumed.out;
}

}  // namespace
