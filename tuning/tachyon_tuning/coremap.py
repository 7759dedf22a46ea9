# The core map: which PUs run the data plane (one per physical core, on the NIC's NUMA
# node), which one runs the control plane, which SMT siblings stay idle, and which PUs
# do housekeeping (core 0, IRQs, kernel threads, everything else).
# Pure functions over a Topology; thread-safe.
"""Choose data-plane, control-plane, idle-sibling and housekeeping CPUs from a topology."""

from __future__ import annotations

import json
from dataclasses import dataclass

from .cpulist import format_list
from .topology import Core, Topology


class PlanError(Exception):
    """No core map fits the machine; names the topology and the reason."""


@dataclass(frozen=True)
class JitterStat:
    lost_ns: int   # time lost in hiccups during the run
    hiccups: int
    p999_ns: int
    max_ns: int


def load_jitter(path: str) -> dict[int, JitterStat]:
    """Reads `tuning/jitter --json` output: {"cores": [{"cpu", "lost_ns", "hiccups", "p999_ns", "max_ns"}]}.

    Raises ValueError naming the file and the problem.
    """
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        return {int(c["cpu"]): JitterStat(int(c["lost_ns"]), int(c["hiccups"]), int(c["p999_ns"]), int(c["max_ns"]))
                for c in doc["cores"]}
    except OSError as e:
        raise ValueError(f"--jitter {path}: {e.strerror}") from None
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError(f"--jitter {path}: not tuning/jitter --json output ({e!r})") from None


@dataclass(frozen=True)
class CoreMap:
    node: int
    dataplane: tuple[int, ...]
    control: int
    control_dedicated: bool
    housekeeping: tuple[int, ...]
    idle_siblings: tuple[int, ...]
    ranking: str
    notes: tuple[str, ...]

    @property
    def isolated(self) -> tuple[int, ...]:
        return tuple(sorted(set(self.dataplane) | set(self.idle_siblings)))

    @property
    def latency_cpus(self) -> tuple[int, ...]:
        """CPUs whose idle states and IRQs matter: data plane, dedicated control, idle siblings."""
        s = set(self.dataplane) | set(self.idle_siblings)
        if self.control_dedicated:
            s.add(self.control)
        return tuple(sorted(s))

    def to_json(self) -> dict:
        return {"node": self.node, "dataplane": list(self.dataplane), "control": self.control,
                "control_dedicated": self.control_dedicated, "housekeeping": list(self.housekeeping),
                "idle_siblings": list(self.idle_siblings), "isolated": list(self.isolated),
                "ranking": self.ranking, "notes": list(self.notes)}

    @staticmethod
    def from_json(d: dict) -> "CoreMap":
        return CoreMap(int(d["node"]), tuple(d["dataplane"]), int(d["control"]), bool(d["control_dedicated"]),
                       tuple(d["housekeeping"]), tuple(d["idle_siblings"]), str(d["ranking"]), tuple(d["notes"]))


def _node_order(topo: Topology, node: int) -> list[int]:
    """Returns NUMA nodes nearest first: the node, then by distance, then by number."""
    others = [n for n in topo.nodes if n != node]
    others.sort(key=lambda n: (topo.distances.get((node, n), 1 << 30), n))
    return [node] + others


def choose(topo: Topology, node: int, want: int | None, jitter: dict[int, JitterStat] | None,
           jitter_source: str = "") -> CoreMap:
    """Chooses the core map for data-plane cores on node.

    want: data-plane cores wanted (None: every candidate but one, kept for control).
    jitter: per-CPU measurements; candidates are ranked by time lost to hiccups, hiccup
    count, p99.9 and max gap, then CPU number; unmeasured CPUs rank last.
    Core 0 (the physical core of the lowest PU, normally PU 0) is never a candidate.
    """
    notes: list[str] = []
    boot_core = topo.core_of(min(topo.pus))
    candidates_by_node: dict[int, list[Core]] = {}
    for n, info in topo.nodes.items():
        candidates_by_node[n] = [c for c in topo.cores
                                 if c is not boot_core and all(p in info.cpus for p in c.pus)]

    chosen_node = node
    for n in _node_order(topo, node):
        if candidates_by_node.get(n):
            chosen_node = n
            break
    if chosen_node != node:
        notes.append(f"NUMA node {node} has no core besides core 0: data-plane cores go to the nearest "
                     f"node with cores, node {chosen_node} (remote memory and PCIe for the NIC)")
    candidates = list(candidates_by_node.get(chosen_node, []))
    if not candidates:
        raise PlanError(f"{topo.source}: the only physical core is core 0 (CPU {format_list(boot_core.pus)}); "
                        f"a data-plane core needs a core of its own")

    def rank(c: Core) -> tuple:
        if jitter and c.first in jitter:
            s = jitter[c.first]
            return (0, s.lost_ns, s.hiccups, s.p999_ns, s.max_ns, c.first)
        return (1, 0, 0, 0, 0, c.first)

    if jitter:
        ranking = f"jitter measurements ({jitter_source})" if jitter_source else "jitter measurements"
        unmeasured = [c.first for c in candidates if c.first not in jitter]
        if unmeasured:
            notes.append(f"jitter data has no measurement for CPU {format_list(unmeasured)}: ranked last")
    else:
        ranking = "CPU number (no jitter measurements given)"
    ranked = sorted(candidates, key=rank)

    spare = len(ranked) - 1
    if want is None:
        n_dp = max(1, spare)
    else:
        n_dp = want
        if want > len(ranked):
            notes.append(f"--cores {want}: node {chosen_node} has only {len(ranked)} usable physical cores "
                         f"(core 0 excluded): planning {len(ranked)}")
            n_dp = len(ranked)
    dp_cores = ranked[:n_dp]
    rest = ranked[n_dp:]

    dataplane = sorted(c.first for c in dp_cores)
    # Siblings stay idle, including those hwloc does not show (offline, e.g. after a
    # previous apply): isolcpus must still cover them in case they come back online.
    idle = sorted({p for c in dp_cores for p in c.pus[1:] + c.hidden})
    if rest:
        control_core = rest[0]
        control = control_core.first
        dedicated = True
    else:
        # Share a housekeeping CPU, on the data-plane node when it has one (core 0 always
        # remains, so the set is never empty).
        free = sorted(topo.pus - set(dataplane) - set(idle))
        local = [p for p in free if p in topo.nodes[chosen_node].cpus]
        control = (local or free)[0]
        dedicated = False
        notes.append(f"no core left for the control plane on node {chosen_node}: it shares housekeeping CPU {control}")
    reserved = set(dataplane) | set(idle) | ({control} if dedicated else set())
    housekeeping = sorted(topo.pus - reserved)
    hidden_idle = sorted(set(idle) - topo.pus)
    if hidden_idle:
        notes.append(f"SMT sibling{'s' if len(hidden_idle) > 1 else ''} {format_list(hidden_idle)} of data-plane "
                     "cores are not in the topology's online, allowed set (offline?): kept idle and isolated")
    if not housekeeping:
        notes.append("no housekeeping CPU is left: IRQs and kernel threads will share data-plane cores")
    return CoreMap(chosen_node, tuple(dataplane), control, dedicated, tuple(housekeeping), tuple(idle),
                   ranking, tuple(notes))
