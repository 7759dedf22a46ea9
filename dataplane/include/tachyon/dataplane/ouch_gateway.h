// Match mode's order-entry front end: decodes OUCH 4.2 inbound messages (Enter, Replace,
// Cancel) from each client, drives the BookShard, and answers every client in OUCH 4.2
// outbound messages (Accepted, Replaced, Canceled, Executed, Rejected) framed in one
// MoldUDP64 session per client. Book events also go to a market-data sink. Owned by the
// matching core; not thread-safe. No allocation after construction.
//
// Tokens are per client. Internal order ids are assigned in arrival order (1, 2, ...)
// and appear as the order reference number in Accepted and Replaced.
//   O  unknown stock -> J 'S'; token live -> J 'O'; else BookShard::add
//   U  unknown existing token -> counted, no answer (nothing to replace); replacement
//      token live -> J 'O'; else BookShard::modify (new price/shares; the book decides
//      whether time priority survives) and the order answers to the new token
//   X  unknown token -> counted, no answer; shares 0 cancels, fewer shares than rest
//      reduce (priority kept), more shares change nothing
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tachyon/book/book_shard.h"
#include "tachyon/dataplane/circuit_breaker.h"
#include "tachyon/dataplane/fixed_hash_map.h"
#include "tachyon/dataplane/moldudp64.h"
#include "tachyon/dataplane/ouch_codec.h"
#include "tachyon/dataplane/ouch_messages.h"
#include "tachyon/dataplane/ouch_reasons.h"
#include "tachyon/dataplane/risk_gate.h"

namespace tachyon::dataplane {

struct OuchGatewayStats {
  uint64_t enter = 0, replace = 0, cancel = 0;  // inbound messages by type
  uint64_t decode_errors = 0;                   // undecodable inbound messages
  uint64_t unknown_tokens = 0;                  // U/X naming no live order
  uint64_t duplicate_tokens = 0;                // O/U reusing a live token
  uint64_t unknown_stocks = 0;
  uint64_t accepted = 0, replaced = 0, canceled = 0, executed = 0, rejected = 0;  // replies
  uint64_t trades = 0;
  uint64_t reply_packets = 0;
  uint64_t refused_paused = 0;   // new orders and replaces refused while paused
  uint64_t refused_halted = 0;   // ... for a halted symbol (circuit breaker or command)
  uint64_t refused_killed = 0;   // ... while the kill switch is on
  uint64_t refused_busy = 0;     // ... unprocessed: the matching core's input ring was full
  uint64_t risk_rejects = 0;     // ... by the risk gate (by reason: RiskGate::rejects)
  uint64_t kill_cancels = 0;     // orders canceled by the kill switch
};

// Operator state of the matching core: paused refuses new orders and replaces (cancels
// still work); the kill switch cancels every open order and refuses new ones until it
// is released. Halted symbols (by command or by the circuit breaker) are the
// CircuitBreakers' state: OuchGateway::breakers().
struct EngineState {
  bool paused = false;
  bool killed = false;
};

// Out must provide: void on_reply(uint32_t client, std::span<const uint8_t> datagram,
// uint64_t ts_ns). Md is the market-data book::EventSink (e.g. ItchPublisher).
template <class Out, class Md>
class OuchGateway {
 public:
  static constexpr uint64_t kNsPerDay = 86'400'000'000'000ull;

