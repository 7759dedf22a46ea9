// Replays the seed corpora and the saved crashers of the codec fuzz targets
// (tests/fuzz/{itch,moldudp64,ouch,lobster}_fuzz.cc) through the very same per-input
// code, with each fuzz invariant turned into a GoogleTest expectation, so the gcc and
// sanitizer builds re-check them without libFuzzer.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#define TACHYON_FUZZ_NO_ENTRY 1
#define TACHYON_FUZZ_CHECK(cond) EXPECT_TRUE(cond) << #cond
#include "../fuzz/itch_fuzz.cc"
#include "../fuzz/lobster_fuzz.cc"
#include "../fuzz/moldudp64_fuzz.cc"
#include "../fuzz/ouch_fuzz.cc"

namespace tachyon::dataplane {
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

std::vector<uint8_t> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << p;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

template <typename OneInput>
std::size_t replay(const std::vector<fs::path>& files, OneInput one_input) {
  for (const fs::path& p : files) {
    SCOPED_TRACE(p.string());
    const std::vector<uint8_t> data = read_file(p);
    EXPECT_EQ(one_input(data.data(), data.size()), 0);
  }
  return files.size();
}

TEST(CodecFuzzRegression, ItchCorpus) { EXPECT_GE(replay(inputs("corpus", "itch_fuzz"), fuzz::itch_one_input), 20u); }
TEST(CodecFuzzRegression, ItchCrashers) { replay(inputs("regressions", "itch_fuzz"), fuzz::itch_one_input); }

TEST(CodecFuzzRegression, MoldUdp64Corpus) {
  EXPECT_GE(replay(inputs("corpus", "moldudp64_fuzz"), fuzz::moldudp64_one_input), 5u);
}
TEST(CodecFuzzRegression, MoldUdp64Crashers) {
  replay(inputs("regressions", "moldudp64_fuzz"), fuzz::moldudp64_one_input);
}

TEST(CodecFuzzRegression, OuchCorpus) { EXPECT_GE(replay(inputs("corpus", "ouch_fuzz"), fuzz::ouch_one_input), 10u); }
TEST(CodecFuzzRegression, OuchCrashers) { replay(inputs("regressions", "ouch_fuzz"), fuzz::ouch_one_input); }

TEST(CodecFuzzRegression, LobsterCorpus) {
  EXPECT_GE(replay(inputs("corpus", "lobster_fuzz"), fuzz::lobster_one_input), 3u);
}
TEST(CodecFuzzRegression, LobsterCrashers) { replay(inputs("regressions", "lobster_fuzz"), fuzz::lobster_one_input); }

// The whole sample files pass the same checks as fuzz inputs (larger than any seed).
TEST(CodecFuzzRegression, ItchSampleFilesPassTheFuzzChecks) {
  for (const char* f : {"ex20101224.TEST_ITCH_50", "ex20101224.TEST_ITCH_50.binaryfile"}) {
    const std::vector<uint8_t> data = read_file(fs::path(TACHYON_DATA_DIR) / "itch" / f);
    ASSERT_FALSE(data.empty());
    EXPECT_EQ(fuzz::itch_one_input(data.data(), data.size()), 0);
  }
}

}  // namespace
}  // namespace tachyon::dataplane
