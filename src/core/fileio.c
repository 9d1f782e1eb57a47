/* fileio.c - see fileio.h */
#include "core/fileio.h"

#include <errno.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/bytes.h"

#define HOLE_UNIT 4096u
#define MAX_RUN (1u << 20)
#define COPY_MIN (UINT64_C(64) << 10)	/* smaller pieces are not worth a system call of their own */

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

struct mperr *pwritev_all(int fd, struct iovec *iov, int n, uint64_t off)
{
	while (n) {
		ssize_t w = pwritev(fd, iov, n, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return mperr_at(mperr_io(w < 0 ? errno : ENOSPC, "write at 0x%llx",
						 (unsigned long long)off), off);
		off += (uint64_t)w;
		while (n && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base = (uint8_t *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return NULL;
}

struct mperr *pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	/* iovec has no const member; pwritev only reads it */
	struct iovec v = { (void *)(uintptr_t)buf, len };

	return len ? pwritev_all(fd, &v, 1, off) : NULL;
}

void wc_init(struct wcomb *w, int fd, wc_release_fn release, const void *rctx)
{
	*w = (struct wcomb){ .fd = fd, .src_fd = -1, .release = release, .rctx = rctx };
}

void wc_set_source(struct wcomb *w, const uint8_t *map, uint64_t len, int src_fd)
{
	w->src_map = src_fd >= 0 ? map : NULL;
	w->src_len = len;
	w->src_fd = src_fd;
}

static void release_spans(struct wcomb *w)
{
	for (int i = 0; i < w->n_span; i++)
		if (w->release)
			w->release(w->rctx, w->span[i].p, w->span[i].len);
	w->n_span = 0;
}

struct mperr *wc_flush(struct wcomb *w)
{
	struct mperr *err = NULL;

	if (w->n) {
		err = pwritev_all(w->fd, w->iov, w->n, w->off);
		w->n_writes++;
	}
	w->n = 0;
	w->len = 0;
	release_spans(w);
	return err;
}

/* Remember that [p, p+n) was read: released after the next write. */
static struct mperr *note_span(struct wcomb *w, const uint8_t *p, uint64_t n)
{
	if (w->n_span) {
		const uint8_t *s = w->span[w->n_span - 1].p;
		const uint8_t *e = s + w->span[w->n_span - 1].len;

		/* the next page of a stream of records: small gaps (record headers) join */
		if (p >= s && p <= e + HOLE_UNIT) {
			if (p + n > e)
				w->span[w->n_span - 1].len = (uint64_t)(p + n - s);
			return NULL;
		}
	}
	if (w->n_span == WC_SPANS) {
		struct mperr *err = wc_flush(w);

		if (err)
			return err;
	}
	w->span[w->n_span].p = p;
	w->span[w->n_span].len = n;
	w->n_span++;
	return NULL;
}

static struct mperr *gather(struct wcomb *w, const uint8_t *data, uint64_t len, uint64_t off)
{
	for (uint64_t o = 0; o < len;) {
		/* pieces on the output's 4 KiB grid, so that holes are whole blocks */
		uint64_t n = HOLE_UNIT - (off + o) % HOLE_UNIT;
		const uint8_t *p = data + o;
		struct iovec *last = w->n ? &w->iov[w->n - 1] : NULL;
		bool extend;
		struct mperr *err;

		if (n > len - o)
			n = len - o;
		if (!mem_is_zero(p, n)) {
			extend = last && (const uint8_t *)last->iov_base + last->iov_len == p;
			if (w->n && (w->off + w->len != off + o || w->len + n > WC_MAX_BYTES ||
				     (!extend && w->n == WC_IOV))) {
				err = wc_flush(w);
				if (err)
					return err;
			}
			err = note_span(w, p, n);
			if (err)
				return err;
			if (!w->n) {
				w->off = off + o;
				extend = false;
			}
			if (extend)
				w->iov[w->n - 1].iov_len += n;
			else
				/* iovec has no const member; pwritev only reads it */
				w->iov[w->n++] = (struct iovec){ (void *)(uintptr_t)p, n };
			w->len += n;
		} else {
			err = note_span(w, p, n);
			if (err)
				return err;
		}
		o += n;
	}
	return NULL;
}

static bool not_here(int e)
{
	return e == EXDEV || e == EOPNOTSUPP || e == ENOSYS || e == EINVAL || e == EBADF ||
	       e == ENOTTY || e == EPERM || e == ETXTBSY;
}

/* copy_file_range() of [soff, soff+len) to off; *fallback when the kernel cannot here. */
static struct mperr *kcopy(struct wcomb *w, uint64_t soff, uint64_t len, uint64_t off,
			   bool *fallback)
{
	loff_t in = (loff_t)soff, out = (loff_t)off;

	while (len) {
		ssize_t c = copy_file_range(w->src_fd, &in, w->fd, &out, len, 0);

		if (c < 0 && errno == EINTR)
			continue;
		if (c < 0 && not_here(errno) && in == (loff_t)soff) {
			*fallback = true;
			return NULL;
		}
		if (c < 0)
			return mperr_at(mperr_io(errno, "copy to 0x%llx", (unsigned long long)out),
					(uint64_t)out);
		if (c == 0)	/* the source ended early: let the reader see it */
			break;
		len -= (uint64_t)c;
		soff += (uint64_t)c;
	}
	if (len)
		*fallback = true;
	w->n_copies++;
	return NULL;
}

/*
 * A page-aligned piece of the source file: clone it whole (no bytes read, zero
 * pages share the source's blocks), else copy its non-zero pages in the kernel.
 * *done is false when neither works: the caller gathers what is left.
 */
static struct mperr *copy_piece(struct wcomb *w, const uint8_t *data, uint64_t len, uint64_t off,
				uint64_t *done)
{
	uint64_t soff = (uint64_t)(data - w->src_map), run = 0, o;
	struct mperr *err;

	*done = 0;
	if (!w->no_clone) {
		struct file_clone_range r = { .src_fd = w->src_fd, .src_offset = soff,
					      .src_length = len, .dest_offset = off };

		if (!ioctl(w->fd, FICLONERANGE, &r)) {
			w->n_clones++;
			*done = len;
			return NULL;
		}
		w->no_clone = true;	/* ext4, tmpfs, another file system: not here */
	}
	for (o = 0; o <= len && !w->no_copy; o += HOLE_UNIT) {
		bool zero = o < len && mem_is_zero(data + o, HOLE_UNIT);
		bool fallback = false;

		if (o < len && !zero && run < WC_MAX_BYTES) {
			run += HOLE_UNIT;
			continue;
		}
		if (run) {
			err = kcopy(w, soff + o - run, run, off + o - run, &fallback);
			if (err)
				return err;
			if (fallback) {
				w->no_copy = true;
				o -= run;	/* gather from the run on */
				break;
			}
			if (w->release)
				w->release(w->rctx, data + o - run, run);
			run = 0;
		}
		if (zero && w->release)
			w->release(w->rctx, data + o, HOLE_UNIT);
		if (o < len && !zero)
			run = HOLE_UNIT;	/* this page starts the next run */
	}
	*done = o > len ? len : o;
	return NULL;
}

struct mperr *wc_add(struct wcomb *w, const uint8_t *data, uint64_t len, uint64_t off)
{
	if (w->src_map && !(w->no_clone && w->no_copy) && len >= COPY_MIN &&
	    data >= w->src_map && (uint64_t)(data - w->src_map) <= w->src_len &&
	    len <= w->src_len - (uint64_t)(data - w->src_map) &&
	    !((uint64_t)(data - w->src_map) % HOLE_UNIT) && !(off % HOLE_UNIT)) {
		uint64_t body = len & ~(uint64_t)(HOLE_UNIT - 1), done;
		struct mperr *err = copy_piece(w, data, body, off, &done);

		if (err)
			return err;
		data += done;
		off += done;
		len -= done;
	}
	return gather(w, data, len, off);
}
