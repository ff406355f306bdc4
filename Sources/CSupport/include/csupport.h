#ifndef CAIR2_CSUPPORT_H
#define CAIR2_CSUPPORT_H
#include <stddef.h>
#include <stdint.h>

/// The C helpers' version (the mapping guard, the temporary-file registry, writeback hints).
int cair2_csupport_version(void);

// MARK: - Mapping guard (guard.c)

/// How many mappings can be guarded at once.
#define CAIR2_GUARD_SLOTS 64

/// Installs the process-wide SIGBUS handler (once; later calls return the first result).
/// Returns 0 or an errno value.
int cair2_guard_install(void);
/// Guards [start, start + length): a fault there is repaired with a zero page and flagged.
/// Returns the slot, or -1 when every slot is in use.
int cair2_guard_register(const void *start, size_t length);
/// 1 once a fault in the slot's range has been repaired, else 0.
int cair2_guard_damaged(int slot);
/// Stops guarding the slot's range (call before munmap).
void cair2_guard_unregister(int slot);

// MARK: - Temporary files and interrupts (guard.c)

/// Slots per chunk of the registry (it grows by chunks, without limit), and the longest path (with its NUL).
#define CAIR2_TMP_CHUNK 256
#define CAIR2_TMP_PATH_MAX 4096

/// Records a temporary path for the interrupt handler to unlink. Returns the slot (>= 0) or -errno
/// (-ENAMETOOLONG, -ENOMEM).
int cair2_tmp_register(const char *path);
/// Forgets a slot (after the file was renamed into place or unlinked).
void cair2_tmp_unregister(int slot);
/// Unlinks every registered path and frees its slot; async-signal-safe. Returns how many unlinks
/// succeeded.
int cair2_tmp_unlink_all(void);
/// Frees every slot without unlinking: for a child process after fork(), whose copy of the
/// registry names its parent's files. Async-signal-safe.
void cair2_tmp_forget_all(void);
/// How many paths are registered (for tests).
int cair2_tmp_live_count(void);
/// Installs the SIGINT/SIGTERM/SIGHUP handler (once): unlink every registered path, _exit(128 + signal).
/// Returns 0 or an errno value.
int cair2_install_interrupt_handlers(void);
/// Brackets the renames of an output set. From the first begin on, the process is past the point of
/// no return: a signal is no longer acted on by exiting but recorded (cair2_pending_signal), so the
/// renames finish and the run ends normally, saying that it was interrupted after publication.
void cair2_commit_begin(void);
void cair2_commit_end(void);
/// The first signal that arrived during or after a commit, or 0.
int cair2_pending_signal(void);

// MARK: - Writeback (writeback.c)

/// Starts the disk writeback of [offset, offset + length) of fd without waiting (sync_file_range with
/// SYNC_FILE_RANGE_WRITE), so a later fsync has little left to wait for. Returns 0 or -1 (errno set).
int cair2_start_writeback(int fd, long long offset, long long length);

/// A hint that `p`'s cache line will be read soon (never faults, even on an address that is not mapped).
static inline void cair2_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

/// Turns direct I/O (O_DIRECT: writes go from the caller's buffer to the device, not through the page cache)
/// on or off for fd. Returns 0, or -1 with errno (EINVAL: the file system has no direct I/O).
int cair2_set_direct_io(int fd, int on);

#endif
