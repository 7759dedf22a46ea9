// tachyon replay --profile/--csv, tachyon report and tachyon report --compare as users
// run them: the profile of the ITCH sample, the HTML report rendered by headless
// Debian chromium into a screenshot that must show plots (not a blank page), and the
// regression check failing on a deliberately slowed run and passing on an equal one.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <simdjson.h>

#include "../support/run_command.h"

namespace {

const std::string kTachyon = std::string(TACHYON_BINARY_DIR) + "/tachyon";
const std::string kData = TACHYON_DATA_DIR;
const std::string kSource = TACHYON_SOURCE_DIR;
const std::string kItch = kData + "/itch/ex20101224.TEST_ITCH_50";

using CliRun = tachyon::test_support::CommandRun;

CliRun run(const std::string& cmd) { return tachyon::test_support::run_command(cmd); }

class ProfileCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::string(::testing::TempDir()) + "profile_cli_" + std::to_string(::getpid());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::string dir_;
};

// Screenshots url with headless chromium; returns png_stats.py's JSON.
std::string screenshot_stats(const std::string& html, const std::string& png, const std::string& size) {
  char tmpl[] = "/tmp/tachyon-chromium-XXXXXX";
  const char* profile_dir = ::mkdtemp(tmpl);
  if (profile_dir == nullptr) return "";
  const CliRun shot = run("timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                       "--disable-background-networking --disable-component-update --disable-sync "
                       "--hide-scrollbars --user-data-dir=" + std::string(profile_dir) + " --window-size=" + size +
                       " --screenshot=" + png + " file://" + html);
  std::filesystem::remove_all(profile_dir);
  if (!std::filesystem::exists(png)) {
    ADD_FAILURE() << "chromium wrote no screenshot (is the Debian package 'chromium' installed? "
                     "scripts/install-deps.sh installs it): " << shot.err;
    return "";
  }
  return run("python3 " + kSource + "/tests/controlplane/png_stats.py " + png).out;
}

