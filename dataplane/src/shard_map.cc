// ShardMap: configured and balanced symbol -> shard assignment. Control path and the
// dispatch core's cold path.
#include "tachyon/dataplane/shard_map.h"

#include <cstring>
#include <stdexcept>

namespace tachyon::dataplane {

ShardMap::ShardMap(uint32_t shards, const std::vector<std::pair<std::string, uint32_t>>& fixed)
    : shards_(shards), load_(shards, 0.0), locate_(new uint8_t[65536]) {
  if (shards == 0 || shards > kMaxShards)
    throw std::invalid_argument("shard map: " + std::to_string(shards) + " shards: must be in [1, " +
                                std::to_string(kMaxShards) + "]");
  std::memset(locate_.get(), kUnassigned, 65536);
  for (const auto& [name, shard] : fixed) {
    if (shard >= shards)
      throw std::invalid_argument("shard map: symbol " + name + " -> shard " + std::to_string(shard) +
                                  ": only shards 0.." + std::to_string(shards - 1) + " exist");
    fixed_[name] = shard;
  }
}

uint32_t ShardMap::least_loaded() const noexcept {
  uint32_t best = 0;
  for (uint32_t s = 1; s < shards_; ++s)
    if (load_[s] < load_[best]) best = s;
  return best;
}

uint32_t ShardMap::assign(std::string_view name, double weight) {
  const std::string key(name);
  if (auto it = assigned_.find(key); it != assigned_.end()) return it->second;
  const auto f = fixed_.find(key);
  const uint32_t shard = f != fixed_.end() ? f->second : least_loaded();
  load_[shard] += weight;
  assigned_.emplace(key, shard);
  order_.emplace_back(key, shard);
  return shard;
}

uint32_t ShardMap::bind_locate(uint16_t locate, std::string_view name) {
  if (locate_[locate] != kUnassigned) return locate_[locate];
  uint32_t shard = 0;
  if (locate == 0) {
    shard = 0;
  } else if (!name.empty()) {
    shard = assign(name);
  } else {
    shard = least_loaded();
    load_[shard] += 1.0;
  }
  locate_[locate] = static_cast<uint8_t>(shard);
  return shard;
}

std::string ShardMap::describe() const {
  std::string s;
  for (uint32_t shard = 0; shard < shards_; ++shard) {
    s += (shard ? "; shard " : "shard ") + std::to_string(shard) + ":";
    for (const auto& [name, sh] : order_)
      if (sh == shard) s += " " + name;
  }
  return s;
}

}  // namespace tachyon::dataplane
