#include "mc/state_layout.h"

#include <cstring>
#include <string_view>
#include <type_traits>

#include "spec/check.h"

namespace lifecheck {

bool ScalarInUse(const Config& cfg, int threads, const char* kind, int oi,
                 const char* field, int ei) {
  const std::string_view k = kind, f = field;
  int count = 1;  // globals
  if (k == "d") count = cfg.dentries();
  if (k == "inode") count = cfg.inodes();
  if (k == "pg") count = cfg.phys_pages();
  if (k == "pte") count = cfg.ptes;
  if (k == "pin" || k == "lease") count = cfg.pins;
  if (k == "ev") count = cfg.events;
  if (k == "th") count = threads;
  if (oi >= count) return false;
  if (f == "h_thr" && ei >= threads) return false;
  if (k == "inode" && f == "map" && ei >= cfg.pages) return false;
  return true;
}

StateLayout::StateLayout(const Config& cfg, int threads,
                         const FieldSet* variable) {
  CWorld w{};
  const auto* base = reinterpret_cast<const uint8_t*>(&w);
  int id = 0;
  VisitWorld(w, [&](const char* kind, int oi, const char* field, int ei,
                    const auto& v) {
    const int fid = id++;
    if (!ScalarInUse(cfg, threads, kind, oi, field, ei)) return;
    if (variable && !variable->test(fid)) return;
    const auto off =
        static_cast<uint16_t>(reinterpret_cast<const uint8_t*>(&v) - base);
    if constexpr (std::is_same_v<std::decay_t<decltype(v)>, bool>)
      bools_.push_back(off);
    else if (std::string_view(field) == "refcount")  // + kGupPinBias per pin
      wide_.push_back(off);
    else
      narrow_.push_back(off);
  });
  ComputeBytes();
}

void StateLayout::ComputeBytes() {
  bytes_ = static_cast<int>(narrow_.size() + 2 * wide_.size() +
                            (bools_.size() + 7) / 8);
  IndexSlots();
}

void StateLayout::IndexSlots() {
  slot_of_.assign(sizeof(CWorld), 0);
  size_of_.assign(sizeof(CWorld), 0);
  CWorld w{};
  const auto* base = reinterpret_cast<const uint8_t*>(&w);
  VisitWorld(w, [&](const char*, int, const char*, int, const auto& v) {
    size_of_[reinterpret_cast<const uint8_t*>(&v) - base] = sizeof(v);
  });
  for (size_t i = 0; i < narrow_.size(); ++i)
    slot_of_[narrow_[i]] = 1u << 24 | static_cast<uint32_t>(i);
  for (size_t i = 0; i < wide_.size(); ++i)
    slot_of_[wide_[i]] = 2u << 24 | static_cast<uint32_t>(i);
  for (size_t i = 0; i < bools_.size(); ++i)
    slot_of_[bools_[i]] = 3u << 24 | static_cast<uint32_t>(i);
}

int StateLayout::PatchField(const CWorld& w, size_t offset,
                            uint8_t* out) const {
  const uint32_t slot = slot_of_[offset];
  const size_t i = slot & 0xffffff;
  const auto* base = reinterpret_cast<const uint8_t*>(&w);
  switch (slot >> 24) {
    case 1: {
      int16_t v;
      std::memcpy(&v, base + offset, 2);
      if (v < -128 || v > 127) return static_cast<int>(i);
      out[i] = static_cast<uint8_t>(static_cast<int8_t>(v));
      return -1;
    }
    case 2:
      std::memcpy(out + narrow_.size() + 2 * i, base + offset, 2);
      return -1;
    case 3: {
      uint8_t& byte = out[narrow_.size() + 2 * wide_.size() + i / 8];
      const auto bit = static_cast<uint8_t>(1u << (i % 8));
      byte = base[offset] ? (byte | bit) : (byte & ~bit);
      return -1;
    }
  }
  return -1;
}

void StateLayout::Widen(int narrow_index) {
  wide_.push_back(narrow_[narrow_index]);
  narrow_.erase(narrow_.begin() + narrow_index);
  ComputeBytes();
}

int StateLayout::Pack(const CWorld& w, uint8_t* out) const {
  const auto* base = reinterpret_cast<const uint8_t*>(&w);
  // No branch per field: a value outside int8 sets a bit of `outside`, and
  // only then is the field looked for (the caller widens it and packs
  // again).
  unsigned outside = 0;
  for (size_t i = 0; i < narrow_.size(); ++i) {
    int16_t v;
    std::memcpy(&v, base + narrow_[i], 2);
    outside |= static_cast<unsigned>(static_cast<uint16_t>(v + 128)) >> 8;
    out[i] = static_cast<uint8_t>(static_cast<int8_t>(v));
  }
  if (outside != 0) {
    for (size_t i = 0; i < narrow_.size(); ++i) {
      int16_t v;
      std::memcpy(&v, base + narrow_[i], 2);
      if (v < -128 || v > 127) return static_cast<int>(i);
    }
  }
  out += narrow_.size();
  for (uint16_t off : wide_) {
    std::memcpy(out, base + off, 2);
    out += 2;
  }
  std::memset(out, 0, (bools_.size() + 7) / 8);
  for (size_t i = 0; i < bools_.size(); ++i)
    if (base[bools_[i]]) out[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
  return -1;
}

void StateLayout::Unpack(const uint8_t* in, CWorld& w) const {
  auto* base = reinterpret_cast<uint8_t*>(&w);
  for (uint16_t off : narrow_) {
    const int16_t v = static_cast<int8_t>(*in++);
    std::memcpy(base + off, &v, 2);
  }
  for (uint16_t off : wide_) {
    std::memcpy(base + off, in, 2);
    in += 2;
  }
  for (size_t i = 0; i < bools_.size(); ++i)
    base[bools_[i]] = (in[i / 8] >> (i % 8)) & 1;
}

}  // namespace lifecheck