TEST_F(ProfileCli, ProfileAndCsvOfTheItchSampleHoldEveryStage) {
  const CliRun r = run(kTachyon + " replay --json --profile " + path("p.json") + " --csv " + path("csv") + " " + kItch);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("profile: " + path("p.json")), std::string::npos) << r.err;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.load(path("p.json")).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(uint64_t(doc["tachyon_profile"]), 1u);
  EXPECT_EQ(uint64_t(doc["totals"]["messages"]), 12'012u);
  EXPECT_EQ(std::string_view(doc["run"]["mode"]), "feed");
  EXPECT_GT(double(doc["totals"]["bytes_per_order"]), 0.0);
  std::size_t stages = 0;
  for (simdjson::dom::element s : doc["stages"].get_array()) {
    ++stages;
    const std::string_view name = s["name"];
    if (name == "message" || name == "rx_decode" || name == "decode_book" || name == "book_tx" || name == "wire_to_wire") {
      EXPECT_EQ(uint64_t(s["count"]), 12'012u) << name;
    }
    EXPECT_LE(uint64_t(s["p50"]), uint64_t(s["p99"])) << name;
    EXPECT_LE(uint64_t(s["p99"]), uint64_t(s["max"])) << name;
  }
  EXPECT_EQ(stages, 9u);
  EXPECT_GE(doc["memory"]["samples"].get_array().size(), 2u);
  EXPECT_GE(doc["threads"].get_array().size(), 1u);
#if defined(__SANITIZE_ADDRESS__)
  EXPECT_EQ(std::string_view(doc["run"]["allocator"]), "sanitizer");
#else
  // The appliance links jemalloc: its statistics and the replay thread's allocation
  // counter are in the profile.
  EXPECT_EQ(std::string_view(doc["run"]["allocator"]), "jemalloc");
  EXPECT_TRUE(bool(doc["totals"]["allocations_counted"]));
  // The feed replay loop, probes included, allocates nothing (jemalloc's per-thread
  // counter around the loop).
  EXPECT_EQ(uint64_t(doc["totals"]["loop_allocated_bytes"]), 0u);
#endif
  for (const char* f : {"stages.csv", "histograms.csv", "throughput.csv", "memory.csv", "threads.csv", "symbols.csv"})
    EXPECT_GT(std::filesystem::file_size(path("csv/") + f), 20u) << f;
}

TEST_F(ProfileCli, ReportRendersVisiblePlotsInHeadlessChromium) {
  ASSERT_EQ(run(kTachyon + " replay --profile " + path("p.json") + " " + kItch).status, 0);
  const CliRun rep = run(kTachyon + " report " + path("p.json") + " -o " + path("report.html"));
  ASSERT_EQ(rep.status, 0) << rep.err;
  EXPECT_NE(rep.out.find("wrote " + path("report.html")), std::string::npos) << rep.out;
  // The default output name is the profile's with .html.
  ASSERT_EQ(run(kTachyon + " report " + path("p.json")).status, 0);
  EXPECT_TRUE(std::filesystem::exists(path("p.html")));

  const std::string stats = screenshot_stats(path("report.html"), path("report.png"), "1000,2400");
  simdjson::dom::parser parser;
  simdjson::dom::element s;
  ASSERT_EQ(parser.parse(stats).get(s), simdjson::SUCCESS) << stats;
  std::printf("report screenshot: %s", stats.c_str());
  EXPECT_EQ(uint64_t(s["width"]), 1000u);
  // Coloured lines, bars, text and grids: thousands of colours and a tenth of the
  // page inked. A blank page has one colour and no ink (checked below).
  EXPECT_GT(uint64_t(s["distinct_colors"]), 200u);
  EXPECT_GT(double(s["non_white_fraction"]), 0.04);

  {
    std::ofstream blank(path("blank.html"));
    blank << "<!DOCTYPE html><html><body></body></html>\n";
  }
  const std::string blank = screenshot_stats(path("blank.html"), path("blank.png"), "300,200");
  ASSERT_EQ(parser.parse(blank).get(s), simdjson::SUCCESS) << blank;
  EXPECT_LE(uint64_t(s["distinct_colors"]), 2u);
  EXPECT_LT(double(s["non_white_fraction"]), 0.001);
}

TEST_F(ProfileCli, CompareFailsOnASlowedRunAndPassesOnAnEqualOne) {
  ASSERT_EQ(run(kTachyon + " replay --profile " + path("base.json") + " " + kItch).status, 0);
  // 20 us per message: far beyond any noise in p99 and throughput.
  ASSERT_EQ(run(kTachyon + " replay --slow-ns 20000 --profile " + path("slow.json") + " " + kItch).status, 0);

  const CliRun equal = run(kTachyon + " report --compare " + path("base.json") + " " + path("base.json"));
  EXPECT_EQ(equal.status, 0) << equal.out << equal.err;
  EXPECT_NE(equal.out.find("PASS"), std::string::npos) << equal.out;
  EXPECT_EQ(equal.out.find("WORSE"), std::string::npos) << equal.out;

  const CliRun slowed = run(kTachyon + " report --compare " + path("base.json") + " " + path("slow.json"));
  EXPECT_EQ(slowed.status, 3) << slowed.out << slowed.err;
  EXPECT_NE(slowed.out.find("REGRESSION"), std::string::npos) << slowed.out;
  EXPECT_NE(slowed.out.find("wire_to_wire p99 (ns)"), std::string::npos);
  std::istringstream lines(slowed.out);
  std::string line;
  int worse = 0;
  while (std::getline(lines, line))
    if (line.find("WORSE") != std::string::npos) {
      ++worse;
      EXPECT_TRUE(line.rfind("wire_to_wire p99", 0) == 0 || line.rfind("throughput", 0) == 0) << line;
    }
  EXPECT_EQ(worse, 2) << slowed.out;  // p99 and throughput; bytes per order is unchanged
  EXPECT_NE(slowed.out.find("slowed on purpose"), std::string::npos);

  // The other way round the new run is faster: no regression.
  EXPECT_EQ(run(kTachyon + " report --compare " + path("slow.json") + " " + path("base.json")).status, 0);
  EXPECT_EQ(run(kTachyon + " report --threshold 1000000 --compare " + path("base.json") + " " + path("slow.json")).status,
            2);  // out of range: a usage error
}

TEST_F(ProfileCli, UnreadableProfilesExitOneWithOneLine) {
  const CliRun missing = run(kTachyon + " report " + path("nope.json"));
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.err.find(path("nope.json") + ": cannot open"), std::string::npos) << missing.err;
  {
    std::ofstream f(path("other.json"));
    f << "{\"messages\": 3}";
  }
  const CliRun other = run(kTachyon + " report --compare " + path("other.json") + " " + path("other.json"));
  EXPECT_EQ(other.status, 1);
  EXPECT_NE(other.err.find("not a tachyon profile"), std::string::npos) << other.err;
  EXPECT_EQ(std::count(other.err.begin(), other.err.end(), '\n'), 1) << other.err;
  EXPECT_EQ(run(kTachyon + " report").status, 2);
}

}  // namespace
