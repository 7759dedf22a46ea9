// The command line of the benchmark binaries: "--key=value", "--key value", and flags
// that take no value. Control path; not thread-safe (called from main).
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace tachyon::bench {

// A benchmark's usage(why): prints why and the usage line, then exits with status 2.
using UsageFn = void (*)(const std::string& why);

// Calls on(key, value) for each option of argv[1..] in order: "--key=value", or
// "--key value", or "--key" alone (value empty) when key is one of flags. An option
// that needs a value and is the last argument goes to usage. on decides what a key
// means (and calls usage for an unknown one).
template <class On>
void for_each_option(int argc, char** argv, std::initializer_list<std::string_view> flags, UsageFn usage, On&& on) {
  for (int i = 1; i < argc; ++i) {
    std::string key = argv[i];
    std::string value;
    if (const auto eq = key.find('='); eq != std::string::npos) {
      value = key.substr(eq + 1);
      key.resize(eq);
    } else if (std::find(flags.begin(), flags.end(), key) == flags.end()) {
      if (i + 1 >= argc) usage(key + " needs a value");
      value = argv[++i];
    }
    on(key, value);
  }
}

// Parses value as an unsigned number (decimal, 0x hex, 0 octal); anything else goes to
// usage, naming key.
uint64_t parse_u64(std::string_view key, const std::string& value, UsageFn usage);

}  // namespace tachyon::bench
