/*
 * fuzz_snapshot.h - the body shared by the snapshot-reader fuzz targets: the
 * input bytes as a snapshot of a forced format, through a memfd opened by
 * snapshot_open(); on success every RAM extent is read so that a bad pointer
 * faults here. Included by exactly one target per binary.
 */
#ifndef MPIPLSIM_FUZZ_SNAPSHOT_H
#define MPIPLSIM_FUZZ_SNAPSHOT_H

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "input/snapshot.h"

#define TOUCH_MAX (64u << 20)

static volatile unsigned sink;

static unsigned touch(const struct ram_image *ram)
{
	uint64_t left = TOUCH_MAX;
	unsigned sum = 0;

	for (size_t i = 0; i < ram->n && left; i++) {
		uint64_t n = ram->ext[i].len < left ? ram->ext[i].len : left;

		for (uint64_t k = 0; k < n; k += 512)
			sum += ram->ext[i].data[k];
		sum += ram->ext[i].data[n - 1];
		left -= n;
	}
	return sum;
}

/* Feed the bytes to snapshot_open with the format forced, through a memfd. */
static int fuzz_snapshot(const uint8_t *data, size_t size, enum snap_format format)
{
	struct snapshot s;
	struct mperr *err;
	char path[64];
	size_t done = 0;
	int fd = memfd_create("fuzz_snapshot", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	while (done < size) {
		ssize_t w = write(fd, data + done, size - done);

		if (w <= 0)
			goto out;
		done += (size_t)w;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	err = snapshot_open(&s, path, format, NULL);
	if (err) {
		mperr_free(err);
		goto out;
	}
	sink = touch(&s.ram);
	snapshot_close(&s);
out:
	close(fd);
	return 0;
}

#endif
