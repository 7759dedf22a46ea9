// libFuzzer target for the OUCH 4.2 codec: decodes the input as one inbound and as one
// outbound message; a message that decodes must encode back to exactly the input bytes.
// Single-threaded. Replayed by tests/dataplane/codec_fuzz_regression_test.cc.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "tachyon/dataplane/ouch_codec.h"
#include "tachyon/dataplane/ouch_reasons.h"

#ifndef TACHYON_FUZZ_CHECK
#define TACHYON_FUZZ_CHECK(cond)   \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (0)
#endif

namespace tachyon::fuzz {

namespace ouch = dataplane::ouch;

struct OuchExact {
  std::span<const uint8_t> in;
  int calls = 0;
  bool same = false;
  template <class M>
  void on(const M& m) noexcept {
    uint8_t buf[96];
    same = ouch::encode(m, buf) == in.size() && std::memcmp(buf, in.data(), in.size()) == 0;
    ++calls;
    if constexpr (requires { m.side; }) {
      book::Side s{};
      const bool known = ouch::to_book_side(m.side, s);
      TACHYON_FUZZ_CHECK(known == (m.side == 'B' || m.side == 'S' || m.side == 'T' || m.side == 'E'));
    }
  }
};

inline int ouch_one_input(const uint8_t* data, std::size_t size) {
  const std::span<const uint8_t> in(data, size);
  OuchExact inbound{in};
  const dataplane::DecodeStatus a = ouch::decode_inbound(in, inbound);
  TACHYON_FUZZ_CHECK((a == dataplane::DecodeStatus::kOk) == (inbound.calls == 1));
  if (a == dataplane::DecodeStatus::kOk) {
    TACHYON_FUZZ_CHECK(inbound.same);
  }
  OuchExact outbound{in};
  const dataplane::DecodeStatus b = ouch::decode_outbound(in, outbound);
  TACHYON_FUZZ_CHECK((b == dataplane::DecodeStatus::kOk) == (outbound.calls == 1));
  if (b == dataplane::DecodeStatus::kOk) {
    TACHYON_FUZZ_CHECK(outbound.same);
  }
  // No message is valid in both directions: the lengths of the shared 'U' differ.
  TACHYON_FUZZ_CHECK(!(a == dataplane::DecodeStatus::kOk && b == dataplane::DecodeStatus::kOk));
  return 0;
}

}  // namespace tachyon::fuzz

#ifndef TACHYON_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  return tachyon::fuzz::ouch_one_input(data, size);
}
#endif
