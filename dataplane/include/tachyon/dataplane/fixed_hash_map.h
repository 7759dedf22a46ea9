// Fixed-capacity open-addressing hash map for the data plane (OUCH token tables, ITCH
// reference maps): linear probing, backward-shift deletion, no allocation after
// construction. Owned by one core; not thread-safe.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <type_traits>

namespace tachyon::dataplane {

// Key must be trivially copyable, equality-comparable, and hashed by Hash (a callable
// returning uint64_t). Value must be trivially copyable.
template <class Key, class Value, class Hash>
class FixedHashMap {
  static_assert(std::is_trivially_copyable_v<Key> && std::is_trivially_copyable_v<Value>);

 public:
  // Holds up to max_entries entries at a load factor of at most 0.5. Control path.
  explicit FixedHashMap(std::size_t max_entries)
      : mask_(std::bit_ceil(std::max<std::size_t>(max_entries, 4) * 2) - 1),
        max_entries_(max_entries),
        slots_(new Slot[mask_ + 1]) {
    for (std::size_t i = 0; i <= mask_; ++i) slots_[i].used = false;
  }

  // Returns a pointer to the value of key, or nullptr. Expected O(1), hot path.
  Value* find(const Key& key) noexcept {
    for (std::size_t p = home(key);; p = (p + 1) & mask_) {
      Slot& s = slots_[p];
      if (!s.used) return nullptr;
      if (s.key == key) return &s.value;
    }
  }
  const Value* find(const Key& key) const noexcept { return const_cast<FixedHashMap*>(this)->find(key); }

  // Inserts key -> value. Returns false (map unchanged) when key is present or the map
  // holds max_entries already. Hot path.
  bool insert(const Key& key, const Value& value) noexcept {
    if (size_ >= max_entries_) return false;
    std::size_t p = home(key);
    for (;; p = (p + 1) & mask_) {
      Slot& s = slots_[p];
      if (!s.used) break;
      if (s.key == key) return false;
    }
    slots_[p].key = key;
    slots_[p].value = value;
    slots_[p].used = true;
    ++size_;
    return true;
  }

  // Removes key; returns whether it was present. Hot path.
  bool erase(const Key& key) noexcept {
    std::size_t p = home(key);
    for (;; p = (p + 1) & mask_) {
      if (!slots_[p].used) return false;
      if (slots_[p].key == key) break;
    }
    std::size_t hole = p;
    for (std::size_t j = (p + 1) & mask_; slots_[j].used; j = (j + 1) & mask_) {
      const std::size_t h = home(slots_[j].key);
      // Entry j may fill the hole unless its home lies cyclically in (hole, j].
      if (((j - h) & mask_) >= ((j - hole) & mask_)) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole].used = false;
    --size_;
    return true;
  }

  std::size_t size() const noexcept { return size_; }
  std::size_t max_entries() const noexcept { return max_entries_; }

  // Calls f(const Key&, const Value&) for every entry, in table order (deterministic
  // for a given sequence of operations). O(capacity); control path.
  template <class F>
  void for_each(F&& f) const {
    for (std::size_t i = 0; i <= mask_; ++i)
      if (slots_[i].used) f(slots_[i].key, slots_[i].value);
  }

  // Removes every entry. O(capacity); control path.
  void clear() noexcept {
    for (std::size_t i = 0; i <= mask_; ++i) slots_[i].used = false;
    size_ = 0;
  }

 private:
  struct Slot {
    Key key;
    Value value;
    bool used;
  };
  std::size_t home(const Key& key) const noexcept { return static_cast<std::size_t>(Hash{}(key)) & mask_; }

  std::size_t mask_;
  std::size_t max_entries_;
  std::size_t size_ = 0;
  std::unique_ptr<Slot[]> slots_;
};

// A 64-bit mixer (splitmix64 finaliser) for integer keys.
constexpr uint64_t mix64(uint64_t h) noexcept {
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

struct U64Hash {
  uint64_t operator()(uint64_t k) const noexcept { return mix64(k); }
};

}  // namespace tachyon::dataplane
