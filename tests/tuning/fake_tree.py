# Builds a fake /proc, /sys and /dev tree in a temporary directory, in the kernel's own
# file formats, for tuning/apply, verify and revert to run against without root effects.
# Also: helpers shared by the tuning tests (paths, running the scripts, snapshots).
"""Fake kernel trees and helpers for the tuning/ tests."""

from __future__ import annotations

import os
import stat
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
TUNING = os.environ.get("TACHYON_TUNING_DIR", os.path.join(SOURCE, "tuning"))
TOPOLOGIES = os.environ.get("TACHYON_TOPOLOGIES_DIR",
                            os.path.join(os.path.dirname(SOURCE), "shared", "data", "topologies"))
TOPO_32 = os.path.join(TOPOLOGIES, "32em64t-2n8c2t-pci-normalio.xml")

sys.dont_write_bytecode = True
if TUNING not in sys.path:
    sys.path.insert(0, TUNING)


def run(tool: str, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    """Runs tuning/<tool> with args; returns the completed process (text)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    r = subprocess.run([sys.executable, os.path.join(TUNING, tool), *args], capture_output=True, text=True,
                       env=env, timeout=120)
    if check and r.returncode != 0:
        raise AssertionError(f"tuning/{tool} {' '.join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    return r


def write(root: str, rel: str, text: str | bytes) -> None:
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb" if isinstance(text, bytes) else "w") as f:
        f.write(text)


def link(root: str, rel: str, target: str) -> None:
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    os.symlink(target, p)


def snapshot(root: str) -> dict[str, tuple[str, bytes | str]]:
    """Returns every file's bytes, symlink's target and directory below root."""
    out: dict[str, tuple[str, bytes | str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            p = os.path.join(dirpath, d)
            rel = os.path.relpath(p, root)
            out[rel] = ("link", os.readlink(p)) if os.path.islink(p) else ("dir", "")
        for f in filenames:
            p = os.path.join(dirpath, f)
            rel = os.path.relpath(p, root)
            if os.path.islink(p):
                out[rel] = ("link", os.readlink(p))
            else:
                with open(p, "rb") as fh:
                    out[rel] = ("file", fh.read())
    return out


def fake_systemctl(base: str, active: dict[str, bool]) -> str:
    """Writes a stand-in for systemctl that keeps unit states in base/services; returns its path."""
    svc = os.path.join(base, "services")
    os.makedirs(svc, exist_ok=True)
    for name, on in active.items():
        with open(os.path.join(svc, name), "w") as f:
            f.write("active\n" if on else "inactive\n")
    script = os.path.join(base, "systemctl")
    with open(script, "w") as f:
        f.write(f"""#!/bin/sh
# Fake systemctl for tests: is-active/stop/start/cat on files in {svc}.
d={svc}
case "$1" in
  is-active) if [ -f "$d/$2" ]; then cat "$d/$2"; [ "$(cat "$d/$2")" = active ]; else echo inactive; exit 3; fi ;;
  stop) [ -f "$d/$2" ] || exit 5; echo inactive > "$d/$2" ;;
  start) [ -f "$d/$2" ] || exit 5; echo active > "$d/$2" ;;
  cat) [ -f "$d/$2" ] ;;
  *) echo "fake systemctl: $1 unsupported" >&2; exit 1 ;;
