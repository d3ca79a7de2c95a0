/*
 * dax-truncate for SPIN: the workload of `lifecheck check --scenario
 * dax-truncate --pages N --pinners K` (mc/scenario.cc BuildDaxTruncate),
 * written step for step after the spec (spec/dax_steps.h,
 * spec/pagecache_steps.h, spec/steps_common.h), so that SPIN and the
 * explicit engine explore the same transition system:
 *
 *   K pinners   P_k: fault any of the N pages through PTE k; pin it (GUP:
 *               PinLockPtl, PinGrab); munmap PTE k (MunmapZap, IputDec);
 *               DMA into it; unpin.
 *   truncate    T: truncate the file to 0 (DaxScanUnmap, DaxScan,
 *               DaxWaitIdle, DaxTruncFree; POLICY_NONE: DaxTruncFree only).
 *   writer      C: write into any index of the hole (AllocBlock).
 *
 * One atomic step of the spec is one d_step here, guarded by the spec's
 * await and by the thread's pc, which is an explicit local (the spec's
 * flattened program counter), so a thread's state is the spec's. A choice
 * (which page, which index) is one d_step per alternative: it is made by the
 * step that runs it, as in the spec. Fields the spec keeps but that are
 * functions of these (holder counts, i_count, a page's owner, registers
 * whose value the pc fixes) are left out: they split no state. The return
 * value of a finished call and the kernel-warning flags are left out as the
 * explicit engine leaves them out (no step or invariant reads them).
 *
 * Checked: I-DAX-1 (a free block is idle) after every step, I-DAX-2 (no DMA
 * into a block of another owner), I-DAX-4 and I-DAX-5 at the busy scan,
 * and deadlock (every thread blocked with work left) by a watchdog on
 * `timeout`. Build (bench/spin-vs-explicit does this):
 *
 *   spin -DN=3 -DK=2 -DPOLICY=POLICY_WAIT -a bench/dax_truncate.pml
 *   gcc -O2 -DSAFETY [-DNOREDUCE] -o pan pan.c && ./pan -w22
 */

#ifndef N
#define N 2 /* pages (blocks) of the file, 1..4 */
#endif
#ifndef K
#define K 2 /* pinners, 1..4 */
#endif
#define POLICY_WAIT 0
#define POLICY_EBUSY 1
#define POLICY_NONE 2
#ifndef POLICY
#define POLICY POLICY_WAIT
#endif

#define NIL 255 /* kNone */
#define FREE 0  /* kBlkFree */
#define OWNED 1 /* kBlkOwned */
#define BIAS 1024 /* GUP_PIN_COUNTING_BIAS */
#define T_ID K    /* thread ids as in the scenario: P0..P(K-1), T, C */
#define C_ID (K + 1)

/* The initial state is InitWorld's, set by the declarations alone (no init
 * process, whose own steps would add states): block p is index p of the
 * file, generation 1. Two arrays whose initial values differ per element
 * are stored as offsets from that identity (IMAP, PG_INDEX below), a
 * one-to-one renaming that changes no state count. */

/* Pages (blocks) 0..N-1; spare = 0. */
byte pg_st[N] = 1;   /* OWNED */
byte pg_index_e[N];  /* (index - p) mod N */
byte pg_gen[N] = 1;
short pg_ref[N]; /* mappings + BIAS per pin (zero-based DAX) */
byte pg_map[N];  /* mapcount */
/* The file's inode. */
byte i_size = N;
byte i_map_e[N] = 1; /* 0 = hole, else (page - index) mod N + 1 */
byte rwsem = NIL;
byte mmaplock = NIL; /* the fault lock (XFS MMAPLOCK) */
byte ptl = NIL;      /* the page-table lock */
/* PTE slot k (pinner k's VMA). */
bool pte_vma[K]; /* pte.file == 1 */
byte pte_index[K];
bool pte_present[K];
byte pte_page[K] = NIL;
/* Pin slot k. */
bool pin_held[K];
byte pin_page[K] = NIL;
byte pin_index[K];
byte pin_gen[K];
/* Thread pcs, in the scenario's flattened programs. */
byte pc[K + 2];

#define IMAP(x) (i_map_e[x] == 0 -> NIL : (i_map_e[x] - 1 + x) % N)
#define SET_IMAP(x, v) i_map_e[x] = (v == NIL -> 0 : (v + N - x) % N + 1)
#define SET_PG_INDEX(p, x) pg_index_e[p] = (x + N - p) % N

#define PINS_ON(p) \
  ((K > 0 && pin_held[0] && pin_page[0] == p) + \
   (K > 1 && pin_held[1] && pin_page[1] == p) + \
   (K > 2 && pin_held[2] && pin_page[2] == p) + \
   (K > 3 && pin_held[3] && pin_page[3] == p))
/* PageIdleTruth (no g_trans in this workload) and I-DAX-1. */
#define IDLE_TRUTH(p) (PINS_ON(p) == 0 && pg_map[p] == 0)
#define FREE_IDLE(p) (p >= N || pg_st[p] != FREE || IDLE_TRUTH(p))
#define DAX1 assert(FREE_IDLE(0) && FREE_IDLE(1) && FREE_IDLE(2) && FREE_IDLE(3))