  // stocks[s] is the stock of SymbolId s. With auto_symbols, an order for another stock
  // takes the next SymbolId while the shard has room (Md::on_symbol hears of it);
  // otherwise it is rejected. Control path.
  // Each client (session) has its own RiskGate under limits (which must outlive the
  // gateway or be replaced with set_limits).
  // breakers: the per-symbol circuit breakers that hold every halt (automatic and by
  // command), with at least shard.symbols() symbols; they must outlive the gateway.
  // Null: the gateway keeps its own, with BreakerLimits::off() (command halts only).
  // New orders and replaces count as messages for the rate limit and are refused
  // (Rejected 'H') while their symbol is halted; cancels always pass. Trades are checked
  // against the price band. Throws std::invalid_argument when breakers is too small.
  OuchGateway(book::BookShard& shard, std::span<const Stock> stocks, bool auto_symbols, uint32_t max_clients,
              const RiskLimits* limits, Out& out, Md& md, CircuitBreakers* breakers = nullptr)
      : shard_(shard),
        stocks_(shard.symbols()),
        tokens_(shard.config().max_orders),
        orders_(shard.config().max_orders),
        clients_(max_clients),
        pending_((max_clients + 63) / 64, 0),
        names_(stocks.begin(), stocks.end()),
        market_(shard.symbols()),
        auto_symbols_(auto_symbols),
        out_(out),
        md_(md) {
    if (breakers == nullptr) {
      own_breakers_ = std::make_unique<CircuitBreakers>(shard.symbols(), BreakerLimits::off());
      breakers = own_breakers_.get();
    }
    if (breakers->symbols() < shard.symbols())
      throw std::invalid_argument("OuchGateway: circuit breakers for " + std::to_string(breakers->symbols()) +
                                  " symbols, the shard has " + std::to_string(shard.symbols()));
    breakers_ = breakers;
    names_.reserve(shard.symbols());
    for (std::size_t s = 0; s < stocks.size(); ++s) stocks_.insert(stock_key(stocks[s]), static_cast<uint32_t>(s));
    for (uint32_t c = 0; c < max_clients; ++c) {
      Client& cl = clients_[c];
      cl.buffer.resize(mold::kDefaultMaxPayload);
      cl.packetizer = std::make_unique<mold::Packetizer>(cl.buffer, mold::Session::from(client_session(c)), 1);
      cl.risk = std::make_unique<RiskGate>(limits, shard.symbols(), &market_);
    }
  }

  // --- operator commands (between messages, on the matching core) ------------------
  void pause() noexcept { state_.paused = true; }
  void resume() noexcept { state_.paused = false; }
  // Halts or resumes one symbol by name at now_ns (capture time), through the circuit
  // breakers: a command halt lasts until a command resume, which also lifts a halt the
  // breaker tripped. False when the name is unknown.
  bool halt(std::string_view stock, bool on, uint64_t now_ns) noexcept {
    const uint32_t* sym = stocks_.find(stock_key(Stock::from(stock)));
    if (sym == nullptr) return false;
    if (on) breakers_->command_halt(*sym, now_ns);
    else breakers_->command_resume(*sym, now_ns);
    return true;
  }
  // Cancels every open order of every client (each gets its Canceled) and refuses new
  // ones until release_kill(). Returns how many were canceled. O(open orders).
  uint64_t kill() noexcept {
    state_.killed = true;
    std::vector<uint64_t> ids;  // collected first: canceling edits the map
    ids.reserve(orders_.size());
    orders_.for_each([&](const uint64_t& id, const Live&) { ids.push_back(id); });
    std::sort(ids.begin(), ids.end());  // in arrival order, for determinism
    uint64_t n = 0;
    for (const uint64_t id : ids) {
      const Live* o = orders_.find(id);
      if (o == nullptr) continue;
      client_ = o->client;
      ctx_token_ = o->token;
      shard_.cancel(seq_, book::OrderId{id}, *this);
      forget(id);
      ++n;
    }
    stats_.kill_cancels += n;
    return n;
  }
  void release_kill() noexcept { state_.killed = false; }
  const EngineState& state() const noexcept { return state_; }
  CircuitBreakers& breakers() noexcept { return *breakers_; }
  const CircuitBreakers& breakers() const noexcept { return *breakers_; }
  // Takes new risk limits for every client (a config reload).
  void set_limits(const RiskLimits* limits) noexcept {
    for (Client& c : clients_) c.risk->set_limits(limits);
  }
  const RiskGate& risk(uint32_t client) const noexcept { return *clients_[client].risk; }

