// libFuzzer target for MoldUDP64: parses the input as one datagram (a valid one must
// account for every byte and re-packetize to the same bytes), then as a stream of
// length-prefixed datagrams fed to one SequenceTracker whose state must stay coherent.
// Single-threaded. Replayed by tests/dataplane/codec_fuzz_regression_test.cc.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "tachyon/dataplane/big_endian.h"
#include "tachyon/dataplane/moldudp64.h"
#include "tachyon/dataplane/moldudp64_sequence.h"

#ifndef TACHYON_FUZZ_CHECK
#define TACHYON_FUZZ_CHECK(cond)   \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (0)
#endif

namespace tachyon::fuzz {

namespace mold = dataplane::mold;

inline void check_datagram(std::span<const uint8_t> dg) {
  mold::Packet p;
  const mold::ParseResult r = mold::parse(dg, p);
  TACHYON_FUZZ_CHECK(r.offset <= dg.size());
  if (!r.ok()) return;
  std::size_t total = mold::kHeaderSize;
  uint32_t n = 0;
  p.for_each([&](uint64_t seq, std::span<const uint8_t> msg) {
    TACHYON_FUZZ_CHECK(seq == p.header.sequence + n);
    TACHYON_FUZZ_CHECK(msg.data() >= dg.data() && msg.data() + msg.size() <= dg.data() + dg.size());
    total += mold::kBlockPrefixSize + msg.size();
    ++n;
  });
  TACHYON_FUZZ_CHECK(n == p.header.messages());
  TACHYON_FUZZ_CHECK(total == dg.size());
  if (n == 0) return;
  // One packet with room for exactly these messages reproduces the datagram.
  std::vector<uint8_t> buf(dg.size());
  mold::Packetizer pk(buf, p.header.session, p.header.sequence, dg.size());
  p.for_each([&](uint64_t, std::span<const uint8_t> msg) { TACHYON_FUZZ_CHECK(pk.append(msg)); });
  TACHYON_FUZZ_CHECK(pk.pending() == n);
  const std::span<const uint8_t> out = pk.flush();
  TACHYON_FUZZ_CHECK(out.size() == dg.size() && std::memcmp(out.data(), dg.data(), dg.size()) == 0);
  TACHYON_FUZZ_CHECK(pk.next_sequence() == p.header.sequence + n);
}

inline void check_tracker(const mold::SequenceTracker& t) {
  const auto gaps = t.open_gaps();
  TACHYON_FUZZ_CHECK(gaps.size() <= mold::SequenceTracker::kMaxOpenGaps);
  for (std::size_t i = 0; i < gaps.size(); ++i) {
    TACHYON_FUZZ_CHECK(gaps[i].first <= gaps[i].last);
    TACHYON_FUZZ_CHECK(gaps[i].last < t.expected());
    for (std::size_t j = i + 1; j < gaps.size(); ++j)
      TACHYON_FUZZ_CHECK(gaps[i].last < gaps[j].first || gaps[j].last < gaps[i].first);
  }
}

inline int moldudp64_one_input(const uint8_t* data, std::size_t size) {
  check_datagram(std::span<const uint8_t>(data, size));

  // A stream of datagrams, each behind a 2-byte length, through one tracker.
  mold::SequenceTracker t;
  uint64_t counted = 0;
  for (std::size_t off = 0; size - off >= 2;) {
    const std::size_t len = dataplane::load_be16(data + off);
    off += 2;
    if (size - off < len) break;
    const std::span<const uint8_t> dg(data + off, len);
    off += len;
    check_datagram(dg);
    mold::Packet p;
    if (!mold::parse(dg, p).ok()) continue;
    const uint64_t before = t.expected();
    const mold::Delivery d = t.on_packet(p.header);
    TACHYON_FUZZ_CHECK(d.skip <= p.header.messages());
    if (d.verdict != mold::Verdict::kWrongSession && d.verdict != mold::Verdict::kInvalid) {
      TACHYON_FUZZ_CHECK(t.expected() >= before);
      TACHYON_FUZZ_CHECK(t.expected() - before == uint64_t{p.header.messages()} - d.skip ||
                         d.verdict == mold::Verdict::kGap || p.header.messages() == 0);
      counted += p.header.messages() - d.skip;
    } else {
      TACHYON_FUZZ_CHECK(t.expected() == before);
    }
    check_tracker(t);
  }
  TACHYON_FUZZ_CHECK(t.delivered() == counted);
  return 0;
}

}  // namespace tachyon::fuzz

#ifndef TACHYON_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  return tachyon::fuzz::moldudp64_one_input(data, size);
}
#endif
