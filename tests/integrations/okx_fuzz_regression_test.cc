// Replays the seed corpus and the saved crashers of tests/fuzz/okx_fuzz.cc through the
// same per-input code, with each fuzz invariant turned into a GoogleTest expectation,
// so the gcc and sanitizer builds re-check them without libFuzzer.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#define TACHYON_FUZZ_NO_ENTRY 1
#define TACHYON_FUZZ_CHECK(cond) EXPECT_TRUE(cond) << #cond
#include "../fuzz/okx_fuzz.cc"

namespace tachyon::okx {
namespace {

namespace fs = std::filesystem;

std::size_t replay(const std::string& kind) {
  const fs::path dir = fs::path(TACHYON_SOURCE_DIR) / "tests" / "fuzz" / kind / "okx_fuzz";
  std::vector<fs::path> files;
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file() && e.path().filename().string()[0] != '.') files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& p : files) {
    SCOPED_TRACE(p.string());
    std::ifstream in(p, std::ios::binary);
    const std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(fuzz::okx_one_input(data.data(), data.size()), 0);
  }
  return files.size();
}

TEST(OkxFuzzRegression, Corpus) { EXPECT_GE(replay("corpus"), 2u); }
TEST(OkxFuzzRegression, Crashers) { replay("regressions"); }

}  // namespace
}  // namespace tachyon::okx
