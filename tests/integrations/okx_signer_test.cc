// OKX signing: the golden vectors of issue 8 (REST GET with query, REST POST with a
// body, WebSocket login), the ISO-8601 timestamp form and the header set.
#include <gtest/gtest.h>

#include "tachyon/okx/signer.h"

namespace tachyon::okx {
namespace {

Credentials fake_creds() {
  return Credentials{Secret("fake-api-key"), Secret("test-secret"), Secret("fake-passphrase")};
}

TEST(OkxSigner, GoldenVectorRestGetWithQuery) {
  EXPECT_EQ(hmac_sha256_base64("test-secret", "2020-12-08T09:08:57.715ZGET/api/v5/account/balance?ccy=BTC"),
            "5KlCItRxE039QKll2OJlbYeUcSiPGR/z10UR7bbl68o=");
  const RequestSigner s(fake_creds(), false);
  EXPECT_EQ(s.sign("2020-12-08T09:08:57.715Z", "GET", "/api/v5/account/balance?ccy=BTC", ""),
            "5KlCItRxE039QKll2OJlbYeUcSiPGR/z10UR7bbl68o=");
}

TEST(OkxSigner, GoldenVectorRestPostWithBody) {
  const RequestSigner s(fake_creds(), false);
  const std::string body =
      R"({"instId":"BTC-USDT","tdMode":"cash","side":"buy","ordType":"limit","px":"30000","sz":"0.01","clOrdId":"abc123"})";
  EXPECT_EQ(RequestSigner::prehash("2020-12-08T09:08:57.715Z", "POST", "/api/v5/trade/order", body),
            "2020-12-08T09:08:57.715ZPOST/api/v5/trade/order" + body);
  EXPECT_EQ(s.sign("2020-12-08T09:08:57.715Z", "POST", "/api/v5/trade/order", body),
            "FoGBYeWiCMeOvHFyS/NykjWjSOrnmVKAAkRPxTeDFfU=");
}

TEST(OkxSigner, GoldenVectorWebSocketLogin) {
  EXPECT_EQ(hmac_sha256_base64("test-secret", "1607418537GET/users/self/verify"),
            "jEIpc3yawNvbX6zFD3P2fjpVtoc6z6ijOW4l13zlNDE=");
  const RequestSigner s(fake_creds(), false);
  EXPECT_EQ(s.ws_login_message(1607418537),
            R"({"op":"login","args":[{"apiKey":"fake-api-key","passphrase":"fake-passphrase",)"
            R"("timestamp":"1607418537","sign":"jEIpc3yawNvbX6zFD3P2fjpVtoc6z6ijOW4l13zlNDE="}]})");
}

TEST(OkxSigner, TimestampIsIso8601UtcWithMilliseconds) {
  EXPECT_EQ(format_iso8601_ms(1607418537715), "2020-12-08T09:08:57.715Z");
  EXPECT_EQ(format_iso8601_ms(1607418537005), "2020-12-08T09:08:57.005Z");
  EXPECT_EQ(format_iso8601_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_iso8601_ms(951782400999), "2000-02-29T00:00:00.999Z");  // leap day
}

TEST(OkxSigner, RestHeadersCarryKeySignTimestampPassphraseAndDemoFlag) {
  const RequestSigner prod(fake_creds(), false);
  auto h = prod.rest_headers(1607418537715, "GET", "/api/v5/account/balance?ccy=BTC", "");
  ASSERT_EQ(h.size(), 4u);
  EXPECT_EQ(h[0].name, "OK-ACCESS-KEY");
  EXPECT_EQ(h[0].value, "fake-api-key");
  EXPECT_EQ(h[1].name, "OK-ACCESS-SIGN");
  EXPECT_EQ(h[1].value, "5KlCItRxE039QKll2OJlbYeUcSiPGR/z10UR7bbl68o=");
  EXPECT_EQ(h[2].name, "OK-ACCESS-TIMESTAMP");
  EXPECT_EQ(h[2].value, "2020-12-08T09:08:57.715Z");
  EXPECT_EQ(h[3].name, "OK-ACCESS-PASSPHRASE");
  EXPECT_EQ(h[3].value, "fake-passphrase");
  EXPECT_TRUE(prod.public_headers().empty());

  const RequestSigner demo(fake_creds(), true);
  h = demo.rest_headers(1607418537715, "GET", "/api/v5/account/balance?ccy=BTC", "");
  ASSERT_EQ(h.size(), 5u);
  EXPECT_EQ(h[4].name, "x-simulated-trading");
  EXPECT_EQ(h[4].value, "1");
  ASSERT_EQ(demo.public_headers().size(), 1u);
}

TEST(OkxSecret, NeverPrintsItsValue) {
  const Secret s("test-secret");
  EXPECT_EQ(s.redacted().find("test"), std::string::npos);
  EXPECT_EQ(s.redacted().find("secret"), std::string::npos);
  EXPECT_EQ(s.redacted(), "**** (11 chars)");
  EXPECT_EQ(Secret().redacted(), "(unset)");
  EXPECT_EQ(s.reveal(), "test-secret");
}

}  // namespace
}  // namespace tachyon::okx
