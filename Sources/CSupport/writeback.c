#define _GNU_SOURCE
#include <fcntl.h>
#include "csupport.h"

int cair2_start_writeback(int fd, long long offset, long long length) {
    // Starts writeback of the range and returns at once (SYNC_FILE_RANGE_WRITE alone never waits for it).
    return sync_file_range(fd, (off64_t)offset, (off64_t)length, SYNC_FILE_RANGE_WRITE);
}