#define PTL_FREE(t) (ptl == NIL || ptl == t)
#define FAULT_LOCK_FREE(t) (mmaplock == NIL || mmaplock == t)
#define TRUNC_LOCKS_FREE(t) \
  ((rwsem == NIL || rwsem == t) && (mmaplock == NIL || mmaplock == t))

/* ZapPte(e) */
#define ZAP(e) \
  if \
  :: (e < K && pte_present[e]) -> \
     pg_map[pte_page[e]]--; pg_ref[pte_page[e]]--; \
     pte_present[e] = false; pte_page[e] = NIL \
  :: else \
  fi
/* UnmapRange(file, 0): every PTE of the file. */
#define UNMAP_ALL \
  if :: (0 < K && pte_vma[0]) -> ZAP(0) :: else fi; \
  if :: (1 < K && pte_vma[1]) -> ZAP(1) :: else fi; \
  if :: (2 < K && pte_vma[2]) -> ZAP(2) :: else fi; \
  if :: (3 < K && pte_vma[3]) -> ZAP(3) :: else fi

/* FaultMap(pte k, file 1, index x): maps the page read-only, mmap on first
 * use. Guard: PTL and the fault lock. */
#define FAULT(k, x) \
  d_step { \
    pc[k] == 0 && x < N && PTL_FREE(k) && FAULT_LOCK_FREE(k) -> \
    if \
    :: (x >= i_size || IMAP(x) == NIL) -> skip /* EFAULT */ \
    :: else -> \
       pte_vma[k] = true; pte_index[k] = x; \
       pg_map[IMAP(x)]++; pg_ref[IMAP(x)]++; \
       pte_present[k] = true; pte_page[k] = IMAP(x) \
    fi; \
    pc[k] = 1; DAX1 \
  }

active [K] proctype Pinner() {
  byte k = _pid; /* pids 0..K-1: the pinners' thread ids */
  byte r0, r2, r3; /* PinLockPtl -> PinGrab: page, index, generation */
end:
  do
  :: FAULT(k, 0)
  :: FAULT(k, 1)
  :: FAULT(k, 2)
  :: FAULT(k, 3)
  /* PinLockPtl: read the PTE under the PTL (a bad PTE returns). */
  :: d_step {
       pc[k] == 1 && PTL_FREE(k) ->
       if
       :: !pte_present[k] -> pc[k] = 3 /* EFAULT */
       :: else ->
          ptl = k; r0 = pte_page[k]; r2 = pte_index[k]; r3 = pg_gen[r0];
          pc[k] = 2
       fi; DAX1
     }
  /* PinGrab: record the pin, refcount += BIAS, drop the PTL. */
  :: d_step {
       pc[k] == 2 ->
       pin_held[k] = true; pin_page[k] = r0; pin_index[k] = r2;
       pin_gen[k] = r3; pg_ref[r0] = pg_ref[r0] + BIAS; ptl = NIL;
       r0 = 0; r2 = 0; r3 = 0; pc[k] = 3; DAX1
     }
  /* MunmapZap (under the PTL), then IputDec of the VMA's reference. */
  :: d_step {
       pc[k] == 3 && PTL_FREE(k) ->
       if
       :: !pte_vma[k] -> pc[k] = 5 /* EINVAL */
       :: else -> ZAP(k); pte_vma[k] = false; pte_index[k] = 0; pc[k] = 4
       fi; DAX1
     }
  :: d_step { pc[k] == 4 -> pc[k] = 5; DAX1 }
  /* DmaWrite: I-DAX-2. */
  :: d_step {
       pc[k] == 5 ->
       if
       :: pin_held[k] ->
          assert(!(pg_st[pin_page[k]] == FREE ||
                   pg_gen[pin_page[k]] != pin_gen[k]))
       :: else
       fi;
       pc[k] = 6; DAX1
     }
  /* UnpinPut */
  :: d_step {
       pc[k] == 6 ->
       if
       :: pin_held[k] ->
          pg_ref[pin_page[k]] = pg_ref[pin_page[k]] - BIAS;
          pin_held[k] = false
       :: else
       fi;
       pc[k] = 7; DAX1
     }
  od
}

/* DaxTruncFree's body: i_size, unmap, free every block of the range. */
#define FREE_BLOCK(x) \
  if \
  :: (x < N && IMAP(x) != NIL) -> pg_st[IMAP(x)] = FREE; SET_IMAP(x, NIL) \
  :: else \
  fi
#define TRUNC_FREE \
  i_size = 0; UNMAP_ALL; \
  FREE_BLOCK(0); FREE_BLOCK(1); FREE_BLOCK(2); FREE_BLOCK(3); \
  rwsem = NIL; mmaplock = NIL; r0 = 0

/* Kernel-busy (refcount beyond the mappings) page of index x, or NIL. */
#define KBUSY(x) \
  (x < N && IMAP(x) != NIL && pg_ref[IMAP(x)] - pg_map[IMAP(x)] != 0)
