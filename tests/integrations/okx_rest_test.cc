// The OKX REST client against the local fake OKX server (TLS, loopback), which
// re-verifies every signature: order flow, typed answers, error mapping (50011/429,
// 50102, 50113, 51008, per-item sCode), 429 backoff, local rate limits (queue and
// refuse), orders of unknown fate re-queried by clOrdId, slow server -> timeout,
// keep-alive, demo header, and secrets kept out of every log line.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "okx_fake/fake_okx_process.h"
#include "tachyon/okx/rest_client.h"

namespace tachyon::okx {
namespace {

using testing::FakeOkx;

int64_t ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
}

class OkxRest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { fake_ = new FakeOkx(); }
  static void TearDownTestSuite() {
    delete fake_;
    fake_ = nullptr;
  }
  void SetUp() override { fake_->control("reset"); }

  std::unique_ptr<OkxRestClient> client(OkxConfig c) {
    return std::make_unique<OkxRestClient>(c, [this](const RestLogRecord& r) { log_.push_back(format_log_line(r)); });
  }
  std::unique_ptr<OkxRestClient> client() { return client(fake_->config()); }

  static OrderRequest limit_buy(const char* px, const char* sz, std::string cl = "") {
    OrderRequest o;
    o.inst_id = "BTC-USDT";
    o.side = book::Side::kBuy;
    o.px = *Decimal::parse(px);
    o.sz = *Decimal::parse(sz);
    o.cl_ord_id = std::move(cl);
    return o;
  }

  static FakeOkx* fake_;
  std::vector<std::string> log_;
};
FakeOkx* OkxRest::fake_ = nullptr;

TEST_F(OkxRest, PublicEndpointsAreTypedAndExact) {
  auto c = client();
  auto t = c->server_time();
  ASSERT_TRUE(t) << t.error().describe();
  EXPECT_GT(*t, 1'600'000'000'000);
  auto inst = c->instruments("SPOT", "BTC-USDT");
  ASSERT_TRUE(inst) << inst.error().describe();
  ASSERT_EQ(inst->size(), 1u);
  EXPECT_EQ((*inst)[0].inst_id, "BTC-USDT");
  EXPECT_EQ((*inst)[0].tick.step(), (Decimal{1, 1}));
  EXPECT_EQ((*inst)[0].lot.step(), (Decimal{1, 8}));
  auto book = c->order_book("BTC-USDT", 5);
  ASSERT_TRUE(book) << book.error().describe();
  ASSERT_EQ(book->bids.size(), 5u);
  ASSERT_EQ(book->asks.size(), 5u);
  EXPECT_EQ(book->bids[0].price, (Decimal{299999, 1}));  // best bid: one tick under the fake's mid 30000.0
  EXPECT_EQ(book->asks[0].price, (Decimal{300001, 1}));
  EXPECT_EQ(c->http().connections_opened(), 1u);  // kept alive
}

TEST_F(OkxRest, CalibratesTheServerClockBeforeSigning) {
  fake_->control("config", R"({"time_offset_ms": 90000})");  // the venue runs 90 s ahead
  auto c = client();
  auto bal = c->balance();
  ASSERT_TRUE(bal) << bal.error().describe();
  EXPECT_TRUE(c->clock().calibrated());
  EXPECT_NEAR(static_cast<double>(c->clock().offset_ms()), 90000.0, 1000.0);
  EXPECT_EQ(bal->total_eq, "55000.12345678901234");  // exact text, more digits than a double holds
  ASSERT_EQ(bal->details.size(), 2u);
  EXPECT_EQ(bal->details[0].ccy, "USDT");
  EXPECT_EQ(bal->details[0].avail_bal, "10000");

  // The venue's clock jumps after calibration: 50102, recalibrate, retry once.
  fake_->control("config", R"({"time_offset_ms": -60000})");
  auto pos = c->positions("SWAP");
  ASSERT_TRUE(pos) << pos.error().describe();
  ASSERT_EQ(pos->size(), 1u);
  EXPECT_EQ((*pos)[0].inst_id, "BTC-USDT-SWAP");
  EXPECT_EQ((*pos)[0].pos, "2");
  EXPECT_EQ(c->stats().recalibrations, 1u);
  EXPECT_EQ(fake_->stat("sign_bad"), 0);
}

