# Hugepage sizing from the appliance's configured pools: the book/ record sizes
# (Order 32 B, Level 32 B, order-index entry 8 B at load <= 0.5, ladder entry 16 B,
# 64 B ring records) times the configured capacities, plus DPDK mbuf pools and EAL
# headroom. The capacities come from flags or from the appliance's own TOML
# (pools_from_config). Pure functions apart from reading that file; thread-safe.
"""Compute the hugepages the appliance's pools need on the NIC's NUMA node."""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, replace

# Record sizes, as static_assert-ed in book/include/tachyon/book/*.h.
ORDER_BYTES = 32        # sizeof(Order), order_pool.h
LEVEL_BYTES = 32        # sizeof(Level), price_level.h
INDEX_ENTRY_BYTES = 8   # sizeof(OrderIndex::Entry), order_index.h; table = bit_ceil(2 * max_orders)
LADDER_ENTRY_BYTES = 16  # sizeof(LadderEntry), ladder_arena.h
LADDER_MIN_CHUNK = 16   # LadderArena::chunk_entries(0); arena = 4*max_levels + 2*max_symbols*16
EVENT_BYTES = 64        # sizeof(Event), event.h (one cache line per event in the rings)
MIB = 1 << 20
GIB = 1 << 30


@dataclass(frozen=True)
class Pools:
    """Capacities per data-plane shard (BookConfig) and per NIC queue (mbufs)."""

    max_orders: int = 1 << 20      # BookConfig default
    max_levels: int = 1 << 16      # BookConfig default
    max_symbols: int = 1           # BookConfig default
    ring_events: int = 1 << 16     # event ring capacity per shard
    shards: int = 0                # 0: one per data-plane core
    ports: int = 1
    queues: int = 0                # RX queues per port; 0: one per data-plane core
    mbufs: int = 8192              # mbufs per queue
    mbuf_bytes: int = 2304         # struct rte_mbuf (128 B) + RTE_MBUF_DEFAULT_BUF_SIZE (2176 B)
    headroom_mib: int = 64         # DPDK EAL memzones, rings, heap
    # From the appliance's config (pools_from_config): its rx queues (nic.rx_queues), so
    # that shards and queues follow tachyon run's shape for the planned cores, and one
    # mbuf pool per port (nic.mbufs: a pool per NUMA node, shared by its queues). 0:
    # flags only (shards and queues one per data-plane core, a pool per queue).
    appliance_rx_queues: int = 0
    source: str = ""               # where the values came from, for the formula


# The appliance's defaults for what its config leaves out (controlplane config.h:
# BookConfig, Config::Rings, Config::Nic) and the pipeline's priority lane
# (PipelineOptions::priority_capacity).
APPLIANCE_DEFAULTS = {"book.max_orders": 1 << 20, "book.max_levels": 1 << 16, "book.max_symbols": 1,
                      "rings.capacity": 4096, "nic.mbufs": 8191, "nic.rx_queues": 1}
PRIORITY_LANE = 1024


def pools_from_config(paths: list[str]) -> tuple[dict[str, int], str]:
    """Reads the pool sizes from the appliance's TOML files, layered in order as
    `tachyon run --config A --config B` layers them.

    Returns ({"book.max_orders": n, ...}, a one-line description naming each value's
    file, or "default"). Raises ValueError naming the file and the key for a file that
    cannot be read or parsed, or a value that is not a positive integer.
    """
    values: dict[str, int] = {}
    where: dict[str, str] = {}
    for path in paths:
        try:
            with open(path, "rb") as f:
                doc = tomllib.load(f)
        except OSError as e:
            raise ValueError(f"--config {path}: {e.strerror}") from None
        except tomllib.TOMLDecodeError as e:
            raise ValueError(f"--config {path}: TOML syntax: {e}") from None
        for dotted in APPLIANCE_DEFAULTS:
            sec, key = dotted.split(".")
            table = doc.get(sec)
            if not isinstance(table, dict) or key not in table:
                continue
            v = table[key]
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"--config {path}: {dotted} = {v!r}: must be an integer > 0")
            values[dotted] = v
            where[dotted] = path
    out = {k: values.get(k, d) for k, d in APPLIANCE_DEFAULTS.items()}
    text = ", ".join(f"{k} = {out[k]} ({where.get(k, 'default')})" for k in APPLIANCE_DEFAULTS)
    return out, text


def apply_config(p: Pools, cfg: dict[str, int], text: str, given: dict[str, int]) -> Pools:
    """Returns p with the appliance config's sizes, except those in given (flags win).

    ring_events becomes the shard's ring records: the dispatch ring and the output ring
    of rings.capacity each, plus the priority lane.
    """
    fields = {"max_orders": cfg["book.max_orders"], "max_levels": cfg["book.max_levels"],
              "max_symbols": cfg["book.max_symbols"], "ring_events": 2 * cfg["rings.capacity"] + PRIORITY_LANE,
              "mbufs": cfg["nic.mbufs"], "appliance_rx_queues": cfg["nic.rx_queues"]}
    fields.update(given)
    return replace(p, **fields, source=text)


