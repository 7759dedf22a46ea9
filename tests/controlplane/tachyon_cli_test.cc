// The tachyon binary as users run it: exit codes, one-line errors, --json output, the
// progress line staying off a non-terminal stderr, gen + replay round trips.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>

#include <simdjson.h>

#include "../support/run_command.h"

namespace {

const std::string kTachyon = std::string(TACHYON_BINARY_DIR) + "/tachyon";
const std::string kData = TACHYON_DATA_DIR;

using CliRun = tachyon::test_support::CommandRun;

// Runs tachyon with args, capturing stdout and stderr.
CliRun run(const std::string& args) { return tachyon::test_support::run_command(kTachyon + " " + args); }

// Match mode on two cores: the shapes and policies it refuses, each with exit 2 and a
// line that says why.
TEST(TachyonCli, MatchCoresRefusesShapesItCannotRun) {
  const std::string in = std::string(::testing::TempDir()) + "cli_match_cores_" + std::to_string(::getpid()) + ".pcap";
  ASSERT_EQ(run("gen --mode match --messages 2000 -o " + in).status, 0);
  const CliRun three = run("replay --mode match --cores 3 " + in);
  EXPECT_EQ(three.status, 2);
  EXPECT_NE(three.err.find("gateway core and the matching core"), std::string::npos) << three.err;
  const CliRun drop = run("replay --mode match --cores 2 --backpressure drop " + in);
  EXPECT_EQ(drop.status, 2);
  EXPECT_NE(drop.err.find("unanswered"), std::string::npos) << drop.err;
  const CliRun alone = run("replay --mode match --backpressure reject " + in);
  EXPECT_EQ(alone.status, 2);
  EXPECT_NE(alone.err.find("--mode match --cores 2"), std::string::npos) << alone.err;
  const CliRun odd = run("replay --mode match --cores 2 --ring-capacity 1000 " + in);
  EXPECT_EQ(odd.status, 1);
  EXPECT_NE(odd.err.find("power of two"), std::string::npos) << odd.err;
  // And the shape it runs: the text summary has the ring's line.
  const CliRun ok = run("replay --mode match --cores 2 --backpressure reject " + in);
  ASSERT_EQ(ok.status, 0) << ok.err;
  EXPECT_NE(ok.out.find("input ring"), std::string::npos) << ok.out;
  std::remove(in.c_str());
}

// SIGINT during a paced match replay, on one core and on two: input stops, what was
// read is applied and answered, the summary says it stopped early, exit 0.
TEST(TachyonCli, MatchReplayStopsCleanlyOnSigint) {
  const std::string in = std::string(::testing::TempDir()) + "cli_sigint_" + std::to_string(::getpid()) + ".pcap";
  ASSERT_EQ(run("gen --mode match --messages 300000 -o " + in).status, 0);
  const CliRun whole = run("replay --mode match --json " + in);
  ASSERT_EQ(whole.status, 0) << whole.err;
  simdjson::dom::parser parser;
  simdjson::dom::element all;
  ASSERT_EQ(parser.parse(whole.out).get(all), simdjson::SUCCESS) << whole.out;
  const uint64_t total = uint64_t(all["messages"]);
  EXPECT_TRUE(all["stopped"].error() == simdjson::NO_SUCH_FIELD);
  for (const char* cores : {"1", "2"}) {
    SCOPED_TRACE(cores);
    // timeout sends SIGINT after 6 s (start-up takes a few seconds under ASan) of a
    // replay paced at 1/20 of capture speed: the capture's 16 s then take 320 s.
    const CliRun r = tachyon::test_support::run_command("timeout --preserve-status -s INT 6 " + kTachyon +
                                                        " replay --mode match --speed 0.05 --json --cores " + cores +
                                                        " " + in);
    ASSERT_EQ(r.status, 0) << r.err;
    simdjson::dom::parser p;
    simdjson::dom::element doc;
    ASSERT_EQ(p.parse(r.out).get(doc), simdjson::SUCCESS) << r.out;
    EXPECT_TRUE(bool(doc["stopped"]));
    const uint64_t n = uint64_t(doc["messages"]);
    EXPECT_GT(n, 0u);
    EXPECT_LT(n, total);
    // Every message read was answered: accepted + rejected covers every O.
    uint64_t enter = 0;
    ASSERT_EQ(doc["messages_by_type"]["O"].get(enter), simdjson::SUCCESS) << r.out;
    EXPECT_EQ(uint64_t(doc["reports"]["accepted"]) + uint64_t(doc["reports"]["rejected"]), enter);
  }
  std::remove(in.c_str());
}

TEST(TachyonCli, JsonSummaryOfTheItchSampleHasTheDocumentedFields) {
  const CliRun r = run("replay --json " + kData + "/itch/ex20101224.TEST_ITCH_50");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");  // no progress line when stderr is not a terminal
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(r.out).get(doc), simdjson::SUCCESS) << r.out;
  EXPECT_EQ(uint64_t(doc["messages"]), 12'012u);
  EXPECT_EQ(uint64_t(doc["messages_by_type"]["A"]), 4'997u);
  EXPECT_EQ(uint64_t(doc["unknown_refs"]), 117u);
  EXPECT_EQ(uint64_t(doc["live_orders"]), 3'204u);
  EXPECT_EQ(uint64_t(doc["gaps"]), 0u);
  EXPECT_EQ(uint64_t(doc["malformed"]), 0u);
  EXPECT_EQ(std::string_view(doc["book_hash"]).size(), 16u);
  EXPECT_GT(double(doc["msgs_per_s"]), 0.0);
  for (const char* k : {"p50", "p99", "p999", "max"}) EXPECT_TRUE(doc["latency_ns"][k].is_uint64()) << k;
  EXPECT_LE(uint64_t(doc["latency_ns"]["p50"]), uint64_t(doc["latency_ns"]["max"]));
}

TEST(TachyonCli, UnreadableAndUnrecognisedFilesExitNonZeroWithOneLine) {
  const CliRun missing = run("replay /nonexistent/capture.pcap");
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.err.find("/nonexistent/capture.pcap"), std::string::npos) << missing.err;
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1) << missing.err;

  const std::string text = std::string(::testing::TempDir()) + "cli_text_" + std::to_string(::getpid());
  {
    std::ofstream out(text);
    out << "not a capture\n";
  }
  const CliRun bad = run("replay " + text);
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find(text + ": offset 0: unrecognised format"), std::string::npos) << bad.err;
  std::remove(text.c_str());