TEST_F(OkxRest, OrderFlowPlaceQueryAmendCancelAndBatches) {
  auto c = client();
  auto a = c->place_order(limit_buy("30000", "0.01", "abc123"));
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_FALSE(a->ord_id.empty());
  EXPECT_EQ(a->cl_ord_id, "abc123");
  EXPECT_FALSE(a->recovered);

  auto q = c->get_order("BTC-USDT", a->ord_id, "");
  ASSERT_TRUE(q) << q.error().describe();
  EXPECT_EQ(q->state, "live");
  EXPECT_EQ(*q->px, (Decimal{30000, 0}));
  EXPECT_EQ(q->sz, (Decimal{1, 2}));
  q = c->get_order("BTC-USDT", "", "abc123");
  ASSERT_TRUE(q) << q.error().describe();
  EXPECT_EQ(q->ord_id, a->ord_id);

  AmendRequest am;
  am.inst_id = "BTC-USDT";
  am.ord_id = a->ord_id;
  am.new_px = Decimal{299995, 1};
  auto amended = c->amend_order(am);
  ASSERT_TRUE(amended) << amended.error().describe();
  q = c->get_order("BTC-USDT", a->ord_id, "");
  EXPECT_EQ(*q->px, (Decimal{299995, 1}));

  auto canceled = c->cancel_order(CancelRequest{"BTC-USDT", a->ord_id, ""});
  ASSERT_TRUE(canceled) << canceled.error().describe();
  q = c->get_order("BTC-USDT", a->ord_id, "");
  EXPECT_EQ(q->state, "canceled");
  auto again = c->cancel_order(CancelRequest{"BTC-USDT", a->ord_id, ""});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().okx_code, 51400);
  EXPECT_EQ(again.error().kind, ErrorKind::kRejected);

  // A batch with one order the account cannot pay for: per-item sCode 51008.
  auto batch = c->place_orders({limit_buy("100", "1"), limit_buy("30000", "1000"), limit_buy("101", "1")});
  ASSERT_TRUE(batch) << batch.error().describe();
  ASSERT_EQ(batch->size(), 3u);
  EXPECT_TRUE((*batch)[0]);
  ASSERT_FALSE((*batch)[1]);
  EXPECT_EQ((*batch)[1].error().kind, ErrorKind::kInsufficientFunds);
  EXPECT_EQ((*batch)[1].error().okx_code, 51008);
  EXPECT_TRUE((*batch)[2]);
  auto amends = c->amend_orders({AmendRequest{"BTC-USDT", (*batch)[0]->ord_id, "", std::nullopt, Decimal{2, 0}}});
  ASSERT_TRUE(amends) << amends.error().describe();
  EXPECT_TRUE((*amends)[0]);
  auto cancels = c->cancel_orders({CancelRequest{"BTC-USDT", (*batch)[0]->ord_id, ""},
                                   CancelRequest{"BTC-USDT", (*batch)[2]->ord_id, ""}});
  ASSERT_TRUE(cancels) << cancels.error().describe();
  EXPECT_TRUE((*cancels)[0] && (*cancels)[1]);

  // More than 20 orders never leave the client.
  std::vector<OrderRequest> many(21, limit_buy("100", "0.001"));
  auto big = c->place_orders(many);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().kind, ErrorKind::kInvalidArgument);

  // Every signed request was verified by the fake; none failed.
  EXPECT_EQ(fake_->stat("sign_ok"), 11);  // every signed request above
  EXPECT_EQ(fake_->stat("sign_bad"), 0);
  EXPECT_EQ(fake_->stat("orders_created"), 3);
  EXPECT_EQ(c->http().connections_opened(), 1u);
}

