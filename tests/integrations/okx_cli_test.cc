// `tachyon okx ...` as users run it: a live book and its health from the local fake OKX
// server (TLS, loopback), the server clock, the redacted settings, and clear errors.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include "okx_fake/fake_okx_process.h"

namespace tachyon::okx {
namespace {

using testing::FakeOkx;

const std::string kTachyon = std::string(TACHYON_BINARY_DIR) + "/tachyon";

struct CliRun {
  int status = -1;
  std::string out;
  std::string err;
};

CliRun run(const std::string& env_and_args) {
  const std::string err_path = std::string(::testing::TempDir()) + "okx_cli_err_" + std::to_string(::getpid());
  const std::string cmd = "env " + env_and_args + " 2>" + err_path;
  CliRun r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  std::ifstream e(err_path);
  r.err.assign(std::istreambuf_iterator<char>(e), std::istreambuf_iterator<char>());
  std::remove(err_path.c_str());
  return r;
}

TEST(OkxCli, BookShowsALiveBookAndItsHealthFromTheFakeServer) {
  FakeOkx fake;
  const CliRun r = run("-u OKX_API_KEY " + kTachyon + " okx book BTC-USDT --url " + fake.ws_public_url() +
                       " --ca-file " + fake.ca_file() + " --updates 25 --depth 5 --every 0.2");
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("okx book BTC-USDT on wss://127.0.0.1:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tick 0.1, lot 0.00000001"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("state live"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("bid size"), std::string::npos);
  EXPECT_NE(r.out.find("29999.9"), std::string::npos);  // the fake's best bid region
  EXPECT_NE(r.out.find("health: connection open"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("BTC-USDT: live"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0 gaps"), std::string::npos) << r.out;
  // The last block reports at least the 25 applied pushes.
  const auto last = r.out.rfind("updates applied");
  ASSERT_NE(last, std::string::npos);
  const auto start = r.out.rfind("seqId", last);
  const long applied = std::stol(r.out.substr(r.out.find(' ', start + 6), last - r.out.find(' ', start + 6)));
  EXPECT_GE(applied, 25);
}

TEST(OkxCli, BookWithGivenStepsExitsAfterSeconds) {
  FakeOkx fake;
  const CliRun r = run(kTachyon + " okx book ETH-USDT --url " + fake.ws_public_url() + " --ca-file " +
                       fake.ca_file() + " --tick 0.01 --lot 0.000001 --seconds 1 --every 0");
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("ETH-USDT books  state live"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1999.99"), std::string::npos) << r.out;  // one tick under the fake's mid 2000.00
}

TEST(OkxCli, TimeAndRedactedConfig) {
  FakeOkx fake;
  CliRun r = run(kTachyon + " okx time -v --rest-url " + fake.rest_url() + " --ca-file " + fake.ca_file());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("server time 20"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("local clock offset"), std::string::npos);
  // --verbose logs each request with its latency.
  EXPECT_NE(r.err.find("okx rest GET /api/v5/public/time attempt 1 -> HTTP 200 in "), std::string::npos) << r.err;

  r = run("OKX_API_KEY=cli-key-111 OKX_SECRET_KEY=cli-secret-222 OKX_PASSPHRASE=cli-pass-333 OKX_SANDBOX=1 " +
          kTachyon + " okx config");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("demo trading"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("wss://wspap.okx.com:8443/ws/v5/public"), std::string::npos) << r.out;
  for (const char* s : {"cli-key-111", "cli-secret-222", "cli-pass-333"}) {
    EXPECT_EQ(r.out.find(s), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find(s), std::string::npos) << r.err;
  }
  r = run("-u OKX_SANDBOX " + kTachyon + " okx config");
  EXPECT_NE(r.out.find("production"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("wss://ws.okx.com:8443/ws/v5/public"), std::string::npos) << r.out;
}

TEST(OkxCli, ErrorsAreOneClearLine) {
  FakeOkx fake;
  CliRun r = run(kTachyon + " okx book NOPE-USDT --url " + fake.ws_public_url() + " --ca-file " + fake.ca_file() +
                 " --seconds 1");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("instrument NOPE-USDT not found"), std::string::npos) << r.err;
  r = run(kTachyon + " okx book BTC-USDT --tick 0.1");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("give both or neither"), std::string::npos) << r.err;
  r = run("OKX_API_KEY=only-key " + kTachyon + " okx config");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("credentials incomplete"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("only-key"), std::string::npos) << r.err;
}

TEST(OkxCli, AConfigFileWithSecretsMustBeOwnerOnly) {
  const std::string path = std::string(::testing::TempDir()) + "okx_cli_secrets_" + std::to_string(::getpid()) + ".toml";
  std::ofstream(path) << "[okx]\napi_key = \"cli-file-key-5151\"\nsecret_key = \"cli-file-secret-5252\"\n"
                         "passphrase = \"cli-file-pass-5353\"\n";
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  const std::string unset = "-u OKX_API_KEY -u OKX_SECRET_KEY -u OKX_PASSPHRASE ";
  CliRun r = run(unset + kTachyon + " okx config --config " + path);
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(path + ": mode 0644 gives group and others access"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("chmod 600 " + path), std::string::npos) << r.err;
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  CliRun ok = run(unset + kTachyon + " okx config --config " + path);
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_NE(ok.out.find("secret_key      **** (20 chars)"), std::string::npos) << ok.out;
  for (const CliRun* x : {&r, &ok})
    for (const char* s : {"cli-file-key-5151", "cli-file-secret-5252", "cli-file-pass-5353"}) {
      EXPECT_EQ(x->out.find(s), std::string::npos) << x->out;
      EXPECT_EQ(x->err.find(s), std::string::npos) << x->err;
    }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace tachyon::okx
