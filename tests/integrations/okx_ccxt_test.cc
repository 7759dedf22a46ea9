// Cross-check with an independent client: ccxt (npm, pinned in
// tests/integrations/ccxt/package-lock.json) signs a set of OKX requests under a
// frozen clock, and tachyon's signer must produce identical headers, bodies, paths
// and WebSocket login messages. Needs node (skipped with a message saying so when it is
// absent) and the lockfile's packages, which scripts/install-deps.sh installs into
// tests/integrations/ccxt/node_modules (scripts/install-node-deps.sh); the test itself
// never reaches the npm registry.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <simdjson.h>

#include "tachyon/okx/json_text.h"
#include "tachyon/okx/rest_types.h"
#include "tachyon/okx/signer.h"

namespace tachyon::okx {
namespace {

namespace fs = std::filesystem;

const char* kApiKey = "ccxt-fake-key-42";
const char* kSecret = "ccxt-fake-secret-0e1f";
const char* kPassphrase = "ccxt-fake-pass-77";

bool on_path(const char* tool) {
  const std::string cmd = std::string("command -v ") + tool + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs cmd in dir; returns exit status and output (stdout and stderr).
int run_in(const fs::path& dir, const std::string& cmd, std::string& out) {
  const std::string full = "cd '" + dir.string() + "' && " + cmd + " 2>&1";
  FILE* p = ::popen(full.c_str(), "r");
  if (p == nullptr) return -1;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int st = ::pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// Returns "" when dir/node_modules holds the packages of dir/package-lock.json (as
// scripts/install-node-deps.sh stamps them), else what is wrong and how to fix it.
std::string installed_problem(const fs::path& dir) {
  const fs::path ccxt = dir / "node_modules/ccxt/package.json";
  const std::string fix = ": run scripts/install-deps.sh (it calls scripts/install-node-deps.sh, which runs "
                          "npm ci there)";
  if (!fs::exists(ccxt)) return ccxt.string() + " not found" + fix;
  if (slurp(dir / "node_modules/.tachyon-lock") != slurp(dir / "package-lock.json"))
    return (dir / "node_modules").string() + " does not match " + (dir / "package-lock.json").string() + fix;
  return "";
}

struct Case {
  std::string id;
  std::string kind = "rest";
  int64_t frozen_ms = 0;
  bool sandbox = false;
  std::string method;
  std::string ccxt_path;  // ccxt's path: "trade/order"
  std::string params;     // JSON: the body for POST, the query as an object for GET
  std::string target;     // what tachyon sends: "/api/v5/account/balance?ccy=BTC"
  std::string body;       // what tachyon sends
};

OrderRequest order(const char* inst, book::Side side, const char* type, const char* px, const char* sz, const char* cl) {
  OrderRequest o;
  o.inst_id = inst;
  o.side = side;
  o.ord_type = type;
  if (px) o.px = *Decimal::parse(px);
  o.sz = *Decimal::parse(sz);
  o.cl_ord_id = cl;
  return o;
}

std::vector<Case> cases() {
  std::vector<Case> c;
  const int64_t t1 = 1607418537715;  // the golden vectors' instant
  const int64_t t2 = 1700000000123;
  c.push_back({"balance", "rest", t1, false, "GET", "account/balance", R"({"ccy":"BTC"})",
               "/api/v5/account/balance?ccy=BTC", ""});
  c.push_back({"positions", "rest", t2, true, "GET", "account/positions", R"({"instType":"SWAP","instId":"BTC-USDT-SWAP"})",
               "/api/v5/account/positions?instType=SWAP&instId=BTC-USDT-SWAP", ""});
  c.push_back({"get-order", "rest", t2, false, "GET", "trade/order", R"({"instId":"BTC-USDT","clOrdId":"tx1n2"})",
               "/api/v5/trade/order?instId=BTC-USDT&clOrdId=tx1n2", ""});
  const std::string o1 = order("BTC-USDT", book::Side::kBuy, "limit", "30000", "0.01", "abc123").to_json();
  c.push_back({"order", "rest", t1, false, "POST", "trade/order", o1, "/api/v5/trade/order", o1});
  c.push_back({"order-demo", "rest", t2, true, "POST", "trade/order", o1, "/api/v5/trade/order", o1});
  OrderRequest mkt = order("ETH-USDT", book::Side::kSell, "market", nullptr, "1.5", "mkt7");
  mkt.td_mode = "cross";
  mkt.reduce_only = true;
  const std::string o2 = mkt.to_json();
  c.push_back({"order-market", "rest", t2, false, "POST", "trade/order", o2, "/api/v5/trade/order", o2});
  const std::string batch = "[" + o1 + "," + order("BTC-USDT", book::Side::kSell, "post_only", "30000.5", "0.002", "b2").to_json() + "]";
  c.push_back({"batch", "rest", t2, false, "POST", "trade/batch-orders", batch, "/api/v5/trade/batch-orders", batch});
  const std::string cancel = CancelRequest{"BTC-USDT", "312269865356374016", ""}.to_json();
  c.push_back({"cancel", "rest", t2, false, "POST", "trade/cancel-order", cancel, "/api/v5/trade/cancel-order", cancel});
  AmendRequest am{"BTC-USDT", "", "abc123", Decimal{300015, 1}, Decimal{2, 2}, "r1", true};
  const std::string amend = am.to_json();
  c.push_back({"amend", "rest", t2, true, "POST", "trade/amend-order", amend, "/api/v5/trade/amend-order", amend});
  c.push_back({"login", "ws_login", t1, false, "", "", "{}", "", ""});
  c.push_back({"login-2", "ws_login", t2, false, "", "", "{}", "", ""});
  return c;
}

std::string cases_json(const std::vector<Case>& cs) {
  std::string j = "[";
  for (const Case& c : cs) {
    if (j.size() > 1) j += ',';
    j += "{";
    append_json_field(j, "id", c.id);
    append_json_field(j, "kind", c.kind);
    j += ",\"frozen_ms\":" + std::to_string(c.frozen_ms) + ",\"sandbox\":" + (c.sandbox ? "true" : "false");
    append_json_field(j, "method", c.method);
    append_json_field(j, "path", c.ccxt_path);
    j += ",\"params\":" + c.params + "}";
  }
  return j + "]";
}

TEST(OkxCcxt, CcxtAndTachyonSignIdentically) {
  if (!on_path("node"))
    GTEST_SKIP() << "node not found on PATH: the ccxt cross-check of OKX signatures is skipped "
                    "(it needs node >= 20.19; scripts/install-deps.sh then installs ccxt)";
  const fs::path dir = fs::path(TACHYON_SOURCE_DIR) / "tests/integrations/ccxt";
  {
    // The pinned ccxt's dependencies (@noble/*, ES modules loaded by require) need node
    // 20.19 or newer; an older node cannot load the independent signer at all.
    std::string version;
    const int vrc = run_in(dir, "node -p process.versions.node", version);
    int major = 0, minor = 0;
    ASSERT_EQ(vrc, 0) << version;
    ASSERT_EQ(std::sscanf(version.c_str(), "%d.%d", &major, &minor), 2) << version;
    if (major < 20 || (major == 20 && minor < 19))
      GTEST_SKIP() << "node " << version.substr(0, version.find('\n'))
                   << " is older than 20.19, which the pinned ccxt's dependencies need: the ccxt "
                      "cross-check of OKX signatures is skipped";
  }
  const std::string problem = installed_problem(dir);
  ASSERT_EQ(problem, "");
  const fs::path work = fs::path(::testing::TempDir()) / ("okx-ccxt-" + std::to_string(::getpid()));
  fs::create_directories(work);

  const std::vector<Case> cs = cases();
  std::ofstream(work / "cases.json") << cases_json(cs);
  std::string creds = "{";
  append_json_field(creds, "apiKey", kApiKey);
  append_json_field(creds, "secret", kSecret);
  append_json_field(creds, "password", kPassphrase);
  creds += "}";
  std::ofstream(work / "creds.json") << creds;
  std::string out;
  const int rc = run_in(dir, "node sign_okx.js '" + (work / "cases.json").string() + "' '" +
                                 (work / "creds.json").string() + "'", out);
  fs::remove_all(work);
  ASSERT_EQ(rc, 0) << out;

  simdjson::dom::parser p;
  simdjson::dom::array results;
  ASSERT_EQ(p.parse(out).get(results), simdjson::SUCCESS) << out;
  ASSERT_EQ(results.size(), cs.size());
  const Credentials credentials{Secret(kApiKey), Secret(kSecret), Secret(kPassphrase)};
  std::size_t i = 0;
  for (simdjson::dom::element r : results) {
    const Case& c = cs[i++];
    SCOPED_TRACE(c.id);
    ASSERT_EQ(std::string_view(r["id"]), c.id);
    const RequestSigner signer(credentials, c.sandbox);
    if (c.kind == "ws_login") {
      EXPECT_EQ(std::string_view(r["login"]), signer.ws_login_message(c.frozen_ms / 1000));
      continue;
    }
    EXPECT_EQ(std::string_view(r["url"]), "https://www.okx.com" + c.target);
    EXPECT_EQ(std::string_view(r["body"]), c.body);
    std::map<std::string, std::string> theirs;
    for (auto [k, v] : simdjson::dom::object(r["headers"])) theirs[std::string(k)] = std::string(std::string_view(v));
    std::map<std::string, std::string> ours;
    for (const Header& h : signer.rest_headers(c.frozen_ms, c.method, c.target, c.body)) ours[h.name] = h.value;
    theirs.erase("Content-Type");  // tachyon's HTTP layer adds it to every POST
    EXPECT_EQ(ours, theirs);
  }
}

}  // namespace
}  // namespace tachyon::okx
