/* fileio.c - see fileio.h */
#include "core/fileio.h"

#include <errno.h>
#include <unistd.h>

#include "core/bytes.h"

#define HOLE_UNIT 4096u
#define MAX_RUN (1u << 20)

struct mperr *pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t w = pwrite(fd, p, len, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return mperr_at(mperr_io(w < 0 ? errno : ENOSPC, "write at 0x%llx",
						 (unsigned long long)off), off);
		p += w;
		off += (uint64_t)w;
		len -= (size_t)w;
	}
	return NULL;
}

struct mperr *pwrite_sparse(int fd, const uint8_t *data, uint64_t len, uint64_t off)
{
	uint64_t run_start = 0, run_len = 0;

	for (uint64_t o = 0; o < len;) {
		/* align pieces to the output's 4 KiB grid so holes are whole blocks */
		uint64_t n = HOLE_UNIT - (off + o) % HOLE_UNIT;
		struct mperr *err;

		if (n > len - o)
			n = len - o;
		if (!mem_is_zero(data + o, n) && run_len < MAX_RUN) {
			if (!run_len)
				run_start = o;
			run_len += n;
			o += n;
			continue;
		}
		if (run_len) {
			err = pwrite_all(fd, data + run_start, run_len, off + run_start);
			if (err)
				return err;
			run_len = 0;
			continue;	/* re-examine this piece */
		}
		o += n;
	}
	return run_len ? pwrite_all(fd, data + run_start, run_len, off + run_start) : NULL;
}
