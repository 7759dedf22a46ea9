# Readers for the machine's current latency-relevant state: kernel command line, isolated
# and nohz_full CPUs, governors, cpuidle states, THP, hugepages, swap, IRQ affinity,
# PM QoS, NIC drivers and routes. Each takes a sysfs.TreeIO (any root); absent files
# read as None. Stateless functions; thread-safe as far as the files are.
"""Read the current tuning state from /proc, /sys and /dev below a root."""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

from .cpulist import parse_list, parse_mask
from .sysfs import TreeIO, parse_selector

CPU = "sys/devices/system/cpu"
THP = "sys/kernel/mm/transparent_hugepage"
PCI = "sys/bus/pci/devices"
WRITEBACK_MASK = "sys/bus/workqueue/devices/writeback/cpumask"
NUMA_BALANCING = "proc/sys/kernel/numa_balancing"
DEFAULT_IRQ_MASK = "proc/irq/default_smp_affinity"
DMA_LATENCY = "dev/cpu_dma_latency"
# Drivers through which DPDK owns a PCI NIC, and NIC drivers DPDK shares with the kernel.
DPDK_DRIVERS = ("vfio-pci", "uio_pci_generic", "igb_uio")
BIFURCATED_DRIVERS = ("mlx5_core", "mlx4_core")
_BUSID = re.compile(r"^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$")


def cmdline(io: TreeIO) -> str | None:
    text = io.read("proc/cmdline")
    return None if text is None else text.strip()


def cmdline_tokens(text: str | None) -> list[str]:
    """Splits a kernel command line into its kernel parameters (those before a lone "--")."""
    if not text:
        return []
    out: list[str] = []
    for tok in text.split():
        if tok == "--":
            break
        out.append(tok)
    return out


def cmdline_value(tokens: list[str], key: str) -> str | None:
    """Returns the value of the last key=value among tokens (the kernel's last-wins rule)."""
    value = None
    for tok in tokens:
        k, eq, v = tok.partition("=")
        if k == key and eq:
            value = v
    return value


def cmdline_cpus(tokens: list[str], key: str) -> frozenset[int] | None:
    """Returns the CPU list of isolcpus=/nohz_full=/rcu_nocbs=/irqaffinity= (flags skipped)."""
    v = cmdline_value(tokens, key)
    if v is None:
        return None
    parts = [p for p in v.split(",") if p and (p[0].isdigit())]
    try:
        return parse_list(",".join(parts))
    except ValueError:
        return frozenset()


def cpu_file_list(io: TreeIO, name: str) -> frozenset[int] | None:
    """Reads a CPU list file under /sys/devices/system/cpu ("isolated", "nohz_full", "online")."""
    text = io.read(f"{CPU}/{name}")
    if text is None:
        return None
    text = text.strip()
    if text in ("", "(null)"):
        return frozenset()
    return parse_list(text)


def online_cpus(io: TreeIO, fallback: frozenset[int]) -> frozenset[int]:
    cpus = cpu_file_list(io, "online")
    return fallback if cpus is None else cpus


def present_cpus(io: TreeIO) -> frozenset[int]:
    """Returns the CPUs that have a /sys/devices/system/cpu/cpuN directory."""
    return frozenset(int(d[3:]) for d in io.listdir(CPU) if d.startswith("cpu") and d[3:].isdigit())


def cpu_online(io: TreeIO, cpu: int) -> bool | None:
    """Returns cpuN/online as a bool, or None when the file is absent (CPU not hot-pluggable)."""
    text = io.read(f"{CPU}/cpu{cpu}/online")
    return None if text is None else text.strip() == "1"


def governor(io: TreeIO, cpu: int) -> str | None:
    text = io.read(f"{CPU}/cpu{cpu}/cpufreq/scaling_governor")
    return None if text is None else text.strip()


@dataclass(frozen=True)
class IdleState:
    cpu: int
    state: str        # directory name, "state2"
    name: str         # "C6"
    latency_us: int   # exit latency
    disabled: bool

    @property
    def path(self) -> str:
        return f"{CPU}/cpu{self.cpu}/cpuidle/{self.state}/disable"


def idle_states(io: TreeIO, cpu: int) -> list[IdleState]:
    out: list[IdleState] = []
    base = f"{CPU}/cpu{cpu}/cpuidle"
    for d in io.listdir(base):
        if not d.startswith("state"):
            continue
        lat = io.read(f"{base}/{d}/latency")
        dis = io.read(f"{base}/{d}/disable")
        if lat is None or dis is None:
            continue
        out.append(IdleState(cpu, d, (io.read(f"{base}/{d}/name") or d).strip(),
                             int(lat.strip() or "0"), dis.strip() not in ("0", "")))
    return sorted(out, key=lambda s: int(s.state[5:]) if s.state[5:].isdigit() else 0)


def selector(io: TreeIO, rel: str) -> str | None:
    """Returns the selected word of a selector file such as THP "enabled", or None."""
    text = io.read(rel)
    if text is None:
        return None
    sel = parse_selector(text)
    return sel[0] if sel else text.strip()


