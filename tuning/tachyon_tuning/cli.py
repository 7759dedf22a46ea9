# Command-line entry points of tuning/plan, tuning/apply, tuning/verify and tuning/revert.
# Each parses its arguments, builds or loads the plan, and prints; errors print one line
# naming what failed and exit 2. Single-threaded.
"""Argument parsing and the four commands."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys

from . import apply as apply_mod
from . import coremap, hugepages, render, state, topology
from .items import evaluate
from .plan import Plan, build, load
from .services import Services
from .sysfs import open_root

_POOL_HELP = ("appliance pool sizes (hugepage sizing): a flag wins over --config, which wins over the defaults "
              "(BookConfig's)")


def _positive(text: str) -> int:
    v = int(text)
    if v < 1:
        raise argparse.ArgumentTypeError(f"{text}: must be >= 1")
    return v


def _count(text: str) -> int:
    v = int(text)
    if v < 0:
        raise argparse.ArgumentTypeError(f"{text}: must be >= 0")
    return v


def _page(text: str) -> int:
    table = {"2M": 2048, "2048K": 2048, "1G": 1048576, "1048576K": 1048576}
    if text.upper() not in table:
        raise argparse.ArgumentTypeError(f"{text}: expected 2M or 1G")
    return table[text.upper()]


def _add_plan_args(p: argparse.ArgumentParser, with_plan_file: bool) -> None:
    src = p.add_argument_group("plan inputs")
    if with_plan_file:
        src.add_argument("--plan", metavar="FILE", help="a plan from `tuning/plan --json` (instead of planning now)")
    src.add_argument("--topology", metavar="FILE.xml",
                     help="hwloc 2.x XML topology (default: the live machine through lstopo-no-graphics)")
    src.add_argument("--nic", metavar="IFACE|PCI", help="the data-plane NIC: eth0, mlx5_0 or 0000:81:00.0")
    src.add_argument("--cores", type=_positive, metavar="N",
                     help="data-plane cores wanted (default: every usable core on the NIC's node but one)")
    src.add_argument("--jitter", metavar="FILE.json", help="`tuning/jitter --json` output: rank cores by it")
    src.add_argument("--hugepage-size", type=_page, metavar="2M|1G", help="force the hugepage size")
    pools = p.add_argument_group("pools", _POOL_HELP)
    d = hugepages.Pools()
    pools.add_argument("--config", action="append", default=[], metavar="TACHYON.toml",
                       help="the appliance's config: pools from book.max_orders/max_levels/max_symbols, "
                            "rings.capacity, nic.mbufs and nic.rx_queues, shards and queues as tachyon run lays them "
                            "out on the planned cores; repeat to layer files as tachyon run does")
    pools.add_argument("--orders", type=_positive, help=f"max_orders per shard (default {d.max_orders})")
    pools.add_argument("--levels", type=_positive, help=f"max_levels per shard (default {d.max_levels})")
    pools.add_argument("--symbols", type=_positive, help=f"max_symbols per shard (default {d.max_symbols})")
    pools.add_argument("--ring-events", type=_positive,
                       help=f"64 B ring records per shard (default {d.ring_events})")
    pools.add_argument("--shards", type=_count, help="shards (default: one per data-plane core)")
    pools.add_argument("--ports", type=_positive, help=f"NIC ports (default {d.ports})")
    pools.add_argument("--queues", type=_count, help="RX queues per port (default: one per data-plane core)")
    pools.add_argument("--mbufs", type=_positive, help=f"mbufs per queue, per port with --config (default {d.mbufs})")
    pools.add_argument("--mbuf-bytes", type=_positive, help=f"bytes per mbuf (default {d.mbuf_bytes})")
    pools.add_argument("--headroom-mib", type=_count, help=f"EAL headroom in MiB (default {d.headroom_mib})")


def _add_root_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--root", default="/", metavar="DIR",
                   help="read (and write) /proc, /sys and /dev below DIR: a fake tree for tests (default /)")
    p.add_argument("--systemctl", metavar="CMD",
                   help="command that controls services (default: systemctl on a live systemd machine)")


def _make_plan(args: argparse.Namespace, io) -> Plan:
    if getattr(args, "plan", None):
        return load(args.plan)
    topo = topology.load_file(args.topology) if args.topology else topology.load_live()
    jitter = coremap.load_jitter(args.jitter) if args.jitter else None
    flags = {"max_orders": args.orders, "max_levels": args.levels, "max_symbols": args.symbols,
             "ring_events": args.ring_events, "shards": args.shards, "ports": args.ports, "queues": args.queues,
             "mbufs": args.mbufs, "mbuf_bytes": args.mbuf_bytes, "headroom_mib": args.headroom_mib}
    given = {k: v for k, v in flags.items() if v is not None}
    pools = dataclasses.replace(hugepages.Pools(), **given)
    if args.config:
        cfg, text = hugepages.pools_from_config(args.config)
        pools = hugepages.apply_config(pools, cfg, text, given)
    return build(topo, args.nic, args.cores, jitter, args.jitter or "", pools, args.hugepage_size,
                 state.hugepage_sizes(io))


def _run(fn, argv: list[str]) -> int:
    try:
        return fn(argv)
    except BrokenPipeError:  # output piped into head: not an error of ours
        sys.stderr.close()
        return 0
    except (topology.TopologyError, coremap.PlanError, apply_mod.ApplyError, ValueError,
            FileNotFoundError) as e:
        print(f"tuning/{os.path.basename(sys.argv[0])}: error: {e}", file=sys.stderr)
        return 2


def _plan(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="tuning/plan", description=(
        "Read the hwloc topology and the current state, and print the latency tuning plan: the core map, "
        "every change (current, wanted, reason, reboot or not), the kernel command line, the hugepages "
        "and the appliance's core-map config fragment."))
    _add_plan_args(p, with_plan_file=False)
    _add_root_args(p)
    p.add_argument("--json", action="store_true", help="print the plan as JSON (input of apply/verify --plan)")
    p.add_argument("--write-config", metavar="FILE", help="write the core map as an appliance TOML fragment")
    args = p.parse_args(argv)
    io = open_root(args.root)
    plan = _make_plan(args, io)
    items, notes = evaluate(plan, io, Services(io, args.systemctl))
    text = (render.plan_json if args.json else render.plan_text)(plan, items, notes, io.root)
    sys.stdout.write(text)
    if args.write_config:
        with open(args.write_config, "w", encoding="utf-8") as f:
            f.write(render.config_toml(plan))
        if not args.json:
            print(f"wrote the core map to {args.write_config}")
    return 0


def _apply(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="tuning/apply", description=(
        "Apply a plan's runtime changes (governor, IRQ affinity, irqbalance, THP, hugepages, idle states, "
        "NUMA balancing, SMT siblings). Dry run unless --yes. Saves previous values for tuning/revert. "
        "Never edits the bootloader: prints the kernel command line to add."))
    _add_plan_args(p, with_plan_file=True)
    _add_root_args(p)
    p.add_argument("--yes", action="store_true", help="write the changes (default: dry run)")
    p.add_argument("--state", metavar="FILE", help=f"state file (default: ROOT/{apply_mod.DEFAULT_STATE})")
    p.add_argument("--hold-cstates", action="store_true",
                   help="after applying, hold /dev/cpu_dma_latency at 0 us until Ctrl-C/SIGTERM")
    p.add_argument("--skip", default="", metavar="IDS",
                   help="comma-separated item ids or prefixes to leave alone (e.g. smt,irq.24)")
    args = p.parse_args(argv)
    io = open_root(args.root)
    plan = _make_plan(args, io)
    skip = [s for s in args.skip.split(",") if s]
    return apply_mod.apply(plan, io, Services(io, args.systemctl), args.yes, args.state, args.hold_cstates, skip)


def _verify(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="tuning/verify", description=(
        "Check the machine against a plan; each item passes or fails. Exit status 1 when a required item fails."))
    _add_plan_args(p, with_plan_file=True)
    _add_root_args(p)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    args = p.parse_args(argv)
    io = open_root(args.root)
    plan = _make_plan(args, io)
    items, notes = evaluate(plan, io, Services(io, args.systemctl))
    sys.stdout.write((render.verify_json if args.json else render.verify_text)(plan, items, notes, io.root))
    return 1 if render.verify_counts(items)["FAIL"] else 0


def _revert(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="tuning/revert", description=(
        "Restore everything tuning/apply changed, from its state file. Dry run unless --yes."))
    _add_root_args(p)
    p.add_argument("--state", metavar="FILE", help=f"state file (default: ROOT/{apply_mod.DEFAULT_STATE})")
    p.add_argument("--yes", action="store_true", help="restore (default: dry run)")
    args = p.parse_args(argv)
    io = open_root(args.root)
    return apply_mod.revert(io, Services(io, args.systemctl), args.state, args.yes)


def main_plan(argv: list[str]) -> int:
    return _run(_plan, argv)


def main_apply(argv: list[str]) -> int:
    return _run(_apply, argv)


def main_verify(argv: list[str]) -> int:
    return _run(_verify, argv)


def main_revert(argv: list[str]) -> int:
    return _run(_revert, argv)



