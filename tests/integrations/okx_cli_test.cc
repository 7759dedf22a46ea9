// `tachyon okx ...` as users run it: a live book and its health from the local fake OKX
// server (TLS, loopback), the books on /metrics (scraped with curl) through a gap and
// its resync, the server clock, the redacted settings, and clear errors.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <regex>
#include <string>
#include <thread>

#include "../support/run_command.h"
#include "okx_fake/fake_okx_process.h"

namespace tachyon::okx {
namespace {

using testing::FakeOkx;

const std::string kTachyon = std::string(TACHYON_BINARY_DIR) + "/tachyon";

using CliRun = tachyon::test_support::CommandRun;

CliRun run(const std::string& env_and_args) { return tachyon::test_support::run_command("env " + env_and_args); }

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

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// GETs url with curl; returns the body ("" when curl fails).
std::string curl(const std::string& url) {
  std::string body;
  FILE* p = ::popen(("curl -s --max-time 5 " + url).c_str(), "r");
  if (p == nullptr) return body;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) body.append(buf.data(), n);
  ::pclose(p);
  return body;
}

// Returns the value of the sample `name{labels}` in a Prometheus text body, or "".
std::string sample(const std::string& body, const std::string& name_and_labels) {
  const std::size_t at = body.find("\n" + name_and_labels + " ");
  if (at == std::string::npos) return "";
  const std::size_t from = at + name_and_labels.size() + 2;
  return body.substr(from, body.find('\n', from) - from);
}

// Scrapes url until ok(body) holds (up to 15 s); returns the last body.
std::string scrape_until(const std::string& url, const std::function<bool(const std::string&)>& ok) {
  std::string body;
  for (int i = 0; i < 300; ++i) {
    body = curl(url);
    if (ok(body)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return body;
}

TEST(OkxCli, MetricsShowABookStaleAfterAGapAndLiveAgainAfterItsResync) {
  FakeOkx fake;
  const std::string out = std::string(::testing::TempDir()) + "okx_metrics_out_" + std::to_string(::getpid());
  const std::string err = std::string(::testing::TempDir()) + "okx_metrics_err_" + std::to_string(::getpid());
  const std::string url = fake.ws_public_url(), ca = fake.ca_file();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), 1);
    ::dup2(::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), 2);
    ::unsetenv("OKX_API_KEY");
    ::execl(kTachyon.c_str(), kTachyon.c_str(), "okx", "book", "BTC-USDT", "ETH-USDT", "--url", url.c_str(),
            "--ca-file", ca.c_str(), "--metrics-port", "0", "--every", "0", "--seconds", "120",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::string port;
  for (int i = 0; i < 1000 && port.empty(); ++i) {
    std::smatch m;
    const std::string e = slurp(err);
    if (std::regex_search(e, m, std::regex("metrics: http://127\\.0\\.0\\.1:([0-9]+)/metrics"))) port = m[1];
    else std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(port.empty()) << slurp(err);
  const std::string metrics = "http://127.0.0.1:" + port + "/metrics";
  const std::string btc = "inst=\"BTC-USDT\",channel=\"books\"", eth = "inst=\"ETH-USDT\",channel=\"books\"";
  auto live = [&](const std::string& body, const std::string& inst) {
    return sample(body, "tachyon_okx_book_live{" + inst + "}") == "1";
  };

  // Both books live, with their sequence and best levels.
  std::string body = scrape_until(metrics, [&](const std::string& b) { return live(b, btc) && live(b, eth); });
  ASSERT_TRUE(live(body, btc) && live(body, eth)) << body << slurp(err);
  EXPECT_EQ(sample(body, "tachyon_okx_book_state{" + btc + ",state=\"live\"}"), "1") << body;
  EXPECT_EQ(sample(body, "tachyon_okx_book_state{" + btc + ",state=\"stale\"}"), "0") << body;
  EXPECT_GE(std::stoll(sample(body, "tachyon_okx_book_seq_id{" + btc + "}")), 1000) << body;  // the fake starts at 1000
  EXPECT_EQ(sample(body, "tachyon_okx_book_gaps_total{" + btc + "}"), "0") << body;
  const std::string bid = sample(body, "tachyon_okx_book_best_price{" + btc + ",side=\"bid\"}");
  const std::string ask = sample(body, "tachyon_okx_book_best_price{" + btc + ",side=\"ask\"}");
  ASSERT_FALSE(bid.empty() || ask.empty()) << body;
  EXPECT_LT(std::stod(bid), std::stod(ask));
  EXPECT_NEAR(std::stod(bid), 30000.0, 5.0);  // around the fake's mid, 30000.0 (ticks of 0.1)
  EXPECT_FALSE(sample(body, "tachyon_okx_book_best_size{" + btc + ",side=\"bid\"}").empty()) << body;
  EXPECT_GT(std::stod(sample(body, "tachyon_okx_book_checksum_checks_total{" + btc + "}")), 0) << body;
  EXPECT_EQ(sample(body, "tachyon_okx_ws_open"), "1") << body;

  // The venue loses one BTC update; its resubscription gets no snapshot while held.
  fake.control("config", R"({"hold_snapshots": true})");
  fake.control("ws", R"({"action":"gap","instId":"BTC-USDT"})");
  body = scrape_until(metrics, [&](const std::string& b) {
    return sample(b, "tachyon_okx_book_state{" + btc + ",state=\"stale\"}") == "1";
  });
  EXPECT_EQ(sample(body, "tachyon_okx_book_state{" + btc + ",state=\"stale\"}"), "1") << body;
  EXPECT_EQ(sample(body, "tachyon_okx_book_live{" + btc + "}"), "0") << body;
  EXPECT_EQ(sample(body, "tachyon_okx_book_gaps_total{" + btc + "}"), "1") << body;
  EXPECT_EQ(sample(body, "tachyon_okx_book_stale_events_total{" + btc + "}"), "1") << body;
  EXPECT_EQ(sample(body, "tachyon_okx_book_resyncs_total{" + btc + "}"), "1") << body;
  EXPECT_EQ(sample(body, "tachyon_okx_book_seq_id{" + btc + "}"), "-1") << body;
  EXPECT_EQ(sample(body, "tachyon_okx_book_best_price{" + btc + ",side=\"bid\"}"), "") << body;  // dropped
  EXPECT_EQ(sample(body, "tachyon_okx_book_levels{" + btc + ",side=\"bid\"}"), "0") << body;
  EXPECT_EQ(sample(body, "tachyon_okx_ws_resubscribes_total"), "1") << body;
  // The other book carries on.
  EXPECT_TRUE(live(body, eth)) << body;
  EXPECT_EQ(sample(body, "tachyon_okx_book_gaps_total{" + eth + "}"), "0") << body;
  // Still stale a moment later: the updates that keep coming are ignored, not applied.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  body = curl(metrics);
  EXPECT_EQ(sample(body, "tachyon_okx_book_live{" + btc + "}"), "0") << body;
  EXPECT_GT(std::stoll(sample(body, "tachyon_okx_book_ignored_total{" + btc + "}")), 0) << body;

  // The snapshot arrives: live again, from a second snapshot.
  fake.control("config", R"({"hold_snapshots": false})");
  body = scrape_until(metrics, [&](const std::string& b) { return live(b, btc); });
  EXPECT_TRUE(live(body, btc)) << body;
  EXPECT_EQ(sample(body, "tachyon_okx_book_state{" + btc + ",state=\"stale\"}"), "0") << body;
  EXPECT_EQ(sample(body, "tachyon_okx_book_snapshots_total{" + btc + "}"), "2") << body;
  EXPECT_EQ(sample(body, "tachyon_okx_book_gaps_total{" + btc + "}"), "1") << body;
  EXPECT_EQ(sample(body, "tachyon_okx_book_resyncs_total{" + btc + "}"), "1") << body;
  EXPECT_GE(std::stoll(sample(body, "tachyon_okx_book_seq_id{" + btc + "}")), 1000) << body;
  EXPECT_FALSE(sample(body, "tachyon_okx_book_best_price{" + btc + ",side=\"bid\"}").empty()) << body;

  // SIGTERM ends it cleanly: both books live, exit 0.
  ::kill(pid, SIGTERM);
  int st = 0;
  ::waitpid(pid, &st, 0);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << slurp(out) << slurp(err);
  EXPECT_NE(slurp(out).find("BTC-USDT: live"), std::string::npos) << slurp(out);
  std::remove(out.c_str());
  std::remove(err.c_str());
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
