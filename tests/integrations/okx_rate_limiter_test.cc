// OKX client-side rate limits with an explicit clock: published limits, no window ever
// holds more than the limit (checked against a brute-force count), queueing up to the
// allowed wait, refusal with a clear message, per-order costs of batches and the
// account-wide new/amend budget. Also the [okx] configuration and its environment.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <vector>

#include "tachyon/okx/okx_config.h"
#include "tachyon/okx/rate_limiter.h"
#include "tachyon/okx/redaction.h"
#include "tachyon/okx/url.h"

namespace tachyon::okx {
namespace {

TEST(OkxRateLimiter, UsesOkxPublishedLimits) {
  EXPECT_EQ(endpoint_info(Endpoint::kPlaceOrder).limit, 60);
  EXPECT_EQ(endpoint_info(Endpoint::kPlaceOrder).window_ms, 2000);
  EXPECT_EQ(endpoint_info(Endpoint::kBalance).limit, 10);
  EXPECT_EQ(endpoint_info(Endpoint::kBatchOrders).limit, 300);
  EXPECT_TRUE(endpoint_info(Endpoint::kBatchOrders).per_order);
  EXPECT_TRUE(endpoint_info(Endpoint::kAmendOrder).account_orders);
  EXPECT_FALSE(endpoint_info(Endpoint::kCancelOrder).account_orders);
  EXPECT_EQ(kAccountOrderLimit, 1000);
}

TEST(OkxRateLimiter, QueuesUntilTheOldestSlotLeavesTheWindowOrRefuses) {
  RateLimiter rl;
  const int64_t t0 = 1'000'000;
  for (int i = 0; i < 10; ++i) {
    const Admission a = rl.admit(Endpoint::kBalance, 1, t0 + i, 0);
    ASSERT_TRUE(a.admitted) << i;
    EXPECT_EQ(a.at_ms, t0 + i);
  }
  // The 11th within 2 s: refused with no wait allowed...
  Admission r = rl.admit(Endpoint::kBalance, 1, t0 + 500, 0);
  EXPECT_FALSE(r.admitted);
  EXPECT_NE(r.refusal.find("GET /api/v5/account/balance"), std::string::npos);
  EXPECT_NE(r.refusal.find("10 requests per 2000 ms"), std::string::npos);
  EXPECT_NE(r.refusal.find("wait of"), std::string::npos);
  // ...or queued until the first slot returns (2 s + 5% guard after it was spent).
  r = rl.admit(Endpoint::kBalance, 1, t0 + 500, 5000);
  ASSERT_TRUE(r.admitted);
  EXPECT_EQ(r.at_ms, t0 + 2000 + 100);
  // A second queued caller goes after the first queued one.
  r = rl.admit(Endpoint::kBalance, 1, t0 + 500, 5000);
  ASSERT_TRUE(r.admitted);
  EXPECT_EQ(r.at_ms, t0 + 1 + 2000 + 100);
  // Other endpoints have their own budgets.
  EXPECT_TRUE(rl.admit(Endpoint::kPositions, 1, t0 + 500, 0).admitted);
}

TEST(OkxRateLimiter, BatchesCostOneUnitPerOrderAndShareTheAccountBudget) {
  RateLimiter rl;
  rl.set_account_limit(30, 2000);
  const int64_t t = 5'000;
  EXPECT_TRUE(rl.admit(Endpoint::kBatchOrders, 20, t, 0).admitted);
  EXPECT_TRUE(rl.admit(Endpoint::kAmendOrder, 1, t, 0).admitted);
  // 9 account units left: a batch of 10 new orders must wait, cancels need none.
  const Admission a = rl.admit(Endpoint::kBatchOrders, 10, t, 0);
  EXPECT_FALSE(a.admitted);
  EXPECT_NE(a.refusal.find("account-wide 30 new/amended orders per 2000 ms"), std::string::npos);
  EXPECT_TRUE(rl.admit(Endpoint::kBatchOrders, 9, t, 0).admitted);
  EXPECT_TRUE(rl.admit(Endpoint::kBatchCancel, 20, t, 0).admitted);
  // More units than the limit can ever hold is refused whatever the wait.
  rl.set_limit(Endpoint::kPlaceOrder, 5, 1000);
  const Admission never = rl.admit(Endpoint::kBatchAmend, 301, t, 1'000'000);
  EXPECT_FALSE(never.admitted);
  EXPECT_NE(never.refusal.find("can never fit"), std::string::npos);
}

// Whatever the arrival pattern, no window of the limit's length holds more admitted
// units than the limit.
RC_GTEST_PROP(OkxRateLimiter, NoWindowEverHoldsMoreThanTheLimit, ()) {
  RateLimiter rl;
  const int limit = *rc::gen::inRange(1, 12);
  const int window = *rc::gen::inRange(10, 500);
  rl.set_limit(Endpoint::kGetOrder, limit, window);
  std::vector<int64_t> sent;
  int64_t now = 0;
  const int n = *rc::gen::inRange(1, 200);
  for (int i = 0; i < n; ++i) {
    now += *rc::gen::inRange(0, 40);
    const int64_t max_wait = *rc::gen::element<int64_t>(0, 5, 50, 1000);
    const Admission a = rl.admit(Endpoint::kGetOrder, 1, now, max_wait);
    if (!a.admitted) continue;
    RC_ASSERT(a.at_ms >= now);
    RC_ASSERT(a.at_ms - now <= max_wait);
    sent.push_back(a.at_ms);
  }
  std::sort(sent.begin(), sent.end());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    std::size_t in_window = 0;
    for (std::size_t j = i; j < sent.size() && sent[j] < sent[i] + window; ++j) ++in_window;
    RC_ASSERT(in_window <= static_cast<std::size_t>(limit));
  }
}

TEST(OkxConfig, TomlThenEnvironmentWithProductionAndDemoDefaults) {
  std::map<std::string, std::string> env;
  const EnvLookup lookup = [&](const char* k) -> std::optional<std::string> {
    auto it = env.find(k);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  auto c = load_okx_config("", lookup);
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_FALSE(c->demo);
  EXPECT_EQ(c->rest_url, "https://www.okx.com");
  EXPECT_EQ(c->ws_public_url, "wss://ws.okx.com:8443/ws/v5/public");
  EXPECT_FALSE(c->credentials.complete());

  env = {{"OKX_API_KEY", "k-123"}, {"OKX_SECRET_KEY", "s-456"}, {"OKX_PASSPHRASE", "p-789"}, {"OKX_SANDBOX", "1"}};
  c = load_okx_config("[okx]\nrequest_timeout_ms = 2500\nping_after_silence_ms = 15000\n", lookup);
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_TRUE(c->demo);
  EXPECT_EQ(c->ws_public_url, "wss://wspap.okx.com:8443/ws/v5/public");
  EXPECT_EQ(c->ws_private_url, "wss://wspap.okx.com:8443/ws/v5/private");
  EXPECT_EQ(c->request_timeout_ms, 2500);
  EXPECT_EQ(c->ping_after_silence_ms, 15000);
  EXPECT_TRUE(c->credentials.complete());
  EXPECT_EQ(c->credentials.secret_key.reveal(), "s-456");
  const std::string d = c->describe();
  EXPECT_NE(d.find("demo trading"), std::string::npos);
  for (const char* secret : {"k-123", "s-456", "p-789"}) EXPECT_EQ(d.find(secret), std::string::npos) << d;

  // The environment overrides the file; explicit URLs are kept.
  env = {{"OKX_SANDBOX", "false"}};
  c = load_okx_config("[okx]\ndemo = true\nws_public_url = \"wss://127.0.0.1:9/ws\"\n", lookup);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->demo);
  EXPECT_EQ(c->ws_public_url, "wss://127.0.0.1:9/ws");
}

TEST(OkxConfig, ErrorsNameTheKeyAndNeverTheSecret) {
  const EnvLookup none = [](const char*) -> std::optional<std::string> { return std::nullopt; };
  auto c = load_okx_config("[okx]\nping_after_silence_ms = 30000\n", none);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("okx.ping_after_silence_ms = 30000"), std::string::npos);
  c = load_okx_config("[okx]\nsecret_key = 42\n", none);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("okx.secret_key: wrong type (value not shown)"), std::string::npos);
  c = load_okx_config("[okx]\napi_key = \"only-the-key-xyz\"\n", none);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("credentials incomplete"), std::string::npos);
  EXPECT_EQ(c.error().message.find("only-the-key-xyz"), std::string::npos);
  c = load_okx_config("[okx]\nbogus = 1\n", none);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("okx.bogus: unknown key"), std::string::npos);
  c = load_okx_config("[okx\n", none);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("TOML parse error at line 1"), std::string::npos);
}

