# tachyon-jitter (tuning/jitter.cc) on this machine: 1 second per run, every allowed CPU;
# the table is well formed (one row per CPU, consistent numbers), --json is valid JSON
# with the same fields, and tuning/plan accepts it for --jitter. Run by CTest as
# tuning_jitter with TACHYON_JITTER_BIN set to the built binary.
"""Tests of the tachyon-jitter meter and its tuning/jitter wrapper."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import unittest

from fake_tree import TOPO_32, TUNING, run

BIN = os.environ.get("TACHYON_JITTER_BIN", "")


def allowed_cpus() -> list[int]:
    return sorted(os.sched_getaffinity(0))


class Jitter(unittest.TestCase):
    def setUp(self) -> None:
        self.assertTrue(BIN and os.access(BIN, os.X_OK),
                        f"TACHYON_JITTER_BIN={BIN!r}: set it to the built tachyon-jitter (ctest does)")

    def check_row(self, cpu: int, samples: int, hiccups: int, lost_ns: float, p50: int, p99: int, p999: int,
                  mx: int) -> None:
        # One second of back-to-back TSC reads: at least a million samples on any machine.
        self.assertGreater(samples, 1_000_000, f"cpu {cpu}")
        self.assertLessEqual(hiccups, samples)
        self.assertLessEqual(p50, p99)
        self.assertLessEqual(p99, p999)
        self.assertLessEqual(p999, mx)
        self.assertGreater(p50, 0)
        self.assertLessEqual(lost_ns, 1.5e9)  # cannot lose more than the run (plus calibration slack)
        if hiccups:
            self.assertGreater(mx, 1000)  # a hiccup is a gap above the 1000 ns threshold
            self.assertGreaterEqual(lost_ns, 1000 * hiccups)

    def test_table_for_one_second(self) -> None:
        r = subprocess.run([BIN, "--seconds", "1"], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.strip().splitlines()
        cpus = allowed_cpus()
        self.assertRegex(lines[0], rf"^tachyon-jitter: {len(cpus)} CPUs \([0-9,-]+\), 1\.00 s each, "
                                   r"hiccup threshold 1000 ns, TSC [0-9.]+ MHz")
        self.assertEqual(lines[1].split(), ["cpu", "samples", "hiccups", "lost_us", "p50_ns", "p99_ns", "p99.9_ns",
                                            "max_ns"])
        rows = lines[2:]
        self.assertEqual(len(rows), len(cpus), r.stdout)
        for row, cpu in zip(rows, cpus):
            self.assertRegex(row, r"^\s*\d+\s+\d+\s+\d+\s+\d+\.\d\s+\d+\s+\d+\s+\d+\s+\d+$")
            f = row.split()
            self.assertEqual(int(f[0]), cpu)
            self.check_row(cpu, int(f[1]), int(f[2]), float(f[3]) * 1000, int(f[4]), int(f[5]), int(f[6]), int(f[7]))

    def test_json_and_plan_ranking(self) -> None:
        cpu = allowed_cpus()[-1]
        r = subprocess.run([BIN, "--seconds", "1", "--cores", str(cpu), "--threshold-ns", "2000", "--json"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(doc["tool"], "tachyon-jitter")
        self.assertEqual(doc["threshold_ns"], 2000)
        self.assertAlmostEqual(doc["seconds"], 1.0)
        self.assertGreater(doc["tsc_hz"], 100_000_000)
        self.assertEqual([c["cpu"] for c in doc["cores"]], [cpu])
        c = doc["cores"][0]
        self.assertEqual(set(c), {"cpu", "samples", "hiccups", "lost_ns", "p50_ns", "p99_ns", "p999_ns", "max_ns"})
        self.check_row(cpu, c["samples"], c["hiccups"], c["lost_ns"], c["p50_ns"], c["p99_ns"], c["p999_ns"],
                       c["max_ns"])
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            f.write(r.stdout)
            f.flush()
            with tempfile.TemporaryDirectory() as root:
                plan = json.loads(run("plan", "--json", "--topology", TOPO_32, "--root", root, "--jitter", f.name,
                                      check=True).stdout)
        self.assertIn("jitter measurements", plan["plan"]["cores"]["ranking"])

    def test_wrapper_and_bad_arguments(self) -> None:
        env = dict(os.environ, TACHYON_JITTER=BIN)
        r = subprocess.run([os.path.join(TUNING, "jitter"), "--seconds", "0.2", "--json"], capture_output=True,
                           text=True, env=env, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(json.loads(r.stdout)["cores"]), len(allowed_cpus()))
        bad_cpu = max(allowed_cpus()) + 1
        r = subprocess.run([BIN, "--cores", str(bad_cpu)], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 2)
        self.assertIn(f"CPU {bad_cpu} is not among this process's allowed CPUs", r.stderr)
        r = subprocess.run([BIN, "--seconds", "-1"], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 2)
        self.assertTrue(re.search(r"--seconds -1: expected a number", r.stderr), r.stderr)


if __name__ == "__main__":
    unittest.main()