esac
""")
    os.chmod(script, os.stat(script).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return script


def service_state(base: str, name: str) -> str:
    with open(os.path.join(base, "services", name)) as f:
        return f.read().strip()


# The 32em64t-2n8c2t machine: two packages, NUMA node n holds PUs 8n..8n+7 and their
# siblings 16+8n..16+8n+7; eth0/eth1 (0000:81:00.0/.1) are on node 1.
NODE_CPUS_32 = {0: list(range(0, 8)) + list(range(16, 24)), 1: list(range(8, 16)) + list(range(24, 32))}
IDLE_STATES = (("POLL", 0), ("C1", 2), ("C1E", 10), ("C6", 133))


def build_tree(root: str, cpus: int = 32, node_cpus: dict[int, list[int]] | None = None,
               cmdline_extra: str = "", isolated: str = "", nohz_full: str = "(null)",
               nic_driver: str = "vfio-pci", cpufreq: bool = True) -> None:
    """Writes a fake kernel tree for a machine with CPUs 0..cpus-1 below root.

    cmdline_extra, isolated and nohz_full model the kernel command line after a reboot.
    """
    node_cpus = node_cpus if node_cpus is not None else NODE_CPUS_32
    allcpus = f"0-{cpus - 1}"
    write(root, "proc/cmdline", f"BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=/dev/sda1 ro quiet {cmdline_extra}".rstrip() + "\n")
    write(root, "proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme de pse tsc msr constant_tsc\n\n")
    write(root, "proc/swaps", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
                              "/dev/sda2                               partition\t8388604\t\t0\t\t-2\n")
    write(root, "proc/mounts", "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n"
                               "hugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\n")
    write(root, "proc/sys/kernel/numa_balancing", "1\n")
    mask_all = format((1 << cpus) - 1, "x")
    groups = []
    while mask_all:
        groups.insert(0, mask_all[-8:])
        mask_all = mask_all[:-8]
    write(root, "proc/irq/default_smp_affinity", ",".join(groups) + "\n")
    irqs = {0: ("0", "timer"), 8: (allcpus, "rtc0"), 9: (allcpus, "acpi"),
            120: (allcpus, "eth1-TxRx-0"), 121: (allcpus, "eth1-TxRx-1"), 122: ("9", "eth1-TxRx-2")}
    for n, (aff, name) in irqs.items():
        write(root, f"proc/irq/{n}/smp_affinity_list", aff + "\n")
        os.makedirs(os.path.join(root, f"proc/irq/{n}/{name}"), exist_ok=True)
    write(root, "proc/net/route",
          "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
          "eth1\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
          "eth1\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n")
    cpu = "sys/devices/system/cpu"
    write(root, f"{cpu}/online", allcpus + "\n")
    write(root, f"{cpu}/possible", allcpus + "\n")
    write(root, f"{cpu}/present", allcpus + "\n")
    write(root, f"{cpu}/isolated", isolated + "\n")
    write(root, f"{cpu}/nohz_full", nohz_full + "\n")
    for c in range(cpus):
        if c != 0:  # cpu0 is not hot-pluggable: no online file
            write(root, f"{cpu}/cpu{c}/online", "1\n")
        if cpufreq:
            write(root, f"{cpu}/cpu{c}/cpufreq/scaling_governor", "powersave\n")
        for k, (name, lat) in enumerate(IDLE_STATES):
            base = f"{cpu}/cpu{c}/cpuidle/state{k}"
            write(root, f"{base}/name", name + "\n")
            write(root, f"{base}/latency", f"{lat}\n")
            write(root, f"{base}/disable", "0\n")
    thp = "sys/kernel/mm/transparent_hugepage"
    write(root, f"{thp}/enabled", "always [madvise] never\n")
    write(root, f"{thp}/defrag", "always defer defer+madvise [madvise] never\n")
    for kb in (2048, 1048576):
        write(root, f"sys/kernel/mm/hugepages/hugepages-{kb}kB/nr_hugepages", "0\n")
        for n in node_cpus:
            write(root, f"sys/devices/system/node/node{n}/hugepages/hugepages-{kb}kB/nr_hugepages", "0\n")
    write(root, "sys/bus/workqueue/devices/writeback/cpumask", ",".join(groups) + "\n")
    pci = "sys/bus/pci/devices"
    os.makedirs(os.path.join(root, "sys/bus/pci/drivers", nic_driver), exist_ok=True)
    os.makedirs(os.path.join(root, "sys/bus/pci/drivers/igb"), exist_ok=True)
    link(root, f"{pci}/0000:81:00.0/driver", f"../../../../bus/pci/drivers/{nic_driver}")
    link(root, f"{pci}/0000:81:00.1/driver", "../../../../bus/pci/drivers/igb")
    os.makedirs(os.path.join(root, f"{pci}/0000:81:00.1/net/eth1"), exist_ok=True)
    link(root, f"{pci}/0000:81:00.1/net/eth1/device", "../..")
    link(root, "sys/class/net/eth1", f"../../bus/pci/devices/0000:81:00.1/net/eth1")
    write(root, "dev/cpu_dma_latency", struct.pack("<i", 2000000000))
