// Feed mode on shard cores: ItchRouter's cold binding, FeedMirrorHandler set-up, and
// run_feed_pipeline (placement, run, totals). Control thread, except
// ItchRouter::bind on the dispatch core.
#include "tachyon/dataplane/feed_pipeline.h"

#include "tachyon/dataplane/book_digest.h"
#include "tachyon/dataplane/cpu_pinning.h"
#include "tachyon/dataplane/feed_shard.h"
#include "tachyon/nic/open_nic.h"

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
    const int node = o.memory_node >= 0 ? o.memory_node : o.numa_local && cpu >= 0 ? numa_node_of_cpu(cpu) : -1;
    handlers.push_back(
        std::make_unique<FeedMirrorHandler>(o.book, node, "shard " + std::to_string(s) + " books", o.apply));
    ring_memory.push_back(std::make_unique<NodeLocalResource>(node, "shard " + std::to_string(s) + " rings"));
    po.ring_memory.push_back(ring_memory.back().get());
  }
  FeedPipelineResult res;
  {
    ShardPipeline<ItchRouter, FeedMirrorHandler> p(port, ItchRouter(map), std::move(handlers), po);
    p.start();
    if (o.on_running) o.on_running(&p);
    res.report = p.wait(stop);
    if (o.on_running) o.on_running(nullptr);
    std::vector<std::vector<std::string>> names(n);
    std::vector<NamedShard> shards;
    for (uint32_t s = 0; s < n; ++s) {
      const FeedMirrorHandler& h = p.handler(s);
      names[s] = h.names();
      shards.push_back(NamedShard{&h.shard(), names[s]});
      const itch::BookBuilderStats& st = h.builder().stats();
      for (std::size_t t = 0; t < 256; ++t) res.by_type[t] += st.messages[t];
      res.unknown_refs += st.total_unknown_refs();
      for (std::size_t t = 0; t < 256; ++t) res.unknown_refs_by_type[t] += st.unknown_refs[t];
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

ReplaySummary replay_feed_on_cores(const ReplayOptions& opt, uint32_t shards, FeedPipelineResult* out) {
  ReplaySummary sum;
  sum.input = opt.input;
  sum.mode = ReplayMode::kFeed;
  sum.format = detect_input(opt.input);
  if (sum.format != InputFormat::kPcap && sum.format != InputFormat::kPcapng)
    throw ReplayError(opt.input + ": --cores replays pcap/pcapng captures (ITCH in MoldUDP64); this is " +
                      to_string(sum.format));
  if (std::string err = opt.book.validate(); !err.empty()) throw ReplayError(err);
  if (opt.nic == nic::NicBackendKind::kSocket)
    throw ReplayError(opt.input + ": --nic socket receives live UDP, it cannot replay a capture (use pcap or dpdk)");
  nic::NicOptions no;
  no.backend = opt.nic;
  no.eal_args = opt.eal_args;
  no.rx_pcap = opt.input;
  nic::OpenedNic n = nic::open_nic(no);
  sum.nic_notes = n.notes;
  sum.nic_notes.push_back("nic: " + n.port.describe());
  for (const std::string& p : n.pools) sum.nic_notes.push_back("nic: " + p);

  FeedPipelineOptions fo;
  fo.book = opt.book;
  fo.pipeline.shards = shards;
  fo.pipeline.filter = opt.filter;
  fo.pipeline.policy = BackpressurePolicy::kBlock;  // a replay loses nothing
  fo.pipeline.packet_handoff = opt.packet_handoff;
  fo.memory_node = opt.memory_node;
  if (!opt.cpus.empty() && opt.cpus.size() < shards + 1)
    throw ReplayError(std::to_string(shards + 1) + " data-plane cores (1 dispatch + " + std::to_string(shards) +
                      " shard) need as many CPUs, but " + std::to_string(opt.cpus.size()) +
                      " were given (ReplayOptions::cpus)");
  const std::vector<int> cpus = opt.cpus.empty() ? allowed_cpus() : opt.cpus;
  const bool pin = cpus.size() >= shards + 1;
  fo.pipeline.dispatch_cpu = pin ? cpus[0] : -1;
  for (uint32_t s = 0; s < shards; ++s) fo.pipeline.shard_cpus.push_back(pin ? cpus[s + 1] : -1);
  if (!pin) {
    fo.pipeline.idle_yield_after = 64;  // more cores than CPUs: let them share
    sum.nic_notes.push_back("cores: " + std::to_string(shards + 1) + " data-plane threads on " +
                            std::to_string(cpus.size()) + " CPUs: not pinned, yielding when idle");
  }
  FeedPipelineResult r = run_feed_pipeline(n.port, fo);
  const PipelineReport& p = r.report;
  sum.messages = r.messages();
  sum.by_type = r.by_type;
  sum.packets = p.decoded.packets;
  sum.bytes = p.decoded.bytes;
  sum.filtered = p.decoded.filtered;
  const uint64_t malformed = p.decoded.bad_frames + p.decoded.bad_datagrams + p.decoded.too_many_sessions +
                             p.oversize + p.unroutable + r.decode_errors;
  if (malformed > 0)
    sum.malformed.add(std::to_string(malformed) + " frames, datagrams or messages did not decode (" +
                      std::to_string(p.decoded.bad_frames) + " frames, " + std::to_string(p.decoded.bad_datagrams) +
                      " MoldUDP64 datagrams, " + std::to_string(r.decode_errors) +
                      " ITCH messages); replay without --cores names each");
  sum.malformed.count = malformed;
  sum.sessions = p.sessions;
  sum.gaps = p.gaps;
  sum.duplicates = p.duplicates;
  sum.out_of_order = p.out_of_order;
  sum.heartbeats = p.decoded.heartbeats;
  sum.end_of_sessions = p.end_of_sessions;
  sum.unknown_refs = r.unknown_refs;
  sum.unknown_refs_by_type = r.unknown_refs_by_type;
  sum.book_rejects = r.book_rejects;
  sum.live_orders = r.live_orders;
  sum.symbols = r.symbols;
  sum.books = r.books;
  sum.trades = r.trades;
  sum.book_hash = r.book_hash;
  sum.seconds = p.seconds;
  sum.msgs_per_s = p.seconds > 0 ? static_cast<double>(sum.messages) / p.seconds : 0;
  for (const ShardCoreReport& s : p.shards) sum.latency->merge(*s.rx_to_book);
  if (out) *out = std::move(r);
  return sum;
}

}  // namespace tachyon::dataplane