TEST_F(OkxRest, ErrorsMapToTypedKinds) {
  // 51008 on a single order: code 1 with the reason in sCode.
  auto c = client();
  auto poor = c->place_order(limit_buy("30000", "1000"));
  ASSERT_FALSE(poor);
  EXPECT_EQ(poor.error().kind, ErrorKind::kInsufficientFunds);
  EXPECT_EQ(poor.error().okx_code, 51008);
  EXPECT_NE(poor.error().describe().find("Insufficient"), std::string::npos);

  // 50113: a wrong secret really fails the fake's signature check.
  OkxConfig bad = fake_->config();
  bad.credentials.secret_key = Secret("not-the-secret");
  auto wrong = client(bad)->balance();
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().kind, ErrorKind::kBadSignature);
  EXPECT_EQ(wrong.error().okx_code, 50113);
  EXPECT_EQ(wrong.error().http_status, 401);
  EXPECT_EQ(fake_->stat("sign_bad"), 1);

  // 50102 twice in a row: one recalibration, then the typed error.
  fake_->control("faults", R"([{"path":"/api/v5/account/balance","code":"50102","msg":"Timestamp request expired","http":401,"times":2}])");
  auto expired = c->balance();
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().kind, ErrorKind::kTimestampExpired);
  EXPECT_EQ(c->stats().recalibrations, 1u);

  // A per-item sCode on a single order, and other codes.
  fake_->control("faults", R"([{"path":"/api/v5/trade/order","sCode":"51121","sMsg":"Order quantity must be a multiple of the lot size."}])");
  auto lot = c->place_order(limit_buy("30000", "0.01"));
  ASSERT_FALSE(lot);
  EXPECT_EQ(lot.error().kind, ErrorKind::kRejected);
  EXPECT_EQ(lot.error().okx_code, 51121);
  EXPECT_EQ(classify_okx_code(50011), ErrorKind::kRateLimited);
  EXPECT_EQ(classify_okx_code(50001), ErrorKind::kServiceUnavailable);
  EXPECT_EQ(classify_okx_code(50111), ErrorKind::kAuth);
}

TEST_F(OkxRest, RateLimitedAnswersBackOffExponentiallyThenSucceedOrGiveUp) {
  auto c = client();  // backoff 50 ms, then 100 ms, then 200 ms; 3 retries
  fake_->control("faults", R"([{"path":"/api/v5/trade/order","http":429,"code":"50011","times":2}])");
  auto t0 = std::chrono::steady_clock::now();
  auto a = c->place_order(limit_buy("30000", "0.01"));
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_GE(ms_since(t0), 150);
  EXPECT_EQ(c->stats().rate_limited, 2u);
  EXPECT_GE(c->stats().backoff_ms_total, 150u);
  EXPECT_EQ(fake_->stat("orders_created"), 1);

  // 50011 in the body with HTTP 200 counts the same; after 3 retries, give up.
  fake_->control("faults", R"([{"path":"/api/v5/account/balance","code":"50011","times":4}])");
  auto b = c->balance();
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().kind, ErrorKind::kRateLimited);
  EXPECT_EQ(b.error().okx_code, 50011);
  EXPECT_EQ(c->stats().rate_limited, 2u + 4u);
}

TEST_F(OkxRest, LocalRateLimitQueuesOrRefusesAndTheVenueNeverRejects) {
  // The fake enforces OKX's real limits; the client keeps its own budget of 5 per 2 s
  // for placing orders, so the 6th must wait for the window or be refused.
  fake_->control("config", R"({"limits": {"/api/v5/trade/order POST": 5}})");
  OkxConfig cfg = fake_->config();
  cfg.rate_limit_max_wait_ms = 0;  // refuse at once
  auto c = client(cfg);
  c->limiter().set_limit(Endpoint::kPlaceOrder, 5, 2000);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(c->place_order(limit_buy("100", "0.001"))) << i;
  auto refused = c->place_order(limit_buy("100", "0.001"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kLocalRateLimit);
  EXPECT_NE(refused.error().message.find("/api/v5/trade/order"), std::string::npos);
  EXPECT_NE(refused.error().message.find("5 requests per 2000 ms"), std::string::npos);
  EXPECT_EQ(c->stats().locally_refused, 1u);

  cfg.rate_limit_max_wait_ms = 3000;  // queue instead
  auto q = client(cfg);
  q->limiter().set_limit(Endpoint::kPlaceOrder, 5, 2000);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));  // the fake's window empties
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(q->place_order(limit_buy("100", "0.001"))) << i;
  EXPECT_GE(ms_since(t0), 1900);  // the 6th and 7th waited for the window
  EXPECT_GT(q->stats().queued_ms_total, 1000u);
  EXPECT_EQ(fake_->stat("rate_rejections"), 0);
  EXPECT_EQ(fake_->stat("orders_created"), 12);
}

