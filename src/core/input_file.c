/* input.c - see input.h */
#include "core/input_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/fileio.h"
#include "core/progress.h"
#include "core/tmpdir.h"

#define CHUNK (1u << 20)
#define FAULT_AROUND (2u << 20)

static struct progress *inflate_pr;	/* input_set_progress() */

void input_set_progress(struct progress *p)
{
	inflate_pr = p;
}

struct gz {
	z_stream zs;
	int fd;			/* the compressed file */
	uint64_t in_len;	/* its size */
	uint64_t in_off;	/* bytes read from it so far */
	uint8_t *in, *out;	/* CHUNK each */
};

/* Bytes of the compressed file inflate has consumed. */
static uint64_t gz_pos(const struct gz *g)
{
	return g->in_off - g->zs.avail_in;
}

static struct mperr *gz_refill(struct gz *g)
{
	uint64_t want = g->in_len - g->in_off;
	ssize_t n;

	if (g->zs.avail_in || !want)
		return NULL;
	do
		n = pread(g->fd, g->in, want < CHUNK ? (size_t)want : CHUNK, (off_t)g->in_off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return mperr_io(errno, "reading the gzip data at 0x%llx",
				(unsigned long long)g->in_off);
	if (n == 0)
		g->in_len = g->in_off;	/* it shrank: the stream ends early */
	g->zs.next_in = g->in;
	g->zs.avail_in = (uInt)n;
	g->in_off += (uint64_t)n;
	progress_add(inflate_pr, (uint64_t)n);	/* compressed bytes read */
	return NULL;
}

/*
 * After a member's end: another member ("1f 8b", as gzip -d takes them), the
 * end of the file, or trailing garbage, which is an error (issue 14).
 */
static struct mperr *gz_next_member(struct gz *g, bool *done)
{
	uint64_t pos = gz_pos(g);
	uint8_t m[2] = { 0, 0 };

	*done = pos == g->in_len;
	if (*done)
		return NULL;
	if (g->zs.avail_in >= 2)
		memcpy(m, g->zs.next_in, 2);
	else if (pos + 2 <= g->in_len && pread(g->fd, m, 2, (off_t)pos) != 2)
		m[0] = 0;
	if (pos + 2 <= g->in_len && m[0] == 0x1f && m[1] == 0x8b)
		return inflateReset(&g->zs) == Z_OK ? NULL : mperr_nomem();
	return mperr_at(mperr_input("trailing garbage: 0x%llx bytes after the gzip stream ends at "
				    "0x%llx", (unsigned long long)(g->in_len - pos),
				    (unsigned long long)pos), pos);
}

/*
 * Inflate every member; a stream cut short, a CRC or length error or trailing
 * garbage is bad input, never a shorter snapshot (issue 14).
 */
static struct mperr *gz_inflate(struct gz *g, int tmp, uint64_t *out_len)
{
	struct mperr *err;
	uint64_t off = 0;
	bool done = false;

	while (!done) {
		size_t n;
		int ret;

		err = gz_refill(g);
		if (err)
			return err;
		g->zs.next_out = g->out;
		g->zs.avail_out = CHUNK;
		ret = inflate(&g->zs, Z_NO_FLUSH);
		if (ret == Z_MEM_ERROR)
			return mperr_nomem();
		if (ret != Z_OK && ret != Z_BUF_ERROR && ret != Z_STREAM_END) {
			const char *why = g->zs.msg ? g->zs.msg : zError(ret);

			return mperr_at(mperr_input("gzip data corrupt after %llu bytes: %s",
						    (unsigned long long)gz_pos(g), why), gz_pos(g));
		}
		n = CHUNK - g->zs.avail_out;
		err = pwrite_sparse(tmp, g->out, n, off);	/* zero blocks stay holes */
		if (err)
			return mperr_prefix(err, "writing decompressed data to a temporary file");
		off += n;
		if (ret == Z_STREAM_END) {
			err = gz_next_member(g, &done);
			if (err)
				return err;
		} else if (!g->zs.avail_in && g->in_off == g->in_len && g->zs.avail_out) {
			return mperr_at(mperr_input("gzip stream ends early after %llu bytes",
						    (unsigned long long)g->in_len), g->in_len);
		}
	}
	*out_len = off;
	return NULL;
}

/* Inflate the gzip file on fd (len bytes) into a new unlinked sparse temp file. */
static struct mperr *gunzip_to_tmp(int fd, uint64_t len, int *out_fd, uint64_t *out_len)
{
	struct gz g = { .fd = fd, .in_len = len };
	struct mperr *err = NULL;
	int tmp;