  // Writes / reads everything the gateway knows (snapshots). Precondition: no reply
  // pending (flush() first). Tokens are rebuilt from the live orders.
  template <class W>
  void save(W& w) const {
    w.put(static_cast<uint64_t>(names_.size()));
    for (const Stock& n : names_) w.put(n);
    w.put(static_cast<uint64_t>(orders_.size()));
    orders_.for_each([&](const uint64_t& id, const Live& o) {
      w.put(id);
      w.put(o);
    });
    w.put(last_id_);
    w.put(match_number_);
    w.put(stats_);
    w.put(state_.paused);
    w.put(state_.killed);
    breakers_->save(w);
    for (uint32_t s = 0; s < shard_.symbols(); ++s) {
      w.put(market_.price[s]);
      w.put(market_.known[s]);
    }
    w.put(static_cast<uint32_t>(clients_.size()));
    for (const Client& c : clients_) {
      w.put(c.packetizer->next_sequence());
      c.risk->save(w);
    }
  }
  template <class R>
  void load(R& r) {
    names_.resize(r.template get<uint64_t>());
    stocks_.clear();
    for (std::size_t s = 0; s < names_.size(); ++s) {
      names_[s] = r.template get<Stock>();
      stocks_.insert(stock_key(names_[s]), static_cast<uint32_t>(s));
    }
    orders_.clear();
    tokens_.clear();
    for (uint64_t i = 0, n = r.template get<uint64_t>(); i < n; ++i) {
      const auto id = r.template get<uint64_t>();
      const auto o = r.template get<Live>();
      orders_.insert(id, o);
      tokens_.insert(token_key(o.client, o.token), id);
    }
    last_id_ = r.template get<uint64_t>();
    match_number_ = r.template get<uint64_t>();
    stats_ = r.template get<OuchGatewayStats>();
    state_.paused = r.template get<bool>();
    state_.killed = r.template get<bool>();
    breakers_->load(r);
    for (uint32_t s = 0; s < shard_.symbols(); ++s) {
      market_.price[s] = r.template get<book::Price>();
      market_.known[s] = r.template get<bool>();
    }
    if (r.template get<uint32_t>() != clients_.size()) throw std::runtime_error("snapshot: client count differs");
    for (Client& c : clients_) {
      c.packetizer->set_next_sequence(r.template get<uint64_t>());
      c.risk->load(r);
    }
  }

  uint32_t max_clients() const noexcept { return static_cast<uint32_t>(clients_.size()); }

  // Sets the time stamped on replies (capture time, ns since the epoch).
  void set_time(uint64_t ts_ns) noexcept {
    ts_ns_ = ts_ns;
    ouch_ts_ = ts_ns % kNsPerDay;
  }

  // Decodes and applies one inbound message of client (an index < max_clients()) with
  // inbound sequence number seq. Hot path.
  DecodeStatus on_message(uint32_t client, uint64_t seq, std::span<const uint8_t> msg) noexcept {
    client_ = client;
    seq_ = seq;
    const DecodeStatus st = ouch::decode_inbound(msg, *this);
    if (st != DecodeStatus::kOk) ++stats_.decode_errors;
    return st;
  }

  // Answers an inbound message that never reached the book because the matching
  // core's input ring was full (two-core match mode under the reject policy): an Enter
  // Order gets Rejected 'O' with its token; a Replace gets Rejected 'O' with its
  // replacement token, and the order it names stays as it was. Cancels are never
  // refused: one given here is applied as usual. Counted in refused_busy; a message
  // that does not decode is counted as on_message() counts it. Hot path.
  DecodeStatus refuse_busy(uint32_t client, uint64_t seq, std::span<const uint8_t> msg) noexcept {
    client_ = client;
    seq_ = seq;
    struct Refusal {
      OuchGateway& g;
      void on(const ouch::EnterOrder& m) noexcept {
        ++g.stats_.enter;
        g.refuse_busy(m.token);
      }
      void on(const ouch::ReplaceOrder& m) noexcept {
        ++g.stats_.replace;
        g.refuse_busy(m.replacement_token);
      }
      void on(const ouch::CancelOrder& m) noexcept { g.on(m); }
    } r{*this};
    const DecodeStatus st = ouch::decode_inbound(msg, r);
    if (st != DecodeStatus::kOk) ++stats_.decode_errors;
    return st;
  }