  EXPECT_EQ(run("replay --speed fast " + kData + "/itch/ex20101224.TEST_ITCH_50").status, 2);
  EXPECT_EQ(run("frobnicate").status, 2);
}

TEST(TachyonCli, GenThenReplayPrintsTheBookAndLobsterRows) {
  const std::string cap = std::string(::testing::TempDir()) + "cli_feed_" + std::to_string(::getpid()) + ".pcap";
  const CliRun g = run("gen --mode feed --messages 5000 --symbols 2 --seed 3 -o " + cap);
  ASSERT_EQ(g.status, 0) << g.err;
  EXPECT_NE(g.out.find("wrote " + cap), std::string::npos) << g.out;
  const CliRun r = run("replay --symbol AAPL --depth 3 " + cap);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("AAPL: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("latency    ns per message"), std::string::npos) << r.out;
  const CliRun rows = run("replay --format lobster --symbol MSFT --depth 2 " + cap);
  ASSERT_EQ(rows.status, 0) << rows.err;
  // Each row: 2 levels x (ask price, ask size, bid price, bid size).
  std::size_t lines = 0, pos = 0;
  while ((pos = rows.out.find('\n', pos)) != std::string::npos) ++lines, ++pos;
  EXPECT_GT(lines, 100u);
  const std::string first = rows.out.substr(0, rows.out.find('\n'));
  EXPECT_EQ(std::count(first.begin(), first.end(), ','), 7) << first;
  std::remove(cap.c_str());
}

}  // namespace