	tmp = tmp_open_unlinked();
	if (tmp < 0)
		return mperr_io(errno, "creating a temporary file in %s", tmp_dir());
	g.in = malloc(CHUNK);
	g.out = malloc(CHUNK);
	/* windowBits 15 + 16: the gzip wrapper only, never a bare zlib stream */
	if (!g.in || !g.out || inflateInit2(&g.zs, 15 + 16) != Z_OK) {
		free(g.in);
		free(g.out);
		close(tmp);
		return mperr_nomem();
	}
	err = gz_inflate(&g, tmp, out_len);
	if (!err && ftruncate(tmp, (off_t)*out_len) < 0)
		err = mperr_io(errno, "sizing the temporary file");
	inflateEnd(&g.zs);
	free(g.in);
	free(g.out);
	if (err) {
		close(tmp);
		return err;
	}
	*out_fd = tmp;
	return NULL;
}

struct mperr *input_open(struct input *in, const char *path)
{
	struct mperr *err;
	uint8_t magic[2] = { 0, 0 };
	struct stat st;
	uint64_t len;
	int fd;

	memset(in, 0, sizeof(*in));
	in->path = path;
	in->fd = -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mperr_in_file(mperr_io(errno, "cannot open"), path);
	if (fstat(fd, &st) < 0) {
		err = mperr_io(errno, "cannot stat");
		close(fd);
		return mperr_in_file(err, path);
	}
	if (!S_ISREG(st.st_mode)) {
		err = mperr_io(EINVAL, "not a regular file");
		close(fd);
		return mperr_in_file(err, path);
	}
	len = (uint64_t)st.st_size;
	if (pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		int tmp = -1;

		progress_start(inflate_pr, "inflating the gzip input", len);
		err = gunzip_to_tmp(fd, len, &tmp, &len);
		progress_end(inflate_pr);
		close(fd);
		if (err)
			return mperr_in_file(err, path);
		fd = tmp;
		in->gzipped = true;
	}
	in->fd = fd;
	in->len = (size_t)len;
	if (len) {
		void *m = mmap(NULL, in->len, PROT_READ, MAP_PRIVATE, fd, 0);

		if (m == MAP_FAILED) {
			err = mperr_io(errno, "cannot map %llu bytes", (unsigned long long)len);
			input_close(in);
			return mperr_in_file(err, path);
		}
		in->map = m;
	}
	return NULL;
}

void input_close(struct input *in)
{
	if (in->map)
		munmap((void *)(uintptr_t)in->map, in->len);	/* our own mapping, read-only */
	if (in->fd >= 0)
		close(in->fd);
	in->map = NULL;
	in->fd = -1;
}

struct mperr *input_walk_data(const struct input *in, uint64_t off, uint64_t len,
			      input_extent_fn fn, void *ctx)
{
	uint64_t end = off + len;

	if (end < off || end > in->len)
		return mperr_input("range past the end of the file");
	while (off < end) {
		off_t d = lseek(in->fd, (off_t)off, SEEK_DATA);
		off_t h;
		struct mperr *err;

		if (d < 0 && errno == ENXIO)
			return NULL;	/* only a hole is left */
		if (d < 0)	/* no SEEK_DATA support: treat everything as data */
			return fn(ctx, off, end - off);
		if ((uint64_t)d >= end)
			return NULL;
		h = lseek(in->fd, d, SEEK_HOLE);
		if (h < 0 || (uint64_t)h > end)
			h = (off_t)end;
		err = fn(ctx, (uint64_t)d, (uint64_t)(h - d));
		if (err)
			return err;
		off = (uint64_t)h;
	}
	return NULL;
}

void map_release(const uint8_t *map, size_t map_len, const uint8_t *p, uint64_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = (uintptr_t)p, b = a + len;
	uintptr_t m = (uintptr_t)map, me = m + map_len;

	if (!map || a < m || b > me || b < a)
		return;
	/*
	 * Every page the range touches, clipped to the mapping: the mappings are
	 * read-only and private, never written, so a dropped page that is read
	 * again faults back in from the page cache with the same bytes. Also the
	 * FAULT_AROUND bytes before it: a fault maps the cached pages around it,
	 * up to a whole large folio of the page cache (at most a PMD, 2 MiB; seen:
	 * 512 KiB folios on ext4, Linux 6.18), so a reader going forward would
	 * otherwise keep the part of each folio it crossed that lies behind the
	 * window it releases.
	 */
	a &= ~(page - 1);
	a = a - (m & ~(page - 1)) > FAULT_AROUND ? a - FAULT_AROUND : m & ~(page - 1);
	b = (b + page - 1) & ~(page - 1);
	if (a < b)
		madvise((void *)a, b - a, MADV_DONTNEED);
}
