// libFuzzer target for the config parser: arbitrary bytes as TOML (and as one
// environment override) must parse or fail with errors, never crash, and a config
// that parses must re-validate to the same hash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tachyon/controlplane/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tachyon::controlplane;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const ConfigResult r = parse_config(text, {});
  if (r.config) {
    if (!r.errors.empty()) std::abort();
    if (parse_config(text, {}).config->hash != r.config->hash) std::abort();
  } else if (r.errors.empty()) {
    std::abort();  // a refusal always says why
  }
  // The same bytes as an override value of a live and a static key.
  parse_config("", {{"risk.max_order_qty", std::string(text)}, {"cores.dataplane", std::string(text)}});
  return 0;
}
