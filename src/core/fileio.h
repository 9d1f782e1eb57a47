/*
 * fileio.h - writing whole buffers to a file descriptor: pwrite until done
 * (EINTR retried, a short write is ENOSPC), and sparse writes that leave 4 KiB
 * pages of zeros as holes. Knows nothing of output naming or renames.
 */
#ifndef MPIPLSIM_FILEIO_H
#define MPIPLSIM_FILEIO_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct mperr *pwrite_all(int fd, const void *buf, size_t len, uint64_t off);

/* Write [data, data+len) at off, skipping 4 KiB pages that are all zero (holes). */
struct mperr *pwrite_sparse(int fd, const uint8_t *data, uint64_t len, uint64_t off);

#endif
