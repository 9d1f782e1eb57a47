/*
 * fuzz_kdump.c - libFuzzer target: the input bytes as a kdump snapshot (format
 * forced), through a memfd opened by snapshot_open(); on success every RAM
 * extent is read so that a bad pointer faults here. Build and run from the
 * repository root (seeds: tests/fuzz/make_seeds.py; found crashes go to
 * tests/fuzz/regress/kdump/, which check_kdump replays):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -DHAVE_LZO \
 *     -DHAVE_SNAPPY -I/usr/include/lzo -Isrc tests/fuzz/fuzz_kdump.c \
 *     $(find src -name '*.c' ! -name main.c) -o build/fuzz_kdump \
 *     -lelf -lz -lfdt -llzo2 -lsnappy -ljansson
 *   mkdir -p build/corpus-kdump && build/fuzz_kdump -max_len=131072 -max_total_time=300 \
 *     build/corpus-kdump tests/fuzz/seeds/kdump
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "snapshot.h"

#define TOUCH_MAX (64u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snapshot s;
	struct mperr *err;
	char path[64];
	size_t done = 0;
	int fd = memfd_create("fuzz_kdump", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	while (done < size) {
		ssize_t w = write(fd, data + done, size - done);

		if (w <= 0)
			goto out;
		done += (size_t)w;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	err = snapshot_open(&s, path, SNAP_KDUMP, NULL);
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