def hugepage_paths(io: TreeIO, node: int, page_kb: int) -> tuple[str, bool]:
    """Returns (path of nr_hugepages for node and page size, whether it is per node)."""
    per_node = f"sys/devices/system/node/node{node}/hugepages/hugepages-{page_kb}kB/nr_hugepages"
    if io.exists(per_node):
        return per_node, True
    return f"sys/kernel/mm/hugepages/hugepages-{page_kb}kB/nr_hugepages", False


def hugepage_sizes(io: TreeIO) -> list[int]:
    """Returns the hugepage sizes the kernel offers, in kB, ascending."""
    sizes = []
    for d in io.listdir("sys/kernel/mm/hugepages"):
        m = re.match(r"hugepages-(\d+)kB$", d)
        if m:
            sizes.append(int(m.group(1)))
    return sorted(sizes)


def read_int(io: TreeIO, rel: str) -> int | None:
    text = io.read(rel)
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


def swaps(io: TreeIO) -> list[str] | None:
    """Returns the active swap areas ("name (size kB)"), or None without /proc/swaps."""
    text = io.read("proc/swaps")
    if text is None:
        return None
    out = []
    for line in text.splitlines()[1:]:
        f = line.split()
        if len(f) >= 3:
            out.append(f"{f[0]} ({f[2]} kB)")
    return out


def hugetlbfs_mounts(io: TreeIO) -> list[str] | None:
    text = io.read("proc/mounts")
    if text is None:
        return None
    return sorted(f[1] for f in (l.split() for l in text.splitlines()) if len(f) >= 3 and f[2] == "hugetlbfs")


@dataclass(frozen=True)
class Irq:
    number: int
    affinity: frozenset[int]
    names: str  # handler names (the action directories in /proc/irq/N)

    @property
    def path(self) -> str:
        return f"proc/irq/{self.number}/smp_affinity_list"


def irqs(io: TreeIO) -> list[Irq]:
    out = []
    for d in io.listdir("proc/irq"):
        if not d.isdigit():
            continue
        text = io.read(f"proc/irq/{d}/smp_affinity_list")
        if text is None:
            continue
        try:
            aff = parse_list(text)
        except ValueError:
            continue
        names = ",".join(n for n in io.listdir(f"proc/irq/{d}") if io.isdir(f"proc/irq/{d}/{n}"))
        out.append(Irq(int(d), aff, names))
    return sorted(out, key=lambda i: i.number)


def mask_file(io: TreeIO, rel: str) -> tuple[frozenset[int], str] | None:
    """Reads a hex CPU mask file; returns (cpus, raw text) or None."""
    text = io.read(rel)
    if text is None:
        return None
    try:
        return parse_mask(text), text.strip()
    except ValueError:
        return None


def dma_latency(io: TreeIO) -> int | str | None:
    """Returns the PM QoS CPU latency target in us (reading /dev/cpu_dma_latency), a
    reason string when it cannot be read, or None when the file is absent."""
    try:
        data = io.read_bytes(DMA_LATENCY)
    except PermissionError:
        return "unreadable (needs root)"
    if data is None:
        return None
    if len(data) >= 4:
        return struct.unpack("<i", data[:4])[0]
    text = data.decode(errors="replace").strip()
    return int(text) if text.lstrip("-").isdigit() else f"unreadable ({text!r})"


def hypervisor(io: TreeIO) -> bool:
    """Returns whether /proc/cpuinfo shows the "hypervisor" CPU flag (a virtual machine)."""
    text = io.read("proc/cpuinfo") or ""
    for line in text.splitlines():
        if line.startswith("flags"):
            return "hypervisor" in line.split(":", 1)[-1].split()
    return False


def default_route_ifaces(io: TreeIO) -> list[str]:
    """Returns the interfaces that carry an IPv4 default route (from /proc/net/route)."""
    text = io.read("proc/net/route") or ""
    out = set()
    for line in text.splitlines()[1:]:
        f = line.split()
        if len(f) >= 8 and f[1] == "00000000" and f[7] == "00000000":
            out.add(f[0])
    return sorted(out)


def iface_busid(io: TreeIO, iface: str) -> str | None:
    """Returns the PCI address behind a network interface (through virtio parents too)."""
    real = io.realpath(f"sys/class/net/{iface}/device")
    if real is None:
        real = io.realpath(f"sys/class/net/{iface}")
    if real is None:
        return None
    for part in reversed(real.split("/")):
        if _BUSID.match(part):
            return part.lower()
    return None


def busid_ifaces(io: TreeIO, busid: str) -> list[str]:
    """Returns the network interfaces of a PCI device (direct, or under a virtio child)."""
    names = io.listdir(f"{PCI}/{busid}/net")
    for child in io.listdir(f"{PCI}/{busid}"):
        if child.startswith("virtio"):
            names += io.listdir(f"{PCI}/{busid}/{child}/net")
    return sorted(set(names))


def pci_driver(io: TreeIO, busid: str) -> str | None:
    return io.link_name(f"{PCI}/{busid}/driver")


def pci_present(io: TreeIO, busid: str) -> bool:
    return io.exists(f"{PCI}/{busid}")
