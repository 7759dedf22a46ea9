# The tuning plan's targets: core map, NIC locality, hugepages and the kernel command
# line, decided from the topology and the pool sizes only (the current state is compared
# against them in items.py). Immutable; serialises to and from the plan's JSON.
"""Build the plan's targets and read them back from `tuning/plan --json`."""

from __future__ import annotations

import json
from dataclasses import dataclass

from . import coremap, hugepages, nic
from .cpulist import format_list
from .topology import Topology

GOVERNOR = "performance"
PLAN_VERSION = 1


@dataclass(frozen=True)
class Plan:
    topology: str
    machine: str
    cpus: tuple[int, ...]
    nic: nic.NicPlan
    cores: coremap.CoreMap
    hugepages: hugepages.HugepagePlan
    cmdline: tuple[str, ...]
    network_devices: tuple[tuple[str, str], ...]  # (PCI address, label) of named network devices

    def to_json(self) -> dict:
        return {"version": PLAN_VERSION, "topology": self.topology, "machine": self.machine,
                "cpus": list(self.cpus), "nic": self.nic.to_json(), "cores": self.cores.to_json(),
                "hugepages": self.hugepages.to_json(), "cmdline": list(self.cmdline),
                "governor": GOVERNOR, "network_devices": [list(x) for x in self.network_devices]}

    @staticmethod
    def from_json(d: dict) -> "Plan":
        if d.get("version") != PLAN_VERSION:
            raise ValueError(f"plan version {d.get('version')!r}, expected {PLAN_VERSION}")
        return Plan(d["topology"], d["machine"], tuple(d["cpus"]), nic.NicPlan.from_json(d["nic"]),
                    coremap.CoreMap.from_json(d["cores"]), hugepages.HugepagePlan.from_json(d["hugepages"]),
                    tuple(d["cmdline"]), tuple((str(a), str(b)) for a, b in d["network_devices"]))


def load(path: str) -> Plan:
    """Reads a plan written by `tuning/plan --json`. Raises ValueError naming the file."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        return Plan.from_json(doc["plan"])
    except OSError as e:
        raise ValueError(f"--plan {path}: {e.strerror}") from None
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError(f"--plan {path}: not tuning/plan --json output ({e!r})") from None


def kernel_cmdline(cores: coremap.CoreMap, hp: hugepages.HugepagePlan) -> tuple[str, ...]:
    """Returns the kernel parameters the plan needs (applied by the operator, then a reboot)."""
    iso = format_list(cores.isolated)
    hk = format_list(cores.housekeeping)
    toks = [f"isolcpus=managed_irq,domain,{iso}", f"nohz_full={iso}", f"rcu_nocbs={iso}"]
    if hk:
        toks.append(f"irqaffinity={hk}")
    toks += ["intel_idle.max_cstate=0", "processor.max_cstate=1", "transparent_hugepage=never"]
    toks += hugepage_tokens(hp)
    return tuple(toks)


def hugepage_tokens(hp: hugepages.HugepagePlan) -> list[str]:
    """Returns the boot-time reservation on the plan's node (hugepages=<node>:<count>)."""
    if hp.page_kb == 1048576:
        return ["default_hugepagesz=1G", "hugepagesz=1G", f"hugepages={hp.node}:{hp.count}"]
    if hp.page_kb == 2048:
        return ["hugepagesz=2M", f"hugepages={hp.node}:{hp.count}"]
    return [f"hugepagesz={hp.page_kb}K", f"hugepages={hp.node}:{hp.count}"]


def build(topo: Topology, nic_query: str | None, want_cores: int | None,
          jitter: dict[int, coremap.JitterStat] | None, jitter_source: str,
          pools: hugepages.Pools, page_kb: int | None, offered_kb: list[int]) -> Plan:
    """Decides the targets. Deterministic: the same inputs give the same plan."""
    n = nic.resolve(topo, nic_query)
    cores = coremap.choose(topo, n.node, want_cores, jitter, jitter_source)
    hp = hugepages.size(pools, len(cores.dataplane), cores.node, page_kb, offered_kb)
    network = tuple((dev.busid, nic.device_label(dev)) for dev in topo.pci if dev.is_network and dev.os_devices)
    return Plan(topo.source, topo.summary(), tuple(sorted(topo.pus)), n, cores, hp, kernel_cmdline(cores, hp),
                network)