  // Sends every client's pending replies (call at the end of each inbound packet).
  // Only the clients put() wrote to since the last flush are visited, in client order
  // (a scan of every client's packetizer cost more than the replies of a one-message
  // packet). Hot path.
  void flush() noexcept {
    for (std::size_t w = 0; w < pending_.size(); ++w) {
      for (uint64_t bits = pending_[w]; bits != 0; bits &= bits - 1) {
        const auto c = static_cast<uint32_t>(w * 64 + static_cast<std::size_t>(std::countr_zero(bits)));
        mold::Packetizer& p = *clients_[c].packetizer;
        if (p.pending() == 0) continue;
        out_.on_reply(c, p.flush(), ts_ns_);
        ++stats_.reply_packets;
      }
      pending_[w] = 0;
    }
  }

  const OuchGatewayStats& stats() const noexcept { return stats_; }
  // Stock of each SymbolId, in SymbolId order (configured, then learned).
  std::span<const Stock> stocks() const noexcept { return names_; }

  // --- decoder handler ---------------------------------------------------------------
  void on(const ouch::EnterOrder& m) noexcept {
    ++stats_.enter;
    ctx_token_ = m.token;
    const uint32_t* sym = stocks_.find(stock_key(m.stock));
    if (sym == nullptr && auto_symbols_ && names_.size() < shard_.symbols()) {
      // Learn the stock: the next SymbolId, announced to market data.
      const auto id = static_cast<uint32_t>(names_.size());
      names_.push_back(m.stock);
      stocks_.insert(stock_key(m.stock), id);
      md_.on_symbol(id, m.stock);
      sym = stocks_.find(stock_key(m.stock));
    }
    if (sym == nullptr) {
      ++stats_.unknown_stocks;
      return reject(m.token, ouch::RejectCode::kInvalidStock);
    }
    book::Side side;
    if (!ouch::to_book_side(m.side, side)) return reject(m.token, ouch::RejectCode::kOther);
    const TokenKey key = token_key(client_, m.token);
    if (tokens_.find(key) != nullptr) {
      ++stats_.duplicate_tokens;
      return reject(m.token, ouch::RejectCode::kOther);
    }
    if (!admit(*sym, m.token)) return;
    const book::OrderType type = ouch::to_book_order_type(m.time_in_force, m.display);
    const RiskReason why = clients_[client_].risk->check_new(book::SymbolId{*sym}, side, m.price,
                                                             book::Qty{static_cast<int64_t>(m.shares)},
                                                             type == book::OrderType::kMarket, ts_ns_);
    if (why != RiskReason::kNone) {
      ++stats_.risk_rejects;
      return reject(m.token, ouch::to_reject_code(why));
    }
    const uint64_t id = ++last_id_;
    Live live{};
    live.token = m.token;
    live.firm = m.firm;
    live.time_in_force = m.time_in_force;
    live.symbol = *sym;
    live.client = static_cast<uint16_t>(client_);
    live.side = m.side;
    live.display = m.display;
    live.capacity = m.capacity;
    if (!orders_.insert(id, live) || !tokens_.insert(key, id)) {
      orders_.erase(id);
      return reject(m.token, ouch::RejectCode::kOther);
    }
    reopen_ = true;
    shard_.add(seq_, book::SymbolId{*sym}, book::OrderId{id}, side, m.price,
               book::Qty{static_cast<int64_t>(m.shares)}, type, *this);
    rested_or_forget(id, book::SymbolId{*sym}, side);
  }