#define RANGE_BUSY_TRUTH(x) (x < N && IMAP(x) != NIL && !IDLE_TRUTH(IMAP(x)))

active proctype Truncate() { /* pid K */
  byte r0;   /* the busy page waited for (the spec's r[0]) */
  byte busy; /* within DaxScan only */
end:
  do
#if POLICY == POLICY_NONE
  /* NONE: DaxTruncFree is the whole truncate. */
  :: d_step {
       pc[T_ID] == 0 && TRUNC_LOCKS_FREE(T_ID) && PTL_FREE(T_ID) ->
       TRUNC_FREE; pc[T_ID] = 1; DAX1
     }
#else
  /* DaxScanUnmap: take i_rwsem and the fault lock, unmap the range. */
  :: d_step {
       pc[T_ID] == 0 && TRUNC_LOCKS_FREE(T_ID) && PTL_FREE(T_ID) ->
       rwsem = T_ID; mmaplock = T_ID;
       if
       :: i_size == 0 -> rwsem = NIL; mmaplock = NIL; r0 = 0; pc[T_ID] = 4
       :: else -> UNMAP_ALL; pc[T_ID] = 1
       fi; DAX1
     }
  /* DaxScan: I-DAX-5, then the first busy page in index order. */
  :: d_step {
       pc[T_ID] == 1 ->
       assert(!((0 < K && pte_present[0] && pte_vma[0]) ||
                (1 < K && pte_present[1] && pte_vma[1]) ||
                (2 < K && pte_present[2] && pte_vma[2]) ||
                (3 < K && pte_present[3] && pte_vma[3])));
       if
       :: KBUSY(0) -> busy = IMAP(0)
       :: !KBUSY(0) && KBUSY(1) -> busy = IMAP(1)
       :: !KBUSY(0) && !KBUSY(1) && KBUSY(2) -> busy = IMAP(2)
       :: !KBUSY(0) && !KBUSY(1) && !KBUSY(2) && KBUSY(3) -> busy = IMAP(3)
       :: else -> busy = NIL
       fi;
       if
       :: busy == NIL ->
          /* I-DAX-4: "not busy" must be the truth. */
          assert(!(RANGE_BUSY_TRUTH(0) || RANGE_BUSY_TRUTH(1) ||
                   RANGE_BUSY_TRUTH(2) || RANGE_BUSY_TRUTH(3)));
          pc[T_ID] = 3
#if POLICY == POLICY_WAIT
       :: else -> r0 = busy; mmaplock = NIL; pc[T_ID] = 2 /* sleep */
#else
       :: else -> rwsem = NIL; mmaplock = NIL; r0 = 0; pc[T_ID] = 4 /* EBUSY */
#endif
       fi; busy = 0; DAX1
     }
  /* DaxWaitIdle: wake when the page is idle, re-take the lock, rescan. */
  :: d_step {
       pc[T_ID] == 2 && pg_ref[r0] == 0 && TRUNC_LOCKS_FREE(T_ID) ->
       mmaplock = T_ID; pc[T_ID] = 0; DAX1
     }
  /* DaxTruncFree */
  :: d_step {
       pc[T_ID] == 3 && PTL_FREE(T_ID) -> TRUNC_FREE; pc[T_ID] = 4; DAX1
     }
#endif
  od
}

/* AllocBlock(file 1, index x): a write into the hole takes the lowest free
 * block (no lock: the spec's allocator is atomic). */
#define FIRST_FREE \
  (pg_st[0] == FREE -> 0 : \
   (N > 1 && pg_st[1] == FREE -> 1 : \
    (N > 2 && pg_st[2] == FREE -> 2 : (N > 3 && pg_st[3] == FREE -> 3 : NIL))))
#define ALLOC(x) \
  d_step { \
    pc[C_ID] == 0 && x < N -> \
    if \
    :: IMAP(x) == NIL && FIRST_FREE != NIL -> \
       r0 = FIRST_FREE; \
       pg_st[r0] = OWNED; SET_PG_INDEX(r0, x); pg_gen[r0]++; SET_IMAP(x, r0); \
       if :: i_size <= x -> i_size = x + 1 :: else fi; \
       r0 = 0 \
    :: else /* the block that is there, or ENOSPC */ \
    fi; \
    pc[C_ID] = 1; DAX1 \
  }

active proctype Writer() { /* pid K + 1 */
  byte r0;
end:
  do
  :: ALLOC(0)
  :: ALLOC(1)
  :: ALLOC(2)
  :: ALLOC(3)
  od
}

#if POLICY == POLICY_NONE
#define T_DONE 1
#else
#define T_DONE 4
#endif
/* Deadlock: nothing can move (timeout) while a thread has work left. When
 * every thread is done the guard is false: the watchdog adds no state. */
#define ALL_DONE \
  (pc[T_ID] == T_DONE && pc[C_ID] == 1 && (K < 1 || pc[0] == 7) && \
   (K < 2 || pc[1] == 7) && (K < 3 || pc[2] == 7) && (K < 4 || pc[3] == 7))
active proctype Watchdog() {
end:
  timeout && !ALL_DONE -> assert(false)
}
