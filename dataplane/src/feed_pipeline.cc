// Feed mode on shard cores: ItchRouter's cold binding, FeedMirrorHandler set-up, and
// run_feed_pipeline (placement, run, totals). Control thread, except
// ItchRouter::bind on the dispatch core.
#include "tachyon/dataplane/feed_pipeline.h"

#include "tachyon/dataplane/book_digest.h"
#include "tachyon/dataplane/cpu_pinning.h"
#include "tachyon/dataplane/feed_shard.h"

namespace tachyon::dataplane {

uint32_t ItchRouter::bind(uint16_t locate, std::span<const uint8_t> msg) noexcept {
  std::string_view name;
  const auto stock_at = [&](std::size_t off) {
    if (msg.size() >= off + 8) name = std::string_view(reinterpret_cast<const char*>(msg.data() + off), 8);
  };
  switch (msg[0]) {
    case 'R': stock_at(11); break;  // Stock Directory: stock at offset 11
    case 'A':
    case 'F': stock_at(24); break;  // Add Order: stock at offset 24
    default: break;
  }
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  return map_->bind_locate(locate, name);
}

FeedMirrorHandler::FeedMirrorHandler(const book::BookConfig& book, int node, const std::string& name,
                                     itch::ApplyMode mode)
    : memory_(std::make_unique<NodeLocalResource>(node, name)),
      shard_(std::make_unique<book::BookShard>(book, memory_.get())),
      builder_(*shard_, trades_, mode) {}

std::vector<std::string> FeedMirrorHandler::names() const {
  std::vector<std::string> out(shard_->symbols());
  for (uint32_t s = 0; s < builder_.symbols_mapped(); ++s)
    out[s] = std::string(builder_.name(book::SymbolId{s}).trimmed());
  return out;
}

uint64_t FeedPipelineResult::messages() const noexcept {
  uint64_t n = 0;
  for (const ShardCoreReport& s : report.shards) n += s.messages;
  return n;
}

FeedPipelineResult run_feed_pipeline(nic::NicPort& port, const FeedPipelineOptions& o, const std::atomic<bool>* stop) {
  const uint32_t n = o.pipeline.shards;
  ShardMap map(n, o.shard_of_symbol);
  std::vector<std::unique_ptr<FeedMirrorHandler>> handlers;
  std::vector<std::unique_ptr<NodeLocalResource>> ring_memory;
  PipelineOptions po = o.pipeline;
  po.ring_memory.clear();
  for (uint32_t s = 0; s < n; ++s) {
    const int cpu = s < po.shard_cpus.size() ? po.shard_cpus[s] : -1;
    const int node = o.numa_local && cpu >= 0 ? numa_node_of_cpu(cpu) : -1;
    handlers.push_back(
        std::make_unique<FeedMirrorHandler>(o.book, node, "shard " + std::to_string(s) + " books", o.apply));
    ring_memory.push_back(std::make_unique<NodeLocalResource>(node, "shard " + std::to_string(s) + " rings"));
    po.ring_memory.push_back(ring_memory.back().get());
  }
  FeedPipelineResult res;
  {
    ShardPipeline<ItchRouter, FeedMirrorHandler> p(port, ItchRouter(map), std::move(handlers), po);
    p.start();
    res.report = p.wait(stop);
    std::vector<std::vector<std::string>> names(n);
    std::vector<NamedShard> shards;
    for (uint32_t s = 0; s < n; ++s) {
      const FeedMirrorHandler& h = p.handler(s);
      names[s] = h.names();
      shards.push_back(NamedShard{&h.shard(), names[s]});
      const itch::BookBuilderStats& st = h.builder().stats();
      for (std::size_t t = 0; t < 256; ++t) res.by_type[t] += st.messages[t];
      res.unknown_refs += st.total_unknown_refs();
      for (const uint64_t r : st.rejects) res.book_rejects += r;
      res.book_rejects += st.bad_side + st.unmapped_symbol;
      res.trades += h.trades();
      res.decode_errors += h.decode_errors();
      res.symbols += h.builder().symbols_mapped();
      res.live_orders += h.shard().live_orders();
      for (uint32_t b = 0; b < h.shard().symbols(); ++b) {
        const book::OrderBook& ob = h.shard().book(book::SymbolId{b});
        if (ob.level_count(book::Side::kBuy) + ob.level_count(book::Side::kSell) > 0) ++res.books;
      }
      res.memory.push_back(h.memory().describe());
      res.report.shards[s].memory = h.memory().describe();
    }
    for (const auto& m : ring_memory) res.memory.push_back(m->describe());
    res.book_hash = book_digest(std::span<const NamedShard>(shards));
    res.shard_map = map.describe();
  }
  return res;
}

}  // namespace tachyon::dataplane
