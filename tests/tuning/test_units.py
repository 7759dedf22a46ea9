# Unit tests of tuning/tachyon_tuning: CPU list and mask spellings (as the kernel and
# hwloc print them), the hwloc XML reader against hwloc-calc, the hugepage formula
# against hand arithmetic and against book/'s static_asserts, and the kernel-file model.
"""Unit tests of the tuning modules."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import unittest

from fake_tree import SOURCE, TOPO_32, TOPOLOGIES, write

from tachyon_tuning import cpulist, hugepages, topology
from tachyon_tuning.sysfs import TreeIO, WriteError, parse_selector


class CpuLists(unittest.TestCase):
    def test_lists(self) -> None:
        self.assertEqual(cpulist.parse_list("0-3,8,10-11\n"), frozenset({0, 1, 2, 3, 8, 10, 11}))
        self.assertEqual(cpulist.parse_list(""), frozenset())
        self.assertEqual(cpulist.parse_list("0-7:2/4"), frozenset({0, 1, 4, 5}))  # kernel grouped form
        self.assertEqual(cpulist.format_list([11, 0, 1, 2, 3, 8, 10]), "0-3,8,10-11")
        self.assertEqual(cpulist.format_list([]), "")
        with self.assertRaises(ValueError):
            cpulist.parse_list("3-1")
        with self.assertRaises(ValueError):
            cpulist.parse_list("a")

    def test_masks_keep_the_kernel_layout(self) -> None:
        self.assertEqual(cpulist.parse_mask("ff,ffffffff"), frozenset(range(40)))
        self.assertEqual(cpulist.parse_mask("00000000,00000001"), frozenset({0}))
        self.assertEqual(cpulist.format_mask({0}, like="3"), "1")
        self.assertEqual(cpulist.format_mask({0, 31}, like="ffffffff"), "80000001")
        self.assertEqual(cpulist.format_mask({32}, like="00000000,ffffffff"), "00000001,00000000")
        self.assertEqual(cpulist.format_mask({0, 39}), "80,00000001")
        for cpus in ({0}, {5, 63}, set(range(96))):
            self.assertEqual(cpulist.parse_mask(cpulist.format_mask(cpus)), frozenset(cpus))

    def test_hwloc_bitmaps(self) -> None:
        self.assertEqual(cpulist.parse_hwloc_bitmap("0x80000000,,0x0"), frozenset({95}))
        self.assertEqual(cpulist.parse_hwloc_bitmap("0x0000f06f"), frozenset({0, 1, 2, 3, 5, 6, 12, 13, 14, 15}))
        with self.assertRaises(ValueError):
            cpulist.parse_hwloc_bitmap("0xf...f,0x1")


class Topologies(unittest.TestCase):
    def test_reader_agrees_with_hwloc_calc(self) -> None:
        for name in sorted(os.listdir(TOPOLOGIES)):
            if not name.endswith(".xml"):
                continue
            path = os.path.join(TOPOLOGIES, name)
            with self.subTest(topology=name):
                topo = topology.load_file(path)

                def calc(*args: str) -> list[int]:
                    out = subprocess.run(["hwloc-calc", "-i", path, *args], check=True, capture_output=True,
                                         text=True).stdout
                    return sorted(int(x) for x in out.strip().split(",") if x)

                self.assertEqual(sorted(topo.pus), calc("--po", "-I", "pu", "all"))
                self.assertEqual(len(topo.cores), int(subprocess.run(
                    ["hwloc-calc", "-i", path, "-N", "core", "all"], check=True, capture_output=True,
                    text=True).stdout))
                for n, node in topo.nodes.items():
                    if node.cpus:
                        self.assertEqual(sorted(node.cpus), calc("--pi", "--po", "-I", "pu", f"numa:{n}"))
                for dev in topo.pci:
                    for osdev in dev.os_devices:
                        if osdev.kind == "network" and not dev.machine_wide:
                            self.assertEqual(list(dev.nodes), calc(f"os={osdev.name}", "--po", "-I", "numa"),
                                             osdev.name)

    def test_nic_locality_on_32em64t(self) -> None:
        topo = topology.load_file(TOPO_32)
        by_name = {d.name: p for p in topo.pci for d in p.os_devices}
        self.assertEqual(by_name["eth0"].busid, "0000:81:00.0")
        self.assertEqual(by_name["eth0"].nodes, (1,))
        self.assertEqual(by_name["mlx5_0"].busid, "0000:04:00.0")
        self.assertEqual(by_name["mlx5_0"].nodes, (1,))
        self.assertEqual(topo.distances[(0, 1)], 20)
        self.assertEqual(topo.siblings(9), frozenset({25}))

    def test_bad_input_names_the_file(self) -> None:
        with tempfile.NamedTemporaryFile("w", suffix=".xml") as f:
            f.write("<notatopology/>")
            f.flush()
            with self.assertRaisesRegex(topology.TopologyError, re.escape(f.name)):
                topology.load_file(f.name)


class Hugepages(unittest.TestCase):
    def test_record_sizes_match_book_static_asserts(self) -> None:
        def header(name: str) -> str:
            with open(os.path.join(SOURCE, "book/include/tachyon/book", name)) as f:
                return f.read()
        self.assertIn(f"static_assert(sizeof(Order) == {hugepages.ORDER_BYTES}", header("order_pool.h"))
        self.assertIn(f"static_assert(sizeof(Level) == {hugepages.LEVEL_BYTES}", header("price_level.h"))
        self.assertIn(f"static_assert(sizeof(Entry) == {hugepages.INDEX_ENTRY_BYTES})", header("order_index.h"))
        self.assertIn(f"static_assert(sizeof(LadderEntry) == {hugepages.LADDER_ENTRY_BYTES})", header("ladder_arena.h"))
        self.assertIn("static_assert(sizeof(Event) == kCacheLine)", header("event.h"))
        self.assertEqual(hugepages.EVENT_BYTES, 64)
        self.assertIn("kMinShift = 4;", header("ladder_arena.h"))  # chunk_entries(0) == 16

    def test_default_pools_seven_shards(self) -> None:
        # 32 MiB orders + 2 MiB levels + 16 MiB index (2^21 slots) + 16 B x (4 x 65536 + 32)
        # arena + 4 MiB events = 60817920 B per shard.
        hp = hugepages.size(hugepages.Pools(), 7, 1, None, [2048, 1048576])
        self.assertEqual(sum(hp.per_shard.values()), 33554432 + 2097152 + 16777216 + 4194816 + 4194304)
        total = 7 * 60817920 + 7 * 8192 * 2304 + 64 * 1048576
        self.assertEqual(hp.bytes_needed, total)
        self.assertEqual((hp.page_kb, hp.count, hp.node), (2048, -(-total // 2097152), 1))
        self.assertEqual(hp.count, 299)

    def test_small_pools_and_gigantic_pages(self) -> None:
        p = hugepages.Pools(max_orders=1000, max_levels=100, max_symbols=4, ring_events=1024, shards=2, queues=1,
                            mbufs=100, mbuf_bytes=2000, headroom_mib=0)
        hp = hugepages.size(p, 5, 0, None, [2048])
        self.assertEqual(hp.per_shard, {"orders": 32000, "levels": 3200, "order_index": 8 * 2048,
                                        "ladder_arena": 16 * (400 + 128), "event_ring": 65536})
        self.assertEqual(hp.bytes_needed, 2 * 125568 + 100 * 2000)
        self.assertEqual(hp.count, 1)
        big = hugepages.Pools(max_orders=1 << 24)
        self.assertEqual(hugepages.size(big, 4, 0, None, [2048, 1048576]).page_kb, 1048576)
        self.assertEqual(hugepages.size(big, 4, 0, None, [2048]).page_kb, 2048)  # no 1 GiB pages offered
        self.assertEqual(hugepages.size(big, 4, 0, 2048, [2048, 1048576]).page_kb, 2048)


class KernelFileModel(unittest.TestCase):
    def test_selector_files_read_back_like_the_kernel(self) -> None:
        self.assertEqual(parse_selector("always [madvise] never\n"), ("madvise", ("always", "madvise", "never")))
        self.assertIsNone(parse_selector("0-3\n"))
        with tempfile.TemporaryDirectory() as root:
            write(root, "sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never\n")
            io = TreeIO(root)
            io.write("sys/kernel/mm/transparent_hugepage/enabled", "never")
            self.assertEqual(io.read("sys/kernel/mm/transparent_hugepage/enabled"), "always madvise [never]\n")
            with self.assertRaisesRegex(WriteError, "Invalid argument"):
                io.write("sys/kernel/mm/transparent_hugepage/enabled", "sometimes")
            with self.assertRaisesRegex(WriteError, "no such file"):
                io.write("proc/sys/kernel/absent", "0")


if __name__ == "__main__":
    unittest.main()
