// Match mode's market-data publisher: turns the matcher's book events into ITCH 5.0
// order-level messages (A, E, X, D, U) of the appliance's own book, framed in MoldUDP64.
// A feed-mode replay of its output rebuilds the same books. Owned by the matching core;
// not thread-safe. No allocation after construction.
//
// Event -> ITCH:
//   Accepted (limit/post-only) : remembered; if a remainder rests when the inbound
//                                message ends, A with a fresh order reference
//   Trade                      : E on the maker's reference (aggressors are never shown)
//   Canceled                   : D when nothing remains, else X for the shares removed
//   Modified, priority kept    : X for the shares removed
//   Modified, priority lost    : at the end of the message, U (old -> fresh reference)
//                                for the resting remainder, or D if it all traded
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "tachyon/book/event.h"
#include "tachyon/dataplane/fixed_hash_map.h"
#include "tachyon/dataplane/itch_encoder.h"
#include "tachyon/dataplane/itch_messages.h"
#include "tachyon/dataplane/moldudp64.h"

namespace tachyon::dataplane {

// Out must provide: void on_datagram(std::span<const uint8_t> payload, uint64_t ts_ns).
template <class Out>
class ItchPublisher {
 public:
  static constexpr uint64_t kNsPerDay = 86'400'000'000'000ull;

  // names[s] is the stock of SymbolId s (stock locate s + 1). Control path.
  ItchPublisher(const mold::Session& session, std::span<const Stock> names, uint32_t max_orders, Out& out)
      : names_(names.begin(), names.end()),
        refs_(max_orders),
        buffer_(mold::kDefaultMaxPayload),
        packetizer_(buffer_, session, 1),
        out_(out) {}

  // Sets the time stamped on the following messages (capture time, ns since the epoch).
  void set_time(uint64_t ts_ns) noexcept {
    ts_ns_ = ts_ns;
    itch_ts_ = ts_ns % kNsPerDay;
  }

  // Publishes the start of day: System Event 'O' and a Stock Directory per symbol.
  void start_of_day() noexcept {
    itch::SystemEvent s;
    s.header.timestamp = itch_ts_;
    s.event_code = 'O';
    put(s);
    for (std::size_t i = 0; i < names_.size(); ++i) directory(static_cast<uint32_t>(i));
  }

  // Adds a symbol during the day (SymbolId names().size()) and publishes its Stock
  // Directory. Control path: allocates only past the capacity reserved at start.
  void on_symbol(uint32_t symbol, const Stock& name) {
    if (symbol >= names_.size()) names_.resize(symbol + 1);
    names_[symbol] = name;
    directory(symbol);
  }

 private:
  void directory(uint32_t i) noexcept {
      itch::StockDirectory r;
      r.header = header(i);
      r.stock = names_[i];
      r.market_category = 'Q';
      r.financial_status = 'N';
      r.round_lot_size = 100;
      r.round_lots_only = 'N';
      r.issue_classification = 'C';
      r.issue_subtype = Alpha<2>::from("Z");
      r.authenticity = 'P';
      r.short_sale_threshold = 'N';
      r.ipo_flag = 'N';
      r.luld_reference_price_tier = '1';
      r.etp_flag = 'N';
      r.inverse_indicator = 'N';
      put(r);
  }

 public:

  // Publishes System Event 'C' (end of messages) and flushes. Control path.
  void end_of_day() noexcept {
    itch::SystemEvent s;
    s.header.timestamp = itch_ts_;
    s.event_code = 'C';
    put(s);
    flush();
  }

  // EventSink entry: translates one book event. Hot path.
  void on_event(const book::Event& e) noexcept {
    switch (e.kind) {
      case book::EventKind::kAccepted:
        pending_ = Pending{};
        pending_.id = e.id.value;
        pending_.active = true;
        pending_.rests = e.type == book::OrderType::kLimit || e.type == book::OrderType::kPostOnly;
        pending_.symbol = e.symbol.value;
        pending_.side = e.side;
        pending_.price = e.price;
        pending_.remaining = e.qty;
        return;
      case book::EventKind::kTrade: {
        const uint64_t* ref = refs_.find(e.contra);
        if (ref != nullptr) {
          itch::OrderExecuted x;
          x.header = header(e.symbol.value);
          x.order_ref = *ref;
          x.executed_shares = static_cast<uint32_t>(e.qty.value);
          x.match_number = ++match_number_;
          put(x);
          if (e.contra_remaining.value == 0) refs_.erase(e.contra);
        } else {
          ++unmapped_;
        }
        if (pending_.active && pending_.id == e.id.value) pending_.remaining = e.remaining;
        return;
      }
      case book::EventKind::kCanceled: {
        if (pending_.active && pending_.id == e.id.value) {  // an unfilled IOC/FOK/market rest
          pending_.remaining = book::Qty{0};
          return;
        }
        const uint64_t* ref = refs_.find(e.id.value);
        if (ref == nullptr) {
          ++unmapped_;
          return;
        }
        if (e.remaining.value == 0) {
          itch::OrderDelete d;
          d.header = header(e.symbol.value);
          d.order_ref = *ref;
          put(d);
          refs_.erase(e.id.value);
        } else {
          put_cancel(e.symbol.value, *ref, e.qty);
        }
        return;
      }
      case book::EventKind::kModified: {
        const uint64_t* ref = refs_.find(e.id.value);
        if (ref == nullptr) {
          ++unmapped_;
          return;
        }
        if (e.modify_kind() == book::ModifyKind::kKeptPriority) {
          if (e.qty < e.contra_remaining) put_cancel(e.symbol.value, *ref, e.contra_remaining - e.qty);
          return;
        }
        pending_ = Pending{};
        pending_.id = e.id.value;
        pending_.active = true;
        pending_.rests = true;
        pending_.replaces = true;
        pending_.old_ref = *ref;
        pending_.symbol = e.symbol.value;
        pending_.side = e.side;
        pending_.price = e.price;
        pending_.remaining = e.qty;
        return;
      }
      case book::EventKind::kRejected: return;
    }
  }

