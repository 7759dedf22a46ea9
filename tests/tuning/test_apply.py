# tuning/apply, verify and revert against a fake /sys + /proc + /dev tree of the
# 32em64t-2n8c2t machine (NIC eth0 on node 1): dry run writes nothing, --yes writes the
# planned values in the kernel's formats, verify fails before and passes after, a second
# apply changes nothing, and revert restores the tree byte for byte.
"""Tests of tuning/apply, tuning/verify and tuning/revert on a fake kernel tree."""

from __future__ import annotations

import json
import os
import struct
import tempfile
import unittest

from fake_tree import TOPO_32, build_tree, fake_systemctl, run, service_state, snapshot

DP = [8, 9, 10, 11, 12, 13, 14]
CONTROL = 15
IDLE = [24, 25, 26, 27, 28, 29, 30]
HK_LIST = "0-7,16-23,31"
HK_MASK = "80ff00ff"  # CPUs 0-7, 16-23 and 31


def read(root: str, rel: str) -> str:
    with open(os.path.join(root, rel)) as f:
        return f.read()


class ApplyVerifyRevert(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.root = os.path.join(self.tmp.name, "root")
        self.state = os.path.join(self.tmp.name, "state.json")
        # The tree as after the reboot with the planned command line (apply cannot do that part).
        plan = json.loads(run("plan", "--json", "--topology", TOPO_32, "--nic", "eth0", "--root",
                              self.tmp.name, check=True).stdout)
        self.cmdline = plan["plan"]["cmdline"]
        build_tree(self.root, cmdline_extra=" ".join(self.cmdline), isolated="8-14,24-30", nohz_full="8-14,24-30")
        self.systemctl = fake_systemctl(self.tmp.name, {"irqbalance": True})
        self.common = ["--topology", TOPO_32, "--nic", "eth0", "--root", self.root, "--systemctl", self.systemctl]

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def apply(self, *extra: str):
        return run("apply", *self.common, "--state", self.state, *extra)

    def test_dry_run_writes_nothing(self) -> None:
        before = snapshot(self.root)
        r = self.apply()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("dry run", r.stdout)
        self.assertIn(f"write {self.root}/sys/kernel/mm/transparent_hugepage/enabled = never", r.stdout)
        self.assertIn(f"write {self.root}/proc/irq/120/smp_affinity_list = {HK_LIST}", r.stdout)
        self.assertIn("stop service irqbalance", r.stdout)
        self.assertEqual(snapshot(self.root), before)
        self.assertFalse(os.path.exists(self.state))
        self.assertEqual(service_state(self.tmp.name, "irqbalance"), "active")

    def test_yes_writes_the_planned_values(self) -> None:
        r = self.apply("--yes")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        cpu = "sys/devices/system/cpu"
        for c in range(32):
            gov = f"{cpu}/cpu{c}/cpufreq/scaling_governor"
            self.assertEqual(read(self.root, gov), "powersave\n" if c in IDLE else "performance\n", gov)
            for k, lat in enumerate((0, 2, 10, 133)):
                dis = read(self.root, f"{cpu}/cpu{c}/cpuidle/state{k}/disable")
                latency_cpu = c in DP or c == CONTROL or c in IDLE
                self.assertEqual(dis, "1\n" if latency_cpu and lat > 0 else "0\n", f"cpu{c} state{k}")
            if c:
                self.assertEqual(read(self.root, f"{cpu}/cpu{c}/online"), "0\n" if c in IDLE else "1\n", f"cpu{c}")
        for irq in (8, 9, 120, 121, 122):
            self.assertEqual(read(self.root, f"proc/irq/{irq}/smp_affinity_list"), HK_LIST + "\n", f"irq {irq}")
        self.assertEqual(read(self.root, "proc/irq/0/smp_affinity_list"), "0\n")  # already on housekeeping
        self.assertEqual(read(self.root, "proc/irq/default_smp_affinity"), HK_MASK + "\n")
        self.assertEqual(read(self.root, "sys/bus/workqueue/devices/writeback/cpumask"), HK_MASK + "\n")
        self.assertEqual(read(self.root, "sys/kernel/mm/transparent_hugepage/enabled"), "always madvise [never]\n")
        self.assertEqual(read(self.root, "sys/kernel/mm/transparent_hugepage/defrag"),
                         "always defer defer+madvise madvise [never]\n")
        self.assertEqual(read(self.root, "proc/sys/kernel/numa_balancing"), "0\n")
        hp = "hugepages/hugepages-2048kB/nr_hugepages"
        self.assertEqual(read(self.root, f"sys/devices/system/node/node1/{hp}"), "299\n")
        self.assertEqual(read(self.root, f"sys/devices/system/node/node0/{hp}"), "0\n")
        self.assertEqual(service_state(self.tmp.name, "irqbalance"), "inactive")
        # Nothing it must not touch: the kernel command line and the bootloader stay as they were.
        self.assertEqual(read(self.root, "proc/cmdline").split()[4:], self.cmdline)
        with open(self.state) as f:
            saved = json.load(f)
        paths = [e["path"] for e in saved["entries"]]
        self.assertEqual(len(paths), len(set(paths)))
        self.assertIn({"path": "sys/kernel/mm/transparent_hugepage/enabled", "kind": "text", "restore": "madvise"},
                      saved["entries"])
        self.assertEqual(saved["services"], [{"name": "irqbalance", "restore": "start"}])

    def test_verify_fails_before_and_passes_after(self) -> None:
        before = run("verify", *self.common)
        self.assertEqual(before.returncode, 1, before.stdout)
        self.assertIn("FAIL  required    governor", before.stdout)
        self.assertIn("FAIL  required    irqbalance", before.stdout)
        self.assertIn("pass  required    cmdline.isolcpus", before.stdout)
        self.apply("--yes", "--hold-cstates")
        after = run("verify", *self.common)
        self.assertEqual(after.returncode, 0, after.stdout)
        self.assertNotIn("FAIL", after.stdout)
        self.assertIn("pass  recommended cstates.pm_qos", after.stdout)
        self.assertIn("warn  recommended swap", after.stdout)  # manual: apply does not touch swap
        doc = json.loads(run("verify", *self.common, "--json").stdout)
        self.assertTrue(doc["ok"])
        self.assertEqual(doc["counts"]["FAIL"], 0)

    def test_verify_fails_without_the_reboot_items(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            root = os.path.join(tmp, "root")
            build_tree(root)  # stock command line, nothing isolated
            args = ["--topology", TOPO_32, "--nic", "eth0", "--root", root, "--systemctl",
                    fake_systemctl(tmp, {"irqbalance": False})]
            applied = run("apply", *args, "--yes", "--state", os.path.join(tmp, "s.json"), check=True)
            self.assertIn("kernel command line to add (needs a reboot", applied.stdout)
            self.assertIn("isolcpus=managed_irq,domain,8-14,24-30 nohz_full=8-14,24-30", applied.stdout)
            r = run("verify", *args)
            self.assertEqual(r.returncode, 1)
            for item in ("cmdline.isolcpus", "cmdline.nohz_full", "cmdline.rcu_nocbs"):
                self.assertIn(f"FAIL  required    {item}", r.stdout)
            self.assertIn("pass  required    governor", r.stdout)

    def test_second_apply_changes_nothing_and_keeps_the_saved_state(self) -> None:
        self.apply("--yes")
        with open(self.state, "rb") as f:
            first_state = f.read()
        tree = snapshot(self.root)
        r = self.apply("--yes")
        self.assertEqual(r.returncode, 0, r.stdout)
        words = [line.split()[0] for line in r.stdout.splitlines()[1:] if line.startswith("  ")]
        self.assertTrue(words)
        self.assertEqual(set(words), {"unchanged"}, r.stdout)
        self.assertEqual(snapshot(self.root), tree)
        with open(self.state, "rb") as f:
            self.assertEqual(f.read(), first_state)

    def test_revert_restores_the_tree_byte_for_byte(self) -> None:
        before = snapshot(self.root)
        self.apply("--yes", "--hold-cstates")
        with open(os.path.join(self.root, "dev/cpu_dma_latency"), "rb") as f:
            self.assertEqual(f.read(), struct.pack("<i", 0))
        self.apply("--yes")  # idempotent second run in between
        self.assertNotEqual(snapshot(self.root), before)
        dry = run("revert", "--root", self.root, "--state", self.state, "--systemctl", self.systemctl)
        self.assertEqual(dry.returncode, 0)
        self.assertIn("would", dry.stdout)
        self.assertTrue(os.path.exists(self.state))
        r = run("revert", "--root", self.root, "--state", self.state, "--systemctl", self.systemctl, "--yes")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(snapshot(self.root), before)
        self.assertFalse(os.path.exists(self.state))
        self.assertEqual(service_state(self.tmp.name, "irqbalance"), "active")
        again = run("revert", "--root", self.root, "--state", self.state, "--yes")
        self.assertIn("nothing to revert", again.stdout)

    def test_default_state_file_lives_in_the_root_and_goes_with_revert(self) -> None:
        before = snapshot(self.root)
        run("apply", *self.common, "--yes", check=True)
        self.assertTrue(os.path.exists(os.path.join(self.root, "run/tachyon/tuning-state.json")))
        run("revert", "--root", self.root, "--systemctl", self.systemctl, "--yes", check=True)
        self.assertEqual(snapshot(self.root), before)

    def test_apply_from_a_saved_plan(self) -> None:
        plan_file = os.path.join(self.tmp.name, "plan.json")
        with open(plan_file, "w") as f:
            f.write(run("plan", *self.common, "--json", check=True).stdout)
        run("apply", "--plan", plan_file, "--root", self.root, "--systemctl", self.systemctl, "--state", self.state,
            "--yes", check=True)
        r = run("verify", "--plan", plan_file, "--root", self.root, "--systemctl", self.systemctl)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertEqual(read(self.root, "proc/irq/9/smp_affinity_list"), HK_LIST + "\n")

    def test_skip_leaves_items_alone(self) -> None:
        run("apply", *self.common, "--state", self.state, "--yes", "--skip", "smt,irq.120", check=True)
        self.assertEqual(read(self.root, "sys/devices/system/cpu/cpu24/online"), "1\n")
        self.assertEqual(read(self.root, "proc/irq/120/smp_affinity_list"), "0-31\n")
        self.assertEqual(read(self.root, "proc/irq/121/smp_affinity_list"), HK_LIST + "\n")

    def test_apply_refuses_a_plan_for_another_machine(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            build_tree(tmp, cpus=2, node_cpus={0: [0, 1]})
            before = snapshot(tmp)
            r = run("apply", "--topology", TOPO_32, "--root", tmp, "--yes")
            self.assertEqual(r.returncode, 2)
            self.assertIn("CPU 2-31 not in", r.stderr)
            self.assertEqual(snapshot(tmp), before)


if __name__ == "__main__":
    unittest.main()
