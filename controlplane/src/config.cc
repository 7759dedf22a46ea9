// Config parsing (toml++), environment overrides and whole-file validation.
// Control path.
#include "tachyon/controlplane/config.h"

#include <toml++/toml.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

namespace tachyon::controlplane {

const char* to_string(NicBackend b) noexcept {
  switch (b) {
    case NicBackend::kAuto: return "auto";
    case NicBackend::kDpdk: return "dpdk";
    case NicBackend::kPcap: return "pcap";
    case NicBackend::kSocket: return "socket";
  }
  return "?";
}
const char* to_string(FsyncPolicy p) noexcept {
  switch (p) {
    case FsyncPolicy::kNone: return "none";
    case FsyncPolicy::kIntervalMs: return "interval_ms";
    case FsyncPolicy::kEveryBatch: return "every_batch";
  }
  return "?";
}
const char* to_string(Backpressure b) noexcept {
  switch (b) {
    case Backpressure::kReject: return "reject";
    case Backpressure::kDrop: return "drop";
    case Backpressure::kBlock: return "block";
  }
  return "?";
}

namespace {

std::string show(const toml::node& n) {
  std::ostringstream os;
  n.visit([&](const auto& v) {
    if constexpr (toml::is_string<decltype(v)>) os << '"' << v.get() << '"';
    else os << v;
  });
  return os.str();
}

// Reads typed values out of the parsed table, recording every problem and every key
// it read (so that anything else can be reported as unknown), and a canonical text
// of the values for the config hash.
class Reader {
 public:
  Reader(const toml::table& root, std::vector<ConfigError>& errors) : root_(root), errors_(errors) {}

  const toml::node* find(std::string_view sec, std::string_view key) {
    known_.insert(std::string(sec) + "." + std::string(key));
    const toml::node* s = root_.get(sec);
    if (s == nullptr || !s->is_table()) return nullptr;
    return s->as_table()->get(key);
  }

  template <class T>
  void integer(std::string_view sec, std::string_view key, T& out, int64_t min, int64_t max) {
    if (const toml::node* n = find(sec, key)) {
      const auto v = n->value<int64_t>();
      if (!n->is_integer() || !v) {
        fail(sec, key, show(*n), "must be an integer");
      } else if (*v < min || *v > max) {
        fail(sec, key, std::to_string(*v), range_rule(min, max));
      } else {
        out = static_cast<T>(*v);
      }
    }
    note(sec, key, std::to_string(static_cast<int64_t>(out)));
  }

  void boolean(std::string_view sec, std::string_view key, bool& out) {
    if (const toml::node* n = find(sec, key)) {
      if (const auto v = n->value<bool>(); n->is_boolean() && v) out = *v;
      else fail(sec, key, show(*n), "must be true or false");
    }
    note(sec, key, out ? "true" : "false");
  }

  void string(std::string_view sec, std::string_view key, std::string& out) {
    if (const toml::node* n = find(sec, key)) {
      if (const auto* s = n->as_string()) out = s->get();
      else fail(sec, key, show(*n), "must be a string");
    }
    note(sec, key, out);
  }

  template <class E>
  void choice(std::string_view sec, std::string_view key, E& out, std::initializer_list<std::pair<const char*, E>> opts) {
    if (const toml::node* n = find(sec, key)) {
      const auto* s = n->as_string();
      bool ok = false;
      if (s) {
        for (const auto& [name, e] : opts)
          if (s->get() == name) {
            out = e;
            ok = true;
          }
      }
      if (!ok) {
        std::string rule = "must be one of";
        for (const auto& [name, e] : opts) rule += std::string(" ") + name;
        fail(sec, key, show(*n), rule);
      }
    }
    note(sec, key, std::to_string(static_cast<int>(out)));
  }

