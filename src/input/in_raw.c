/*
 * in_raw.c - raw guest RAM as QEMU's `pmemsave 0 SIZE FILE` writes it
 * (snapshot-formats.md §8): file offset = guest-physical address, no header,
 * no registers. Holes of a sparse file are known zero without reading.
 */
#include <inttypes.h>
#include <stdio.h>

#include "input/snap_reader.h"

#define RAW_PAGE 4096u

static struct mperr *add_extent(void *ctx, uint64_t off, uint64_t len)
{
	struct snapshot *s = ctx;

	return ram_add(&s->ram, off, len, s->in.map + off);
}

static struct mperr *raw_read(struct snapshot *s, const struct warn_sink *w)
{
	uint64_t size = s->in.len;
	struct mperr *err;

	if (size == 0)
		return mperr_input("empty file: no guest RAM");
	if (size % RAW_PAGE)
		warnf(w, "%s: raw size 0x%" PRIx64 " is not a multiple of 4 KiB", s->in.path,
		      size);
	ram_init(&s->ram, size);
	snprintf(s->format_detail, sizeof(s->format_detail),
		 "raw guest RAM (pmemsave), 0x%" PRIx64 " bytes%s", size,
		 s->in.gzipped ? ", gzip" : "");
	err = snap_add_block(s, "raw", 0, size, 1);
	if (err)
		return err;
	return input_walk_data(&s->in, 0, size, add_extent, s);
}

/*
 * Raw by exclusion (snapshot-formats.md §1): no other magic matched. pmemsave
 * writes whole pages of RAM, so a file that is empty or not a whole number of
 * pages (a text file, a cut-off download) is not taken for RAM.
 */
static bool raw_probe(const struct input *in, char *why, size_t len)
{
	if (!in->len) {
		snprintf(why, len, "an empty file");
		return false;
	}
	if (in->len % RAW_PAGE) {
		snprintf(why, len, "size 0x%zx is not a whole number of 4 KiB pages", in->len);
		return false;
	}
	snprintf(why, len, "no magic of another format, size 0x%zx in whole 4 KiB pages",
		 in->len);
	return true;
}

const struct snap_reader snap_reader_raw = { SNAP_RAW, "raw", raw_probe, raw_read };
