// LOBSTER CSV message files (time, type 1..7, order id, size, price x10000, direction):
// a strict row parser whose errors name line and column, a row writer in LOBSTER's own
// format, and a line splitter. Used by the replay core; stateless and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace tachyon::dataplane::lobster {

enum class EventType : uint8_t {
  kSubmit = 1,          // new limit order
  kCancelPartial = 2,   // partial cancellation
  kDelete = 3,          // total deletion
  kExecuteVisible = 4,  // execution of a visible order
  kExecuteHidden = 5,   // execution of a hidden order
  kCross = 6,           // cross trade (auction)
  kHalt = 7,            // trading halt: price -1 halt, 0 quote resume, 1 trade resume
};

// One message row. Prices are USD x 10000, the book's tick unit.
struct Message {
  int64_t time_ns = 0;  // nanoseconds after midnight
  EventType type = EventType::kSubmit;
  uint64_t order_id = 0;
  int64_t size = 0;
  int64_t price = 0;
  int8_t direction = 1;  // 1 buy, -1 sell
  friend bool operator==(const Message&, const Message&) = default;
};

enum class ErrorKind : uint8_t {
  kNone = 0,
  kEmptyField = 1,
  kBadNumber = 2,    // not an integer (sign, digits only)
  kOutOfRange = 3,   // does not fit, or negative where only >= 0 is allowed
  kBadTime = 4,      // not seconds[.fraction]: at most 9 digits on each side of the point
  kBadType = 5,      // event type outside 1..7
  kBadDirection = 6, // direction other than 1 or -1
  kMissingField = 7, // fewer columns than the row needs
  kExtraField = 8,   // more columns than the row needs
};

const char* to_string(ErrorKind k) noexcept;

// A parse error: line is 1-based in the file, column is the 1-based CSV column.
struct Error {
  ErrorKind kind = ErrorKind::kNone;
  uint32_t line = 0;
  uint32_t column = 0;
  explicit operator bool() const noexcept { return kind != ErrorKind::kNone; }
};

// Returns "line L, column C (name): what", e.g. for logs and exceptions. Control path.
std::string describe(const Error& e, std::string_view file_kind = "message");

namespace detail {

// Splits off the next comma-separated field; false when no field is left.
inline bool next_field(std::string_view& rest, bool& more, std::string_view& field) noexcept {
  if (!more) return false;
  const std::size_t comma = rest.find(',');
  if (comma == std::string_view::npos) {
    field = rest;
    more = false;
  } else {
    field = rest.substr(0, comma);
    rest.remove_prefix(comma + 1);
  }
  return true;
}

// Parses [-]digits into v, strictly. Returns kNone, kEmptyField, kBadNumber or kOutOfRange.
inline ErrorKind parse_int(std::string_view s, bool allow_negative, int64_t& v) noexcept {
  if (s.empty()) return ErrorKind::kEmptyField;
  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    s.remove_prefix(1);
    if (s.empty()) return ErrorKind::kBadNumber;
  }
  uint64_t acc = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return ErrorKind::kBadNumber;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (acc > (uint64_t{INT64_MAX} - d) / 10) return ErrorKind::kOutOfRange;
    acc = acc * 10 + d;
  }
  if (neg && !allow_negative && acc != 0) return ErrorKind::kOutOfRange;
  v = neg ? -static_cast<int64_t>(acc) : static_cast<int64_t>(acc);
  return ErrorKind::kNone;
}

