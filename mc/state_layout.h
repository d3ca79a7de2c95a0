// Compact storage of worlds for the explicit-state checker.
//
// World<Concrete> has fixed capacity (about 1.1 KB) but a configuration uses
// a prefix of each object array, and a problem uses only its own threads. A
// StateLayout lists the scalars a (config, thread count) can change — or,
// given the fields a problem's steps can write, only those. Pack writes them
// into a fixed-width byte string, Unpack writes them back over a template
// world that holds the constant rest. Int fields take one byte (int8) unless
// widened to two: page refcounts (GUP pin bias 1024) start wide, and Pack
// reports any other field whose value does not fit, so the caller can Widen
// it and start over (rare: counts beyond 127). Bools take a bit. Packing is
// exact: two worlds of the configuration are equal iff their packed strings
// are equal, which a test checks on every reachable state of the scenarios.
#ifndef LIFECHECK_MC_STATE_LAYOUT_H_
#define LIFECHECK_MC_STATE_LAYOUT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "mc/footprint.h"
#include "spec/exec.h"

namespace lifecheck {

class StateLayout {
 public:
  // `variable` (field ids in VisitWorld order, e.g. the union of every step's
  // static writes, mc/footprint.h): only those scalars are packed, the rest
  // are the template's. Null: every scalar ScalarInUse allows.
  StateLayout(const Config& cfg, int threads,
              const FieldSet* variable = nullptr);

  int bytes() const { return bytes_; }  // packed size of one world
  int scalars() const {
    return static_cast<int>(narrow_.size() + wide_.size() + bools_.size());
  }
  // Writes the packed form of `w` to out[0..bytes()). Returns -1, or the
  // index of a one-byte field whose value does not fit (out is then
  // garbage): Widen(index) and pack again.
  int Pack(const CWorld& w, uint8_t* out) const;
  void Widen(int narrow_index);
  // Overwrites the layout's fields of `w` from `in` (the rest of `w` is left
  // alone: pass a world of the same configuration, e.g. InitWorld(cfg)).
  void Unpack(const uint8_t* in, CWorld& w) const;

  // Incremental packing: `out` holds Pack(w0) for a world w0 that differs
  // from w only in the field at byte `offset` of the world; makes it
  // Pack(w). Returns -1, or the narrow index to Widen (as Pack). A field
  // outside the layout is a no-op.
  int PatchField(const CWorld& w, size_t offset, uint8_t* out) const;
  // 2 for an int field, 1 for a bool field starting at `offset`, else 0.
  int FieldSize(size_t offset) const { return size_of_[offset]; }

 private:
  void ComputeBytes();
  void IndexSlots();
  std::vector<uint16_t> narrow_;  // offsets of int16 fields kept in 1 byte
  std::vector<uint16_t> wide_;    // ... kept in 2 bytes
  std::vector<uint16_t> bools_;   // offsets of bool fields
  int bytes_ = 0;
  // Per byte offset of a world: kind << 24 | index into narrow_/wide_/bools_
  // (kind 1, 2, 3), or 0 for none; and the size of the field there.
  std::vector<uint32_t> slot_of_;
  std::vector<uint8_t> size_of_;
};

// Whether the scalar VisitWorld reports as (kind, object, field, element) is
// one a configuration with `threads` threads can ever change. Objects beyond
// the configuration's counts, threads beyond `threads` and their ghost
// columns, and map[] entries beyond cfg.pages are constant.
bool ScalarInUse(const Config& cfg, int threads, const char* kind, int oi,
                 const char* field, int ei);

}  // namespace lifecheck

#endif  // LIFECHECK_MC_STATE_LAYOUT_H_