def bit_ceil(n: int) -> int:
    return 1 if n <= 1 else 1 << (n - 1).bit_length()


def shard_bytes(p: Pools) -> dict[str, int]:
    """Returns the bytes of one shard's pools, by pool."""
    return {
        "orders": ORDER_BYTES * p.max_orders,
        "levels": LEVEL_BYTES * p.max_levels,
        "order_index": INDEX_ENTRY_BYTES * bit_ceil(2 * p.max_orders),
        "ladder_arena": LADDER_ENTRY_BYTES * (4 * p.max_levels + 2 * LADDER_MIN_CHUNK * p.max_symbols),
        "event_ring": EVENT_BYTES * p.ring_events,
    }


@dataclass(frozen=True)
class HugepagePlan:
    page_kb: int
    count: int
    node: int
    bytes_needed: int
    shards: int
    queues: int
    per_shard: dict[str, int]
    pools: dict[str, int]
    formula: tuple[str, ...]

    def to_json(self) -> dict:
        d = asdict(self)
        d["formula"] = list(self.formula)
        return d

    @staticmethod
    def from_json(d: dict) -> "HugepagePlan":
        return HugepagePlan(int(d["page_kb"]), int(d["count"]), int(d["node"]), int(d["bytes_needed"]),
                            int(d["shards"]), int(d["queues"]), dict(d["per_shard"]), dict(d["pools"]),
                            tuple(d["formula"]))


def _mib(n: int) -> str:
    return f"{n / MIB:.1f} MiB"


def size(p: Pools, dataplane_cores: int, node: int, page_kb: int | None, offered_kb: list[int]) -> HugepagePlan:
    """Sizes the hugepages for dataplane_cores shards on node.

    page_kb: forced page size, or None to choose: 1 GiB pages when the need reaches 1 GiB
    and the kernel offers them (offered_kb), else 2 MiB pages.
    """
    n = max(1, dataplane_cores)
    if p.appliance_rx_queues:
        # tachyon run: one core, or as many rx queues as cores, runs direct (a shard and
        # a queue per core); otherwise the first core dispatches to the others from one
        # queue. One mbuf pool per port, shared by its queues.
        direct = n == 1 or p.appliance_rx_queues >= n
        shards = p.shards or (n if direct else n - 1)
        queues = p.queues or (n if direct else 1)
        pools_per_port = 1
        mbuf_rule = "mbufs     = ports x mbufs x mbuf_bytes (nic.mbufs: one pool per port's NUMA node)"
    else:
        shards = p.shards or n
        queues = p.queues or n
        pools_per_port = queues
        mbuf_rule = "mbufs     = ports x queues x mbufs x mbuf_bytes"
    per = shard_bytes(p)
    per_total = sum(per.values())
    mbuf_total = p.ports * pools_per_port * p.mbufs * p.mbuf_bytes
    needed = shards * per_total + mbuf_total + p.headroom_mib * MIB
    if page_kb is None:
        page_kb = 1048576 if needed >= GIB and 1048576 in offered_kb else 2048
    page = page_kb * 1024
    count = -(-needed // page)
    mbuf_terms = (f"{p.ports} x {p.mbufs}" if p.appliance_rx_queues else f"{p.ports} x {queues} x {p.mbufs}")
    formula = (() if not p.source else (f"pools     : {p.source}",)) + (
        "per shard = 32 B x max_orders (Order) + 32 B x max_levels (Level)"
        " + 8 B x bit_ceil(2 x max_orders) (order index, load <= 0.5)"
        " + 16 B x (4 x max_levels + 32 x max_symbols) (ladder arena) + 64 B x ring_events (ring records"
        + (": 2 x rings.capacity + 1024 priority lane)" if p.appliance_rx_queues else ")"),
        f"          = {per['orders']} + {per['levels']} + {per['order_index']} + {per['ladder_arena']}"
        f" + {per['event_ring']} = {per_total} B ({_mib(per_total)})",
        f"{mbuf_rule} = {mbuf_terms} x {p.mbuf_bytes} = {mbuf_total} B ({_mib(mbuf_total)})",
        f"total     = shards x per shard + mbufs + headroom = {shards} x {per_total} + {mbuf_total}"
        f" + {p.headroom_mib} MiB = {needed} B ({_mib(needed)})",
        f"pages     = ceil(total / {page_kb} kB) = {count} on NUMA node {node}"
        f" ({_mib(count * page)} reserved)",
    )
    return HugepagePlan(page_kb, count, node, needed, shards, queues, per, asdict(p), formula)
