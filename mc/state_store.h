// The visited states of the explicit-state checker, safe to insert into from
// several threads at once.
//
// Two modes:
//   exact          every packed state is kept; two states are one iff their
//                  packed bytes are equal (StateLayout makes that exact).
//   hash-compact   only a 64-bit fingerprint of each state is kept (Stern and
//                  Dill's hash compaction; SPIN's -DHC). Two distinct states
//                  with equal fingerprints are taken for one, and the second
//                  is never explored: an omission. With n states and a hash
//                  that behaves randomly, the probability that any omission
//                  happened is at most n(n-1)/2^65 (OmissionProbability).
//                  About 20 bytes per state instead of the packed width
//                  plus 20.
//
// Each state also records how it was first reached: the id of its parent
// and the label of the move (mc/explicit.cc), so that a breadth-first
// search can rebuild the path to any state without keeping states.
//
// The store is split into shards by the top bits of the hash, each with its
// own lock, table and arrays: insertions from different threads rarely meet.
#ifndef LIFECHECK_MC_STATE_STORE_H_
#define LIFECHECK_MC_STATE_STORE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace lifecheck {

// A 64-bit hash of `n` bytes (wyhash-style: 64x64->128-bit multiplies
// folded), fast on the 30-150 byte states the checker packs.
uint64_t HashBytes(const uint8_t* p, size_t n);

class StateStore {
 public:
  enum class Mode { kExact, kHashCompact };
  StateStore(int width, Mode mode);
  ~StateStore();

  int width() const { return width_; }
  Mode mode() const { return mode_; }

  // Inserts the packed state `bytes` (hash = HashBytes(bytes, width())),
  // recording (parent, label) if it is new. Returns (id, true) for a new
  // state, (its id, false) for a known one. Thread-safe.
  std::pair<uint32_t, bool> Insert(const uint8_t* bytes, uint64_t hash,
                                   uint32_t parent, uint16_t label);
  // The id of a known state, or -1. Thread-safe.
  int64_t Find(const uint8_t* bytes, uint64_t hash) const;

  // How state `id` was first reached (the root is its own parent).
  uint32_t parent(uint32_t id) const;
  uint16_t label(uint32_t id) const;

  uint64_t size() const;
  // Bytes held (tables, arenas and arrays at their allocated capacity).
  size_t MemoryBytes() const;
  // Hash compaction: the bound n(n-1)/2^65 for n = size(); 0 when exact.
  double OmissionProbability() const;

 private:
  struct Shard;
  static constexpr int kShardBits = 6;
  static constexpr int kLocalBits = 32 - kShardBits;
  static int ShardOf(uint64_t hash) {
    return static_cast<int>(hash >> (64 - kShardBits));
  }
  const int width_;
  const Mode mode_;
  std::array<std::unique_ptr<Shard>, 1 << kShardBits> shards_;
};

}  // namespace lifecheck

#endif  // LIFECHECK_MC_STATE_STORE_H_
