// LOBSTER message rows: error texts and the row writer. Writer is allocation-free.
#include "tachyon/dataplane/lobster.h"

#include <charconv>
#include <cstdio>
#include <string>

namespace tachyon::dataplane::lobster {

const char* to_string(ErrorKind k) noexcept {
  switch (k) {
    case ErrorKind::kNone: return "ok";
    case ErrorKind::kEmptyField: return "empty field";
    case ErrorKind::kBadNumber: return "not an integer";
    case ErrorKind::kOutOfRange: return "value out of range";
    case ErrorKind::kBadTime: return "not a time in seconds (at most 9 digits before and after the point)";
    case ErrorKind::kBadType: return "event type not in 1..7";
    case ErrorKind::kBadDirection: return "direction not 1 or -1";
    case ErrorKind::kMissingField: return "missing field";
    case ErrorKind::kExtraField: return "unexpected extra field";
  }
  return "unknown error";
}

namespace {

const char* message_column(uint32_t c) {
  static const char* const kNames[] = {"time", "type", "order id", "size", "price", "direction"};
  return c >= 1 && c <= 6 ? kNames[c - 1] : "beyond the last column";
}

const char* orderbook_column(uint32_t c) {
  static const char* const kNames[] = {"ask price", "ask size", "bid price", "bid size"};
  return c >= 1 ? kNames[(c - 1) % 4] : "?";
}

}  // namespace

std::string describe(const Error& e, std::string_view file_kind) {
  char buf[200];
  const bool book = file_kind == "orderbook";
  if (book) {
    std::snprintf(buf, sizeof buf, "%.*s file line %u, column %u (level %u %s): %s", static_cast<int>(file_kind.size()),
                  file_kind.data(), e.line, e.column, e.column >= 1 ? (e.column - 1) / 4 + 1 : 0,
                  orderbook_column(e.column), to_string(e.kind));
  } else {
    std::snprintf(buf, sizeof buf, "%.*s file line %u, column %u (%s): %s", static_cast<int>(file_kind.size()),
                  file_kind.data(), e.line, e.column, message_column(e.column), to_string(e.kind));
  }
  return buf;
}

std::size_t format_message(const Message& m, std::span<char> out) noexcept {
  char* p = out.data();
  char* const end = out.data() + out.size();
  // Appends a character or an integer; p turns nullptr once out is full.
  auto chr = [&](char c) {
    if (p == nullptr || p == end) {
      p = nullptr;
      return;
    }
    *p++ = c;
  };
  auto num = [&](auto v) {
    if (p == nullptr) return;
    const auto r = std::to_chars(p, end, v);
    p = r.ec == std::errc() ? r.ptr : nullptr;
  };
  const int64_t t = m.time_ns < 0 ? 0 : m.time_ns;
  num(t / 1'000'000'000);
  int64_t frac = t % 1'000'000'000;
  if (frac != 0) {
    // LOBSTER prints only the significant fraction digits: 34200.00426064.
    int digits = 9;
    while (frac % 10 == 0) {
      frac /= 10;
      --digits;
    }
    char tmp[9];
    for (int i = digits - 1; i >= 0; --i) {
      tmp[i] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    chr('.');
    for (int i = 0; i < digits; ++i) chr(tmp[i]);
  }
  chr(',');
  num(static_cast<int>(m.type));
  chr(',');
  num(m.order_id);
  chr(',');
  num(m.size);
  chr(',');
  num(m.price);
  chr(',');
  num(static_cast<int>(m.direction));
  return p == nullptr ? 0 : static_cast<std::size_t>(p - out.data());
}

}  // namespace tachyon::dataplane::lobster
