#define _GNU_SOURCE
#include <fcntl.h>
#include "csupport.h"

int cair2_start_writeback(int fd, long long offset, long long length) {
    // Starts writeback of the range and returns at once (SYNC_FILE_RANGE_WRITE alone never waits for it).
    return sync_file_range(fd, (off64_t)offset, (off64_t)length, SYNC_FILE_RANGE_WRITE);
}

int cair2_set_direct_io(int fd, int on) {
    // O_DIRECT needs _GNU_SOURCE, which Swift's Glibc module does not see. fcntl fails with EINVAL on
    // file systems without direct I/O (tmpfs): the caller then stays with buffered writes.
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFL, on ? (flags | O_DIRECT) : (flags & ~O_DIRECT));
}
