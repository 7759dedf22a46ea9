# NIC locality: finds the NIC the user named (interface, OpenFabrics name or PCI address)
# among hwloc's PCI devices and reads its NUMA node; without one, says so and falls back
# to node 0 (or the lowest node with CPUs). Pure functions; thread-safe.
"""Resolve --nic to a PCI device and its NUMA node from the topology."""

from __future__ import annotations

from dataclasses import dataclass

from .topology import PciDevice, Topology


@dataclass(frozen=True)
class NicPlan:
    query: str | None
    busid: str | None          # None when not given or not found
    names: tuple[str, ...]     # OS device names (eth0, mlx5_0, ...)
    description: str
    node: int
    node_source: str
    notes: tuple[str, ...]

    def to_json(self) -> dict:
        return {"query": self.query, "busid": self.busid, "names": list(self.names),
                "description": self.description, "numa_node": self.node, "node_source": self.node_source,
                "notes": list(self.notes)}

    @staticmethod
    def from_json(d: dict) -> "NicPlan":
        return NicPlan(d["query"], d["busid"], tuple(d["names"]), d["description"], int(d["numa_node"]),
                       d["node_source"], tuple(d["notes"]))


def _normal_busid(text: str) -> str:
    t = text.strip().lower()
    return t if t.count(":") == 2 else f"0000:{t}"


def find(topo: Topology, query: str) -> PciDevice | None:
    """Returns the PCI device whose OS device name or PCI address is query."""
    for dev in topo.pci:
        if any(d.name == query for d in dev.os_devices):
            return dev
    want = _normal_busid(query)
    for dev in topo.pci:
        if dev.busid.lower() == want:
            return dev
    return None


def default_node(topo: Topology) -> int:
    """Returns node 0 when it has CPUs, else the lowest-numbered node that has CPUs."""
    with_cpus = [n for n, info in topo.nodes.items() if info.cpus]
    if 0 in with_cpus:
        return 0
    return min(with_cpus) if with_cpus else min(topo.nodes, default=0)


def device_label(dev: PciDevice) -> str:
    """Returns "eth0 (0000:81:00.0, node 1)" for a network PCI device."""
    where = "node " + ",".join(map(str, dev.nodes)) if dev.nodes and not dev.machine_wide else "locality unknown"
    return f"{'/'.join(d.name for d in dev.os_devices)} ({dev.busid}, {where})"


def network_devices(topo: Topology) -> list[str]:
    """Returns one label per named network PCI device."""
    return [device_label(dev) for dev in topo.pci if dev.is_network and dev.os_devices]


def resolve(topo: Topology, query: str | None) -> NicPlan:
    fallback = default_node(topo)
    fb_text = "node 0" if fallback == 0 else f"node {fallback} (the lowest node with CPUs; node 0 has none here)"
    seen = network_devices(topo)
    seen_text = "; ".join(seen) if seen else "none"
    if query is None:
        return NicPlan(None, None, (), "", fallback, f"no --nic given: falling back to {fb_text}",
                       (f"no NIC given (--nic IFACE|PCI): data-plane cores fall back to {fb_text}. "
                        f"Network devices in the topology: {seen_text}",))
    dev = find(topo, query)
    if dev is None:
        return NicPlan(query, None, (), "", fallback, f"--nic {query} not found: falling back to {fb_text}",
                       (f"NIC {query!r} is not in the topology: data-plane cores fall back to {fb_text}. "
                        f"Network devices in the topology: {seen_text}",))
    names = tuple(d.name for d in dev.os_devices)
    desc = " ".join(x for x in (dev.vendor, dev.device) if x)
    if dev.machine_wide or not dev.nodes:
        return NicPlan(query, dev.busid, names, desc, fallback,
                       f"PCI {dev.busid} has no NUMA locality in hwloc: falling back to {fb_text}",
                       (f"hwloc attaches {dev.busid} to the whole machine, so its NUMA node is unknown: "
                        f"data-plane cores fall back to {fb_text}",))
    notes: tuple[str, ...] = ()
    if len(dev.nodes) > 1:
        notes = (f"PCI {dev.busid} is local to NUMA nodes {','.join(map(str, dev.nodes))}: using node {dev.nodes[0]}",)
    return NicPlan(query, dev.busid, names, desc, dev.nodes[0], f"hwloc locality of PCI {dev.busid}", notes)
