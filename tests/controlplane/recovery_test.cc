// Crash recovery and operator control, end to end through the tachyon binary: a
// journaled match-mode replay killed with SIGKILL at many points resumes from its
// latest snapshot and journal and ends with the same books and positions as a run that
// was never interrupted; a damaged journal tail is cut and reported; the control socket
// pauses, halts, kills and stops a running replay.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <simdjson.h>

namespace {

const std::string kTachyon = std::string(TACHYON_BINARY_DIR) + "/tachyon";

struct Result {
  int status = -1;
  std::string out;
};

Result run(const std::string& args) {
  Result r;
  FILE* p = ::popen((kTachyon + " " + args + " 2>&1").c_str(), "r");
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

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
  auto curl = [](const std::string& args) {
    Result r;
    FILE* p = ::popen(("curl -s -m 5 " + args).c_str(), "r");
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    r.status = ::pclose(p);
    return r;
  };
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

}  // namespace
