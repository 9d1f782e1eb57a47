/*
 * fuzz_mig.c - libFuzzer target for the migration stream reader (in_mig.c,
 * vmdesc.c): bytes go through a memfd and snapshot_open(..., SNAP_MIG), as a
 * file would. Build and run from the worktree root:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *     -o build/fuzz_mig tests/fuzz/fuzz_mig.c $(find src -name '*.c' ! -name main.c) \
 *     $(pkg-config --cflags --libs jansson zlib libelf) -llzo2 -lsnappy -lfdt
 *   build/fuzz_mig -max_len=65536 -timeout=10 build/fuzz-corpus tests/fuzz/seeds/mig
 *
 * Invariants checked beyond the sanitizers: a failure is an input error that
 * carries an offset inside the file; on success every RAM extent is readable.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/text.h"
#include "input/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Strings of the file as the text writers print them: printable ASCII, one line (text.h). */
static void check_printable(const char *s)
{
	char buf[TEXT_ESC_MAX];

	text_escape(buf, sizeof(buf), s, strlen(s));
	for (const char *p = buf; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			abort();
}

static struct mperr *sum_piece(void *ctx, uint64_t gpa, const uint8_t *p, uint64_t len)
{
	uint64_t *sum = ctx;

	(void)gpa;
	for (uint64_t i = 0; i < len; i += 512)
		*sum += p[i] + p[len - 1];
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct snapshot s;
	struct mperr *err;
	uint64_t sum = 0;

	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
		return 0;	/* gzip is input.c's business, and a bomb only costs time */
	if (fd < 0) {
		fd = memfd_create("fuzz_mig", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	err = snapshot_open(&s, path, SNAP_MIG, NULL);
	if (err) {
		char buf[512];

		mperr_format(err, buf, sizeof(buf));
		check_printable(buf);
		if (err->kind == MPERR_INPUT && (!err->has_off || err->off > size)) {
			fprintf(stderr, "input error without a valid offset: %s\n", buf);
			abort();
		}
		mperr_free(err);
		return 0;
	}
	for (size_t i = 0; i < s.n_blocks; i++)
		check_printable(s.blocks[i].name);
	for (size_t i = 0; i < s.n_notes; i++)
		check_printable(s.notes[i]);
	check_printable(s.format_detail);
	err = ram_walk_data(&s.ram, 0, s.ram.size, sum_piece, &sum);
	if (err)
		abort();
	for (size_t i = 0; i < s.cpus.n; i++)
		sum += s.cpus.cpu[i].pir;
	snapshot_close(&s);
	return sum == 42;	/* keep the reads alive; libFuzzer ignores the value */
}
