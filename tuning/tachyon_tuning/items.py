# The plan's items: for every tunable, the current value (read below the state root), the
# wanted value, the reason, how it is changed (runtime write, reboot, by hand) and how much
# it matters. plan prints them, apply performs their writes, verify checks them.
# Built fresh for each command; not thread-safe.
"""Compare the live (or fake) machine with a plan's targets, item by item."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import state
from .cpulist import format_list, format_mask
from .plan import GOVERNOR, Plan, hugepage_tokens
from .services import ServiceError, Services
from .sysfs import TreeIO

IRQBALANCE = "irqbalance"


@dataclass
class Item:
    id: str
    title: str
    current: str
    wanted: str
    ok: bool | None          # None: does not apply here / cannot be checked
    how: str                 # runtime | reboot | manual | hold
    severity: str            # required | recommended | info
    reason: str
    writes: list[tuple[str, str]] = field(default_factory=list)  # (path below root, value)
    stop_service: str | None = None

    def plan_status(self) -> str:
        if self.ok is None:
            return "n/a"
        if self.ok:
            return "ok"
        return {"runtime": "change", "reboot": "reboot", "manual": "manual", "hold": "hold"}[self.how]

    def verify_status(self) -> str:
        if self.ok is None:
            return "n/a"
        if self.ok:
            return "pass"
        return "FAIL" if self.severity == "required" else "warn"

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "current": self.current, "wanted": self.wanted,
                "ok": self.ok, "how": self.how, "severity": self.severity, "reason": self.reason,
                "status": self.plan_status(), "verify": self.verify_status(),
                "writes": [{"path": p, "value": v} for p, v in self.writes],
                "stop_service": self.stop_service}


def _by_value(values: dict[int, str]) -> str:
    """Summarises per-CPU values: "performance on 0-7; powersave on 8-15"."""
    groups: dict[str, list[int]] = {}
    for cpu, v in values.items():
        groups.setdefault(v, []).append(cpu)
    return "; ".join(f"{v} on {format_list(c)}" for v, c in sorted(groups.items()))


def _cpus(s) -> str:
    return format_list(s) if s else "(none)"


class Evaluator:
    """Reads the state once per item and builds the item list for a plan."""

    def __init__(self, plan: Plan, io: TreeIO, services: Services) -> None:
        self.plan = plan
        self.io = io
        self.services = services
        self.cores = plan.cores
        self.hk = frozenset(self.cores.housekeeping)
        self.tokens = state.cmdline_tokens(state.cmdline(io))
        self.has_cmdline = io.exists("proc/cmdline")
        self.online = state.online_cpus(io, frozenset(plan.cpus))
        self.notes: list[str] = []

    # ---- NIC -----------------------------------------------------------------------
    def nic_items(self) -> list[Item]:
        n = self.plan.nic
        out: list[Item] = []
        given = n.query is not None
        if n.busid is None:
            out.append(Item("nic.locality", "NIC locality", f"no NIC ({n.node_source})" if not given
                            else f"{n.query!r} not in the topology",
                            "data-plane cores on the NIC's NUMA node", None if not given else False,
                            "manual", "required" if given else "info",
                            "packets, descriptors and mbufs cross the inter-socket link when the polling core "
                            "is on another node; give --nic IFACE|PCI"))
        else:
            names = "/".join(n.names) or n.busid
            out.append(Item("nic.locality", "NIC locality", f"{names} = PCI {n.busid}, NUMA node {n.node}",
                            f"data-plane cores on node {n.node}", self.cores.node == n.node, "manual", "required",
                            "the polling core, the NIC and the mbuf memory share one NUMA node"))
        out += self._dpdk_items()
        return out

    def _nic_state(self, busid: str) -> tuple[bool, str, str]:
        """Returns (DPDK can own it, current text, reason) for a PCI NIC below root."""
        io = self.io
        if not state.pci_present(io, busid):
            return False, f"PCI {busid} not present under {io.path(state.PCI)}", \
                "the topology describes another machine, or the device is gone"
        drv = state.pci_driver(io, busid)
        ifaces = state.busid_ifaces(io, busid)
        routed = [i for i in ifaces if i in state.default_route_ifaces(io)]
        if drv in state.DPDK_DRIVERS:
            return True, f"bound to {drv} (DPDK can own it)", "bound for DPDK"
        if drv in state.BIFURCATED_DRIVERS:
            return True, f"{drv} (bifurcated: DPDK's driver shares it with the kernel)", "bifurcated driver"
        text = f"kernel driver {drv or '(none)'}" + (f", interfaces {','.join(ifaces)}" if ifaces else "")
        if routed:
            return False, text + f"; {','.join(routed)} carries the default route", \
                "it carries this machine's own traffic: binding it to DPDK would cut the machine off"
        return False, text, "bind it to vfio-pci first (dpdk-devbind.py --bind=vfio-pci " + busid + ")"

    def _dpdk_items(self) -> list[Item]:
        n = self.plan.nic
        if n.busid is not None:
            can, text, why = self._nic_state(n.busid)
            name = "/".join(n.names) or n.busid
            if not can and "default route" in text:
                self.notes.append(f"no NIC DPDK can own: {name} ({n.busid}) {text}: it is this machine's own "
                                  "network link, and binding it to DPDK would cut the machine off")
            elif not can:
                self.notes.append(f"NIC {name} cannot be owned by DPDK yet: {text}")
            return [Item("nic.driver", "NIC driver for DPDK", text, "vfio-pci (or a bifurcated driver: mlx5_core)",
                         can, "manual", "required",
                         why if not can else "DPDK polls the NIC from user space")]
        # No NIC given: say whether any NIC here could be given to DPDK at all.
        lines = []
        any_can = False
        present = 0
        for busid, label in self.plan.network_devices:
            if not state.pci_present(self.io, busid):
                continue
            present += 1
            can, text, _ = self._nic_state(busid)
            any_can |= can
            lines.append(f"{label}: {text}")
        if present == 0:
            self.notes.append("no NIC DPDK can own: none of the topology's network devices is present under "
                              f"{self.io.path(state.PCI)}")
        elif not any_can:
            self.notes.append("no NIC DPDK can own: " + "; ".join(lines))
        return []

    # ---- kernel command line (reboot) ------------------------------------------------
    def cmdline_items(self) -> list[Item]:
        c = self.cores
        iso = frozenset(c.isolated)
        out = []
        have_cmd = self.has_cmdline

        def cpu_item(key: str, sys_name: str | None, title: str, reason: str) -> Item:
            cur = state.cpu_file_list(self.io, sys_name) if sys_name else None
            src = f"/sys/devices/system/cpu/{sys_name}" if cur is not None else "/proc/cmdline"
            if cur is None:
                cur = state.cmdline_cpus(self.tokens, key)
            current = "(no /proc/cmdline)" if cur is None and not have_cmd else f"{_cpus(cur)} ({src})"
            return Item(f"cmdline.{key}", title, current, f"{key}={format_list(iso)}",
                        cur is not None and iso <= cur, "reboot", "required", reason)

        out.append(cpu_item("isolcpus", "isolated", "isolated CPUs",
                            "keeps the scheduler's other tasks and load balancing off the data-plane CPUs "
                            "and their idle siblings"))
        out.append(cpu_item("nohz_full", "nohz_full", "tickless CPUs",
                            "stops the scheduler tick on a CPU that runs one task"))
        out.append(cpu_item("rcu_nocbs", None, "RCU callbacks offloaded",
                            "moves RCU callback work to housekeeping CPUs"))
        irqa = state.cmdline_cpus(self.tokens, "irqaffinity")
        out.append(Item("cmdline.irqaffinity", "boot-time IRQ affinity", _cpus(irqa) if irqa is not None else "(not set)",
                        f"irqaffinity={format_list(self.hk)}", bool(irqa) and irqa <= self.hk,
                        "reboot", "recommended", "IRQs set up at boot start on housekeeping CPUs"))

        def token_item(iid: str, title: str, toks: list[str], severity: str, reason: str) -> Item:
            present = [t for t in toks if t in self.tokens]
            missing = [t for t in toks if t not in self.tokens]
            cur = " ".join(present) if present else "(absent)"
            if missing and present:
                cur += " (missing " + " ".join(missing) + ")"
            return Item(iid, title, cur, " ".join(toks), not missing, "reboot", severity, reason)

        out.append(token_item("cmdline.cstates", "deep C-states off at boot",
                              ["intel_idle.max_cstate=0", "processor.max_cstate=1"], "recommended",
                              "waking from deep C-states costs tens to hundreds of microseconds"))
        out.append(token_item("cmdline.thp", "THP off at boot", ["transparent_hugepage=never"], "recommended",
                              "khugepaged compaction and THP faults stall the data-plane cores"))
        out.append(token_item("cmdline.hugepages", "hugepages reserved at boot", hugepage_tokens(self.plan.hugepages),
                              "required" if self.plan.hugepages.page_kb == 1048576 else "recommended",
                              "reserving at boot avoids fragmentation; hugepages=<node>:<count> (Linux >= 5.13) "
                              "puts them on the NIC's node"))
        if self.io.isdir(state.CPU) and not self.io.exists(f"{state.CPU}/nohz_full"):
            self.notes.append("this kernel has no /sys/devices/system/cpu/nohz_full (built without "
                              "CONFIG_NO_HZ_FULL): nohz_full= has no effect until it runs a kernel that has it "
                              "(Debian's stock amd64 kernels do)")
        isolated = state.cpu_file_list(self.io, "isolated")
        if not (isolated or state.cmdline_cpus(self.tokens, "isolcpus")):
            where = ("/sys/devices/system/cpu/isolated is empty" if isolated is not None
                     else "there is no /sys/devices/system/cpu/isolated")
            self.notes.append(f"no isolated cores: {where} and the kernel command line has no isolcpus=; until the "
                              "reboot items are in place the data-plane CPUs share their time with the scheduler, "
                              "timers and RCU")
        return out

    # ---- runtime items ------------------------------------------------------------
    def irqbalance_item(self) -> Item:
        try:
            st = self.services.state(IRQBALANCE)
        except ServiceError as e:
            st = f"unknown ({e})"
        running = st == "active" or st.startswith("running")
        return Item("irqbalance", "irqbalance stopped", st, "not running", not running, "runtime", "required",
                    "irqbalance moves IRQs back onto the data-plane CPUs",
                    stop_service=IRQBALANCE if running else None)

    def irq_items(self) -> list[Item]:
        hk_online = (self.hk & self.online) or self.hk
        want = format_list(hk_online)
        out = []
        dm = state.mask_file(self.io, state.DEFAULT_IRQ_MASK)
        if dm is None:
            out.append(Item("irq.default", "default IRQ affinity", "(absent)", want, None, "runtime",
                            "recommended", "new IRQs start on housekeeping CPUs"))
        else:
            cpus, raw = dm
            ok = bool(cpus) and cpus <= self.hk
            out.append(Item("irq.default", "default IRQ affinity", f"{_cpus(cpus)} (mask {raw})", want, ok,
                            "runtime", "recommended", "new IRQs start on housekeeping CPUs",
                            [] if ok else [(state.DEFAULT_IRQ_MASK, format_mask(hk_online, like=raw))]))
        for irq in state.irqs(self.io):
            ok = bool(irq.affinity) and irq.affinity <= self.hk
            out.append(Item(f"irq.{irq.number}", f"IRQ {irq.number}" + (f" ({irq.names})" if irq.names else ""),
                            _cpus(irq.affinity), want, ok, "runtime", "required",
                            "an interrupt on a data-plane CPU stalls its poll loop",
                            [] if ok else [(irq.path, want)]))
        return out

    def workqueue_item(self) -> Item:
        hk_online = (self.hk & self.online) or self.hk
        m = state.mask_file(self.io, state.WRITEBACK_MASK)
        if m is None:
            return Item("workqueue.writeback", "writeback workqueue CPUs", "(absent)", format_list(hk_online),
                        None, "runtime", "recommended", "page-cache writeback runs on housekeeping CPUs")
        cpus, raw = m
        ok = bool(cpus) and cpus <= self.hk
        return Item("workqueue.writeback", "writeback workqueue CPUs", f"{_cpus(cpus)} (mask {raw})",
                    format_list(hk_online), ok, "runtime", "recommended",
                    "page-cache writeback runs on housekeeping CPUs",
                    [] if ok else [(state.WRITEBACK_MASK, format_mask(hk_online, like=raw))])

    def governor_item(self) -> Item:
        idle = set(self.cores.idle_siblings)
        values = {}
        for cpu in self.plan.cpus:
            if cpu in idle:
                continue
            g = state.governor(self.io, cpu)
            if g is not None:
                values[cpu] = g
        if not values:
            return Item("governor", "CPU frequency governor", "no cpufreq (frequency set by firmware or hypervisor)",
                        GOVERNOR, None, "runtime", "required", "a CPU that scales its clock down adds latency")
        writes = [(f"{state.CPU}/cpu{c}/cpufreq/scaling_governor", GOVERNOR)
                  for c, g in sorted(values.items()) if g != GOVERNOR]
        return Item("governor", "CPU frequency governor", _by_value(values), f"{GOVERNOR} on all CPUs",
                    not writes, "runtime", "required", "a CPU that scales its clock down adds latency", writes)

    def cpuidle_item(self) -> Item:
        cpus = [c for c in self.cores.latency_cpus if state.cpu_online(self.io, c) is not False]
        enabled: dict[int, list[str]] = {}
        writes = []
        seen = False
        for cpu in cpus:
            for s in state.idle_states(self.io, cpu):
                seen = True
                if s.latency_us > 0 and not s.disabled:
                    enabled.setdefault(cpu, []).append(s.name)
                    writes.append((s.path, "1"))
        reason = "waking from an idle state takes up to its exit latency; a polling core should never sleep"
        if not seen:
            return Item("cstates.cpuidle", "idle states on latency CPUs", "no cpuidle states exposed",
                        "only polling idle", None, "runtime", "required", reason)
        cur = "; ".join(f"cpu{c}: {','.join(n)}" for c, n in sorted(enabled.items())) or "only polling idle"
        return Item("cstates.cpuidle", f"idle states on CPUs {format_list(cpus)}",
                    ("enabled " + cur) if enabled else cur, "states with exit latency > 0 disabled",
                    not writes, "runtime", "required", reason, writes)

    def pm_qos_item(self) -> Item:
        v = state.dma_latency(self.io)
        reason = ("holding /dev/cpu_dma_latency at 0 keeps every CPU out of deep C-states (and the package "
                  "out of package C-states) for as long as the file stays open")
        if v is None:
            return Item("cstates.pm_qos", "PM QoS latency target", "(no /dev/cpu_dma_latency)", "0 us while running",
                        None, "hold", "recommended", reason)
        ok = isinstance(v, int) and v <= 0
        cur = (f"{v} us" + (" (no request held)" if v >= 2000000000 else "")) if isinstance(v, int) else v
        return Item("cstates.pm_qos", "PM QoS latency target", cur, "0 us while running (apply --hold-cstates)",
                    ok, "hold", "recommended", reason)

    def thp_items(self) -> list[Item]:
        out = []
        for name, sev in (("enabled", "required"), ("defrag", "recommended")):
            rel = f"{state.THP}/{name}"
            cur = state.selector(self.io, rel)
            reason = ("transparent hugepages bring khugepaged scans and compaction stalls; the appliance "
                      "uses explicit hugepages")
            if cur is None:
                out.append(Item(f"thp.{name}", f"THP {name}", "(absent)", "never", None, "runtime", sev, reason))
                continue
            ok = cur == "never"
            out.append(Item(f"thp.{name}", f"THP {name}", cur, "never", ok, "runtime", sev, reason,
                            [] if ok else [(rel, "never")]))
        return out

    def numa_balancing_item(self) -> Item:
        v = state.read_int(self.io, state.NUMA_BALANCING)
        reason = "automatic NUMA balancing unmaps pages to sample them: page faults on the data plane"
        if v is None:
            return Item("numa_balancing", "automatic NUMA balancing", "(absent)", "0", None, "runtime",
                        "recommended", reason)
        return Item("numa_balancing", "automatic NUMA balancing", str(v), "0", v == 0, "runtime", "recommended",
                    reason, [] if v == 0 else [(state.NUMA_BALANCING, "0")])

    def hugepages_item(self) -> Item:
        hp = self.plan.hugepages
        rel, per_node = state.hugepage_paths(self.io, hp.node, hp.page_kb)
        cur = state.read_int(self.io, rel)
        where = f"node {hp.node}" if per_node else "system-wide: no per-node pool"
        reason = "pools, rings and mbufs live in hugepages on the NIC's node (fewer TLB misses, no faults)"
        if cur is None:
            return Item("hugepages", f"{hp.page_kb} kB hugepages on node {hp.node}",
                        f"kernel offers no {hp.page_kb} kB hugepages", f">= {hp.count}", False, "runtime",
                        "required", reason)
        ok = cur >= hp.count
        return Item("hugepages", f"{hp.page_kb} kB hugepages, {where}", str(cur), f">= {hp.count}", ok,
                    "runtime", "required", reason, [] if ok else [(rel, str(hp.count))])

    def siblings_item(self) -> Item:
        idle = self.cores.idle_siblings
        reason = ("an idle SMT sibling shares the core's pipeline and caches with the data-plane thread; "
                  "offline is the runtime form of SMT off")
        if not idle:
            return Item("smt.siblings", "SMT siblings of data-plane cores", "none (no SMT on those cores)",
                        "offline", True, "runtime", "recommended", reason)
        online, cannot, writes = [], [], []
        for cpu in idle:
            st = state.cpu_online(self.io, cpu)
            if st is None:
                if cpu in self.online:
                    cannot.append(cpu)
                continue
            if st:
                online.append(cpu)
                writes.append((f"{state.CPU}/cpu{cpu}/online", "0"))
        cur = f"online: {_cpus(online + cannot)}" if online or cannot else "offline"
        return Item("smt.siblings", "SMT siblings of data-plane cores", cur, f"offline: {format_list(idle)}",
                    not online and not cannot, "runtime", "recommended",
                    reason + (f"; CPU {format_list(cannot)} cannot be taken offline" if cannot else ""), writes)

    def manual_items(self) -> list[Item]:
        out = []
        mounts = state.hugetlbfs_mounts(self.io)
        out.append(Item("hugetlbfs", "hugetlbfs mounted", ", ".join(mounts) if mounts else "(none)",
                        "a hugetlbfs mount (e.g. /dev/hugepages)", bool(mounts) if mounts is not None else None,
                        "manual", "recommended", "DPDK maps its hugepages through hugetlbfs: "
                        "mount -t hugetlbfs nodev /dev/hugepages"))
        sw = state.swaps(self.io)
        out.append(Item("swap", "no swap", ", ".join(sw) if sw else "(none)", "(none)",
                        None if sw is None else not sw, "manual", "recommended",
                        "a swapped-out page of the control plane stalls it for milliseconds: swapoff -a "
                        "and remove swap from /etc/fstab"))
        out.append(Item("bios", "firmware settings", "cannot be read from Linux",
                        "performance power profile; C1E and package C-states off; SMT off if idle siblings are "
                        "not wanted; turbo per latency policy", None, "manual", "info",
                        "firmware power management overrides the kernel's choices"))
        return out

    def evaluate(self) -> list[Item]:
        """Returns every item, in the order apply performs them."""
        items = self.nic_items() + self.cmdline_items()
        items.append(self.irqbalance_item())
        items += self.irq_items()
        items.append(self.workqueue_item())
        items.append(self.governor_item())
        items.append(self.cpuidle_item())
        items += self.thp_items()
        items.append(self.numa_balancing_item())
        items.append(self.hugepages_item())
        items.append(self.siblings_item())
        items.append(self.pm_qos_item())
        items += self.manual_items()
        present = state.present_cpus(self.io)
        if not present:
            self.notes.append(f"no CPUs under {self.io.path(state.CPU)}: current values are mostly absent")
        elif present != frozenset(self.plan.cpus):
            self.notes.append(f"the topology's CPUs ({format_list(self.plan.cpus)}) are not the CPUs below "
                              f"{self.io.root} ({format_list(present)}): the current values describe that machine, "
                              "and apply refuses this plan there")
        if state.hypervisor(self.io):
            self.notes.append("running under a hypervisor (cpuinfo flag): the host can preempt these vCPUs, "
                              "which no guest tuning removes; measure with tuning/jitter")
        return items


def evaluate(plan: Plan, io: TreeIO, services: Services) -> tuple[list[Item], list[str]]:
    """Returns (items, notes about the current state) for plan against the files below io."""
    ev = Evaluator(plan, io, services)
    items = ev.evaluate()
    return items, ev.notes
