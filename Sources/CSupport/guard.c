// The parts of the system layer that must run inside signal handlers, where Swift cannot:
//
// 1. The mapping guard. A file mapped with mmap that shrinks while mapped makes any load from a
//    page past its new end raise SIGBUS. The handler below looks the fault address up in a small
//    fixed registry of guarded ranges; inside one, it maps an anonymous zero page over the faulting
//    page, marks the range damaged and returns, so the load retries and reads zeros. The reader
//    finishes its pass over garbage-free zeros and MappedFile.checkIntact() then reports the damage.
//    A fault outside every range goes back to the action that was installed before ours.
//
// 2. The temporary-file registry and the SIGINT/SIGTERM/SIGHUP handler. Workers may be blocked in
//    read or write, so a flag polled by the run is not enough: the handler itself unlinks every
//    registered temporary file and _exits with 128 + signal. Paths are kept as C strings in slots
//    that grow by chunks (allocated by register, never by the handler), so the handler needs neither
//    malloc nor locks. Most temporaries need no entry at all: they are unnamed (O_TMPFILE).
//
// Everything a handler touches is a lock-free atomic or memory published by one (release/acquire).

#define _GNU_SOURCE
#include "csupport.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

// MARK: - Mapping guard

enum { SLOT_FREE = 0, SLOT_CLAIMED = 1, SLOT_LIVE = 2, SLOT_HANDLER = 3 };

typedef struct {
    _Atomic int state;
    _Atomic uintptr_t start;
    _Atomic size_t length;
    _Atomic int damaged;
} guard_range;

static guard_range guard_ranges[CAIR2_GUARD_SLOTS];
static struct sigaction guard_previous;      // written once, before our handler can run
static _Atomic int guard_installed;          // 0 no, 1 installing, 2 yes
static _Atomic int guard_install_result;
static uintptr_t guard_page_size;            // set before the handler is installed

static void guard_handler(int signo, siginfo_t *info, void *context) {
    int saved_errno = errno;
    uintptr_t address = (uintptr_t)info->si_addr;
    // Only a real memory fault (si_code > 0) can be repaired; a SIGBUS sent with kill() cannot.
    if (info->si_code > 0) {
        for (int i = 0; i < CAIR2_GUARD_SLOTS; i++) {
            guard_range *range = &guard_ranges[i];
            if (atomic_load_explicit(&range->state, memory_order_acquire) != SLOT_LIVE) continue;
            uintptr_t start = atomic_load_explicit(&range->start, memory_order_relaxed);
            size_t length = atomic_load_explicit(&range->length, memory_order_relaxed);
            if (address < start || address - start >= length) continue;
            void *page = (void *)(address & ~(guard_page_size - 1));
            void *zero = mmap(page, guard_page_size, PROT_READ, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (zero == MAP_FAILED) break;  // cannot repair: fall through to the previous action
            atomic_store_explicit(&range->damaged, 1, memory_order_release);
            errno = saved_errno;
            return;  // the faulting load runs again and now reads zeros
        }
    }
    // Not ours. Put the previous action back; returning re-executes the faulting instruction under
    // it (a default action then kills the process with SIGBUS, a crash reporter gets its report).
    // A signal that was sent rather than caused by a fault would not recur, so raise it again.
    sigaction(SIGBUS, &guard_previous, NULL);
    if (info->si_code <= 0) raise(signo);
    (void)context;
    errno = saved_errno;
}

int cair2_guard_install(void) {
    int expected = 0;
    if (!atomic_compare_exchange_strong(&guard_installed, &expected, 1)) {
        // Another thread is installing or has installed; wait for its result (install is quick).
        while (atomic_load(&guard_installed) != 2) sched_yield();
        return atomic_load(&guard_install_result);
    }
    guard_page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = guard_handler;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&action.sa_mask);
    int result = sigaction(SIGBUS, &action, &guard_previous) == 0 ? 0 : errno;
    atomic_store(&guard_install_result, result);
    atomic_store(&guard_installed, 2);
    return result;
}