  void on(const ouch::ReplaceOrder& m) noexcept {
    ++stats_.replace;
    const uint64_t* idp = tokens_.find(token_key(client_, m.existing_token));
    if (idp == nullptr) {
      ++stats_.unknown_tokens;
      return;
    }
    const uint64_t id = *idp;
    ctx_token_ = m.replacement_token;
    if (!(m.replacement_token == m.existing_token) && tokens_.find(token_key(client_, m.replacement_token))) {
      ++stats_.duplicate_tokens;
      return reject(m.replacement_token, ouch::RejectCode::kOther);
    }
    const Live* live = orders_.find(id);
    if (!admit(live->symbol, m.replacement_token)) return;
    book::Side side;
    ouch::to_book_side(live->side, side);
    const RiskReason why = clients_[client_].risk->check_new(book::SymbolId{live->symbol}, side, m.price,
                                                             book::Qty{static_cast<int64_t>(m.shares)}, false, ts_ns_);
    if (why != RiskReason::kNone) {
      ++stats_.risk_rejects;
      return reject(m.replacement_token, ouch::to_reject_code(why));
    }
    const book::SymbolId sym{live->symbol};
    replace_ = &m;
    shard_.modify(seq_, book::OrderId{id}, m.price, book::Qty{static_cast<int64_t>(m.shares)}, *this);
    replace_ = nullptr;
    rested_or_forget(id, sym, side);
  }

  void on(const ouch::CancelOrder& m) noexcept {
    ++stats_.cancel;
    const uint64_t* idp = tokens_.find(token_key(client_, m.token));
    if (idp == nullptr) {
      ++stats_.unknown_tokens;
      return;
    }
    const book::OrderId id{*idp};
    ctx_token_ = m.token;
    if (m.shares == 0) {
      shard_.cancel(seq_, id, *this);
    } else {
      const uint32_t slot = shard_.find(id);
      const book::Qty rest = shard_.order(slot).qty;
      const book::Qty want{static_cast<int64_t>(m.shares)};
      if (want < rest) shard_.reduce(seq_, id, rest - want, *this);
    }
    if (shard_.find(id) == book::kNil) forget(id.value);
  }