  // Ends one inbound message: shows a resting remainder (A or U) or removes the old
  // order of a repriced one that traded away (D). Hot path.
  void end_message() noexcept {
    if (!pending_.active) return;
    pending_.active = false;
    const bool shows = pending_.rests && pending_.remaining.value > 0;
    if (pending_.replaces) {
      if (shows) {
        itch::OrderReplace u;
        u.header = header(pending_.symbol);
        u.original_order_ref = pending_.old_ref;
        u.new_order_ref = ++last_ref_;
        u.shares = static_cast<uint32_t>(pending_.remaining.value);
        u.price = pending_.price;
        put(u);
        *refs_.find(pending_.id) = last_ref_;
      } else {
        itch::OrderDelete d;
        d.header = header(pending_.symbol);
        d.order_ref = pending_.old_ref;
        put(d);
        refs_.erase(pending_.id);
      }
      return;
    }
    if (!shows) return;
    itch::AddOrder a;
    a.header = header(pending_.symbol);
    a.order_ref = ++last_ref_;
    a.side = pending_.side == book::Side::kBuy ? 'B' : 'S';
    a.shares = static_cast<uint32_t>(pending_.remaining.value);
    a.stock = names_[pending_.symbol];
    a.price = pending_.price;
    put(a);
    if (!refs_.insert(pending_.id, last_ref_)) ++unmapped_;
  }

  // Sends the packet being built, if it holds any message. Hot path.
  void flush() noexcept {
    if (packetizer_.pending() == 0) return;
    const std::span<const uint8_t> d = packetizer_.flush();
    out_.on_datagram(d, ts_ns_);
    ++packets_;
  }

  // Writes / reads the reference map, counters and session sequence (snapshots).
  // Precondition: nothing pending (flush() first).
  template <class W>
  void save(W& w) const {
    w.put(static_cast<uint64_t>(names_.size()));
    for (const Stock& n : names_) w.put(n);
    w.put(static_cast<uint64_t>(refs_.size()));
    refs_.for_each([&](const uint64_t& id, const uint64_t& ref) {
      w.put(id);
      w.put(ref);
    });
    w.put(last_ref_);
    w.put(match_number_);
    w.put(messages_);
    w.put(packets_);
    w.put(unmapped_);
    w.put(packetizer_.next_sequence());
  }
  template <class R>
  void load(R& r) {
    names_.resize(r.template get<uint64_t>());
    for (Stock& n : names_) n = r.template get<Stock>();
    refs_.clear();
    for (uint64_t i = 0, n = r.template get<uint64_t>(); i < n; ++i) {
      const auto id = r.template get<uint64_t>();
      refs_.insert(id, r.template get<uint64_t>());
    }
    last_ref_ = r.template get<uint64_t>();
    match_number_ = r.template get<uint64_t>();
    messages_ = r.template get<uint64_t>();
    packets_ = r.template get<uint64_t>();
    unmapped_ = r.template get<uint64_t>();
    packetizer_.set_next_sequence(r.template get<uint64_t>());
  }

  uint64_t messages() const noexcept { return messages_; }
  uint64_t packets() const noexcept { return packets_; }
  // Events naming an order the publisher never showed; 0 unless capacity ran out.
  uint64_t unmapped() const noexcept { return unmapped_; }
  uint64_t next_sequence() const noexcept { return packetizer_.next_sequence(); }

 private:
  struct Pending {
    uint64_t id = 0;
    uint64_t old_ref = 0;
    book::Price price{};
    book::Qty remaining{};
    uint32_t symbol = 0;
    book::Side side = book::Side::kBuy;
    bool active = false;
    bool rests = false;
    bool replaces = false;
  };

  itch::Header header(uint32_t symbol) const noexcept {
    itch::Header h;
    h.stock_locate = static_cast<uint16_t>(symbol + 1);
    h.tracking_number = 0;
    h.timestamp = itch_ts_;
    return h;
  }

  void put_cancel(uint32_t symbol, uint64_t ref, book::Qty shares) noexcept {
    itch::OrderCancel x;
    x.header = header(symbol);
    x.order_ref = ref;
    x.canceled_shares = static_cast<uint32_t>(shares.value);
    put(x);
  }

  template <class M>
  void put(const M& m) noexcept {
    uint8_t* p = packetizer_.reserve(M::kLength);
    if (p == nullptr) {
      flush();
      p = packetizer_.reserve(M::kLength);
    }
    itch::encode(m, std::span<uint8_t>(p, M::kLength));
    ++messages_;
  }

  std::vector<Stock> names_;
  FixedHashMap<uint64_t, uint64_t, U64Hash> refs_;  // order id -> ITCH order reference
  std::vector<uint8_t> buffer_;
  mold::Packetizer packetizer_;
  Out& out_;
  Pending pending_{};
  uint64_t ts_ns_ = 0;
  uint64_t itch_ts_ = 0;
  uint64_t last_ref_ = 0;
  uint64_t match_number_ = 0;
  uint64_t messages_ = 0;
  uint64_t packets_ = 0;
  uint64_t unmapped_ = 0;
};

}  // namespace tachyon::dataplane
