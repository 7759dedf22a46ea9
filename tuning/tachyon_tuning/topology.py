# The machine's topology as hwloc describes it: PUs grouped into physical cores, packages,
# NUMA nodes, NUMA distances and PCI devices with their OS names and locality. Read from
# hwloc 2.x XML (a file, or `lstopo-no-graphics --of xml` for the live machine).
# Immutable after loading; thread-safe to read.
"""Load an hwloc 2.x XML topology into a small immutable model."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from .cpulist import parse_hwloc_bitmap

# hwloc object types that hang below a CPU-side object and carry no cpuset of their own.
_IO_TYPES = {"Bridge", "PCIDev", "OSDev", "Misc"}
# hwloc_obj_osdev_type_e values as exported in XML (osdev_type attribute).
_OSDEV_TYPES = {0: "block", 1: "gpu", 2: "network", 3: "openfabrics", 4: "dma", 5: "coproc", 6: "memory"}
# PCI base classes that are network controllers (0x02xx).
_NETWORK_CLASS = 0x02


class TopologyError(Exception):
    """The topology could not be read or makes no sense (names the source and the reason)."""


@dataclass(frozen=True)
class Core:
    """One physical core: its allowed PUs (SMT siblings of each other), package and NUMA nodes.

    hidden: PUs of this core that hwloc lists in complete_cpuset only (offline, or outside
    the allowed set); they still share the core's pipeline when they run.
    """

    pus: tuple[int, ...]
    package: int | None
    nodes: tuple[int, ...]
    hidden: tuple[int, ...] = ()

    @property
    def first(self) -> int:
        return self.pus[0]


@dataclass(frozen=True)
class NumaNode:
    os_index: int
    cpus: frozenset[int]
    local_memory: int
    page_types: tuple[tuple[int, int], ...]  # (page size in bytes, count)


@dataclass(frozen=True)
class OsDevice:
    name: str
    kind: str


@dataclass(frozen=True)
class PciDevice:
    busid: str                      # "0000:81:00.0"
    class_id: int                   # 0x0200 for Ethernet
    vendor: str
    device: str
    os_devices: tuple[OsDevice, ...]
    nodes: tuple[int, ...]          # NUMA nodes of the nearest CPU-side ancestor
    machine_wide: bool              # attached at machine level on a multi-node machine

    @property
    def is_network(self) -> bool:
        return (self.class_id >> 8) == _NETWORK_CLASS or any(
            d.kind in ("network", "openfabrics") for d in self.os_devices)

    def label(self) -> str:
        names = ",".join(d.name for d in self.os_devices)
        what = " ".join(x for x in (self.vendor, self.device) if x)
        return f"{self.busid}{' (' + what + ')' if what else ''}{' [' + names + ']' if names else ''}"


@dataclass(frozen=True)
class Topology:
    source: str
    pus: frozenset[int]                       # allowed PUs (OS numbering)
    cores: tuple[Core, ...]                   # sorted by first PU
    packages: dict[int, frozenset[int]]       # package os_index -> allowed PUs
    nodes: dict[int, NumaNode]                # NUMA os_index -> node
    distances: dict[tuple[int, int], int]     # NUMA latency matrix (os indexes), may be empty
    pci: tuple[PciDevice, ...]                # sorted by busid
    info: dict[str, str] = field(default_factory=dict)  # Machine and first Package info pairs

    def core_of(self, pu: int) -> Core:
        for c in self.cores:
            if pu in c.pus:
                return c
        raise KeyError(pu)

    def siblings(self, pu: int) -> frozenset[int]:
        """Returns the other PUs of pu's physical core."""
        return frozenset(self.core_of(pu).pus) - {pu}

    def node_of_pu(self, pu: int) -> int | None:
        for n in sorted(self.nodes):
            if pu in self.nodes[n].cpus:
                return n
        return None

    def smt_width(self) -> int:
        return max((len(c.pus) for c in self.cores), default=1)

    def summary(self) -> str:
        def n(count: int, word: str) -> str:
            return f"{count} {word}{'' if count == 1 else 's'}"
        return (f"{n(len(self.packages), 'package')}, {n(len(self.nodes), 'NUMA node')}, "
                f"{n(len(self.cores), 'core')}, {n(len(self.pus), 'PU')}, SMT {self.smt_width()}")


def _bitmap(obj: ET.Element, name: str) -> frozenset[int]:
    text = obj.get(name)
    return parse_hwloc_bitmap(text) if text else frozenset()


def _pci_class(pci_type: str) -> int:
    head = pci_type.split(" ", 1)[0] if pci_type else ""
    try:
        return int(head, 16)
    except ValueError:
        return 0


