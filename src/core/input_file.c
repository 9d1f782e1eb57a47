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
#include "core/tmpdir.h"

#define CHUNK (1u << 20)
#define FAULT_AROUND (2u << 20)

/* Inflate the gzip file on fd into a new unlinked sparse temp file. */
static struct mperr *gunzip_to_tmp(int fd, int *out_fd, uint64_t *out_len)
{
	struct mperr *err = NULL;
	uint64_t off = 0;
	uint8_t *buf;
	gzFile gz;
	int dup_fd, tmp;

	tmp = tmp_open_unlinked();
	if (tmp < 0)
		return mperr_io(errno, "creating a temporary file in %s", tmp_dir());
	dup_fd = dup(fd);
	gz = dup_fd < 0 ? NULL : gzdopen(dup_fd, "rb");
	buf = malloc(CHUNK);
	if (!gz || !buf) {
		err = gz ? mperr_nomem() : mperr_io(errno, "gzdopen");
		goto out;
	}
	gzbuffer(gz, CHUNK);
	for (;;) {
		int n = gzread(gz, buf, CHUNK);
		int zerr;
		const char *msg;

		if (n < 0) {
			msg = gzerror(gz, &zerr);
			err = mperr_at(mperr_input("gzip data corrupt after %llu bytes: %s",
						   (unsigned long long)off, msg), off);
			goto out;
		}
		if (n == 0)
			break;
		err = pwrite_sparse(tmp, buf, (size_t)n, off);	/* zero blocks stay holes */
		if (err) {
			err = mperr_prefix(err, "writing decompressed data to a temporary file");
			goto out;
		}
		off += (uint64_t)n;
	}
	if (ftruncate(tmp, (off_t)off) < 0)
		err = mperr_io(errno, "sizing the temporary file");
out:
	if (gz)
		gzclose_r(gz);
	else if (dup_fd >= 0)
		close(dup_fd);
	free(buf);
	if (err) {
		close(tmp);
		return err;
	}
	*out_fd = tmp;
	*out_len = off;
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
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		err = mperr_io(S_ISREG(st.st_mode) ? errno : EINVAL, "not a regular file");
		close(fd);
		return mperr_in_file(err, path);
	}
	len = (uint64_t)st.st_size;
	if (pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		int tmp = -1;

		err = gunzip_to_tmp(fd, &tmp, &len);
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
		munmap((void *)in->map, in->len);
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