// Parses seconds[.fraction] (up to 9 fraction digits) into nanoseconds.
inline ErrorKind parse_time(std::string_view s, int64_t& ns) noexcept {
  if (s.empty()) return ErrorKind::kEmptyField;
  const std::size_t dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  if (whole.empty() || whole.size() > 9) return ErrorKind::kBadTime;
  int64_t secs = 0;
  for (const char c : whole) {
    if (c < '0' || c > '9') return ErrorKind::kBadTime;
    secs = secs * 10 + (c - '0');
  }
  int64_t frac = 0;
  if (dot != std::string_view::npos) {
    const std::string_view f = s.substr(dot + 1);
    if (f.empty() || f.size() > 9) return ErrorKind::kBadTime;
    int digits = 0;
    for (const char c : f) {
      if (c < '0' || c > '9') return ErrorKind::kBadTime;
      frac = frac * 10 + (c - '0');
      ++digits;
    }
    for (; digits < 9; ++digits) frac *= 10;
  }
  ns = secs * 1'000'000'000 + frac;  // at most 9 digits of seconds: inside int64
  return ErrorKind::kNone;
}

}  // namespace detail

// Parses one message row (no line terminator) into out; on error out is unspecified and
// the error names line and column. No allocation.
inline Error parse_message(std::string_view row, uint32_t line, Message& out) noexcept {
  std::string_view rest = row;
  bool more = true;
  std::string_view f;
  int64_t v = 0;
  auto fail = [line](ErrorKind k, uint32_t col) { return Error{k, line, col}; };
  // 1: time
  if (!detail::next_field(rest, more, f)) return fail(ErrorKind::kMissingField, 1);
  if (ErrorKind k = detail::parse_time(f, out.time_ns); k != ErrorKind::kNone) return fail(k, 1);
  // 2: event type
  if (!detail::next_field(rest, more, f)) return fail(ErrorKind::kMissingField, 2);
  if (ErrorKind k = detail::parse_int(f, true, v); k != ErrorKind::kNone) return fail(k, 2);
  if (v < 1 || v > 7) return fail(ErrorKind::kBadType, 2);
  out.type = static_cast<EventType>(v);
  // 3: order id
  if (!detail::next_field(rest, more, f)) return fail(ErrorKind::kMissingField, 3);
  if (ErrorKind k = detail::parse_int(f, false, v); k != ErrorKind::kNone) return fail(k, 3);
  out.order_id = static_cast<uint64_t>(v);
  // 4: size
  if (!detail::next_field(rest, more, f)) return fail(ErrorKind::kMissingField, 4);
  if (ErrorKind k = detail::parse_int(f, false, out.size); k != ErrorKind::kNone) return fail(k, 4);
  // 5: price
  if (!detail::next_field(rest, more, f)) return fail(ErrorKind::kMissingField, 5);
  if (ErrorKind k = detail::parse_int(f, true, out.price); k != ErrorKind::kNone) return fail(k, 5);
  // 6: direction
  if (!detail::next_field(rest, more, f)) return fail(ErrorKind::kMissingField, 6);
  if (ErrorKind k = detail::parse_int(f, true, v); k != ErrorKind::kNone) return fail(k, 6);
  if (v != 1 && v != -1) return fail(ErrorKind::kBadDirection, 6);
  out.direction = static_cast<int8_t>(v);
  if (more) return fail(ErrorKind::kExtraField, 7);
  return {};
}

// Writes m as a row in LOBSTER's format (no line terminator): the time keeps only the
// significant fraction digits, as LOBSTER's own files do. Returns the length, or 0 when
// out is too small. No allocation.
std::size_t format_message(const Message& m, std::span<char> out) noexcept;

// Splits text into lines: '\n' ends a line, a '\r' before it is dropped, and the last
// line needs no terminator. Counts lines from 1.
class LineReader {
 public:
  explicit LineReader(std::string_view text) noexcept : rest_(text) {}
  // Returns the next line in line; false at the end.
  bool next(std::string_view& line) noexcept {
    if (rest_.empty()) return false;
    const std::size_t nl = rest_.find('\n');
    if (nl == std::string_view::npos) {
      line = rest_;
      rest_ = {};
    } else {
      line = rest_.substr(0, nl);
      rest_.remove_prefix(nl + 1);
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++line_;
    return true;
  }
  // The 1-based number of the line last returned.
  uint32_t line_number() const noexcept { return line_; }

 private:
  std::string_view rest_;
  uint32_t line_ = 0;
};

}  // namespace tachyon::dataplane::lobster
