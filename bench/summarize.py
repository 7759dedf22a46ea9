#!/usr/bin/env python3
"""bench/summarize.py OUT_DIR [ELAPSED_S]: reads the JSON results bench/run wrote into
OUT_DIR, prints the headline figure of every benchmark with its configuration, and
writes OUT_DIR/summary.json. Missing or failed benchmarks are listed, not fatal."""
import json
import os
import sys


def load(out, name):
    path = os.path.join(out, name + ".json")
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def get(d, *keys, default=None):
    for k in keys:
        if isinstance(d, dict) and k in d:
            d = d[k]
        elif isinstance(d, list) and isinstance(k, int) and k < len(d):
            d = d[k]
        else:
            return default
    return d


def mps(v):
    return "-" if v is None else "%.2f M msgs/s" % (v / 1e6)


def main():
    out = sys.argv[1]
    elapsed = int(sys.argv[2]) if len(sys.argv) > 2 else None
    s = {"machine": load(out, "machine"), "elapsed_s": elapsed, "missing": []}
    lines = []

    b = load(out, "book_bench")
    if b:
        s["book"] = {
            "config": {k: b.get(k) for k in ("orders_per_scenario", "runs", "batch", "cpu_match", "cpu_drain")},
            "scenarios": {x["name"]: {"msgs_per_s": x["msgs_per_s"], "ns_p50": x["ns_p50"], "ns_p99": x["ns_p99"],
                                       "ns_p999": x["ns_p999"]} for x in b.get("scenarios", [])},
            "worst_msgs_per_s": b.get("worst_msgs_per_s"),
            "bytes_per_resting_order": b.get("bytes_per_resting_order"),
            "resting_1m_rss_bytes": get(b, "resting_1m", "rss_bytes"),
            "bytes_per_resting_order_1m": b.get("bytes_per_resting_order_1m"),
            "peak_rss_bytes": b.get("peak_rss_bytes"),
        }
        lines.append("book throughput per scenario (%s orders, %s runs, cpus %s,%s pinned):" % (
            b.get("orders_per_scenario"), b.get("runs"), b.get("cpu_match"), b.get("cpu_drain")))
        for name, x in s["book"]["scenarios"].items():
            lines.append("  %-12s %s  p50 %.0f ns  p99 %.0f ns  p99.9 %.0f ns" % (
                name, mps(x["msgs_per_s"]), x["ns_p50"], x["ns_p99"], x["ns_p999"]))
        lines.append("memory: %.1f bytes per resting order (preallocated); 1 M resting orders: RSS +%.1f MB "
                     "(%.1f bytes/order); peak RSS %.1f MB" % (
                         b.get("bytes_per_resting_order", 0), (get(b, "resting_1m", "rss_bytes") or 0) / 2**20,
                         b.get("bytes_per_resting_order_1m", 0), (b.get("peak_rss_bytes") or 0) / 2**20))
    else:
        s["missing"].append("book_bench")

    i = load(out, "itch_bench")
    if i:
        v = get(i, "variants", 0, default={})
        s["feed_decode"] = {"decode_msgs_per_s": get(v, "decode_only_pass", "msgs_per_s"),
                            "decode_and_book_msgs_per_s": get(v, "book_passes", 0, "pass", "msgs_per_s"),
                            "variant": v.get("name"), "messages": v.get("messages"), "cpu": i.get("cpu"),
                            "pinned": i.get("pinned")}
        lines.append("feed decode (ITCH, %s messages, cpu %s pinned=%s): decode only %s, decode + book %s" % (
            v.get("messages"), i.get("cpu"), i.get("pinned"), mps(s["feed_decode"]["decode_msgs_per_s"]),
            mps(s["feed_decode"]["decode_and_book_msgs_per_s"])))
    else:
        s["missing"].append("itch_bench")

    r = load(out, "replay_bench")
    if r:
        s["replay"] = {"messages": r.get("messages"), "msgs_per_s": get(r, "replay", "msgs_per_s"),
                       "latency_ns": get(r, "replay", "latency_ns"), "cpu": r.get("cpu"), "pinned": r.get("pinned")}
        lines.append("replay end to end (%s messages, cpu %s pinned=%s): %s, p99 %s ns per message" % (
            r.get("messages"), r.get("cpu"), r.get("pinned"), mps(s["replay"]["msgs_per_s"]),
            get(r, "replay", "latency_ns", "p99")))
    else:
        s["missing"].append("replay_bench")

    l = load(out, "load_bench")
    if l:
        s["open_loop"] = {"config": l.get("config"), "rates": l.get("rates"), "p99_passes_1us": l.get("p99_passes_1us"),
                          "burst": l.get("burst")}
        lines.append("open-loop latency from intended send times (generator cpu %s, core cpu %s, pinned):" % (
            get(l, "config", "cpu_generator"), get(l, "config", "cpu_core")))
        for x in l.get("rates", []):
            lines.append("  offered %6.2f M/s  achieved %6.2f M/s  p50 %9d ns  p99 %10d ns  p99.9 %10d ns" % (
                x["offered_msgs_per_s"] / 1e6, x["achieved_msgs_per_s"] / 1e6, x["p50_ns"], x["p99_ns"], x["p999_ns"]))
        c = l.get("p99_passes_1us", {})
        if c.get("where") == "between":
            lines.append("  p99 passes 1 us at about %.2f M msgs/s" % (c["estimate_msgs_per_s"] / 1e6))
        elif c.get("where") == "below_lowest_rate":
            lines.append("  p99 is over 1 us already at the lowest offered rate")
        else:
            lines.append("  p99 stays under 1 us at every offered rate")
        bu = l.get("burst", {})
        lines.append("  10x burst stress: p99 %s ns in bursts, %s ns after, %s ns calm; max queue %s; book hash "
                     "matches unloaded: %s" % (get(bu, "in_burst", "p99"), get(bu, "after_burst", "p99"),
                                               get(bu, "calm", "p99"), bu.get("max_queue"),
                                               bu.get("hash_matches_unloaded")))
    else:
        s["missing"].append("load_bench")

    q = load(out, "spsc_ring_bench")
    if q:
        s["spsc_ring"] = {k: q.get(k) for k in ("config", "throughput_records_per_s", "one_way_ns", "half_round_trip_ns")}
        t = q.get("throughput_records_per_s", {})
        lines.append("SPSC ring (cpus %s -> %s): %.1f M/s 8-byte, %.1f M/s batched; one-way p50 %s ns p99 %s ns; "
                     "half round trip p50 %s ns p99 %s ns" % (
                         get(q, "config", "cpu_producer"), get(q, "config", "cpu_consumer"), t.get("u64", 0) / 1e6,
                         t.get("u64_batch32", 0) / 1e6, get(q, "one_way_ns", "p50"), get(q, "one_way_ns", "p99"),
                         get(q, "half_round_trip_ns", "p50"), get(q, "half_round_trip_ns", "p99")))
    else:
        s["missing"].append("spsc_ring_bench")

    rk = load(out, "risk_bench")
    if rk:
        s["risk"] = {key: rk.get(key) for key in ("orders", "batch", "timed_passes", "cpu", "pinned",
                                                  "ns_per_check_p50", "ns_per_check_p99", "baseline_ns_p50",
                                                  "added_ns_p50", "target_added_ns_p50")}
        added = rk.get("added_ns_p50")
        target = rk.get("target_added_ns_p50", 20)
        verdict = "-" if added is None else ("met" if added <= target else "MISSED")
        lines.append("pre-trade risk check (%s orders x %s passes, cpu %s pinned=%s): %s ns per order p50, p99 %s ns; "
                     "added over the bare loop %s ns (target <= %s ns: %s)" % (
                         rk.get("orders"), rk.get("timed_passes", 2), rk.get("cpu", 1), rk.get("pinned"),
                         rk.get("ns_per_check_p50"), rk.get("ns_per_check_p99"), added, target, verdict))
    else:
        s["missing"].append("risk_bench")

    for g in ("profiler_bench", "book_micro_bench", "pcap_read_bench"):
        d = load(out, g)
        if not d:
            s["missing"].append(g)
            continue
        s[g] = {x["name"]: {"real_ns": x.get("real_time"), "cpu_ns": x.get("cpu_time")}
                for x in d.get("benchmarks", []) if x.get("time_unit", "ns") == "ns"}
        if g == "profiler_bench":
            lines.append("profiler probe cost (CPU ns per call): " + ", ".join(
                "%s %.1f" % (k.replace("BM_", ""), v["cpu_ns"]) for k, v in s[g].items()))

    for mode in ("feed", "match"):
        p = load(out, "replay-" + mode)
        if not p:
            s["missing"].append("replay-" + mode)
            continue
        w = next((x for x in p.get("stages", []) if x["name"] == "wire_to_wire"), {})
        s["profile_" + mode] = {"messages": get(p, "totals", "messages"), "msgs_per_s": get(p, "totals", "msgs_per_s"),
                                "wire_to_wire": {k: w.get(k) for k in ("p50", "p99", "p999", "max")},
                                "bytes_per_order": get(p, "totals", "bytes_per_order"),
                                "peak_rss_bytes": get(p, "totals", "peak_rss_bytes")}
        lines.append("profiled %s replay (tachyon replay --profile): %s messages, %s, wire-to-wire p50 %s ns p99 %s ns" % (
            mode, get(p, "totals", "messages"), mps(get(p, "totals", "msgs_per_s")), w.get("p50"), w.get("p99")))

    print("\n".join(lines))
    if s["missing"]:
        print("missing results: " + ", ".join(s["missing"]))
    if elapsed is not None:
        print("bench/run took %d s (budget 600 s)" % elapsed)
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(s, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