def parse_xml(text: str, source: str) -> Topology:
    """Builds a Topology from hwloc 2.x XML text. Raises TopologyError naming source."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        raise TopologyError(f"{source}: not XML: {e}") from None
    if root.tag != "topology":
        raise TopologyError(f"{source}: root element is <{root.tag}>, expected hwloc's <topology>")
    machine = root.find("object")
    if machine is None or machine.get("type") != "Machine":
        raise TopologyError(f"{source}: no Machine object (is this hwloc 2.x XML?)")
    allowed = _bitmap(machine, "allowed_cpuset") or _bitmap(machine, "cpuset")
    machine_nodes = _bitmap(machine, "allowed_nodeset") or _bitmap(machine, "nodeset")

    info: dict[str, str] = {}
    for i in machine.findall("info"):
        info.setdefault(i.get("name", ""), i.get("value", ""))

    pus: set[int] = set()
    cores: list[Core] = []
    packages: dict[int, set[int]] = {}
    nodes: dict[int, NumaNode] = {}
    pci: list[PciDevice] = []

    # Depth-first walk carrying the ancestor chain.
    def walk(obj: ET.Element, chain: list[ET.Element]) -> None:
        kind = obj.get("type", "")
        if kind == "PU":
            idx = int(obj.get("os_index", "-1"))
            if idx >= 0 and (not allowed or idx in allowed):
                pus.add(idx)
        elif kind == "Core":
            core_pus = sorted(c for c in _bitmap(obj, "cpuset") if not allowed or c in allowed)
            if core_pus:
                pkg = next((int(a.get("os_index", "-1")) for a in reversed(chain) if a.get("type") == "Package"), None)
                hidden = sorted(_bitmap(obj, "complete_cpuset") - set(core_pus))
                cores.append(Core(tuple(core_pus), pkg, tuple(sorted(_bitmap(obj, "nodeset"))), tuple(hidden)))
        elif kind == "Package":
            packages[int(obj.get("os_index", str(len(packages))))] = {
                c for c in _bitmap(obj, "cpuset") if not allowed or c in allowed}
            if "CPUVendor" not in info:
                for i in obj.findall("info"):
                    if i.get("name") in ("CPUVendor", "CPUModel"):
                        info.setdefault(i.get("name", ""), i.get("value", ""))
        elif kind == "NUMANode":
            idx = int(obj.get("os_index", "-1"))
            pages = tuple(sorted((int(p.get("size", "0")), int(p.get("count", "0")))
                                 for p in obj.findall("page_type")))
            nodes[idx] = NumaNode(idx, frozenset(c for c in _bitmap(obj, "cpuset") if not allowed or c in allowed),
                                  int(obj.get("local_memory", "0")), pages)
        elif kind == "PCIDev":
            cpu_parent = next((a for a in reversed(chain) if a.get("type") not in _IO_TYPES), machine)
            locality = _bitmap(cpu_parent, "nodeset")
            machine_wide = cpu_parent.get("type") == "Machine" and len(machine_nodes) > 1
            os_devs = tuple(OsDevice(d.get("name", ""), _OSDEV_TYPES.get(int(d.get("osdev_type", "-1")), "other"))
                            for d in obj.findall("object") if d.get("type") == "OSDev")
            infos = {i.get("name"): i.get("value", "") for i in obj.findall("info")}
            pci.append(PciDevice(obj.get("pci_busid", ""), _pci_class(obj.get("pci_type", "")),
                                 infos.get("PCIVendor", ""), infos.get("PCIDevice", ""), os_devs,
                                 tuple(sorted(locality)), machine_wide))
        for child in obj.findall("object"):
            walk(child, chain + [obj])

    walk(machine, [])

    # A topology without Core objects: each PU is its own core.
    cored = {p for c in cores for p in c.pus}
    for p in sorted(pus - cored):
        pkg = next((k for k, v in packages.items() if p in v), None)
        cores.append(Core((p,), pkg, tuple(n for n in sorted(nodes) if p in nodes[n].cpus)))
    cores = [c for c in cores if all(p in pus for p in c.pus)]
    cores.sort(key=lambda c: c.pus)
    if not pus:
        raise TopologyError(f"{source}: no allowed PU (processing unit) objects")

    distances: dict[tuple[int, int], int] = {}
    for d in root.findall("distances2"):
        if d.get("type") != "NUMANode" or d.get("indexing", "os") != "os":
            continue
        idx_el = d.find("indexes")
        if idx_el is None or not (idx_el.text or "").split():
            continue
        idx = [int(x) for x in (idx_el.text or "").split()]
        values = [int(x) for v in d.findall("u64values") for x in (v.text or "").split()]
        if len(values) != len(idx) * len(idx):
            continue
        for a, ia in enumerate(idx):
            for b, ib in enumerate(idx):
                distances[(ia, ib)] = values[a * len(idx) + b]
        break

    return Topology(source=source, pus=frozenset(pus), cores=tuple(cores),
                    packages={k: frozenset(v) for k, v in sorted(packages.items())},
                    nodes=dict(sorted(nodes.items())), distances=distances,
                    pci=tuple(sorted(pci, key=lambda p: p.busid)), info=info)


def load_file(path: str) -> Topology:
    """Loads hwloc XML from path. Raises TopologyError naming the file."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise TopologyError(f"{path}: cannot read topology: {e.strerror}") from None
    return parse_xml(text, path)


def load_live() -> Topology:
    """Exports the running machine's topology with hwloc's lstopo and parses it.

    Raises TopologyError when hwloc's tools are missing or fail.
    """
    tool = shutil.which("lstopo-no-graphics") or shutil.which("lstopo")
    if tool is None:
        raise TopologyError("live topology: lstopo-no-graphics not found (Debian package 'hwloc'; "
                            "scripts/install-deps.sh installs it)")
    try:
        out = subprocess.run([tool, "--of", "xml", "-"], check=True, capture_output=True, text=True, timeout=60)
    except subprocess.CalledProcessError as e:
        raise TopologyError(f"live topology: {tool} --of xml - failed ({e.returncode}): {e.stderr.strip()}") from None
    except (OSError, subprocess.TimeoutExpired) as e:
        raise TopologyError(f"live topology: {tool}: {e}") from None
    return parse_xml(out.stdout, "live machine (lstopo-no-graphics --of xml)")
