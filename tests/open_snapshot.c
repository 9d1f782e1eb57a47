/*
 * open_snapshot.c - bench/debug helper: open each snapshot given on the
 * command line with snapshot_open() and print what the reader found. Not a
 * test; built by `make build/open_snapshot` ("dump bench helper" in Makefile).
 * Usage: open_snapshot [-f raw|mig|elf|kdump] FILE...
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "snapshot.h"

static void print_warning(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "warning: %s\n", msg);
}

static void show(const struct snapshot *s, double secs)
{
	printf("%s: %s\n", s->in.path, s->format_detail);
	printf("  ram 0x%" PRIx64 " bytes, %zu extents, 0x%" PRIx64 " data bytes, %.3f s\n",
	       s->ram.size, s->ram.n, s->ram.data_bytes, secs);
	for (size_t i = 0; i < s->n_blocks; i++)
		printf("  block %s 0x%" PRIx64 "+0x%" PRIx64 "\n", s->blocks[i].name,
		       s->blocks[i].gpa, s->blocks[i].len);
	printf("  pir source: %s\n", s->cpus.pir_source);
	for (size_t i = 0; i < s->cpus.n; i++) {
		const struct cpu_regs *r = &s->cpus.cpu[i];

		printf("  cpu %u pir 0x%x%s nip %016" PRIx64 " msr %016" PRIx64 " lr %016" PRIx64
		       " ctr %016" PRIx64 " xer %08" PRIx64 " cr %08" PRIx64 " r1 %016" PRIx64 "\n",
		       r->index, r->pir, r->pir_known ? "" : "?", r->nip, r->msr, r->spr[SPRN_LR],
		       r->spr[SPRN_CTR], r->spr[SPRN_XER], r->cr, r->gpr[1]);
	}
	for (size_t i = 0; i < s->n_notes; i++)
		printf("  note: %s\n", s->notes[i]);
}

int main(int argc, char **argv)
{
	struct warn_sink w = { print_warning, NULL };
	enum snap_format f = SNAP_AUTO;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		struct timespec t0, t1;
		struct snapshot s;
		struct mperr *err;

		if (!strcmp(argv[i], "-f") && i + 1 < argc) {
			int v = snap_format_parse(argv[++i]);

			f = v < 0 ? SNAP_AUTO : (enum snap_format)v;
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		err = snapshot_open(&s, argv[i], f, &w);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (err) {
			char buf[512];

			mperr_format(err, buf, sizeof(buf));
			fprintf(stderr, "open_snapshot: %s%s\n", buf, err->has_off ? "" : " (no offset)");
			rc = err->kind;
			mperr_free(err);
			continue;
		}
		show(&s, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		snapshot_close(&s);
	}
	return rc;
}
