// Replays the seed corpora and the saved crashers of the nic fuzz targets
// (tests/fuzz/pcap_frame_fuzz.cc, tests/fuzz/pcap_file_fuzz.cc) through the very same
// per-input code, with each fuzz invariant turned into a GoogleTest expectation, so
// the gcc and sanitizer builds re-check them without libFuzzer.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#define TACHYON_FUZZ_NO_ENTRY 1
#define TACHYON_FUZZ_CHECK(cond) EXPECT_TRUE(cond) << #cond
#include "../fuzz/pcap_file_fuzz.cc"
#include "../fuzz/pcap_frame_fuzz.cc"
#include "capture_test_files.h"

namespace tachyon::nic {
namespace {

namespace fs = std::filesystem;

// Returns the inputs under tests/fuzz/<kind>/<target>, sorted; dotfiles are skipped.
std::vector<fs::path> inputs(const std::string& kind, const std::string& target) {
  const fs::path dir = fs::path(TACHYON_SOURCE_DIR) / "tests" / "fuzz" / kind / target;
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().filename().string()[0] != '.') out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

template <typename OneInput>
std::size_t replay(const std::vector<fs::path>& files, OneInput one_input) {
  for (const fs::path& p : files) {
    SCOPED_TRACE(p.string());
    const std::vector<uint8_t> data = test::read_file(p.string());
    EXPECT_EQ(one_input(data.data(), data.size()), 0);
  }
  return files.size();
}

TEST(PcapFuzzRegression, FrameCorpus) {
  EXPECT_GE(replay(inputs("corpus", "pcap_frame_fuzz"), fuzz::pcap_frame_one_input), 9u);
}

TEST(PcapFuzzRegression, FrameCrashers) {
  replay(inputs("regressions", "pcap_frame_fuzz"), fuzz::pcap_frame_one_input);
}

TEST(PcapFuzzRegression, FileCorpus) {
  EXPECT_GE(replay(inputs("corpus", "pcap_file_fuzz"), fuzz::pcap_file_one_input), 10u);
}

TEST(PcapFuzzRegression, FileCrashers) {
  replay(inputs("regressions", "pcap_file_fuzz"), fuzz::pcap_file_one_input);
}

TEST(PcapFuzzRegression, HandMadeEdgeInputs) {
  // Inputs at the edges of each target, independent of what the corpora hold.
  const std::vector<std::vector<uint8_t>> edges = {
      {},
      {0x0a, 0x0d, 0x0d, 0x0a},
      {0xd4, 0xc3, 0xb2, 0xa1},
      test::make_pcap({{std::vector<uint8_t>(300, 0xff), 1, 0}}, true, false, 1, 100),
      test::make_pcapng({{std::vector<uint8_t>(1, 0x81), 1, 0}}, true, 0),
  };
  for (const auto& e : edges) {
    EXPECT_EQ(fuzz::pcap_frame_one_input(e.data(), e.size()), 0);
    EXPECT_EQ(fuzz::pcap_file_one_input(e.data(), e.size()), 0);
  }
}

}  // namespace
}  // namespace tachyon::nic