  void int_list(std::string_view sec, std::string_view key, std::vector<unsigned>& out, int64_t min, int64_t max) {
    if (const toml::node* n = find(sec, key)) {
      const auto* a = n->as_array();
      std::vector<unsigned> v;
      bool ok = a != nullptr;
      if (a) {
        for (const toml::node& e : *a) {
          const auto x = e.value<int64_t>();
          if (!e.is_integer() || !x || *x < min || *x > max) {
            ok = false;
            break;
          }
          v.push_back(static_cast<unsigned>(*x));
        }
      }
      if (ok) out = std::move(v);
      else fail(sec, key, show(*n), "must be a list of integers " + range_rule(min, max).substr(8));
    }
    std::string t;
    for (const unsigned x : out) t += std::to_string(x) + ",";
    note(sec, key, t);
  }

  void string_list(std::string_view sec, std::string_view key, std::vector<std::string>& out) {
    if (const toml::node* n = find(sec, key)) {
      const auto* a = n->as_array();
      std::vector<std::string> v;
      bool ok = a != nullptr;
      if (a) {
        for (const toml::node& e : *a) {
          const auto* s = e.as_string();
          if (!s) {
            ok = false;
            break;
          }
          v.push_back(s->get());
        }
      }
      if (ok) out = std::move(v);
      else fail(sec, key, show(*n), "must be a list of strings");
    }
    std::string t;
    for (const std::string& x : out) t += x + ",";
    note(sec, key, t);
  }

  // A table of name = integer, e.g. shard_map = { AAPL = 0, MSFT = 1 }.
  void name_map(std::string_view sec, std::string_view key, std::vector<std::pair<std::string, uint32_t>>& out,
                int64_t min, int64_t max) {
    if (const toml::node* n = find(sec, key)) {
      const auto* t = n->as_table();
      std::vector<std::pair<std::string, uint32_t>> v;
      bool ok = t != nullptr;
      if (t) {
        for (const auto& entry : *t) {
          const auto x = entry.second.value<int64_t>();
          if (!entry.second.is_integer() || !x || *x < min || *x > max) {
            ok = false;
            break;
          }
          v.emplace_back(std::string(entry.first.str()), static_cast<uint32_t>(*x));
        }
      }
      if (ok) out = std::move(v);
      else fail(sec, key, show(*n), "must be a table of NAME = integer " + range_rule(min, max).substr(8));
    }
    std::string t;
    for (const auto& [name, x] : out) t += name + "=" + std::to_string(x) + ",";
    note(sec, key, t);
  }

  void fail(std::string_view sec, std::string_view key, std::string value, std::string rule) {
    errors_.push_back(ConfigError{std::string(sec) + "." + std::string(key), std::move(value), std::move(rule)});
  }

  // Reports every section and key the reader never asked for.
  void report_unknown() {
    for (const auto& [sec, node] : root_) {
      const std::string s(sec.str());
      if (!node.is_table()) {
        errors_.push_back(ConfigError{s, show(node), "unknown top-level key (settings live in [sections])"});
        continue;
      }
      for (const auto& [key, value] : *node.as_table()) {
        const std::string k = s + "." + std::string(key.str());
        if (!known_.count(k)) errors_.push_back(ConfigError{k, show(value), "unknown key"});
      }
    }
  }

  const std::string& canonical() const { return canonical_; }

 private:
  static std::string range_rule(int64_t min, int64_t max) {
    if (max == std::numeric_limits<int64_t>::max()) return min == 1 ? "must be > 0" : "must be >= " + std::to_string(min);
    return "must be in " + std::to_string(min) + ".." + std::to_string(max);
  }
  void note(std::string_view sec, std::string_view key, const std::string& v) {
    canonical_ += std::string(sec) + "." + std::string(key) + "=" + v + "\n";
  }