TEST_F(OkxRest, OrderOfUnknownFateIsRequeriedByClientIdBeforeAnyRetry) {
  OkxConfig cfg = fake_->config();
  cfg.request_timeout_ms = 400;
  auto c = client(cfg);
  // The venue takes the order but answers too late: timeout -> re-query finds it.
  fake_->control("faults", R"([{"path":"/api/v5/trade/order","method":"POST","delay_ms":1200,"create_first":true}])");
  auto a = c->place_order(limit_buy("30000", "0.01", "fate1"));
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_TRUE(a->recovered);
  EXPECT_EQ(a->cl_ord_id, "fate1");
  EXPECT_EQ(a->state, "live");
  EXPECT_EQ(c->stats().fate_queries, 1u);
  EXPECT_EQ(c->stats().fate_recovered, 1u);
  EXPECT_EQ(c->stats().fate_resent, 0u);

  // 50004 (endpoint timeout) and the order does not exist: sent again, once.
  fake_->control("faults", R"([{"path":"/api/v5/trade/order","method":"POST","code":"50004","msg":"API endpoint request timeout"}])");
  auto b = c->place_order(limit_buy("30000", "0.01", "fate2"));
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_FALSE(b->recovered);
  EXPECT_EQ(c->stats().fate_queries, 2u);
  EXPECT_EQ(c->stats().fate_resent, 1u);

  // The connection drops after the venue took the order: re-query finds it.
  fake_->control("faults", R"([{"path":"/api/v5/trade/order","method":"POST","drop":true,"create_first":true}])");
  auto d = c->place_order(limit_buy("30000", "0.01", "fate3"));
  ASSERT_TRUE(d) << d.error().describe();
  EXPECT_TRUE(d->recovered);
  EXPECT_EQ(c->stats().fate_recovered, 2u);

  // No duplicates: one order per clOrdId.
  EXPECT_EQ(fake_->stat("orders_created"), 3);
  std::this_thread::sleep_for(std::chrono::milliseconds(900));  // let the slow handler finish
}

TEST_F(OkxRest, SlowServerTimesOut) {
  OkxConfig cfg = fake_->config();
  cfg.request_timeout_ms = 300;
  auto c = client(cfg);
  fake_->control("faults", R"([{"path":"/api/v5/account/balance","delay_ms":1500}])");
  auto t0 = std::chrono::steady_clock::now();
  auto b = c->balance();
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().kind, ErrorKind::kTimeout);
  EXPECT_LT(ms_since(t0), 1200);
  EXPECT_NE(b.error().describe().find("GET /api/v5/account/balance"), std::string::npos);
  // The next request works on a fresh connection.
  auto again = c->balance();
  ASSERT_TRUE(again) << again.error().describe();
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
}

TEST_F(OkxRest, SecretsNeverAppearInLogsErrorsOrDescriptions) {
  OkxConfig cfg = fake_->config();
  auto c = client(cfg);
  ASSERT_TRUE(c->balance());
  ASSERT_TRUE(c->place_order(limit_buy("30000", "0.01")));
  fake_->control("faults", R"([{"path":"/api/v5/account/balance","code":"50113","http":401}])");
  auto e = c->balance();
  ASSERT_FALSE(e);
  OkxConfig bad = cfg;
  bad.credentials.passphrase = Secret("wrong-passphrase-zz");
  auto e2 = client(bad)->balance();
  ASSERT_FALSE(e2);
  std::vector<std::string> texts = log_;
  texts.push_back(e.error().describe());
  texts.push_back(e2.error().describe());
  texts.push_back(cfg.describe());
  ASSERT_GE(log_.size(), 5u);
  for (const std::string& t : texts) {
    EXPECT_EQ(t.find(testing::kFakeSecret), std::string::npos) << t;
    EXPECT_EQ(t.find(testing::kFakePassphrase), std::string::npos) << t;
    EXPECT_EQ(t.find("wrong-passphrase-zz"), std::string::npos) << t;
    EXPECT_EQ(t.find(testing::kFakeApiKey), std::string::npos) << t;
    EXPECT_EQ(t.find("OK-ACCESS-SIGN"), std::string::npos) << t;
  }
  // Each log line has the latency and the redacted body.
  EXPECT_NE(log_[0].find(" us"), std::string::npos);
  EXPECT_NE(cfg.describe().find("**** ("), std::string::npos);
}

TEST(OkxRestDemo, DemoTradingSendsTheSimulatedTradingHeader) {
  FakeOkx demo_fake(/*demo=*/true);
  OkxRestClient demo(demo_fake.config(/*demo=*/true));
  auto ok = demo.balance();
  ASSERT_TRUE(ok) << ok.error().describe();
  OkxConfig prod = demo_fake.config(false);
  OkxRestClient wrong(prod);
  auto refused = wrong.balance();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().okx_code, 50101);
  EXPECT_EQ(refused.error().kind, ErrorKind::kAuth);
}

}  // namespace
}  // namespace tachyon::okx