  // --- book::EventSink -----------------------------------------------------------------
  void on_event(const book::Event& e) noexcept {
    md_.on_event(e);
    switch (e.kind) {
      case book::EventKind::kAccepted: {
        const Live* o = orders_.find(e.id.value);
        ouch::Accepted a;
        a.timestamp = ouch_ts_;
        a.token = o->token;
        a.side = o->side;
        a.shares = static_cast<uint32_t>(e.qty.value);
        a.stock = stock_of(o->symbol);
        a.price = e.price;
        a.time_in_force = o->time_in_force;
        a.firm = o->firm;
        a.display = o->display;
        a.order_ref = e.id.value;
        a.capacity = o->capacity;
        a.intermarket_sweep = 'N';
        a.minimum_quantity = 0;
        a.cross_type = 'N';
        a.order_state = 'L';
        a.bbo_weight = ' ';
        put(o->client, a);
        ++stats_.accepted;
        return;
      }
      case book::EventKind::kTrade: {
        ++stats_.trades;
        ++match_number_;
        const book::Side maker_side = book::opposite(e.side);
        market_.set(e.symbol, e.price);
        breakers_->on_trade(e.symbol.value, e.price.ticks, ts_ns_);
        if (const Live* t = orders_.find(e.id.value))
          clients_[t->client].risk->on_fill(e.symbol, e.side, e.price, e.qty);
        if (const Live* mk = orders_.find(e.contra)) {
          RiskGate& r = *clients_[mk->client].risk;
          r.on_fill(e.symbol, maker_side, e.price, e.qty);
          r.on_reduce(e.symbol, maker_side, e.qty, e.contra_remaining.value == 0);
        }
        execute(e.id.value, e, 'R');
        execute(e.contra, e, 'A');
        if (e.contra_remaining.value == 0) forget(e.contra);
        return;
      }
      case book::EventKind::kCanceled: {
        const Live* o = orders_.find(e.id.value);
        if (o == nullptr) return;
        // User cancels (and reduces) take shares off a resting order; an IOC, FOK or
        // market remainder never rested.
        if (e.cancel_reason() == book::CancelReason::kUser)
          clients_[o->client].risk->on_reduce(e.symbol, e.side, e.qty, e.remaining.value == 0);
        ouch::Canceled c;
        c.timestamp = ouch_ts_;
        c.token = o->token;
        c.decrement_shares = static_cast<uint32_t>(e.qty.value);
        c.reason = static_cast<char>(ouch::to_cancel_code(e.cancel_reason()));
        put(o->client, c);
        ++stats_.canceled;
        return;
      }
      case book::EventKind::kModified: {
        Live* o = orders_.find(e.id.value);
        if (o == nullptr || replace_ == nullptr) return;
        if (e.modify_kind() == book::ModifyKind::kKeptPriority) {
          clients_[o->client].risk->on_reduce(e.symbol, e.side, e.contra_remaining - e.qty, false);
        } else {
          // The order left its level; what rests after matching is opened again.
          clients_[o->client].risk->on_reduce(e.symbol, e.side, e.contra_remaining, true);
          reopen_ = true;
        }
        ouch::Replaced r;
        r.timestamp = ouch_ts_;
        r.replacement_token = replace_->replacement_token;
        r.side = o->side;
        r.shares = static_cast<uint32_t>(e.qty.value);
        r.stock = stock_of(o->symbol);
        r.price = e.price;
        r.time_in_force = replace_->time_in_force;
        r.firm = o->firm;
        r.display = replace_->display;
        r.order_ref = e.id.value;
        r.capacity = o->capacity;
        r.intermarket_sweep = 'N';
        r.minimum_quantity = 0;
        r.cross_type = 'N';
        r.order_state = 'L';
        r.previous_token = o->token;
        r.bbo_weight = ' ';
        put(o->client, r);
        ++stats_.replaced;
        // From here on the order answers to its replacement token.
        tokens_.erase(token_key(o->client, o->token));
        o->token = replace_->replacement_token;
        o->time_in_force = replace_->time_in_force;
        o->display = replace_->display;
        tokens_.insert(token_key(o->client, o->token), e.id.value);
        return;
      }
      case book::EventKind::kRejected:
        reject(ctx_token_, ouch::to_reject_code(e.reject_reason()));
        return;
    }
  }

 private:
  // A live order's client-facing identity.
  struct Live {
    ouch::Token token;
    ouch::Firm firm;
    uint32_t time_in_force;
    uint32_t symbol;
    uint16_t client;
    char side;
    char display;
    char capacity;
  };
  struct TokenKey {
    std::array<char, 14> token;
    uint16_t client;
    friend bool operator==(const TokenKey&, const TokenKey&) = default;
  };
  struct TokenHash {
    uint64_t operator()(const TokenKey& k) const noexcept {
      uint64_t a, b;
      std::memcpy(&a, k.token.data(), 8);
      std::memcpy(&b, k.token.data() + 6, 8);
      return mix64(a ^ mix64(b ^ k.client));
    }
  };
  struct Client {
    std::vector<uint8_t> buffer;
    std::unique_ptr<mold::Packetizer> packetizer;
    std::unique_ptr<RiskGate> risk;
  };

  static TokenKey token_key(uint32_t client, const ouch::Token& t) noexcept {
    return TokenKey{t.chars, static_cast<uint16_t>(client)};
  }
  static uint64_t stock_key(const Stock& s) noexcept {
    uint64_t k;
    std::memcpy(&k, s.chars.data(), 8);
    return k;
  }
  static std::string client_session(uint32_t c) {
    char buf[11];
    std::snprintf(buf, sizeof buf, "OUCH%06u", c);
    return buf;
  }
  Stock stock_of(uint32_t symbol) const noexcept { return symbol < names_.size() ? names_[symbol] : Stock{}; }

  void execute(uint64_t id, const book::Event& e, char liquidity) noexcept {
    const Live* o = orders_.find(id);
    if (o == nullptr) return;
    ouch::Executed x;
    x.timestamp = ouch_ts_;
    x.token = o->token;
    x.executed_shares = static_cast<uint32_t>(e.qty.value);
    x.execution_price = e.price;
    x.liquidity_flag = liquidity;
    x.match_number = match_number_;
    put(o->client, x);
    ++stats_.executed;
  }

