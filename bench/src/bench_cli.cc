// Number parsing for the benchmarks' command lines. Control path.
#include "tachyon/bench/bench_cli.h"

#include <cstdlib>

namespace tachyon::bench {

uint64_t parse_u64(std::string_view key, const std::string& value, UsageFn usage) {
  char* end = nullptr;
  const unsigned long long x = std::strtoull(value.c_str(), &end, 0);
  if (value.empty() || *end != '\0') usage(std::string(key) + ": '" + value + "' is not a number");
  return x;
}

}  // namespace tachyon::bench