int cair2_guard_register(const void *start, size_t length) {
    for (int i = 0; i < CAIR2_GUARD_SLOTS; i++) {
        guard_range *range = &guard_ranges[i];
        int expected = SLOT_FREE;
        if (!atomic_compare_exchange_strong(&range->state, &expected, SLOT_CLAIMED)) continue;
        atomic_store_explicit(&range->start, (uintptr_t)start, memory_order_relaxed);
        atomic_store_explicit(&range->length, length, memory_order_relaxed);
        atomic_store_explicit(&range->damaged, 0, memory_order_relaxed);
        atomic_store_explicit(&range->state, SLOT_LIVE, memory_order_release);
        return i;
    }
    return -1;
}

int cair2_guard_damaged(int slot) {
    if (slot < 0 || slot >= CAIR2_GUARD_SLOTS) return 0;
    return atomic_load_explicit(&guard_ranges[slot].damaged, memory_order_acquire);
}

void cair2_guard_unregister(int slot) {
    if (slot < 0 || slot >= CAIR2_GUARD_SLOTS) return;
    atomic_store_explicit(&guard_ranges[slot].state, SLOT_FREE, memory_order_release);
}

// MARK: - Temporary-file registry

// Slots live in chunks of CAIR2_TMP_CHUNK that are allocated as needed and never freed, chained by an
// atomic pointer: the handler walks the chain without allocating or locking, and the registry grows
// with the run (a split batch may hold thousands of outputs). A slot's path is a heap copy made by
// register (outside any handler); it is freed only when a later register reuses the slot, which
// happens after the slot was FREE, i.e. when no handler is reading it.

typedef struct {
    _Atomic int state;
    char *_Atomic path;
} tmp_slot;

typedef struct tmp_chunk {
    tmp_slot slots[CAIR2_TMP_CHUNK];
    struct tmp_chunk *_Atomic next;
} tmp_chunk;

static tmp_chunk tmp_first;

static int tmp_claim_in(tmp_chunk *chunk, int base, char *copy) {
    for (int i = 0; i < CAIR2_TMP_CHUNK; i++) {
        tmp_slot *slot = &chunk->slots[i];
        int expected = SLOT_FREE;
        if (!atomic_compare_exchange_strong(&slot->state, &expected, SLOT_CLAIMED)) continue;
        char *old = atomic_exchange(&slot->path, copy);
        free(old);
        // Release: a handler that sees LIVE sees the whole path.
        atomic_store_explicit(&slot->state, SLOT_LIVE, memory_order_release);
        return base + i;
    }
    return -1;
}

int cair2_tmp_register(const char *path) {
    size_t length = strlen(path);
    if (length >= CAIR2_TMP_PATH_MAX) return -ENAMETOOLONG;
    char *copy = strdup(path);
    if (copy == NULL) return -ENOMEM;
    tmp_chunk *chunk = &tmp_first;
    int base = 0;
    for (;;) {
        int index = tmp_claim_in(chunk, base, copy);
        if (index >= 0) return index;
        tmp_chunk *next = atomic_load_explicit(&chunk->next, memory_order_acquire);
        if (next == NULL) {
            tmp_chunk *grown = calloc(1, sizeof *grown);
            if (grown == NULL) { free(copy); return -ENOMEM; }
            tmp_chunk *expected = NULL;
            if (atomic_compare_exchange_strong(&chunk->next, &expected, grown)) {
                next = grown;
            } else {
                free(grown);  // another thread grew the chain first: use its chunk
                next = expected;
            }
        }
        chunk = next;
        base += CAIR2_TMP_CHUNK;
    }
}

static tmp_slot *tmp_slot_at(int index) {
    if (index < 0) return NULL;
    tmp_chunk *chunk = &tmp_first;
    while (index >= CAIR2_TMP_CHUNK) {
        chunk = atomic_load_explicit(&chunk->next, memory_order_acquire);
        if (chunk == NULL) return NULL;
        index -= CAIR2_TMP_CHUNK;
    }
    return &chunk->slots[index];
}

void cair2_tmp_unregister(int index) {
    tmp_slot *slot = tmp_slot_at(index);
    if (slot == NULL) return;
    int expected = SLOT_LIVE;
    // If a handler has claimed the slot (SLOT_HANDLER) it owns it until _exit; leave it alone.
    atomic_compare_exchange_strong(&slot->state, &expected, SLOT_FREE);
}

