// read_load_curve(): load_bench JSON through simdjson. Control path.
#include "tachyon/controlplane/load_curve.h"

#include <simdjson.h>

#include <algorithm>

#include "tachyon/controlplane/run_profile.h"

namespace tachyon::controlplane {

namespace {

template <class T>
T field(simdjson::dom::element e, const char* key, const std::string& path) {
  T v{};
  if (e[key].get(v) != simdjson::SUCCESS) throw ProfileError(path + ": " + key + ": missing or of the wrong type");
  return v;
}

double number(simdjson::dom::element e, const char* key, const std::string& path) {
  double d;
  if (e[key].get(d) == simdjson::SUCCESS) return d;
  return static_cast<double>(field<uint64_t>(e, key, path));
}

}  // namespace

LoadCurve read_load_curve(const std::string& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (const auto err = parser.load(path).get(doc); err != simdjson::SUCCESS)
    throw ProfileError(path + ": cannot read load_bench results (" + simdjson::error_message(err) + ")");
  std::string_view bench;
  if (doc["bench"].get(bench) != simdjson::SUCCESS || bench != "load_bench")
    throw ProfileError(path + ": not load_bench --json output");
  LoadCurve c;
  c.cpu_generator = static_cast<int>(field<int64_t>(doc["config"], "cpu_generator", path + ": config"));
  c.cpu_core = static_cast<int>(field<int64_t>(doc["config"], "cpu_core", path + ": config"));
  for (const char* list : {"rates", "search"}) {
    simdjson::dom::array a;
    if (doc[list].get(a) != simdjson::SUCCESS) throw ProfileError(path + ": " + list + ": missing");
    for (simdjson::dom::element r : a) {
      LoadPoint p;
      p.offered = number(r, "offered_msgs_per_s", path + ": " + list);
      p.achieved = number(r, "achieved_msgs_per_s", path + ": " + list);
      p.p50 = field<uint64_t>(r, "p50_ns", path + ": " + list);
      p.p99 = field<uint64_t>(r, "p99_ns", path + ": " + list);
      p.p999 = field<uint64_t>(r, "p999_ns", path + ": " + list);
      p.max = field<uint64_t>(r, "max_ns", path + ": " + list);
      c.points.push_back(p);
    }
  }
  std::sort(c.points.begin(), c.points.end(), [](const LoadPoint& a, const LoadPoint& b) { return a.offered < b.offered; });
  const simdjson::dom::element cross = doc["p99_passes_1us"];
  c.crossing = std::string(field<std::string_view>(cross, "where", path + ": p99_passes_1us"));
  c.crossing_estimate = number(cross, "estimate_msgs_per_s", path + ": p99_passes_1us");
  const simdjson::dom::element b = doc["burst"];
  c.burst_base = number(b, "base_msgs_per_s", path + ": burst");
  c.burst_factor = number(b, "factor", path + ": burst");
  c.burst_max_queue = field<uint64_t>(b, "max_queue", path + ": burst");
  c.burst_hash_ok = field<bool>(b, "hash_matches_unloaded", path + ": burst");
  c.burst_p99_in = field<uint64_t>(b["in_burst"], "p99", path + ": burst.in_burst");
  c.burst_p99_after = field<uint64_t>(b["after_burst"], "p99", path + ": burst.after_burst");
  c.burst_p99_calm = field<uint64_t>(b["calm"], "p99", path + ": burst.calm");
  return c;
}

}  // namespace tachyon::controlplane
