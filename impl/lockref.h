// lockref operations on Dentry::lockref (layout in impl/objects.h), after
// lib/lockref.c: a CAS fast path while d_lock is free, d_lock otherwise.
#ifndef LIFECHECK_IMPL_LOCKREF_H_
#define LIFECHECK_IMPL_LOCKREF_H_

#include "impl/objects.h"
#include "impl/sync.h"

namespace lifecheck::impl {

// spin_lock(&dentry->d_lock). Returns the count, stable until d_unlock.
// Acquire: the critical section sees the previous holder's writes. Spins
// (yielding) while held; nonblocking mode throws WouldBlock{step}.
inline int32_t d_lock(Dentry& d, int tid, const char* step) {
  uint64_t w = d.lockref.load(sync::kRelaxed, step);
  for (;;) {
    if (!LockrefLocked(w)) {
      if (d.lockref.cas(w, w | static_cast<uint32_t>(tid + 1), sync::kAcquire,
                        sync::kRelaxed, step))
        return LockrefCount(w);
      continue;  // w reloaded by the failed CAS: a stutter step
    }
    if (sync::nonblocking()) throw sync::WouldBlock{step};
    std::this_thread::yield();
    w = d.lockref.load(sync::kRelaxed, step);
  }
}
// The count under d_lock. Precondition: the caller holds d_lock.
inline int32_t d_count_locked(const Dentry& d) {
  return LockrefCount(d.lockref.load(sync::kRelaxed));
}
// Sets the count under d_lock. Precondition: the caller `tid` holds d_lock.
inline void d_set_count_locked(Dentry& d, int tid, int32_t c) {
  d.lockref.store(LockrefPack(c, static_cast<uint32_t>(tid + 1)),
                  sync::kRelaxed);
}
// spin_unlock(&dentry->d_lock). Release: publishes the section's writes.
inline void d_unlock(Dentry& d) {
  const uint64_t w = d.lockref.load(sync::kRelaxed);
  d.lockref.store(LockrefPack(LockrefCount(w), 0), sync::kRelease);
}
// Adds `delta` to the count under d_lock (a parent's count on a child kill).
inline void d_add_count(Dentry& d, int tid, int32_t delta, const char* step) {
  const int32_t c = d_lock(d, tid, step);
  d_set_count_locked(d, tid, c + delta);
  d_unlock(d);
}

// lockref_put_return: drops one reference with a single CAS while d_lock is
// free and the count stays positive. Returns false (no change) otherwise:
// the caller takes the slow path. Release: our accesses to the dentry happen
// before a later killer's.
inline bool lockref_put_fast(Dentry& d, const char* step) {
  uint64_t w = d.lockref.load(sync::kRelaxed, step);
  for (;;) {
    if (LockrefLocked(w) || LockrefCount(w) <= 1) return false;
    if (d.lockref.cas(w, LockrefPack(LockrefCount(w) - 1, 0), sync::kRelease,
                      sync::kRelaxed, step))
      return true;
  }
}

}  // namespace lifecheck::impl

#endif  // LIFECHECK_IMPL_LOCKREF_H_
