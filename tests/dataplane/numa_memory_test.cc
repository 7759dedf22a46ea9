// NodeLocalResource and CPU pinning: blocks are placed on the requested node and the
// placement is recorded and printed; a BookShard built on the resource lives there;
// a pinned thread runs on its CPU and enter_core records where.
#include <gtest/gtest.h>

#include <thread>

#include "tachyon/book/book_shard.h"
#include "tachyon/dataplane/core_thread.h"
#include "tachyon/dataplane/cpu_pinning.h"
#include "tachyon/dataplane/numa_memory.h"

namespace tachyon::dataplane {
namespace {

TEST(NumaMemory, BlocksLandOnTheRequestedNodeAndSaySo) {
  const int cpu = allowed_cpus().front();
  const int node = numa_node_of_cpu(cpu);
  ASSERT_GE(node, 0);
  NodeLocalResource mr(node, "test pool");
  void* p = mr.allocate(3 << 20, 64);
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(mr.placements().size(), 1u);
  const BlockPlacement& b = mr.placements()[0];
  EXPECT_EQ(b.bytes, std::size_t{3} << 20);
  EXPECT_EQ(b.requested_node, node);
  // Touched before it was handed out: the kernel knows where every page is.
  EXPECT_EQ(b.actual_node, node) << b.method;
  EXPECT_EQ(mr.bytes_live(), std::size_t{3} << 20);
  const std::string d = mr.describe();
  EXPECT_NE(d.find("test pool: 1 blocks, 3.0 MiB, requested node " + std::to_string(node) + ", on node " +
                   std::to_string(node)),
            std::string::npos)
      << d;
  mr.deallocate(p, 3 << 20, 64);
  EXPECT_EQ(mr.bytes_live(), 0u);
}

TEST(NumaMemory, ABookShardAllocatesEveryPoolFromTheResource) {
  NodeLocalResource mr(numa_node_of_cpu(allowed_cpus().front()), "shard books");
  book::BookConfig cfg;
  cfg.max_orders = 1 << 12;
  cfg.max_levels = 1 << 10;
  cfg.max_symbols = 8;
  {
    book::BookShard shard(cfg, &mr);
    EXPECT_GE(mr.bytes_live(), shard.memory_bytes() / 2);
    EXPECT_GE(mr.placements().size(), 4u);  // orders, index, levels, ladders, books
    for (const BlockPlacement& b : mr.placements()) EXPECT_GE(b.actual_node, 0) << b.method;
  }
  EXPECT_EQ(mr.bytes_live(), 0u);
}

TEST(CpuPinning, APinnedThreadRunsOnItsCpuAndEnterCoreRecordsIt) {
  const std::vector<int> cpus = allowed_cpus();
  ASSERT_FALSE(cpus.empty());
  const int cpu = cpus.back();
  CorePlacement seen;
  std::thread t([&] {
    seen = enter_core("shard 0", cpu, false);
    leave_core(seen);
  });
  t.join();
  EXPECT_EQ(seen.role, "shard 0");
  EXPECT_EQ(seen.requested_cpu, cpu);
  EXPECT_EQ(seen.cpu, cpu);
  EXPECT_EQ(seen.node, numa_node_of_cpu(cpu));
  EXPECT_TRUE(seen.note.empty()) << seen.note;
  EXPECT_EQ(seen.dpdk_lcore, -1);  // no EAL in this process
}

TEST(CpuPinning, PinningToAMissingCpuIsReportedNotFatal) {
  CorePlacement seen;
  std::thread t([&] { seen = enter_core("dispatch", 4000, false); });
  t.join();
  EXPECT_NE(seen.note.find("dispatch: hwloc_set_cpubind(cpu 4000, thread) failed"), std::string::npos) << seen.note;
  EXPECT_GE(seen.cpu, 0);
  EXPECT_GE(numa_nodes(), 1);
  EXPECT_NE(describe_topology().find("node 0: cpus "), std::string::npos) << describe_topology();
}

}  // namespace
}  // namespace tachyon::dataplane
