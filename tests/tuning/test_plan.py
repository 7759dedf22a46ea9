# tuning/plan on the five real server topologies: core-map invariants checked against
# hwloc's own hwloc-calc (an independent reading of the same XML), NIC locality, jitter
# ranking, determinism, the TOML fragment and the live machine's honesty notes.
"""Tests of tuning/plan."""

from __future__ import annotations

import glob
import json
import os
import re
import subprocess
import tempfile
import tomllib
import unittest

from fake_tree import SOURCE, TOPO_32, TOPOLOGIES, build_tree, run

TOPOLOGY_FILES = sorted(glob.glob(os.path.join(TOPOLOGIES, "*.xml")))


def calc(topo: str, *args: str) -> list[int]:
    """Runs hwloc-calc on topo; returns the comma-separated indexes it prints."""
    out = subprocess.run(["hwloc-calc", "-i", topo, *args], check=True, capture_output=True, text=True).stdout
    return [int(x) for x in out.strip().split(",") if x]


def core_pus(topo: str, pu: int) -> set[int]:
    """Returns the OS indexes of the PUs on pu's physical core, per hwloc-calc."""
    (logical_core,) = calc(topo, "--pi", f"pu:{pu}", "-I", "core")
    return set(calc(topo, "--po", "-I", "pu", f"core:{logical_core}"))


def plan_json(*args: str) -> dict:
    r = run("plan", "--json", *args, check=True)
    return json.loads(r.stdout)


