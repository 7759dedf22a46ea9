// WebSocket message parsing with simdjson On Demand (see ws_message.h). Control-plane
// thread; one parse per message, no allocation after construction.
#include "tachyon/okx/ws_message.h"

#include <simdjson.h>

#include <charconv>
#include <cstring>

namespace tachyon::okx {

namespace od = simdjson::ondemand;

static_assert(WsMessageParser::kPadding >= simdjson::SIMDJSON_PADDING);

Channel channel_from_name(std::string_view n) noexcept {
  if (n == "books") return Channel::kBooks;
  if (n == "books5") return Channel::kBooks5;
  if (n == "bbo-tbt") return Channel::kBboTbt;
  if (n == "books-l2-tbt") return Channel::kBooksL2Tbt;
  if (n == "books50-l2-tbt") return Channel::kBooks50L2Tbt;
  if (n == "trades") return Channel::kTrades;
  if (n == "orders") return Channel::kOrders;
  if (n == "positions") return Channel::kPositions;
  if (n == "account") return Channel::kAccount;
  return Channel::kUnknown;
}

const char* to_string(Channel c) noexcept {
  switch (c) {
    case Channel::kBooks: return "books";
    case Channel::kBooks5: return "books5";
    case Channel::kBboTbt: return "bbo-tbt";
    case Channel::kBooksL2Tbt: return "books-l2-tbt";
    case Channel::kBooks50L2Tbt: return "books50-l2-tbt";
    case Channel::kTrades: return "trades";
    case Channel::kOrders: return "orders";
    case Channel::kPositions: return "positions";
    case Channel::kAccount: return "account";
    case Channel::kUnknown: break;
  }
  return "unknown";
}

struct WsMessageParser::Impl {
  od::parser parser;
  std::size_t max_levels;
  std::unique_ptr<LevelText[]> bids;
  std::unique_ptr<LevelText[]> asks;
  char inst_id[64];  // survives a rewind, which reuses the parser's string buffer

