/*
 * fileio.h - writing whole buffers to a file descriptor: pwrite until done
 * (EINTR retried, a short write is ENOSPC), sparse writes that leave 4 KiB
 * pages of zeros as holes, and a write combiner that turns many pieces into
 * few large pwritev() calls (or file-to-file copies) while bounding the
 * memory the pieces' sources keep resident. Knows nothing of output naming
 * or renames.
 */
#ifndef MPIPLSIM_FILEIO_H
#define MPIPLSIM_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "core/err.h"

struct mperr *pwrite_all(int fd, const void *buf, size_t len, uint64_t off);

/* Write [data, data+len) at off, skipping 4 KiB pages that are all zero (holes). */
struct mperr *pwrite_sparse(int fd, const uint8_t *data, uint64_t len, uint64_t off);

/* pwritev() until every byte of iov[0..n) is written at off (modifies iov). */
struct mperr *pwritev_all(int fd, struct iovec *iov, int n, uint64_t off);

#define WC_IOV		1024			/* IOV_MAX on Linux */
#define WC_MAX_BYTES	(UINT64_C(4) << 20)	/* one write at most; the resident window */
#define WC_SPANS	32

/* Called with source bytes once they are written: drop them from the resident set. */
typedef void (*wc_release_fn)(const void *ctx, const uint8_t *p, uint64_t len);

/*
 * Pieces [data, data+len) for file offsets off, in any order. Non-zero 4 KiB
 * pages (on the output's grid) that follow each other in the file are gathered
 * into one pwritev() of at most WC_IOV pieces and WC_MAX_BYTES; zero pages stay
 * holes. Pieces that lie in src_map (a read-only mapping of file src_fd) at
 * page-aligned offsets on both sides are cloned (FICLONERANGE) where the file
 * system shares extents, else copied in the kernel (copy_file_range, its zero
 * pages still holes), else written like the rest. So at any time at most
 * WC_MAX_BYTES of sources are held between being read and being released.
 */
struct wcomb {
	int fd;
	const uint8_t *src_map;		/* NULL: no file-to-file copies */
	uint64_t src_len;
	int src_fd;
	wc_release_fn release;		/* may be NULL */
	const void *rctx;
	/* state */
	uint64_t off, len;		/* the file range gathered in iov */
	int n;
	struct iovec iov[WC_IOV];
	struct { const uint8_t *p; uint64_t len; } span[WC_SPANS];	/* read, not released */
	int n_span;
	bool no_clone, no_copy;
	/* counts, for tests and benchmarks */
	uint64_t n_writes, n_clones, n_copies;
};

void wc_init(struct wcomb *w, int fd, wc_release_fn release, const void *rctx);
/* Let pieces inside [map, map+len), a read-only mapping of src_fd from offset 0, be copied. */
void wc_set_source(struct wcomb *w, const uint8_t *map, uint64_t len, int src_fd);
struct mperr *wc_add(struct wcomb *w, const uint8_t *data, uint64_t len, uint64_t off);
/* Write what is gathered; call before the file is read, sized or closed. */
struct mperr *wc_flush(struct wcomb *w);

#endif
