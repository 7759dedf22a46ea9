// Feed mode on shard cores: ItchRouter sends each ITCH message to the shard that owns
// its stock locate (ShardMap), and FeedMirrorHandler mirrors that shard's symbols into
// its own BookShard, allocated on the shard core's NUMA node. The router runs on the
// dispatch core, each handler on its shard core; neither is thread-safe.
//
// Feed messages keep their order: every message of a symbol goes to one shard, in the
// normal lane (the priority lane is for match mode; reordering a venue's feed would
// break the mirror). System-wide messages (locate 0) go to shard 0.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tachyon/book/book_shard.h"
#include "tachyon/dataplane/big_endian.h"
#include "tachyon/dataplane/itch_book_builder.h"
#include "tachyon/dataplane/message_record.h"
#include "tachyon/dataplane/numa_memory.h"
#include "tachyon/dataplane/priority_ring.h"
#include "tachyon/dataplane/shard_map.h"

namespace tachyon::dataplane {

class OutputSink;

class ItchRouter {
 public:
  explicit ItchRouter(ShardMap& map) noexcept : map_(&map) {}

  // Returns the shard of msg; binds its locate on first sight (cold: may allocate the
  // symbol's name once). Hot path.
  uint32_t route(std::span<const uint8_t> msg, Lane& lane) noexcept {
    lane = Lane::kNormal;
    if (msg.size() < 3) [[unlikely]]
      return 0;
    const uint16_t locate = load_be16(msg.data() + 1);
    const uint8_t s = map_->shard_of_locate(locate);
    if (s != ShardMap::kUnassigned) [[likely]]
      return s;
    return bind(locate, msg);
  }

  // The shard route() gave msg, without binding anything: for shard cores walking a
  // datagram handed to them whole (its symbols were bound on the dispatch core before
  // the hand-off). Hot path.
  uint32_t owner(std::span<const uint8_t> msg) const noexcept {
    if (msg.size() < 3) [[unlikely]]
      return 0;
    return map_->shard_of_locate(load_be16(msg.data() + 1));
  }

  const ShardMap& map() const noexcept { return *map_; }

 private:
  // The stock named by a Stock Directory (R) or Add Order (A, F), if msg is one.
  [[gnu::cold]] uint32_t bind(uint16_t locate, std::span<const uint8_t> msg) noexcept;

  ShardMap* map_;
};

// Counts trades leaving the mirror (feed mode: executions).
struct TradeCount {
  uint64_t trades = 0;
  void on_event(const book::Event& e) noexcept {
    if (e.kind == book::EventKind::kTrade) ++trades;
  }
};

class FeedMirrorHandler {
 public:
  // Allocates the shard's books (book config) from a NodeLocalResource on node (-1:
  // first touch) and its ITCH feed handler. Control path, before the core starts.
  FeedMirrorHandler(const book::BookConfig& book, int node, const std::string& name,
                    itch::ApplyMode mode = itch::ApplyMode::kBatched);
  FeedMirrorHandler(const FeedMirrorHandler&) = delete;
  FeedMirrorHandler& operator=(const FeedMirrorHandler&) = delete;

  // Decodes and applies one message (staged in kBatched mode). Hot path.
  void on_message(const MessageRecord& m, OutputSink&) noexcept {
    if (builder_.apply(m.bytes, m.length) != DecodeStatus::kOk) [[unlikely]]
      ++decode_errors_;
  }
  // The same for a message read in place (packet hand-off). Hot path.
  void on_bytes(std::span<const uint8_t> msg, uint64_t, uint8_t, OutputSink&) noexcept {
    if (builder_.apply(msg.data(), msg.size()) != DecodeStatus::kOk) [[unlikely]]
      ++decode_errors_;
  }
  // Applies what is staged: the books are current after this. Hot path.
  void on_burst_end(OutputSink&) noexcept { builder_.flush(); }

  const book::BookShard& shard() const noexcept { return *shard_; }
  const itch::BookBuilder<TradeCount>& builder() const noexcept { return builder_; }
  uint64_t trades() const noexcept { return trades_.trades; }
  uint64_t decode_errors() const noexcept { return decode_errors_; }
  // The names of this shard's SymbolIds (from Stock Directory messages).
  std::vector<std::string> names() const;
  const NodeLocalResource& memory() const noexcept { return *memory_; }

 private:
  std::unique_ptr<NodeLocalResource> memory_;
  std::unique_ptr<book::BookShard> shard_;
  TradeCount trades_;
  itch::BookBuilder<TradeCount> builder_;
  uint64_t decode_errors_ = 0;
};

}  // namespace tachyon::dataplane
