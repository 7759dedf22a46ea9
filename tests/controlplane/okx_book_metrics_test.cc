// The mirrored OKX books' metrics text, fed pushes directly (no connection): the state
// lines and counters through snapshot, gap and resync, exact decimal best levels that
// disappear while a book is stale, one label set per instrument, and the hand-over to
// the metrics thread.
#include "tachyon/controlplane/okx_book_metrics.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace tachyon::controlplane {
namespace {

// Returns the value of `name{labels}` in body, or "" when absent.
std::string sample(const std::string& body, const std::string& name_and_labels) {
  const std::size_t at = body.find("\n" + name_and_labels + " ");
  if (at == std::string::npos) return "";
  const std::size_t from = at + name_and_labels.size() + 2;
  return body.substr(from, body.find('\n', from) - from);
}

// Delivers text to md as the WebSocket would: padded for simdjson.
void push(okx::OkxMarketData& md, const std::string& text) {
  std::string buf = text;
  buf.resize(text.size() + 64, '\0');
  md.on_message(buf.data(), text.size(), buf.size());
}

std::vector<okx::Instrument> instruments() {
  return {*okx::Instrument::make("BTC-USDT", "0.1", "0.00000001"), *okx::Instrument::make("ETH-USDT", "0.01", "0.001")};
}

okx::OkxConfig config() {
  okx::OkxConfig c;
  c.ws_public_url = "wss://127.0.0.1:1/ws/v5/public";  // never connected: pushes are fed directly
  return c;
}

const std::string kBtc = R"(inst="BTC-USDT",channel="books")";
const std::string kEth = R"(inst="ETH-USDT",channel="books")";

TEST(OkxBookMetrics, StateCountersAndBestLevelsThroughAGapAndResync) {
  okx::OkxMarketData md(config(), instruments());
  std::string m = render_okx_book_metrics(md);
  EXPECT_EQ(sample(m, "tachyon_okx_book_state{" + kBtc + R"(,state="awaiting-snapshot"})"), "1") << m;
  EXPECT_EQ(sample(m, "tachyon_okx_book_live{" + kBtc + "}"), "0");
  EXPECT_EQ(sample(m, "tachyon_okx_book_best_price{" + kBtc + R"(,side="bid"})"), "");  // no book yet
  EXPECT_NE(m.find("# TYPE tachyon_okx_book_gaps_total counter\n"), std::string::npos) << m;

  push(md, R"({"arg":{"channel":"books","instId":"BTC-USDT"},"action":"snapshot","data":[{"asks":[["30000.1","1.5","0","1"],["30000.5","2","0","1"]],"bids":[["29999.9","0.00000001","0","1"],["29999","3","0","1"]],"ts":"1700000000000","checksum":0,"prevSeqId":-1,"seqId":100}]})");
  push(md, R"({"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[["30000.1","0","0","0"]],"bids":[],"ts":"1700000000100","checksum":0,"prevSeqId":100,"seqId":101}]})");
  push(md, R"({"arg":{"channel":"books","instId":"ETH-USDT"},"action":"snapshot","data":[{"asks":[["2000.01","1","0","1"]],"bids":[["1999.99","0.5","0","1"]],"ts":"1700000000000","checksum":0,"prevSeqId":-1,"seqId":7}]})");
  m = render_okx_book_metrics(md);
  EXPECT_EQ(sample(m, "tachyon_okx_book_state{" + kBtc + R"(,state="live"})"), "1") << m;
  EXPECT_EQ(sample(m, "tachyon_okx_book_state{" + kBtc + R"(,state="stale"})"), "0");
  EXPECT_EQ(sample(m, "tachyon_okx_book_live{" + kBtc + "}"), "1");
  EXPECT_EQ(sample(m, "tachyon_okx_book_seq_id{" + kBtc + "}"), "101");
  EXPECT_EQ(sample(m, "tachyon_okx_book_snapshots_total{" + kBtc + "}"), "1");
  EXPECT_EQ(sample(m, "tachyon_okx_book_updates_total{" + kBtc + "}"), "1");
  // Exact decimals, as sent: the ask at 30000.1 was deleted, 30000.5 is now best.
  EXPECT_EQ(sample(m, "tachyon_okx_book_best_price{" + kBtc + R"(,side="bid"})"), "29999.9");
  EXPECT_EQ(sample(m, "tachyon_okx_book_best_price{" + kBtc + R"(,side="ask"})"), "30000.5");
  EXPECT_EQ(sample(m, "tachyon_okx_book_best_size{" + kBtc + R"(,side="bid"})"), "0.00000001");
  EXPECT_EQ(sample(m, "tachyon_okx_book_best_size{" + kBtc + R"(,side="ask"})"), "2");
  EXPECT_EQ(sample(m, "tachyon_okx_book_levels{" + kBtc + R"(,side="ask"})"), "1");
  EXPECT_EQ(sample(m, "tachyon_okx_book_exchange_timestamp_ms{" + kBtc + "}"), "1700000000100");
  EXPECT_EQ(sample(m, "tachyon_okx_book_best_price{" + kEth + R"(,side="ask"})"), "2000.01");

  // A gap: BTC-USDT stale and empty, counted once as gap, stale event and resync.
  push(md, R"({"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[],"bids":[["29999.8","1","0","1"]],"ts":"1700000000300","checksum":0,"prevSeqId":105,"seqId":106}]})");
  m = render_okx_book_metrics(md);
  EXPECT_EQ(sample(m, "tachyon_okx_book_state{" + kBtc + R"(,state="stale"})"), "1") << m;
  EXPECT_EQ(sample(m, "tachyon_okx_book_live{" + kBtc + "}"), "0");
  EXPECT_EQ(sample(m, "tachyon_okx_book_seq_id{" + kBtc + "}"), "-1");
  EXPECT_EQ(sample(m, "tachyon_okx_book_gaps_total{" + kBtc + "}"), "1");
  EXPECT_EQ(sample(m, "tachyon_okx_book_stale_events_total{" + kBtc + "}"), "1");
  EXPECT_EQ(sample(m, "tachyon_okx_book_resyncs_total{" + kBtc + "}"), "1");
  EXPECT_EQ(sample(m, "tachyon_okx_book_best_price{" + kBtc + R"(,side="bid"})"), "");
  EXPECT_EQ(sample(m, "tachyon_okx_book_levels{" + kBtc + R"(,side="bid"})"), "0");
  EXPECT_EQ(sample(m, "tachyon_okx_ws_resubscribes_total"), "1");
  EXPECT_EQ(sample(m, "tachyon_okx_book_live{" + kEth + "}"), "1");  // the other book is untouched
  EXPECT_EQ(sample(m, "tachyon_okx_book_gaps_total{" + kEth + "}"), "0");

  // A checksum that does not match: counted as a failure and another resync.
  push(md, R"({"arg":{"channel":"books","instId":"ETH-USDT"},"action":"update","data":[{"asks":[],"bids":[["1999.98","1","0","1"]],"ts":"1","checksum":12345,"prevSeqId":7,"seqId":8}]})");
  m = render_okx_book_metrics(md);
  EXPECT_EQ(sample(m, "tachyon_okx_book_checksum_checks_total{" + kEth + "}"), "1") << m;
  EXPECT_EQ(sample(m, "tachyon_okx_book_checksum_failures_total{" + kEth + "}"), "1");
  EXPECT_EQ(sample(m, "tachyon_okx_book_resyncs_total{" + kEth + "}"), "1");
  EXPECT_EQ(sample(m, "tachyon_okx_book_live{" + kEth + "}"), "0");

  // The resubscription's snapshot: live again.
  push(md, R"({"arg":{"channel":"books","instId":"BTC-USDT"},"action":"snapshot","data":[{"asks":[["30001","1","0","1"]],"bids":[["29998","1","0","1"]],"ts":"1700000000500","checksum":0,"prevSeqId":-1,"seqId":200}]})");
  m = render_okx_book_metrics(md);
  EXPECT_EQ(sample(m, "tachyon_okx_book_state{" + kBtc + R"(,state="live"})"), "1") << m;
  EXPECT_EQ(sample(m, "tachyon_okx_book_snapshots_total{" + kBtc + "}"), "2");
  EXPECT_EQ(sample(m, "tachyon_okx_book_gaps_total{" + kBtc + "}"), "1");
  EXPECT_EQ(sample(m, "tachyon_okx_book_best_price{" + kBtc + R"(,side="ask"})"), "30001.0");  // at tickSz's scale
  EXPECT_EQ(sample(m, "tachyon_okx_ws_open"), "0");
  EXPECT_EQ(sample(m, "tachyon_okx_ws_messages_total"), "0");  // counted by the connection, which saw none
}

