#include "mc/state_store.h"

#include <bit>
#include <cmath>
#include <cstring>

#include "spec/check.h"

namespace lifecheck {
namespace {

inline uint64_t Read64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint64_t Mum(uint64_t a, uint64_t b) {
  const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}
constexpr uint64_t kP0 = 0xa0761d6478bd642full, kP1 = 0xe7037ed1a0b428dbull,
                   kP2 = 0x8ebc6af09c88c6e3ull;

}  // namespace

uint64_t HashBytes(const uint8_t* p, size_t n) {
  uint64_t seed = kP0 ^ n;
  while (n >= 16) {
    seed = Mum(Read64(p) ^ kP1, Read64(p + 8) ^ seed);
    p += 16;
    n -= 16;
  }
  uint8_t tail[16] = {};
  std::memcpy(tail, p, n);
  seed = Mum(Read64(tail) ^ kP1, Read64(tail + 8) ^ seed);
  return Mum(seed ^ kP2, seed);
}

// One shard: an open-addressing table (linear probing, power-of-two size,
// at most 80% full) of 64-bit slots, 0 = empty, and the states' records.
//   exact: slot = (low 32 bits of the hash) << 32 | (local index + 1); the
//          record holds the packed bytes.
//   hash-compact: slot = the hash itself (0 stored as 1), no bytes.
// The slot's position comes from the hash's low bits (the tag in exact mode,
// so the table grows without the bytes); the shard from its top bits.
// Records ([packed bytes] parent:4 label:2) fill chunks of 16, 16, 32, ...
// 256, then 512 records, so memory grows by a chunk at a time instead of
// doubling, and a small search stays small.
struct StateStore::Shard {
  static constexpr uint64_t kChunkRecords = 512;  // the largest chunk
  mutable std::mutex mu;
  std::vector<uint64_t> table = std::vector<uint64_t>(8, 0);
  uint64_t count = 0;
  std::vector<std::unique_ptr<uint8_t[]>> chunks;