TEST(OkxRedaction, MasksCredentialValuesInJson) {
  const std::string in =
      R"({"op":"login","args":[{"apiKey":"AK1","passphrase":"PP2","timestamp":"1","sign":"SG3"}],"secretKey": 12345})";
  const std::string out = redact_json(in);
  for (const char* s : {"AK1", "PP2", "SG3", "12345"}) EXPECT_EQ(out.find(s), std::string::npos) << out;
  EXPECT_NE(out.find(R"("timestamp":"1")"), std::string::npos);
  EXPECT_NE(out.find(R"("apiKey":"***")"), std::string::npos);
  EXPECT_EQ(redact_json(R"({"instId":"BTC-USDT","px":"1"})"), R"({"instId":"BTC-USDT","px":"1"})");
  EXPECT_EQ(redact_json(std::string(600, 'x'), 10), std::string(10, 'x') + "...(600 bytes)");
}

TEST(OkxUrl, ParsesSchemesHostsPortsAndPaths) {
  auto u = Url::parse("wss://ws.okx.com:8443/ws/v5/public");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "ws.okx.com");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->path, "/ws/v5/public");
  EXPECT_EQ(u->host_header(), "ws.okx.com:8443");
  u = Url::parse("https://www.okx.com");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->path, "/");
  EXPECT_EQ(u->host_header(), "www.okx.com");
  EXPECT_FALSE(Url::parse("ftp://x"));
  EXPECT_FALSE(Url::parse("https://:80/"));
  EXPECT_FALSE(Url::parse("https://h:99999/"));
}

}  // namespace
}  // namespace tachyon::okx