TEST(OkxBookMetrics, ShallowChannelsAreLabelledWithTheirChannel) {
  okx::OkxMarketData md(config(), {instruments()[0]}, okx::Channel::kBooks5);
  push(md, R"({"arg":{"channel":"books5","instId":"BTC-USDT"},"data":[{"asks":[["30000.1","1","0","1"]],"bids":[["29999.9","2","0","1"]],"instId":"BTC-USDT","ts":"1","seqId":9}]})");
  const std::string m = render_okx_book_metrics(md);
  EXPECT_EQ(sample(m, R"(tachyon_okx_book_live{inst="BTC-USDT",channel="books5"})"), "1") << m;
  EXPECT_EQ(sample(m, R"(tachyon_okx_book_seq_id{inst="BTC-USDT",channel="books5"})"), "9");
  EXPECT_EQ(m.find("channel=\"books\""), std::string::npos);
}

TEST(OkxBookMetrics, PublishedTextIsReadFromAnotherThread) {
  okx::OkxMarketData md(config(), instruments());
  OkxBookMetrics published;
  EXPECT_EQ(published.text(), "");
  published.publish(md);
  std::string seen;
  std::thread reader([&] { seen = published.text(); });
  reader.join();
  EXPECT_EQ(seen, render_okx_book_metrics(md));
  EXPECT_NE(seen.find("tachyon_okx_book_live{" + kBtc + "} 0"), std::string::npos) << seen;
}

}  // namespace
}  // namespace tachyon::controlplane