  Impl(std::size_t max_message, std::size_t levels)
      : parser(max_message), max_levels(levels), bids(new LevelText[levels]), asks(new LevelText[levels]) {}
};

WsMessageParser::WsMessageParser(std::size_t max_message, std::size_t max_levels)
    : impl_(std::make_unique<Impl>(max_message, max_levels)) {
  // Size the parser's buffers now, not on the first message.
  if (impl_->parser.allocate(max_message) != simdjson::SUCCESS) throw std::bad_alloc();
}

WsMessageParser::~WsMessageParser() = default;

namespace {

ParsedMessage malformed(const char* why) noexcept {
  ParsedMessage r;
  r.kind = MessageKind::kMalformed;
  r.error = why;
  return r;
}

// Reads a string or, for numbers and literals, the raw token text.
bool read_text(od::value v, std::string_view& out) noexcept {
  od::json_type t;
  if (v.type().get(t)) return false;
  if (t == od::json_type::string) return !v.get_string().get(out);
  out = v.raw_json_token();
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n' || out.back() == '\r' || out.back() == '\t'))
    out.remove_suffix(1);
  return true;
}

// Reads an integer given as a JSON number or a decimal string ("ts":"1597026383085").
bool read_int(od::value v, int64_t& out) noexcept {
  od::json_type t;
  if (v.type().get(t)) return false;
  if (t == od::json_type::number) return !v.get_int64().get(out);
  std::string_view s;
  if (t != od::json_type::string || v.get_string().get(s)) return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

// Reads [["px","sz",...], ...] into out; false when malformed or more than max levels.
bool read_levels(od::value v, LevelText* out, std::size_t max, std::size_t& n) noexcept {
  od::array levels;
  if (v.get_array().get(levels)) return false;
  n = 0;
  for (auto lv_r : levels) {
    od::array lv;
    if (lv_r.get_array().get(lv)) return false;
    if (n == max) return false;
    LevelText& t = out[n];
    int i = 0;
    for (auto el : lv) {
      if (i == 0) {
        if (el.get_string().get(t.price)) return false;
      } else if (i == 1) {
        if (el.get_string().get(t.size)) return false;
      } else {
        if (el.error()) return false;
        break;  // liquidated orders and order count: unused
      }
      ++i;
    }
    if (i < 2) return false;
    ++n;
  }
  return true;
}

}  // namespace

ParsedMessage WsMessageParser::parse(const char* data, std::size_t len, std::size_t capacity) noexcept {
  if (len == 4 && std::memcmp(data, "pong", 4) == 0) {
    ParsedMessage r;
    r.kind = MessageKind::kPong;
    return r;
  }
  if (capacity < len + kPadding) return malformed("receive buffer without simdjson padding");
  od::document doc;
  if (impl_->parser.iterate(data, len, capacity).get(doc)) return malformed("not JSON");
  od::object obj;
  if (doc.get_object().get(obj)) return malformed("not a JSON object");

  ParsedMessage r;
  r.kind = MessageKind::kMalformed;
  r.error = "neither an event nor a channel push";
  bool have_event = false, have_arg = false, data_seen = false;
  BookPush& b = r.book;
  enum class Action : uint8_t { kNone, kSnapshot, kUpdate, kOther } action = Action::kNone;

  // The book fields of data[0]; returns false when malformed.
  auto read_book = [&](od::value v) -> bool {
    od::array arr;
    if (v.get_array().get(arr)) return false;
    bool first = true;
    for (auto item_r : arr) {
      od::object item;
      if (item_r.get_object().get(item)) return false;
      if (!first) return false;  // books pushes carry one element
      first = false;
      std::size_t nb = 0, na = 0;
      for (auto f_r : item) {
        od::field f;
        if (std::move(f_r).get(f)) return false;
        const od::raw_json_string key = f.key();
        if (key == "asks") {
          if (!read_levels(f.value(), impl_->asks.get(), impl_->max_levels, na)) return false;
        } else if (key == "bids") {
          if (!read_levels(f.value(), impl_->bids.get(), impl_->max_levels, nb)) return false;
        } else if (key == "seqId") {
          if (!read_int(f.value(), b.seq_id)) return false;
          b.has_seq = true;
        } else if (key == "prevSeqId") {
          if (!read_int(f.value(), b.prev_seq_id)) return false;
          b.has_prev_seq = true;
        } else if (key == "checksum") {
          int64_t c = 0;
          if (!read_int(f.value(), c) || c < INT32_MIN || c > INT32_MAX) return false;
          b.checksum = static_cast<int32_t>(c);
        } else if (key == "ts") {
          if (!read_int(f.value(), b.ts_ms)) return false;
        } else if (key == "instId") {
          std::string_view id;
          if (f.value().get_string().get(id)) return false;
          if (b.inst_id.empty()) b.inst_id = id;
        }
      }
      b.bids = std::span<const LevelText>(impl_->bids.get(), nb);
      b.asks = std::span<const LevelText>(impl_->asks.get(), na);
    }
    return !first;
  };

  auto take_data = [&](od::value v) -> bool {
    if (is_book_channel(r.channel)) {
      b.channel = r.channel;
      b.inst_id = r.inst_id;
      if (!read_book(v)) {
        r.kind = MessageKind::kMalformed;
        r.error = "book push with unreadable data";
        return false;
      }
      r.kind = MessageKind::kBook;
    } else {
      r.kind = MessageKind::kData;
    }
    return true;
  };

  for (auto f_r : obj) {
    od::field f;
    if (std::move(f_r).get(f)) return malformed("malformed JSON object");
    const od::raw_json_string key = f.key();
    if (key == "arg") {
      od::object arg;
      if (f.value().get_object().get(arg)) return malformed("arg is not an object");
      for (auto a_r : arg) {
        od::field a;
        if (std::move(a_r).get(a)) return malformed("malformed arg");
        const od::raw_json_string k = a.key();
        std::string_view s;
        if (k == "channel") {
          if (a.value().get_string().get(s)) return malformed("arg.channel is not a string");
          r.channel = channel_from_name(s);
          r.event.channel = s;
        } else if (k == "instId") {
          if (a.value().get_string().get(s)) return malformed("arg.instId is not a string");
          r.inst_id = s;
          r.event.inst_id = s;
        }
      }
      have_arg = true;
    } else if (key == "event") {
      if (f.value().get_string().get(r.event.event)) return malformed("event is not a string");
      have_event = true;
    } else if (key == "code") {
      if (!read_text(f.value(), r.event.code)) return malformed("malformed code");
    } else if (key == "msg") {
      if (!read_text(f.value(), r.event.msg)) return malformed("malformed msg");
    } else if (key == "action") {
      std::string_view a;
      if (f.value().get_string().get(a)) return malformed("action is not a string");
      action = a == "snapshot" ? Action::kSnapshot : a == "update" ? Action::kUpdate : Action::kOther;
    } else if (key == "data") {
      if (have_arg) {
        if (!take_data(f.value())) return r;
      }
      data_seen = true;  // before arg: read on a second pass
    }
  }
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == simdjson::SUCCESS) return malformed("trailing bytes after the JSON object");

  if (data_seen && have_arg && r.kind == MessageKind::kMalformed) {
    // "data" came before "arg": read it now that the channel is known. The second pass
    // reuses the string buffer, so keep instId aside.
    if (r.inst_id.size() > sizeof impl_->inst_id) return malformed("instId too long");
    std::memcpy(impl_->inst_id, r.inst_id.data(), r.inst_id.size());
    r.inst_id = std::string_view(impl_->inst_id, r.inst_id.size());
    r.event = EventMessage{};
    doc.rewind();
    if (doc.get_object().get(obj)) return malformed("malformed JSON object");
    for (auto f_r : obj) {
      od::field f;
      if (std::move(f_r).get(f)) return malformed("malformed JSON object");
      const od::raw_json_string key = f.key();
      if (key == "data") {
        if (!take_data(f.value())) return r;
        break;
      }
    }
  }

  if (have_event) {
    r.kind = MessageKind::kEvent;
    r.error = "";
    return r;
  }
  if (!have_arg || !data_seen) return malformed("neither an event nor a channel push");
  if (r.kind == MessageKind::kBook) {
    if (is_incremental_book(r.channel)) {
      if (action == Action::kSnapshot) {
        b.snapshot = true;
      } else if (action != Action::kUpdate) {
        return malformed("book push without action snapshot or update");
      }
      if (!b.has_seq || (!b.snapshot && !b.has_prev_seq)) return malformed("book push without seqId/prevSeqId");
    } else {
      b.snapshot = true;  // books5 and bbo-tbt replace the whole (shallow) book each time
    }
    if (b.inst_id.empty()) return malformed("book push without instId");
    r.inst_id = b.inst_id;
  }
  r.error = "";
  return r;
}

}  // namespace tachyon::okx