int cair2_tmp_unlink_all(void) {
    int removed = 0;
    for (tmp_chunk *chunk = &tmp_first; chunk != NULL; chunk = atomic_load_explicit(&chunk->next, memory_order_acquire)) {
        for (int i = 0; i < CAIR2_TMP_CHUNK; i++) {
            tmp_slot *slot = &chunk->slots[i];
            int expected = SLOT_LIVE;
            // Claim the slot so no thread frees and reuses it while its path is being read.
            if (!atomic_compare_exchange_strong(&slot->state, &expected, SLOT_HANDLER)) continue;
            char *path = atomic_load_explicit(&slot->path, memory_order_acquire);
            if (path != NULL && unlink(path) == 0) removed++;
            atomic_store_explicit(&slot->state, SLOT_FREE, memory_order_release);
        }
    }
    return removed;
}

static _Atomic int committed;
static _Atomic int pending_signal;

void cair2_tmp_forget_all(void) {
    // A forked child starts its own run: nothing committed, no signal pending.
    atomic_store(&committed, 0);
    atomic_store(&pending_signal, 0);
    for (tmp_chunk *chunk = &tmp_first; chunk != NULL; chunk = atomic_load_explicit(&chunk->next, memory_order_acquire))
        for (int i = 0; i < CAIR2_TMP_CHUNK; i++)
            atomic_store_explicit(&chunk->slots[i].state, SLOT_FREE, memory_order_release);
}

int cair2_tmp_live_count(void) {
    int live = 0;
    for (tmp_chunk *chunk = &tmp_first; chunk != NULL; chunk = atomic_load_explicit(&chunk->next, memory_order_acquire))
        for (int i = 0; i < CAIR2_TMP_CHUNK; i++)
            if (atomic_load_explicit(&chunk->slots[i].state, memory_order_acquire) == SLOT_LIVE) live++;
    return live;
}

// MARK: - SIGINT / SIGTERM / SIGHUP

static _Atomic int interrupt_installed;
static _Atomic int commit_depth;      // > 0 while an output set renames its files into place
// committed: 1 once a publication has begun, the process is past the point of no return (declared above).
// pending_signal: a signal that arrived during or after a commit (declared above).

static void interrupt_exit(int signo) {
    cair2_tmp_unlink_all();
    _exit(128 + signo);
}

static void interrupt_handler(int signo) {
    if (atomic_load(&commit_depth) > 0 || atomic_load(&committed)) {
        // Half a batch renamed into place would be worse than either outcome, and once the renames
        // have begun the contract's "interrupted, nothing published" can no longer be true: let the
        // renames finish and the run end normally; it reports the signal (cair2_pending_signal).
        int expected = 0;
        atomic_compare_exchange_strong(&pending_signal, &expected, signo);
        return;
    }
    interrupt_exit(signo);
}

int cair2_install_interrupt_handlers(void) {
    int expected = 0;
    if (!atomic_compare_exchange_strong(&interrupt_installed, &expected, 1)) return 0;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = interrupt_handler;
    action.sa_flags = SA_RESTART;
    // While one of them is handled the others wait, so the cleanup never runs twice at once.
    sigemptyset(&action.sa_mask);
    sigaddset(&action.sa_mask, SIGINT);
    sigaddset(&action.sa_mask, SIGTERM);
    sigaddset(&action.sa_mask, SIGHUP);
    if (sigaction(SIGINT, &action, NULL) != 0 || sigaction(SIGTERM, &action, NULL) != 0
        || sigaction(SIGHUP, &action, NULL) != 0) {
        int error = errno;
        atomic_store(&interrupt_installed, 0);
        return error;
    }
    // A thread that inherited a mask blocking them (Dispatch workers block async signals, and so
    // does a process forked from one) would otherwise never take them; other threads' masks are
    // theirs to keep, since any one thread that accepts the signal is enough.
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, SIGINT);
    sigaddset(&unblock, SIGTERM);
    sigaddset(&unblock, SIGHUP);
    return pthread_sigmask(SIG_UNBLOCK, &unblock, NULL);
}

void cair2_commit_begin(void) {
    // Sticky only in a process that took over the signals (the command line): a library caller that
    // installed nothing keeps its own handling.
    if (atomic_load(&interrupt_installed)) atomic_store(&committed, 1);
    atomic_fetch_add(&commit_depth, 1);
}

void cair2_commit_end(void) {
    atomic_fetch_sub(&commit_depth, 1);
}

int cair2_pending_signal(void) {
    return atomic_load(&pending_signal);
}
