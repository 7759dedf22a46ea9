// ShardMap: which shard core owns which symbol. Symbols named in the config go to
// their configured shard; every other symbol goes, on first sight, to the shard with
// the least expected load so far (its weight; 1 each unless told), lowest index on a
// tie. The dispatch core maps ITCH stock locates through a flat table (64 KiB), filled
// as locates first appear. Owned by the dispatch core after start; not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tachyon::dataplane {

class ShardMap {
 public:
  static constexpr uint8_t kUnassigned = 0xFF;
  static constexpr uint32_t kMaxShards = 254;

  // fixed: symbol name -> shard from the config. Throws std::invalid_argument when
  // shards is 0 or above kMaxShards, or a fixed shard is >= shards. Control path.
  explicit ShardMap(uint32_t shards, const std::vector<std::pair<std::string, uint32_t>>& fixed = {});

  uint32_t shards() const noexcept { return shards_; }

  // Returns the shard of name, assigning it now when new (configured shard, else the
  // least loaded; weight is its expected share of the load). Control path or cold.
  uint32_t assign(std::string_view name, double weight = 1.0);

  // Returns the shard of an ITCH stock locate, or kUnassigned. Hot path, O(1).
  uint8_t shard_of_locate(uint16_t locate) const noexcept { return locate_[locate]; }

  // Binds a locate seen for the first time: to name's shard when the first message
  // names the stock (Stock Directory, Add Order), else to the least-loaded shard.
  // Locate 0 (system-wide messages) always binds to shard 0. Cold path (once per
  // locate); allocates when it records a new name.
  uint32_t bind_locate(uint16_t locate, std::string_view name);

  // (symbol name, shard) for every name assigned so far, in assignment order.
  const std::vector<std::pair<std::string, uint32_t>>& assignments() const noexcept { return order_; }
  // Expected load per shard (sum of the weights assigned to it).
  const std::vector<double>& loads() const noexcept { return load_; }
  // "shard 0: AAPL MSFT; shard 1: NVDA AMZN".
  std::string describe() const;

 private:
  uint32_t least_loaded() const noexcept;

  uint32_t shards_;
  std::unordered_map<std::string, uint32_t> fixed_;
  std::unordered_map<std::string, uint32_t> assigned_;
  std::vector<std::pair<std::string, uint32_t>> order_;
  std::vector<double> load_;
  std::unique_ptr<uint8_t[]> locate_;
};

}  // namespace tachyon::dataplane
