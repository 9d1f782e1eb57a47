/*
 * mig_extract.c - bench and debugging helper (not a Check suite): open a
 * snapshot with snapshot_open() and write its guest RAM as a sparse raw file,
 * like `analyze-migration.py -x` extracts RAM blocks. Prints what it found.
 *
 *   build/tests/mig_extract SNAPSHOT [OUT.raw]
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/fileio.h"
#include "input/snapshot.h"

struct out {
	int fd;
};

static struct mperr *write_piece(void *ctx, uint64_t gpa, const uint8_t *data, uint64_t len)
{
	struct out *o = ctx;

	return pwrite_all(o->fd, data, len, gpa);
}

static void print_warning(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "warning: %s\n", msg);
}

int main(int argc, char **argv)
{
	struct warn_sink w = { print_warning, NULL };
	struct snapshot s;
	struct mperr *err;
	char buf[512];
	int rc = 0;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s SNAPSHOT [OUT.raw]\n", argv[0]);
		return 2;
	}
	err = snapshot_open(&s, argv[1], SNAP_AUTO, &w);
	if (err) {
		mperr_format(err, buf, sizeof(buf));
		fprintf(stderr, "mig_extract: %s%s\n", buf, err->has_off ? "" : " (no offset)");
		rc = err->kind;
		mperr_free(err);
		return rc;
	}
	fprintf(stderr, "%s: %s\n", argv[1], s.format_detail);
	for (size_t i = 0; i < s.n_blocks; i++)
		fprintf(stderr, "  block %s len 0x%" PRIx64 " %s\n", s.blocks[i].name, s.blocks[i].len,
			s.blocks[i].is_ram ? "RAM at 0x0" : "not RAM");
	for (size_t i = 0; i < s.n_notes; i++)
		fprintf(stderr, "  note: %s\n", s.notes[i]);
	fprintf(stderr, "  ram 0x%" PRIx64 " bytes, %zu extents, 0x%" PRIx64 " data bytes\n",
		s.ram.size, s.ram.n, s.ram.data_bytes);
	for (size_t i = 0; i < s.cpus.n; i++) {
		const struct cpu_regs *r = &s.cpus.cpu[i];

		fprintf(stderr, "  cpu %zu PIR %u NIP %016" PRIx64 " MSR %016" PRIx64 " CR %08" PRIx64
			" LR %016" PRIx64 "\n", i, r->pir, r->nip, r->msr, r->cr, r->spr[SPRN_LR]);
	}
	if (argc == 3) {
		struct out o = { open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644) };

		if (o.fd < 0) {
			perror(argv[2]);
			snapshot_close(&s);
			return 3;
		}
		err = ram_walk_data(&s.ram, 0, s.ram.size, write_piece, &o);
		if (!err && ftruncate(o.fd, (off_t)s.ram.size) < 0)
			err = mperr_io(errno, "ftruncate");
		if (close(o.fd) < 0 && !err)
			err = mperr_io(errno, "close");
		if (err) {
			mperr_format(err, buf, sizeof(buf));
			fprintf(stderr, "mig_extract: %s: %s\n", argv[2], buf);
			rc = err->kind;
			mperr_free(err);
		}
	}
	snapshot_close(&s);
	return rc;
}