  void reject(const ouch::Token& token, ouch::RejectCode code) noexcept {
    ouch::Rejected j;
    j.timestamp = ouch_ts_;
    j.token = token;
    j.reason = static_cast<char>(code);
    put(client_, j);
    ++stats_.rejected;
  }

  void refuse_busy(const ouch::Token& token) noexcept {
    ++stats_.refused_busy;
    reject(token, ouch::RejectCode::kOther);
  }

  // Refuses a new order or replace while killed ('a'), paused ('C') or halted ('H');
  // true lets it through.
  bool admit(uint32_t symbol, const ouch::Token& token) noexcept {
    if (state_.killed) [[unlikely]] {
      ++stats_.refused_killed;
      reject(token, ouch::RejectCode::kRejectAllEnabled);
      return false;
    }
    if (state_.paused) [[unlikely]] {
      ++stats_.refused_paused;
      reject(token, ouch::RejectCode::kClosed);
      return false;
    }
    if (breakers_->admit(symbol, ts_ns_) != HaltReason::kNone) [[unlikely]] {
      ++stats_.refused_halted;
      reject(token, ouch::RejectCode::kHalted);
      return false;
    }
    return true;
  }

  // After add() or modify(): a resting order counts as open for risk (again, when a
  // modify moved it); an order that is gone leaves the token tables.
  void rested_or_forget(uint64_t id, book::SymbolId sym, book::Side side) noexcept {
    const uint32_t slot = shard_.find(book::OrderId{id});
    if (slot == book::kNil) {
      forget(id);
    } else if (reopen_) {
      const Live* o = orders_.find(id);
      clients_[o->client].risk->on_open(sym, side, shard_.order(slot).qty);
    }
    reopen_ = false;
  }

  void forget(uint64_t id) noexcept {
    const Live* o = orders_.find(id);
    if (o == nullptr) return;
    tokens_.erase(token_key(o->client, o->token));
    orders_.erase(id);
  }

  template <class M>
  void put(uint32_t client, const M& m) noexcept {
    mold::Packetizer& p = *clients_[client].packetizer;
    uint8_t* dst = p.reserve(M::kLength);
    if (dst == nullptr) {
      out_.on_reply(client, p.flush(), ts_ns_);
      ++stats_.reply_packets;
      dst = p.reserve(M::kLength);
    }
    ouch::encode(m, std::span<uint8_t>(dst, M::kLength));
    pending_[client / 64] |= uint64_t{1} << (client % 64);
  }

  book::BookShard& shard_;
  FixedHashMap<uint64_t, uint32_t, U64Hash> stocks_;  // stock -> SymbolId
  FixedHashMap<TokenKey, uint64_t, TokenHash> tokens_;  // (client, token) -> order id
  FixedHashMap<uint64_t, Live, U64Hash> orders_;        // order id -> identity
  std::vector<Client> clients_;
  std::vector<uint64_t> pending_;  // a bit per client with replies put() since flush()
  std::vector<Stock> names_;
  ReferencePrices market_;  // last trade per symbol: the risk collar's reference
  bool auto_symbols_;
  Out& out_;
  Md& md_;
  const ouch::ReplaceOrder* replace_ = nullptr;
  EngineState state_;
  std::unique_ptr<CircuitBreakers> own_breakers_;
  CircuitBreakers* breakers_ = nullptr;
  bool reopen_ = false;  // the order of the current message rests anew (risk on_open)
  ouch::Token ctx_token_{};
  uint32_t client_ = 0;
  uint64_t seq_ = 0;
  uint64_t last_id_ = 0;
  uint64_t match_number_ = 0;
  uint64_t ts_ns_ = 0;
  uint64_t ouch_ts_ = 0;
  OuchGatewayStats stats_{};
};

}  // namespace tachyon::dataplane