  const toml::table& root_;
  std::vector<ConfigError>& errors_;
  std::set<std::string> known_;
  std::string canonical_;
};

constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

// Puts "section.key" = value text into root, parsing the text as a TOML value.
void apply_override(toml::table& root, const std::string& dotted, const std::string& text,
                    std::vector<ConfigError>& errors) {
  const std::size_t dot = dotted.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == dotted.size()) {
    errors.push_back(ConfigError{dotted, text, "override must name section.key (TACHYON_SECTION__KEY)"});
    return;
  }
  const std::string sec = dotted.substr(0, dot), key = dotted.substr(dot + 1);
  toml::table* t = root[sec].as_table();
  if (t == nullptr) {
    root.insert_or_assign(sec, toml::table{});
    t = root[sec].as_table();
  }
  try {
    toml::table v = toml::parse("v = " + text);
    t->insert_or_assign(key, *v.get("v"));
  } catch (const toml::parse_error&) {
    t->insert_or_assign(key, text);  // not a TOML value: take it as a plain string
  }
}

// True for "0000:81:00.0": 4 hex digits, ':', 2, ':', 2, '.', one digit 0-7.
bool is_pci_address(const std::string& s) {
  if (s.size() != 12 || s[4] != ':' || s[7] != ':' || s[10] != '.' || s[11] < '0' || s[11] > '7') return false;
  for (const std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

// Parses text (named source in errors) into root, layering its tables over root's.
bool layer(toml::table& root, std::string_view text, std::string_view source, std::vector<ConfigError>& errors) {
  toml::table t;
  try {
    t = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << "line " << e.source().begin.line << ", column " << e.source().begin.column;
    errors.push_back(ConfigError{std::string(source), where.str(), "TOML syntax: " + std::string(e.description())});
    return false;
  }
  for (auto&& [key, node] : t) {
    toml::table* mine = root[key].as_table();
    const toml::table* theirs = node.as_table();
    if (mine != nullptr && theirs != nullptr) {
      for (auto&& [k, v] : *theirs) mine->insert_or_assign(k, v);
    } else {
      root.insert_or_assign(key, node);
    }
  }
  return true;
}

ConfigResult validate(toml::table& root, const std::map<std::string, std::string>& overrides,
                      std::vector<ConfigError> errors);

}  // namespace

std::map<std::string, std::string> env_overrides(char** envp) {
  std::map<std::string, std::string> out;
  for (char** e = envp; e && *e; ++e) {
    const std::string_view kv(*e);
    if (kv.rfind("TACHYON_", 0) != 0) continue;
    const std::size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    std::string name(kv.substr(8, eq - 8));
    const std::size_t sep = name.find("__");
    if (sep == std::string::npos) continue;  // not a SECTION__KEY override
    std::string dotted = name.substr(0, sep) + "." + name.substr(sep + 2);
    for (char& c : dotted) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out[dotted] = std::string(kv.substr(eq + 1));
  }
  return out;
}

ConfigResult parse_config(std::string_view text, const std::map<std::string, std::string>& overrides,
                          std::string_view source) {
  ConfigResult r;
  toml::table root;
  if (!layer(root, text, source, r.errors)) return r;
  return validate(root, overrides, {});
}

namespace {

// Applies overrides to root and validates every key into a Config.
ConfigResult validate(toml::table& root, const std::map<std::string, std::string>& overrides,
                      std::vector<ConfigError> errors) {
  ConfigResult r;
  r.errors = std::move(errors);
  for (const auto& [k, v] : overrides) apply_override(root, k, v, r.errors);

  Config c;
  Reader rd(root, r.errors);
  // [book]
  rd.integer("book", "max_orders", c.book.max_orders, 1, book::kMaxSlots);
  rd.integer("book", "max_levels", c.book.max_levels, 1, book::kMaxSlots);
  rd.integer("book", "max_symbols", c.book.max_symbols, 1, book::kMaxSlots);
  rd.integer("book", "min_price", c.book.min_price.ticks, -book::kMaxAbsPrice, book::kMaxAbsPrice);
  rd.integer("book", "max_price", c.book.max_price.ticks, -book::kMaxAbsPrice, book::kMaxAbsPrice);
  rd.integer("book", "max_qty", c.book.max_qty.value, 1, book::kMaxQtyLimit);
  rd.integer("book", "order_index_start_buckets", c.book.order_index_start_buckets, 0, book::kMaxSlots);
  if (c.book.min_price > c.book.max_price)
    rd.fail("book", "min_price", std::to_string(c.book.min_price.ticks), "must be <= book.max_price");
  // [nic]
  rd.choice("nic", "backend", c.nic.backend,
            {{"auto", NicBackend::kAuto}, {"dpdk", NicBackend::kDpdk}, {"pcap", NicBackend::kPcap},
             {"socket", NicBackend::kSocket}});
  rd.string_list("nic", "eal_args", c.nic.eal_args);
  rd.integer("nic", "port_id", c.nic.port_id, 0, 1023);
  rd.integer("nic", "rx_queues", c.nic.rx_queues, 1, 128);
  rd.integer("nic", "rx_descriptors", c.nic.rx_descriptors, 64, 65536);
  rd.integer("nic", "tx_descriptors", c.nic.tx_descriptors, 64, 65536);
  rd.integer("nic", "mbufs", c.nic.mbufs, 511, 16'777'215);
  rd.string("nic", "bind_address", c.nic.bind_address);
  rd.integer("nic", "udp_port", c.nic.udp_port, 1, 65535);
  rd.string("nic", "pci", c.nic.pci);
  if (!c.nic.pci.empty() && !is_pci_address(c.nic.pci))
    rd.fail("nic", "pci", '"' + c.nic.pci + '"', "must be a PCI address DOMAIN:BUS:DEVICE.FUNCTION such as 0000:81:00.0");
  // [cores]
  rd.int_list("cores", "dataplane", c.cores.dataplane, 0, 4095);
  rd.integer("cores", "control", c.cores.control, -1, 4095);
  rd.int_list("cores", "housekeeping", c.cores.housekeeping, 0, 4095);
  rd.integer("cores", "numa_node", c.cores.numa_node, -1, 1023);
  for (const unsigned d : c.cores.dataplane) {
    if (static_cast<int>(d) == c.cores.control)
      rd.fail("cores", "control", std::to_string(c.cores.control), "must not be one of cores.dataplane");
    for (const unsigned h : c.cores.housekeeping)
      if (h == d) rd.fail("cores", "housekeeping", std::to_string(h), "must not overlap cores.dataplane");
  }
  // [feed], [match]
  rd.integer("feed", "port", c.feed.port, 0, 65535);
  rd.string("feed", "group", c.feed.group);
  rd.name_map("feed", "shard_map", c.feed.shard_map, 0, 253);
  for (const auto& [name, shard] : c.feed.shard_map)
    if (name.empty() || name.size() > 8)
      rd.fail("feed", "shard_map", '"' + name + '"', "each symbol must have 1..8 characters");
  rd.string_list("match", "symbols", c.match.symbols);
  for (const std::string& s : c.match.symbols)
    if (s.empty() || s.size() > 8) rd.fail("match", "symbols", '"' + s + '"', "each symbol must have 1..8 characters");
  // [rings]
  rd.integer("rings", "capacity", c.rings.capacity, 2, 1 << 30);
  if (c.rings.capacity & (c.rings.capacity - 1))
    rd.fail("rings", "capacity", std::to_string(c.rings.capacity), "must be a power of two");
  rd.choice("rings", "backpressure", c.rings.policy,
            {{"reject", Backpressure::kReject}, {"drop", Backpressure::kDrop}, {"block", Backpressure::kBlock}});
  rd.boolean("rings", "packet_handoff", c.rings.packet_handoff);
  // [risk]
  rd.integer("risk", "max_order_qty", c.risk.max_order_qty, 1, kI64Max);
  rd.integer("risk", "max_notional", c.risk.max_notional, 1, kI64Max);
  rd.integer("risk", "price_collar_bps", c.risk.price_collar_bps, 1, 1'000'000);
  rd.integer("risk", "max_open_orders", c.risk.max_open_orders, 1, book::kMaxSlots);
  rd.integer("risk", "max_position", c.risk.max_position, 1, kI64Max);
  rd.integer("risk", "max_gross_position", c.risk.max_gross_position, 1, kI64Max);
  rd.integer("risk", "max_net_position", c.risk.max_net_position, 1, kI64Max);
  rd.integer("risk", "order_rate_per_s", c.risk.order_rate_per_s, 1, 1'000'000'000);
  rd.integer("risk", "order_burst", c.risk.order_burst, 1, 1'000'000'000);
  rd.boolean("risk", "kill_switch", c.risk.kill_switch);
  // [breaker]
  rd.boolean("breaker", "enabled", c.breaker.enabled);
  rd.integer("breaker", "price_band_bps", c.breaker.price_band_bps, 1, 1'000'000);
  rd.integer("breaker", "max_msgs_per_window", c.breaker.max_msgs_per_window, 0, 1'000'000'000);
  rd.integer("breaker", "window_ms", c.breaker.window_ms, 1, 3'600'000);
  rd.integer("breaker", "resume_after_ms", c.breaker.resume_after_ms, 0, 86'400'000);
  // [journal]
  rd.string("journal", "path", c.journal.path);
  rd.choice("journal", "fsync", c.journal.fsync,
            {{"none", FsyncPolicy::kNone}, {"interval_ms", FsyncPolicy::kIntervalMs},
             {"every_batch", FsyncPolicy::kEveryBatch}});
  rd.integer("journal", "interval_ms", c.journal.interval_ms, 1, 60'000);
  rd.integer("journal", "snapshot_interval_s", c.journal.snapshot_interval_s, 0, 86'400);
  // [metrics]
  rd.string("metrics", "listen", c.metrics.listen);
  rd.integer("metrics", "port", c.metrics.port, 0, 65535);
  rd.report_unknown();

  if (r.errors.empty()) {
    c.hash = fnv1a(rd.canonical());
    r.config = std::move(c);
  }
  return r;
}

}  // namespace

dataplane::BreakerLimits breaker_limits(const CircuitBreaker& c) noexcept {
  dataplane::BreakerLimits l;
  l.enabled = c.enabled;
  l.price_band_bps = c.price_band_bps;
  l.max_msgs_per_window = c.max_msgs_per_window;
  l.window_ns = uint64_t{c.window_ms} * 1'000'000;
  l.resume_after_ns = uint64_t{c.resume_after_ms} * 1'000'000;
  return l;
}

ConfigResult load_config(const std::string& path, const std::map<std::string, std::string>& overrides) {
  return load_config(std::vector<std::string>{path}, overrides);
}

ConfigResult load_config(const std::vector<std::string>& paths, const std::map<std::string, std::string>& overrides) {
  std::vector<ConfigError> errors;
  toml::table root;
  for (const std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      errors.push_back(ConfigError{path, "", std::string("cannot open: ") + std::strerror(errno)});
      continue;
    }
    std::ostringstream text;
    text << in.rdbuf();
    layer(root, text.str(), path, errors);
  }
  if (!errors.empty()) {
    ConfigResult r;
    r.errors = std::move(errors);
    return r;
  }
  return validate(root, overrides, {});
}

std::string describe_paths(const std::vector<std::string>& paths) {
  std::string out;
  for (const std::string& p : paths) out += (out.empty() ? "" : " + ") + p;
  return out;
}

std::vector<std::string> static_changes(const Config& a, const Config& b) {
  std::vector<std::string> out;
  auto cmp = [&](bool equal, const char* key) {
    if (!equal) out.emplace_back(key);
  };
  cmp(a.book.max_orders == b.book.max_orders, "book.max_orders");
  cmp(a.book.max_levels == b.book.max_levels, "book.max_levels");
  cmp(a.book.max_symbols == b.book.max_symbols, "book.max_symbols");
  cmp(a.book.min_price == b.book.min_price, "book.min_price");
  cmp(a.book.max_price == b.book.max_price, "book.max_price");
  cmp(a.book.max_qty == b.book.max_qty, "book.max_qty");
  cmp(a.book.order_index_start_buckets == b.book.order_index_start_buckets, "book.order_index_start_buckets");
  cmp(a.nic == b.nic, "nic");
  cmp(a.cores.dataplane == b.cores.dataplane, "cores.dataplane");
  cmp(a.cores.control == b.cores.control, "cores.control");
  cmp(a.cores.housekeeping == b.cores.housekeeping, "cores.housekeeping");
  cmp(a.cores.numa_node == b.cores.numa_node, "cores.numa_node");
  cmp(a.feed == b.feed, "feed");
  cmp(a.match == b.match, "match.symbols");
  cmp(a.rings == b.rings, "rings");
  cmp(a.journal == b.journal, "journal");
  cmp(a.metrics == b.metrics, "metrics");
  return out;
}

}  // namespace tachyon::controlplane
