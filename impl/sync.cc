// The stall watchdog's report (impl/sync.h): what a real thread is blocked
// in, for how long, and on what, before the process aborts.
#include "impl/sync.h"

#include <cstdio>
#include <cstdlib>

namespace lifecheck::impl::sync {

void Stalled(const char* step, const char* what, const void* on, int holder) {
  char held[48] = "";
  if (holder >= 0)
    std::snprintf(held, sizeof held, ", held by logical thread %d", holder);
  std::fprintf(stderr,
               "lifecheck: impl thread stalled for %lld ms in step %s: %s "
               "(%p%s). A lost wakeup or a deadlock in the impl: every state "
               "change that can make a waiter's condition true must wake its "
               "queue (impl/sync.h WaitQueue), every lock must be released. "
               "Stall limit: sync::SetStallLimit.\n",
               static_cast<long long>(StallLimit().count()),
               step != nullptr ? step : "?", what, on, held);
  std::fflush(stderr);
  std::abort();
}

}  // namespace lifecheck::impl::sync
