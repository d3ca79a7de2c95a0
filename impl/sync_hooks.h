// Hook points of the sync layer for the controlled scheduler (issue 4).
//
// Compiled with -DLIFECHECK_SYNC_HOOKS, every atomic access, every lock
// acquisition and every blocking wait of impl/ first calls one of these
// functions; the scheduler library defines them and makes each call a
// scheduling point (DESIGN principle 5: a schedule replays bit for bit).
// Without the macro the hooks are not even declared to the protocol code's
// callers: sync.h compiles them to nothing, so the default build pays zero.
//
// The impl library never defines these functions: a build with hooks must
// link a definition (the scheduler's, or a test's).
#ifndef LIFECHECK_IMPL_SYNC_HOOKS_H_
#define LIFECHECK_IMPL_SYNC_HOOKS_H_

#include <cstdint>

namespace lifecheck::impl::sync {

// What an access does to shared memory.
enum class AccessKind : uint8_t {
  kLoad,
  kStore,
  kRmw,     // fetch_add/fetch_sub/fetch_or/fetch_and/exchange
  kCas,     // compare_exchange (success or failure)
  kLock,    // about to acquire a spinlock or sleeping lock
  kUnlock,  // about to release one
  kWake,    // about to wake a wait queue
};

#ifdef LIFECHECK_SYNC_HOOKS
// Called before the access. `where` names the access site ("dput.fast"),
// nullptr when the access has no label.
void sync_hook_access(const void* addr, AccessKind kind, const char* where);

// Called when a wait finds its condition false, before sleeping. `step` is
// the spec step the wait belongs to (e.g. "DaxWaitIdle"). Return true if the
// scheduler took over the wait (it parks the thread until `ready()` may have
// changed and then returns; the caller re-evaluates), false to fall back to
// real blocking.
bool sync_hook_wait(const void* queue, const char* step);

// Called where a spec step takes effect in the impl (sync::step_boundary):
// lets the scheduler replay a spec schedule on the impl.
void sync_hook_step(const char* step);
#endif

}  // namespace lifecheck::impl::sync

#endif  // LIFECHECK_IMPL_SYNC_HOOKS_H_