  size_t mask() const { return table.size() - 1; }
  // The chunk of record `local` and the first record in it.
  static void Locate(uint64_t local, size_t* chunk, uint64_t* first) {
    if (local >= kChunkRecords) {
      *chunk = 6 + (local - kChunkRecords) / kChunkRecords;
      *first = kChunkRecords * (*chunk - 5);
    } else if (local < 16) {
      *chunk = 0, *first = 0;
    } else {
      *chunk = std::bit_width(local) - 4;
      *first = uint64_t{16} << (*chunk - 1);
    }
  }
  static uint64_t ChunkRecords(size_t chunk) {
    return chunk == 0 ? 16 : chunk >= 6 ? kChunkRecords : 16u << (chunk - 1);
  }
  // Record of state `local` (width: packed bytes in it, 0 when compact).
  uint8_t* Record(uint64_t local, int width) const {
    size_t chunk;
    uint64_t first;
    Locate(local, &chunk, &first);
    return chunks[chunk].get() + (local - first) * (width + 6);
  }
  uint8_t* Append(int width) {
    size_t chunk;
    uint64_t first;
    Locate(count, &chunk, &first);
    if (chunk == chunks.size())
      chunks.emplace_back(new uint8_t[ChunkRecords(chunk) * (width + 6)]);
    return Record(count++, width);
  }
  size_t RecordsHeld() const {
    size_t n = 0;
    for (size_t c = 0; c < chunks.size(); ++c) n += ChunkRecords(c);
    return n;
  }
  void Grow(bool exact) {
    std::vector<uint64_t> old(table.size() * 2, 0);
    old.swap(table);
    for (uint64_t s : old) {
      if (s == 0) continue;
      const uint64_t h = exact ? s >> 32 : s;
      size_t i = h & mask();
      while (table[i] != 0) i = (i + 1) & mask();
      table[i] = s;
    }
  }
};

StateStore::StateStore(int width, Mode mode) : width_(width), mode_(mode) {
  for (auto& s : shards_) s = std::make_unique<Shard>();
}
StateStore::~StateStore() = default;

std::pair<uint32_t, bool> StateStore::Insert(const uint8_t* bytes,
                                             uint64_t hash, uint32_t parent,
                                             uint16_t label) {
  const int si = ShardOf(hash);
  Shard& s = *shards_[si];
  std::lock_guard<std::mutex> lock(s.mu);
  const bool exact = mode_ == Mode::kExact;
  const int width = exact ? width_ : 0;
  const uint64_t tag = hash & 0xffffffffull;
  const uint64_t key = exact ? tag << 32 : (hash == 0 ? 1 : hash);
  size_t i = (exact ? tag : key) & s.mask();
  for (;; i = (i + 1) & s.mask()) {
    const uint64_t slot = s.table[i];
    if (slot == 0) break;
    if (exact) {
      if ((slot >> 32) != tag) continue;
      const uint32_t local = static_cast<uint32_t>(slot) - 1;
      if (std::memcmp(s.Record(local, width), bytes, width_) == 0)
        return {(uint32_t{static_cast<uint32_t>(si)} << kLocalBits) | local,
                false};
    } else if (slot == key) {
      return {0, false};
    }
  }
  const uint64_t local = s.count;
  LC_CHECK(local < (uint64_t{1} << kLocalBits));  // shard full
  uint8_t* rec = s.Append(width);
  std::memcpy(rec, bytes, width);
  std::memcpy(rec + width, &parent, 4);
  std::memcpy(rec + width + 4, &label, 2);
  s.table[i] = exact ? key | (local + 1) : key;
  if (s.count * 10 > s.table.size() * 8) s.Grow(exact);
  return {(uint32_t{static_cast<uint32_t>(si)} << kLocalBits) |
              static_cast<uint32_t>(local),
          true};
}

int64_t StateStore::Find(const uint8_t* bytes, uint64_t hash) const {
  LC_CHECK(mode_ == Mode::kExact);  // fingerprints name no state
  const int si = ShardOf(hash);
  const Shard& s = *shards_[si];
  std::lock_guard<std::mutex> lock(s.mu);
  const uint64_t tag = hash & 0xffffffffull;
  for (size_t i = tag & s.mask();; i = (i + 1) & s.mask()) {
    const uint64_t slot = s.table[i];
    if (slot == 0) return -1;
    if ((slot >> 32) != tag) continue;
    const uint32_t local = static_cast<uint32_t>(slot) - 1;
    if (std::memcmp(s.Record(local, width_), bytes, width_) == 0)
      return (int64_t{si} << kLocalBits) | local;
  }
}

uint32_t StateStore::parent(uint32_t id) const {
  const Shard& s = *shards_[id >> kLocalBits];
  std::lock_guard<std::mutex> lock(s.mu);
  const int width = mode_ == Mode::kExact ? width_ : 0;
  uint32_t p;
  std::memcpy(&p, s.Record(id & ((1u << kLocalBits) - 1), width) + width, 4);
  return p;
}

uint16_t StateStore::label(uint32_t id) const {
  const Shard& s = *shards_[id >> kLocalBits];
  std::lock_guard<std::mutex> lock(s.mu);
  const int width = mode_ == Mode::kExact ? width_ : 0;
  uint16_t l;
  std::memcpy(&l, s.Record(id & ((1u << kLocalBits) - 1), width) + width + 4,
              2);
  return l;
}

uint64_t StateStore::size() const {
  uint64_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard<std::mutex> lock(s->mu);
    n += s->count;
  }
  return n;
}

size_t StateStore::MemoryBytes() const {
  size_t b = 0;
  for (const auto& s : shards_) {
    std::lock_guard<std::mutex> lock(s->mu);
    const size_t rec = (mode_ == Mode::kExact ? width_ : 0) + 6;
    b += s->table.capacity() * sizeof(uint64_t) + s->RecordsHeld() * rec;
  }
  return b;
}

double StateStore::OmissionProbability() const {
  if (mode_ == Mode::kExact) return 0;
  const double n = static_cast<double>(size());
  return std::min(1.0, n * (n - 1) / std::ldexp(1.0, 65));
}

}  // namespace lifecheck