class PlanOnTopologies(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.empty_root = self.tmp.name  # no state: plans depend on the topology only

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def test_five_topologies_exist(self) -> None:
        self.assertEqual(len(TOPOLOGY_FILES), 5, f"topologies in {TOPOLOGIES}: {TOPOLOGY_FILES}")

    def check_core_map(self, topo: str, cores: dict) -> None:
        dp, ctl, hk, idle = cores["dataplane"], cores["control"], cores["housekeeping"], cores["idle_siblings"]
        all_pus = set(calc(topo, "--po", "-I", "pu", "all"))
        self.assertTrue(dp, f"{topo}: no data-plane core")
        # A partition of the machine's PUs.
        parts = [set(dp), set(idle), set(hk)] + ([{ctl}] if cores["control_dedicated"] else [])
        self.assertEqual(sum(len(p) for p in parts), len(set().union(*parts)), f"{topo}: overlapping sets {cores}")
        self.assertEqual(set().union(*parts), all_pus, f"{topo}: sets do not cover the PUs")
        # Core 0 (PU 0's physical core) is never data plane.
        self.assertTrue(core_pus(topo, 0).isdisjoint(dp), f"{topo}: core 0 in data plane {dp}")
        self.assertNotIn(0, dp)
        # One PU per physical core, never an SMT sibling of another busy CPU.
        for p in dp:
            sibs = core_pus(topo, p) - {p}
            self.assertTrue(sibs.isdisjoint(dp), f"{topo}: data-plane {p} is a sibling of data-plane {sibs & set(dp)}")
            self.assertNotIn(ctl, sibs, f"{topo}: data-plane {p} is a sibling of control {ctl}")
            self.assertTrue(sibs.isdisjoint(hk), f"{topo}: data-plane {p} is a sibling of housekeeping {sibs & set(hk)}")
            self.assertTrue(sibs <= set(idle), f"{topo}: siblings {sibs} of {p} not idle")
        # All data-plane cores and the control core on the plan's NUMA node.
        node = cores["node"]
        for p in dp + ([ctl] if cores["control_dedicated"] else []):
            self.assertEqual(calc(topo, "--pi", f"pu:{p}", "--po", "-I", "numa"), [node], f"{topo}: PU {p}")
        self.assertEqual(sorted(cores["isolated"]), sorted(dp + idle))

    def test_every_topology_plans_a_valid_core_map(self) -> None:
        for topo in TOPOLOGY_FILES:
            with self.subTest(topology=os.path.basename(topo)):
                doc = plan_json("--topology", topo, "--root", self.empty_root)
                self.check_core_map(topo, doc["plan"]["cores"])
                text = run("plan", "--topology", topo, "--root", self.empty_root, check=True).stdout
                self.assertIn("Kernel command line to add", text)
                self.assertIn("isolcpus=managed_irq,domain,", text)

    def test_nic_on_node_1_puts_every_data_plane_core_on_package_1(self) -> None:
        for nic in ("eth0", "mlx5_0", "0000:81:00.0", "81:00.1"):
            with self.subTest(nic=nic):
                doc = plan_json("--topology", TOPO_32, "--nic", nic, "--root", self.empty_root)
                cores = doc["plan"]["cores"]
                self.assertEqual(doc["plan"]["nic"]["numa_node"], 1)
                self.assertEqual(calc(TOPO_32, f"os={'mlx5_0' if nic == 'mlx5_0' else 'eth0'}", "--po", "-I", "numa"), [1])
                self.check_core_map(TOPO_32, cores)
                self.assertEqual(cores["node"], 1)
                for p in cores["dataplane"] + [cores["control"]]:
                    self.assertEqual(calc(TOPO_32, "--pi", f"pu:{p}", "--po", "-I", "package"), [1], f"PU {p}")
                # Package 1 has 8 physical cores: 7 data plane + 1 control, siblings idle.
                self.assertEqual(cores["dataplane"], [8, 9, 10, 11, 12, 13, 14])
                self.assertEqual(cores["control"], 15)
                self.assertEqual(cores["idle_siblings"], [24, 25, 26, 27, 28, 29, 30])

    def test_without_nic_falls_back_to_node_0_and_says_so(self) -> None:
        doc = plan_json("--topology", TOPO_32, "--root", self.empty_root)
        self.assertEqual(doc["plan"]["cores"]["node"], 0)
        self.assertTrue(any("no NIC given" in n for n in doc["notes"]), doc["notes"])
        doc = plan_json("--topology", TOPO_32, "--nic", "eth9", "--root", self.empty_root)
        self.assertEqual(doc["plan"]["cores"]["node"], 0)
        self.assertTrue(any("'eth9' is not in the topology" in n for n in doc["notes"]), doc["notes"])
        self.assertEqual(next(i for i in doc["items"] if i["id"] == "nic.locality")["verify"], "FAIL")

    def test_cores_option(self) -> None:
        cores = plan_json("--topology", TOPO_32, "--nic", "eth0", "--cores", "3", "--root", self.empty_root)["plan"]["cores"]
        self.assertEqual(cores["dataplane"], [8, 9, 10])
        self.assertEqual(cores["control"], 11)
        self.assertIn(12, cores["housekeeping"])
        doc = plan_json("--topology", TOPO_32, "--nic", "eth0", "--cores", "99", "--root", self.empty_root)
        self.assertEqual(len(doc["plan"]["cores"]["dataplane"]), 8)
        self.assertFalse(doc["plan"]["cores"]["control_dedicated"])
        self.assertTrue(any("--cores 99" in n for n in doc["notes"]), doc["notes"])
        self.check_core_map(TOPO_32, doc["plan"]["cores"])

    def test_jitter_measurements_rank_the_cores(self) -> None:
        noisy = {9: 5_000_000, 12: 800_000}
        doc = {"cores": [{"cpu": c, "samples": 1000, "hiccups": 3 if c in noisy else 0,
                          "lost_ns": noisy.get(c, 0), "p99_ns": 20, "p999_ns": 30, "max_ns": noisy.get(c, 900)}
                         for c in range(8, 16)]}
        path = os.path.join(self.tmp.name, "jitter.json")
        with open(path, "w") as f:
            json.dump(doc, f)
        cores = plan_json("--topology", TOPO_32, "--nic", "eth0", "--cores", "5", "--jitter", path,
                          "--root", self.empty_root)["plan"]["cores"]
        self.assertEqual(cores["dataplane"], [8, 10, 11, 13, 14])
        self.assertEqual(cores["control"], 15)  # the best core left
        self.assertIn("jitter", cores["ranking"])
        self.check_core_map(TOPO_32, cores)

    def test_offline_sibling_stays_idle_and_isolated(self) -> None:
        # Export as hwloc does once PU 24 (sibling of PU 8) is offline: no PU object, and
        # the core's cpuset loses it while complete_cpuset keeps it.
        import xml.etree.ElementTree as ET
        tree = ET.parse(TOPO_32)
        for core in tree.iter("object"):
            if core.get("type") != "Core":
                continue
            pu24 = [pu for pu in core.findall("object") if pu.get("type") == "PU" and pu.get("os_index") == "24"]
            if pu24:
                core.remove(pu24[0])
                core.set("cpuset", "0x00000100")
        path = os.path.join(self.tmp.name, "offline24.xml")
        tree.write(path)
        doc = plan_json("--topology", path, "--nic", "eth0", "--root", self.empty_root)
        cores = doc["plan"]["cores"]
        self.assertEqual(cores["dataplane"], [8, 9, 10, 11, 12, 13, 14])
        self.assertEqual(cores["idle_siblings"], [24, 25, 26, 27, 28, 29, 30])
        self.assertNotIn(24, cores["housekeeping"])
        self.assertNotIn(24, doc["plan"]["cpus"])
        self.assertIn("isolcpus=managed_irq,domain,8-14,24-30", doc["plan"]["cmdline"])
        self.assertTrue(any("SMT sibling 24 of data-plane cores" in n for n in doc["notes"]), doc["notes"])

    def test_same_input_same_plan(self) -> None:
        with tempfile.TemporaryDirectory() as root:
            build_tree(root)
            for fmt in ([], ["--json"]):
                args = ["--topology", TOPO_32, "--nic", "eth0", "--root", root, *fmt]
                a, b = run("plan", *args, check=True).stdout, run("plan", *args, check=True).stdout
                self.assertEqual(a, b)
        for topo in TOPOLOGY_FILES:
            args = ["--topology", topo, "--root", self.empty_root, "--json"]
            self.assertEqual(run("plan", *args, check=True).stdout, run("plan", *args, check=True).stdout, topo)

    def test_config_fragment_is_toml_with_the_core_map(self) -> None:
        path = os.path.join(self.tmp.name, "cores.toml")
        r = run("plan", "--topology", TOPO_32, "--nic", "mlx5_0", "--root", self.empty_root, "--write-config", path,
                check=True)
        self.assertIn(f"wrote the core map to {path}", r.stdout)
        with open(path, "rb") as f:
            cfg = tomllib.load(f)
        cores = plan_json("--topology", TOPO_32, "--nic", "mlx5_0", "--root", self.empty_root)["plan"]["cores"]
        self.assertEqual(cfg["cores"]["dataplane"], cores["dataplane"])
        self.assertEqual(cfg["cores"]["control"], cores["control"])
        self.assertEqual(cfg["cores"]["housekeeping"], cores["housekeeping"])
        self.assertEqual(cfg["cores"]["numa_node"], 1)
        # Only keys the appliance's loader knows: the rest (idle siblings, hugepages,
        # the NIC's kernel name) are comments.
        self.assertEqual(set(cfg), {"cores", "nic"})
        self.assertEqual(set(cfg["cores"]), {"dataplane", "control", "housekeeping", "numa_node"})
        self.assertEqual(cfg["nic"], {"pci": "0000:04:00.0"})
        with open(path, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("# idle SMT siblings (isolated, taken offline by tuning/apply): 24-30", text)
        self.assertIn("on NUMA node 1", text)
        # Without a NIC there is no [nic] table.
        r = run("plan", "--topology", TOPO_32, "--root", self.empty_root, "--write-config", path, check=True)
        with open(path, "rb") as f:
            self.assertEqual(set(tomllib.load(f)), {"cores"})

    def test_plan_lists_changes_with_current_wanted_reason_and_reboot(self) -> None:
        with tempfile.TemporaryDirectory() as root:
            build_tree(root)
            doc = plan_json("--topology", TOPO_32, "--nic", "eth0", "--root", root)
        items = {i["id"]: i for i in doc["items"]}
        iso = items["cmdline.isolcpus"]
        self.assertEqual((iso["status"], iso["how"], iso["wanted"]), ("reboot", "reboot", "isolcpus=8-14,24-30"))
        gov = items["governor"]
        self.assertEqual(gov["status"], "change")
        self.assertEqual(gov["current"], "powersave on 0-23,31")  # idle siblings 24-30 go offline instead
        self.assertTrue(gov["reason"])
        self.assertEqual(items["thp.enabled"]["current"], "madvise")
        self.assertEqual(items["irq.120"]["current"], "0-31")
        self.assertEqual(items["irq.120"]["wanted"], "0-7,16-23,31")
        self.assertEqual(items["irq.0"]["status"], "ok")  # the timer already sits on CPU 0
        self.assertEqual(items["nic.driver"]["status"], "ok")  # vfio-pci in the fake tree
        self.assertEqual(doc["plan"]["cmdline"][:3], ["isolcpus=managed_irq,domain,8-14,24-30",
                                                       "nohz_full=8-14,24-30", "rcu_nocbs=8-14,24-30"])
        self.assertIn("hugepages=1:299", doc["plan"]["cmdline"])


def live_pci_nics() -> list[str]:
    """Returns the network interfaces of this machine that sit on a PCI device (virtual
    devices such as lo, ifb or bridges have no device link to a PCI address)."""
    out = []
    for name in sorted(os.listdir("/sys/class/net")):
        real = os.path.realpath(os.path.join("/sys/class/net", name))
        if any(re.fullmatch(r"[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]", part) for part in real.split("/")):
            out.append(name)
    return out


def live_default_route_ifaces() -> set[str]:
    """Returns the interfaces carrying an IPv4 default route, read from /proc/net/route."""
    with open("/proc/net/route") as f:
        rows = [line.split() for line in f.read().splitlines()[1:]]
    return {r[0] for r in rows if len(r) >= 8 and r[1] == "00000000" and r[7] == "00000000"}


def shard_bytes(orders: int, levels: int, symbols: int, ring_records: int) -> int:
    """One shard's pool bytes: Order, Level, order index at load <= 0.5, ladder arena,
    64 B ring records (the record sizes test_units checks against book/'s headers)."""
    index_slots = 1 << (2 * orders - 1).bit_length()
    return 32 * orders + 32 * levels + 8 * index_slots + 16 * (4 * levels + 32 * symbols) + 64 * ring_records


class HugepagesFromTheApplianceConfig(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.root = self.tmp.name

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def toml(self, name: str, text: str) -> str:
        path = os.path.join(self.tmp.name, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def plan(self, *args: str) -> dict:
        return plan_json("--topology", TOPO_32, "--nic", "eth0", "--root", self.root, *args)["plan"]["hugepages"]

    def test_pools_come_from_the_config_and_follow_the_appliances_shape(self) -> None:
        cfg = self.toml("tachyon.toml", "[book]\nmax_orders = 65536\nmax_levels = 4096\nmax_symbols = 16\n"
                                        "[rings]\ncapacity = 1024\n[nic]\nmbufs = 4095\nrx_queues = 1\n"
                                        "[risk]\nmax_order_qty = 5\n")
        hp = self.plan("--config", cfg)
        # 7 data-plane cores, one rx queue: tachyon run dispatches from the first to 6
        # shard cores; one mbuf pool for the port.
        self.assertEqual((hp["shards"], hp["queues"]), (6, 1))
        self.assertEqual((hp["pools"]["max_orders"], hp["pools"]["max_levels"], hp["pools"]["max_symbols"]),
                         (65536, 4096, 16))
        self.assertEqual(hp["pools"]["ring_events"], 2 * 1024 + 1024)
        self.assertEqual(hp["pools"]["mbufs"], 4095)
        per = shard_bytes(65536, 4096, 16, 3072)
        self.assertEqual(sum(hp["per_shard"].values()), per)
        need = 6 * per + 4095 * 2304 + 64 * 1048576
        self.assertEqual(hp["bytes_needed"], need)
        self.assertEqual((hp["page_kb"], hp["count"]), (2048, -(-need // 2097152)))
        self.assertIn(f"pools     : book.max_orders = 65536 ({cfg})", hp["formula"][0])
        self.assertIn(f"nic.rx_queues = 1 ({cfg})", hp["formula"][0])
        # The kernel command line and the fragment carry the same count.
        doc = plan_json("--topology", TOPO_32, "--nic", "eth0", "--root", self.root, "--config", cfg)
        self.assertIn(f"hugepages=1:{hp['count']}", doc["plan"]["cmdline"])
        self.assertIn(f"# hugepages (reserved by tuning/apply and the kernel command line): {hp['count']} x 2048 kB",
                      doc["config_toml"])

        # As many rx queues as cores: every core runs a shard on its own queue.
        direct = self.toml("direct.toml", "[nic]\nrx_queues = 8\n")
        hp = self.plan("--config", direct)
        self.assertEqual((hp["shards"], hp["queues"]), (7, 7))
        # Keys the file leaves out take the appliance's defaults, and say so.
        self.assertEqual(hp["pools"]["max_orders"], 1 << 20)
        self.assertEqual(hp["pools"]["ring_events"], 2 * 4096 + 1024)
        self.assertIn("book.max_orders = 1048576 (default)", hp["formula"][0])
        self.assertEqual(hp["bytes_needed"], 7 * shard_bytes(1 << 20, 1 << 16, 1, 2 * 4096 + 1024)
                         + 8191 * 2304 + 64 * 1048576)

    def test_files_layer_and_flags_win(self) -> None:
        base = self.toml("base.toml", "[book]\nmax_orders = 65536\nmax_symbols = 16\n")
        top = self.toml("top.toml", "[book]\nmax_orders = 32768\n")
        hp = self.plan("--config", base, "--config", top)
        self.assertEqual((hp["pools"]["max_orders"], hp["pools"]["max_symbols"]), (32768, 16))
        self.assertIn(f"book.max_orders = 32768 ({top})", hp["formula"][0])
        self.assertIn(f"book.max_symbols = 16 ({base})", hp["formula"][0])
        hp = self.plan("--config", base, "--orders", "4096", "--shards", "2")
        self.assertEqual((hp["pools"]["max_orders"], hp["pools"]["max_symbols"], hp["shards"]), (4096, 16, 2))

    def test_the_shipped_example_config(self) -> None:
        example = os.path.join(SOURCE, "config", "tachyon.example.toml")
        with open(example, "rb") as f:
            cfg = tomllib.load(f)
        hp = self.plan("--config", example)
        self.assertEqual(hp["pools"]["max_orders"], cfg["book"]["max_orders"])
        self.assertEqual(hp["pools"]["max_levels"], cfg["book"]["max_levels"])
        self.assertEqual(hp["pools"]["max_symbols"], cfg["book"]["max_symbols"])
        self.assertEqual(hp["pools"]["ring_events"], 2 * cfg["rings"]["capacity"] + 1024)
        self.assertEqual(hp["pools"]["mbufs"], cfg["nic"]["mbufs"])
        self.assertNotIn("(default)", hp["formula"][0])

    def test_bad_config_is_one_line_naming_the_file_and_key(self) -> None:
        bad = self.toml("bad.toml", "[book]\nmax_orders = \"many\"\n")
        r = run("plan", "--topology", TOPO_32, "--root", self.root, "--config", bad)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr.strip(),
                         f"tuning/plan: error: --config {bad}: book.max_orders = 'many': must be an integer > 0")
        broken = self.toml("broken.toml", "[book\n")
        r = run("plan", "--topology", TOPO_32, "--root", self.root, "--config", broken)
        self.assertEqual(r.returncode, 2)
        self.assertIn(f"--config {broken}: TOML syntax:", r.stderr)
        missing = os.path.join(self.tmp.name, "missing.toml")
        r = run("plan", "--topology", TOPO_32, "--root", self.root, "--config", missing)
        self.assertEqual(r.returncode, 2)
        self.assertIn(f"--config {missing}: No such file or directory", r.stderr)


class PlanOnThisMachine(unittest.TestCase):
    def test_live_plan_is_honest(self) -> None:
        r = run("plan", check=True)
        self.assertIn("Core map", r.stdout)
        self.assertIn("no NIC given", r.stdout)
        with open("/sys/devices/system/cpu/isolated") as f:
            isolated = f.read().strip()
        with open("/proc/cmdline") as f:
            has_isolcpus = "isolcpus=" in f.read()
        if not isolated and not has_isolcpus:
            self.assertIn("no isolated cores: /sys/devices/system/cpu/isolated is empty and the kernel command "
                          "line has no isolcpus=", r.stdout)
        else:
            self.assertNotIn("no isolated cores", r.stdout)
        nics = live_pci_nics()
        routed = live_default_route_ifaces()
        if len(nics) == 1 and nics[0] in routed:
            # The development VM's shape: its one NIC is its own link to the network.
            self.assertIn("no NIC DPDK can own: ", r.stdout)
            self.assertRegex(r.stdout, rf"no NIC DPDK can own: [^\n]*interfaces {nics[0]}; {nics[0]} carries the "
                                       "default route")
            named = run("plan", "--nic", nics[0], check=True).stdout
            self.assertRegex(named, rf"no NIC DPDK can own: {nics[0]} \(\S+\) kernel driver \S+, interfaces "
                                    rf"{nics[0]}; {nics[0]} carries the default route")
            self.assertIn("data-plane cores fall back to node", r.stdout)
        elif not nics:
            self.assertIn("no NIC DPDK can own", r.stdout)

    def test_vm_like_tree_says_no_nic_dpdk_can_own_and_no_isolated_cores(self) -> None:
        # A two-CPU VM whose only NIC (virtio, eth0) carries the default route.
        with tempfile.TemporaryDirectory() as root:
            build_tree(root, cpus=2, node_cpus={0: [0, 1]})
            from fake_tree import link, write
            link(root, "sys/bus/pci/devices/0000:00:03.0/driver", "../../../../bus/pci/drivers/virtio-pci")
            os.makedirs(os.path.join(root, "sys/bus/pci/devices/0000:00:03.0/virtio2/net/eth0"))
            write(root, "proc/net/route", "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
                                          "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n")
            xml = os.path.join(root, "vm.xml")
            write(root, "vm.xml", VM_XML)
            r = run("plan", "--topology", xml, "--root", root, check=True)
            self.assertIn("no NIC DPDK can own: eth0 (0000:00:03.0, node 0): kernel driver virtio-pci, "
                          "interfaces eth0; eth0 carries the default route", r.stdout)
            self.assertIn("no isolated cores", r.stdout)
            self.assertIn("data-plane     1 (1 physical core, one PU each)", r.stdout)
            self.assertIn("control        0 (shared with housekeeping)", r.stdout)
            r = run("plan", "--topology", xml, "--root", root, "--nic", "eth0", check=True)
            self.assertIn("no NIC DPDK can own: eth0 (0000:00:03.0) kernel driver virtio-pci", r.stdout)
            self.assertIn("eth0 carries the default route", r.stdout)


# The shape of this VM's hwloc export: one package, two cores, a virtio NIC.
VM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE topology SYSTEM "hwloc2.dtd">
<topology version="2.0">
  <object type="Machine" os_index="0" cpuset="0x00000003" complete_cpuset="0x00000003" allowed_cpuset="0x00000003" nodeset="0x00000001" complete_nodeset="0x00000001" allowed_nodeset="0x00000001" gp_index="1">
    <object type="Package" os_index="0" cpuset="0x00000003" complete_cpuset="0x00000003" nodeset="0x00000001" complete_nodeset="0x00000001" gp_index="3">
      <object type="NUMANode" os_index="0" cpuset="0x00000003" complete_cpuset="0x00000003" nodeset="0x00000001" complete_nodeset="0x00000001" gp_index="14" local_memory="7207682048"/>
      <object type="Core" os_index="0" cpuset="0x00000001" complete_cpuset="0x00000001" nodeset="0x00000001" complete_nodeset="0x00000001" gp_index="8">
        <object type="PU" os_index="0" cpuset="0x00000001" complete_cpuset="0x00000001" nodeset="0x00000001" complete_nodeset="0x00000001" gp_index="9"/>
      </object>
      <object type="Core" os_index="1" cpuset="0x00000002" complete_cpuset="0x00000002" nodeset="0x00000001" complete_nodeset="0x00000001" gp_index="12">
        <object type="PU" os_index="1" cpuset="0x00000002" complete_cpuset="0x00000002" nodeset="0x00000001" complete_nodeset="0x00000001" gp_index="13"/>
      </object>
    </object>
    <object type="Bridge" gp_index="15" bridge_type="0-1" depth="0" bridge_pci="0000:[00-00]">
      <object type="PCIDev" gp_index="19" pci_busid="0000:00:03.0" pci_type="0200 [1af4:1041] [1af4:1100] 01" pci_link_speed="0.000000">
        <object type="OSDev" gp_index="23" name="eth0" osdev_type="2"/>
      </object>
    </object>
  </object>
</topology>
"""

if __name__ == "__main__":
    unittest.main()
