/*
 * in_kdump.c - kdump-compressed dumps (snapshot-formats.md §7) as QEMU's
 * dump-guest-memory -z/-l/-s and makedumpfile write them: the random-access
 * form ("KDUMP   ") and the flattened one ("makedumpfile"), which is first
 * re-assembled into an unlinked sparse temporary file. Each stored page is
 * decompressed once, into another temporary file that RAM extents point into;
 * raw pages point into the (re-assembled) file; zero pages stay holes. Error
 * offsets are offsets in the random-access form.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>
#ifdef HAVE_LZO
#include <lzo/lzo1x.h>
#endif
#ifdef HAVE_SNAPPY
#include <snappy-c.h>
#endif

#include "core/bytes.h"
#include "core/fileio.h"
#include "input/prstatus.h"
#include "input/snap_reader.h"
#include "core/tmpdir.h"

/* makedumpfile flattened format (§7.7): 4 KiB header, then be64 offset, be64 size, data */
#define FLAT_HDR_SIZE 4096u
#define FLAT_REC_HDR 16u
#define FLAT_TYPE_OFF 16u
#define FLAT_VERSION_OFF 24u
/* a re-assembled file may be this much larger than the flattened one (holes) */
#define FLAT_GROWTH 16u
#define FLAT_SLACK (16ull << 20)

/* disk_dump_header, 64-bit layout (§7.2) */
#define DH_SIZE 464u
enum {
	DH_VERSION = 8, DH_STATUS = 424, DH_BLOCK_SIZE = 428, DH_SUB_HDR_SIZE = 432,
	DH_BITMAP_BLOCKS = 436, DH_MAX_MAPNR = 440, DH_NR_CPUS = 460,
};
/* kdump_sub_header (§7.3), at offset block_size */
enum {
	SH_DUMP_LEVEL = 8, SH_SPLIT = 12, SH_OFF_VMCOREINFO = 32, SH_SIZE_VMCOREINFO = 40,
	SH_OFF_NOTE = 48, SH_SIZE_NOTE = 56, SH_MAX_MAPNR_64 = 96,
};
/* status and page_desc flags (makedumpfile diskdump_mod.h) */
enum {
	KD_ZLIB = 0x1, KD_LZO = 0x2, KD_SNAPPY = 0x4, KD_INCOMPLETE = 0x8,
	KD_EXCLUDED_VMEMMAP = 0x10, KD_ZSTD = 0x20,
};
#define KD_COMPRESSION (KD_ZLIB | KD_LZO | KD_SNAPPY | KD_ZSTD)
#define KD_MIN_BLOCK 512u
#define KD_MAX_BLOCK (1u << 20)
#define KD_MAX_VERSION 6u	/* newest makedumpfile header_version */
#define PD_SIZE 24u		/* page_desc */
#define OUT_CHUNK (1u << 20)	/* decompressed pages are written in chunks of this */
#define ZERO_MEMO 64u		/* data offsets known to hold a zero page */

struct kd_run {			/* consecutive pages going to consecutive bytes */
	uint64_t pfn, n;
	const uint8_t *data;	/* raw pages: into the dump */
	uint64_t slot;		/* decompressed pages: first slot */
	bool is_slot;
};

struct kd_out {
	int fd;			/* temporary file of decompressed pages, slot i at i * bs */
	uint8_t *buf;		/* pages not yet written */
	size_t fill, cap;
	uint64_t n_slots, written;
	uint8_t *page;		/* one decompressed page */
	struct kd_run run;
	struct kd_run *slot_runs;	/* added once the file is mapped */
	size_t n_slot_runs, cap_slot_runs;
	uint64_t zero_off[ZERO_MEMO];	/* the shared zero page(s) */
	size_t n_zero_off;
	uint64_t prev_off, prev_slot;	/* previous descriptor's data, if it was a slot */
	uint32_t prev_size, prev_flags;
	bool have_prev;
};

struct kd {
	struct snapshot *s;
	const struct warn_sink *w;
	const uint8_t *map;	/* the random-access form */
	uint64_t len;
	uint8_t *flat_map;	/* re-assembled file, until ram owns it */
	uint64_t flat_len;
	size_t flat_records;
	bool big;
	uint32_t version, status, bs, sub_blocks, bitmap_blocks, nr_cpus, dump_level;
	uint64_t max_mapnr;
	uint64_t ram_pages;		/* max_mapnr, or fewer: the pages below QEMU 10's HOMER */
	uint64_t note_off, note_len, vmci_off, vmci_len;
	uint64_t bitmap_off, bitmap_half, desc_off, n_desc_fit;
	struct prstatus_counts notes;
	/* page statistics */
	uint64_t n_present, n_zero, n_raw, n_zlib, n_lzo, n_snappy, n_excluded, n_missing;
	/* descriptors and page data read up to here still count in our RSS */
	const uint8_t *rel_desc, *rel_data;
};

#define KD_RELEASE_STEP (8u << 20)

/*
 * The walk reads descriptors and page data going forward: drop what lies
 * behind p from our resident set every KD_RELEASE_STEP bytes (it stays in the
 * page cache), so peak RSS does not grow with the dump. A jump starts anew.
 */
static void kd_release_to(const struct kd *k, const uint8_t **mark, const uint8_t *p)
{
	if (!*mark || p < *mark || (uint64_t)(p - *mark) > 4 * KD_RELEASE_STEP) {
		*mark = p;
	} else if ((uint64_t)(p - *mark) >= KD_RELEASE_STEP) {
		map_release(k->map, k->len, *mark, (uint64_t)(p - *mark));
		*mark = p;
	}
}

static bool in_range(uint64_t len, uint64_t off, uint64_t n)
{
	uint64_t end;

	return !__builtin_add_overflow(off, n, &end) && end <= len;
}

static struct mperr *map_tmp(int fd, uint64_t len, uint8_t **out)
{
	void *m;

	if (len > SIZE_MAX)
		return mperr_input("0x%" PRIx64 " bytes cannot be mapped", len);
	m = mmap(NULL, (size_t)len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return mperr_io(errno, "mapping 0x%" PRIx64 " bytes of a temporary file", len);
	*out = m;
	return NULL;
}

/* ---- flattened form (§7.7) ---- */

/* One record at flat offset pos: checks, then writes its data where it belongs. */
static struct mperr *flat_record(const struct input *in, int fd, size_t *pos, uint64_t cap,
				 uint64_t *end, bool *last)
{
	const uint8_t *p = in->map + *pos;
	uint64_t off, size, rec_end;

	if (in->len - *pos < FLAT_REC_HDR)
		return mperr_input("record header truncated (0x%zx bytes left): the stream ends "
				   "without its end marker", in->len - *pos);
	off = ld_be64(p);
	size = ld_be64(p + 8);
	if (off == UINT64_MAX && size == UINT64_MAX) {
		*last = true;
		return NULL;
	}
	if (off > INT64_MAX || size > INT64_MAX)
		return mperr_input("negative %s 0x%" PRIx64, off > INT64_MAX ? "offset" : "size",
				   off > INT64_MAX ? off : size);
	if (__builtin_add_overflow(off, size, &rec_end) || rec_end > INT64_MAX)
		return mperr_input("data 0x%" PRIx64 "+0x%" PRIx64 " ends beyond 2^63", off, size);
	if (size > in->len - *pos - FLAT_REC_HDR)
		return mperr_input("data of 0x%" PRIx64 " bytes truncated: 0x%zx bytes left", size,
				   in->len - *pos - FLAT_REC_HDR);
	if (rec_end > cap)
		return mperr_input("data 0x%" PRIx64 "+0x%" PRIx64 " lies beyond 0x%" PRIx64
				   " (%u times the flattened file plus 16 MiB)", off, size, cap,
				   FLAT_GROWTH);
	if (size) {
		struct mperr *err = pwrite_all(fd, p + FLAT_REC_HDR, (size_t)size, off);

		if (err)
			return err;
	}
	if (rec_end > *end)
		*end = rec_end;
	*pos += FLAT_REC_HDR + (size_t)size;
	return NULL;
}

/* Re-assemble the flattened input into k->flat_map (later records win, like makedumpfile -R). */
static struct mperr *flat_reassemble(struct kd *k)
{
	const struct input *in = &k->s->in;
	struct mperr *err = NULL;
	uint64_t end = 0, cap = (uint64_t)in->len * FLAT_GROWTH + FLAT_SLACK;
	size_t pos = FLAT_HDR_SIZE, released = 0;
	bool last = false;
	int fd;

	if (in->len < FLAT_HDR_SIZE)
		return mperr_at(mperr_input("flattened header truncated: 0x%zx bytes, %u needed",
					    in->len, FLAT_HDR_SIZE), 0);
	if (ld_be64(in->map + FLAT_TYPE_OFF) != 1)
		return mperr_at(mperr_input("flattened header type %" PRIu64 ", expected 1",
					    ld_be64(in->map + FLAT_TYPE_OFF)), FLAT_TYPE_OFF);
	if (ld_be64(in->map + FLAT_VERSION_OFF) != 1)
		warnf(k->w, "%s: flattened format version %" PRIu64 ", expected 1", in->path,
		      ld_be64(in->map + FLAT_VERSION_OFF));
	fd = tmp_open_unlinked();
	if (fd < 0)
		return mperr_io(errno, "creating a temporary file in %s", tmp_dir());
	while (!last) {
		size_t at = pos;

		if (pos - released >= KD_RELEASE_STEP) {	/* copied records leave our RSS */
			map_release(in->map, in->len, in->map + released, pos - released);
			released = pos;
		}
		err = flat_record(in, fd, &pos, cap, &end, &last);
		if (err) {
			err = mperr_at(mperr_in_entry(err, "flattened record", (long)k->flat_records),
				       at);
			goto out;
		}
		if (!last)
			k->flat_records++;
	}
	if (pos + FLAT_REC_HDR < in->len)
		warnf(k->w, "%s: 0x%zx bytes after the flattened end marker ignored", in->path,
		      in->len - pos - FLAT_REC_HDR);
	if (!end) {
		err = mperr_at(mperr_input("flattened stream holds no data"), FLAT_HDR_SIZE);
		goto out;
	}
	if (ftruncate(fd, (off_t)end) < 0) {
		err = mperr_io(errno, "sizing the re-assembled temporary file");
		goto out;
	}
	err = map_tmp(fd, end, &k->flat_map);
	if (!err)
		k->flat_len = end;
out:
	close(fd);
	return err;
}

/* ---- headers (§7.2, §7.3) ---- */

static bool is_block_size(uint32_t bs)
{
	return bs >= KD_MIN_BLOCK && bs <= KD_MAX_BLOCK && !(bs & (bs - 1));
}

/* The guest's byte order: the one in which header_version is small (1..0xffff). */
static struct mperr *kd_byte_order(struct kd *k)
{
	uint32_t le = ld_le32(k->map + DH_VERSION), be = ld_be32(k->map + DH_VERSION);

	if (le >= 1 && le <= 0xffff)
		k->big = false;
	else if (be >= 1 && be <= 0xffff)
		k->big = true;
	else
		return mperr_at(mperr_input("header_version 0x%" PRIx32 " is not a version in "
					    "either byte order", le), DH_VERSION);
	k->version = k->big ? be : le;
	if (k->version > KD_MAX_VERSION)
		warnf(k->w, "%s: kdump header_version %" PRIu32 " is newer than %u; reading it as %u",
		      k->s->in.path, k->version, KD_MAX_VERSION, KD_MAX_VERSION);
	return NULL;
}

static struct mperr *kd_disk_header(struct kd *k)
{
	const uint8_t *h = k->map;
	struct mperr *err;

	if (k->len < DH_SIZE)
		return mperr_at(mperr_input("file too short for the disk_dump_header: 0x%" PRIx64
					    " bytes, %u needed", k->len, DH_SIZE), 0);
	if (memcmp(h, "KDUMP   ", 8))
		return mperr_at(mperr_input("no \"KDUMP   \" signature"), 0);
	err = kd_byte_order(k);
	if (err)
		return err;
	k->status = ld_u32(h + DH_STATUS, k->big);
	k->bs = ld_u32(h + DH_BLOCK_SIZE, k->big);
	k->sub_blocks = ld_u32(h + DH_SUB_HDR_SIZE, k->big);
	k->bitmap_blocks = ld_u32(h + DH_BITMAP_BLOCKS, k->big);
	k->max_mapnr = ld_u32(h + DH_MAX_MAPNR, k->big);
	k->nr_cpus = ld_u32(h + DH_NR_CPUS, k->big);
	if (!is_block_size(k->bs))
		return mperr_at(mperr_input("block_size 0x%" PRIx32 " is not a power of two from "
					    "0x%x to 0x%x", k->bs, KD_MIN_BLOCK, KD_MAX_BLOCK),
				DH_BLOCK_SIZE);
	if (!k->sub_blocks)
		return mperr_at(mperr_input("sub_hdr_size 0: no kdump_sub_header"), DH_SUB_HDR_SIZE);
	if (!k->bitmap_blocks || k->bitmap_blocks % 2)
		return mperr_at(mperr_input("bitmap_blocks %" PRIu32 " is not a positive even "
					    "number (two bitmaps)", k->bitmap_blocks),
				DH_BITMAP_BLOCKS);
	return NULL;
}

/* Bytes of kdump_sub_header that header_version has. */
static uint32_t kd_sub_size(uint32_t version)
{
	static const uint32_t size[] = { 0, 16, 32, 48, 64, 80, 104 };

	return size[version < KD_MAX_VERSION ? version : KD_MAX_VERSION];
}

static struct mperr *kd_sub_header(struct kd *k)
{
	uint32_t need = kd_sub_size(k->version);
	const uint8_t *sh = k->map + k->bs;

	if (!in_range(k->len, k->bs, need))
		return mperr_at(mperr_input("kdump_sub_header (v%" PRIu32 ", %" PRIu32 " bytes at "
					    "0x%" PRIx32 ") beyond the file (0x%" PRIx64 ")",
					    k->version, need, k->bs, k->len), k->bs);
	k->dump_level = ld_u32(sh + SH_DUMP_LEVEL, k->big);
	if (k->version >= 2 && ld_u32(sh + SH_SPLIT, k->big))
		return mperr_at(mperr_input("split dump (one file of a makedumpfile --split set): "
					    "not supported"), k->bs + SH_SPLIT);
	if (k->version >= 3) {
		k->vmci_off = ld_u64(sh + SH_OFF_VMCOREINFO, k->big);
		k->vmci_len = ld_u64(sh + SH_SIZE_VMCOREINFO, k->big);
		if (k->vmci_len && !in_range(k->len, k->vmci_off, k->vmci_len))
			return mperr_at(mperr_input("vmcoreinfo 0x%" PRIx64 "+0x%" PRIx64 " beyond "
						    "the file (0x%" PRIx64 ")", k->vmci_off,
						    k->vmci_len, k->len), k->vmci_off);
	}
	if (k->version >= 4) {
		k->note_off = ld_u64(sh + SH_OFF_NOTE, k->big);
		k->note_len = ld_u64(sh + SH_SIZE_NOTE, k->big);
		if (k->note_len && !in_range(k->len, k->note_off, k->note_len))
			return mperr_at(mperr_input("ELF notes 0x%" PRIx64 "+0x%" PRIx64 " beyond "
						    "the file (0x%" PRIx64 ")", k->note_off,
						    k->note_len, k->len), k->note_off);
	}
	if (k->version >= 6 && ld_u64(sh + SH_MAX_MAPNR_64, k->big))
		k->max_mapnr = ld_u64(sh + SH_MAX_MAPNR_64, k->big);
	return NULL;
}

/*
 * QEMU 10 backs each chip's HOMER with RAM and its dump-guest-memory writes
 * those pages too, so max_mapnr reaches far above guest RAM (QEMU
 * include/hw/ppc/pnv.h: PNV_HOMER_BASE, PNV9_HOMER_BASE, PNV10_HOMER_BASE for
 * chip 0). Guest RAM ends below the first of these the dump reaches; the
 * pages from there on are not guest RAM and are left out.
 */
static const uint64_t homer_base[] = { UINT64_C(0x7ffd800000), UINT64_C(0x203ffd800000),
				       UINT64_C(0x300ffd800000) };

#define HOMER_WINDOW (UINT64_C(256) * 0x400000)	/* 256 chips' HOMERs of PNV_HOMER_SIZE */

static bool bit(const uint8_t *b, uint64_t i)
{
	return b[i / 8] >> (i % 8) & 1;
}

/* max_mapnr, or 1 + the last dumpable page (bitmap 1) below the HOMER window it reaches. */
static uint64_t ram_pages(const struct kd *k)
{
	const uint8_t *b1 = k->map + k->bitmap_off;

	for (size_t i = 0; i < sizeof(homer_base) / sizeof(homer_base[0]); i++) {
		uint64_t from = homer_base[i] / k->bs, to = (homer_base[i] + HOMER_WINDOW) / k->bs;
		bool homer = false;

		if (from >= k->max_mapnr)
			continue;
		if (to > k->max_mapnr)
			to = k->max_mapnr;
		for (uint64_t p = from; p < to && !homer; p++)
			homer = bit(b1, p);
		if (!homer)
			continue;
		/* back to the last dumpable page, 64 pages at a time over the zero words */
		while (from % 64 && !bit(b1, from - 1))
			from--;
		while (from >= 64 && !(from % 64) && !ld_le64(b1 + (from - 64) / 8))
			from -= 64;
		while (from && !bit(b1, from - 1))
			from--;
		return from;
	}
	return k->max_mapnr;
}

/* Where the bitmaps and descriptors are (§7.1, §7.4, §7.5), checked against the file. */
static struct mperr *kd_layout(struct kd *k)
{
	uint64_t bitmap_len = (uint64_t)k->bitmap_blocks * k->bs;	/* < 2^52 */
	uint64_t ram;

	k->bitmap_off = (1 + (uint64_t)k->sub_blocks) * k->bs;
	k->bitmap_half = bitmap_len / 2;
	k->desc_off = k->bitmap_off + bitmap_len;
	if (!in_range(k->len, k->bitmap_off, bitmap_len))
		return mperr_at(mperr_input("bitmaps (0x%" PRIx64 " bytes at 0x%" PRIx64 ") extend "
					    "beyond the file (0x%" PRIx64 ")", bitmap_len,
					    k->bitmap_off, k->len), k->bitmap_off);
	if (k->max_mapnr > k->bitmap_half * 8)	/* bitmap_half < 2^51 */
		return mperr_at(mperr_input("max_mapnr 0x%" PRIx64 " pages do not fit in a bitmap "
					    "of 0x%" PRIx64 " bytes", k->max_mapnr,
					    k->bitmap_half), DH_BITMAP_BLOCKS);
	if (!k->max_mapnr)
		return mperr_at(mperr_input("max_mapnr 0: the dump holds no memory"), DH_MAX_MAPNR);
	if (__builtin_mul_overflow(k->max_mapnr, (uint64_t)k->bs, &ram))
		return mperr_at(mperr_input("max_mapnr 0x%" PRIx64 " pages of 0x%" PRIx32
					    " bytes overflow", k->max_mapnr, k->bs), DH_MAX_MAPNR);
	k->n_desc_fit = (k->len - k->desc_off) / PD_SIZE;
	k->ram_pages = ram_pages(k);
	if (!k->ram_pages)
		return mperr_at(mperr_input("no dumpable page below QEMU's HOMER: the dump holds no "
					    "guest RAM"), k->bitmap_off);
	ram_init(&k->s->ram, k->ram_pages * k->bs);
	return NULL;
}

static struct mperr *kd_notes(struct kd *k)
{
	if (!k->note_len)
		return NULL;
	return prstatus_parse_notes(k->map + k->note_off, (size_t)k->note_len, k->note_off, k->big,
				    &k->s->cpus, &k->notes, k->w);
}

/* ---- pages (§7.4 - §7.6) ---- */

static struct mperr *kd_decompress(const struct kd *k, uint32_t flags, const uint8_t *src,
				   uint32_t n, uint8_t *dst)
{
	switch (flags) {
	case KD_ZLIB: {
		uLongf out = k->bs;
		int r = uncompress(dst, &out, src, n);

		if (r != Z_OK)
			return mperr_input("zlib data does not inflate to 0x%" PRIx32 " bytes (%s)",
					   k->bs, zError(r));
		if (out != k->bs)
			return mperr_input("zlib data inflates to 0x%lx bytes, expected 0x%" PRIx32,
					   (unsigned long)out, k->bs);
		return NULL;
	}
	case KD_LZO: {
#ifdef HAVE_LZO
		lzo_uint out = k->bs;
		int r = lzo1x_decompress_safe(src, n, dst, &out, NULL);

		if (r != LZO_E_OK || out != k->bs)
			return mperr_input("lzo data does not decompress to 0x%" PRIx32 " bytes "
					   "(lzo error %d, 0x%lx bytes)", k->bs, r,
					   (unsigned long)out);
		return NULL;
#else
		return mperr_input("lzo-compressed page: this build has no liblzo2");
#endif
	}
	case KD_SNAPPY: {
#ifdef HAVE_SNAPPY
		size_t out = 0;

		if (snappy_uncompressed_length((const char *)src, n, &out) != SNAPPY_OK ||
		    out != k->bs)
			return mperr_input("snappy data does not decompress to 0x%" PRIx32 " bytes "
					   "(header says 0x%zx)", k->bs, out);
		if (snappy_uncompress((const char *)src, n, (char *)dst, &out) != SNAPPY_OK ||
		    out != k->bs)
			return mperr_input("snappy data corrupt");
		return NULL;
#else
		return mperr_input("snappy-compressed page: this build has no libsnappy");
#endif
	}
	case KD_ZSTD:
		return mperr_input("zstd-compressed page: not supported");
	default:
		return mperr_input("page flags 0x%" PRIx32 ": unknown compression", flags);
	}
}

static struct mperr *out_flush(struct kd_out *o)
{
	struct mperr *err;

	if (!o->fill)
		return NULL;
	if (o->fd < 0) {
		o->fd = tmp_open_unlinked();
		if (o->fd < 0)
			return mperr_io(errno, "creating a temporary file in %s", tmp_dir());
	}
	err = pwrite_all(o->fd, o->buf, o->fill, o->written);
	o->written += o->fill;
	o->fill = 0;
	return err;
}

/* Queue o->page as the next slot of the decompressed-page file. */
static struct mperr *out_page(struct kd *k, struct kd_out *o, uint64_t *slot)
{
	if (o->fill + k->bs > o->cap) {
		struct mperr *err = out_flush(o);

		if (err)
			return err;
	}
	memcpy(o->buf + o->fill, o->page, k->bs);
	o->fill += k->bs;
	*slot = o->n_slots++;
	return NULL;
}

static struct mperr *run_flush(struct kd *k, struct kd_out *o)
{
	struct kd_run *r = &o->run;

	if (!r->n)
		return NULL;
	if (!r->is_slot) {
		struct mperr *err = ram_add(&k->s->ram, r->pfn * k->bs, r->n * k->bs, r->data);

		r->n = 0;
		return err;
	}
	if (o->n_slot_runs == o->cap_slot_runs) {
		size_t cap = o->cap_slot_runs ? 2 * o->cap_slot_runs : 64;
		struct kd_run *p = realloc(o->slot_runs, cap * sizeof(*p));

		if (!p)
			return mperr_nomem();
		o->slot_runs = p;
		o->cap_slot_runs = cap;
	}
	o->slot_runs[o->n_slot_runs++] = *r;
	r->n = 0;
	return NULL;
}

/* Page pfn reads from data (raw) or from decompressed slot; extend the run or start one. */
static struct mperr *run_add(struct kd *k, struct kd_out *o, uint64_t pfn, const uint8_t *data,
			     uint64_t slot, bool is_slot)
{
	struct kd_run *r = &o->run;
	struct mperr *err;

	if (r->n && r->is_slot == is_slot && r->pfn + r->n == pfn &&
	    (is_slot ? r->slot + r->n == slot : r->data + r->n * k->bs == data)) {
		r->n++;
		return NULL;
	}
	err = run_flush(k, o);
	*r = (struct kd_run){ pfn, 1, data, slot, is_slot };
	return err;
}

static bool zero_known(const struct kd_out *o, uint64_t off)
{
	for (size_t i = 0; i < o->n_zero_off; i++)
		if (o->zero_off[i] == off)
			return true;
	return false;
}

static void zero_remember(struct kd_out *o, uint64_t off)
{
	if (o->n_zero_off < ZERO_MEMO)
		o->zero_off[o->n_zero_off++] = off;
}

/* Descriptor i says where page pfn is stored; add it to RAM unless it is zero. */
static struct mperr *kd_page(struct kd *k, struct kd_out *o, uint64_t i, uint64_t pfn)
{
	const uint8_t *d = k->map + k->desc_off + i * PD_SIZE;
	uint64_t off = ld_u64(d, k->big);
	uint32_t size = ld_u32(d + 8, k->big), flags = ld_u32(d + 12, k->big);
	uint32_t comp = flags & KD_COMPRESSION;
	struct mperr *err;
	uint64_t slot;

	if (comp != flags)
		return mperr_at(mperr_input("page flags 0x%" PRIx32 ": unknown bits", flags),
				k->desc_off + i * PD_SIZE + 12);
	if (!in_range(k->len, off, size))
		return mperr_at(mperr_input("data 0x%" PRIx64 "+0x%" PRIx32 " beyond the file (0x%"
					    PRIx64 ")", off, size, k->len), off);
	kd_release_to(k, &k->rel_desc, d);
	kd_release_to(k, &k->rel_data, k->map + off);
	if (zero_known(o, off)) {
		k->n_zero++;
		return NULL;
	}
	if (!comp) {
		if (size != k->bs)
			return mperr_at(mperr_input("raw page of 0x%" PRIx32 " bytes, expected 0x%"
						    PRIx32, size, k->bs), off);
		if (mem_is_zero(k->map + off, size)) {
			zero_remember(o, off);
			k->n_zero++;
			return NULL;
		}
		k->n_raw++;
		return run_add(k, o, pfn, k->map + off, 0, false);
	}
	if (o->have_prev && o->prev_off == off && o->prev_size == size && o->prev_flags == flags)
		return run_add(k, o, pfn, NULL, o->prev_slot, true);	/* shared, decoded once */
	err = kd_decompress(k, comp, k->map + off, size, o->page);
	if (err)
		return mperr_at(err, off);
	if (mem_is_zero(o->page, k->bs)) {
		zero_remember(o, off);
		k->n_zero++;
		return NULL;
	}
	k->n_zlib += comp == KD_ZLIB;
	k->n_lzo += comp == KD_LZO;
	k->n_snappy += comp == KD_SNAPPY;
	err = out_page(k, o, &slot);
	if (err)
		return err;
	o->have_prev = true;
	o->prev_off = off;
	o->prev_size = size;
	o->prev_flags = flags;
	o->prev_slot = slot;
	return run_add(k, o, pfn, NULL, slot, true);
}

/* The descriptor of a page present in bitmap 2 is missing: an error unless the dump says so. */
static struct mperr *kd_missing(struct kd *k, uint64_t i, uint64_t pfn)
{
	uint64_t at = k->desc_off + i * PD_SIZE;

	if (k->status & KD_INCOMPLETE) {
		k->n_missing++;
		return NULL;
	}
	return mperr_at(mperr_input("bitmap 2 marks pfn 0x%" PRIx64 " present but its descriptor "
				    "at 0x%" PRIx64 " is beyond the file (0x%" PRIx64 ")", pfn, at,
				    k->len), at);
}

static struct mperr *kd_page_ctx(struct mperr *err, uint64_t i, uint64_t pfn)
{
	return mperr_prefix(mperr_in_entry(err, "page descriptor", (long)i), "pfn 0x%" PRIx64, pfn);
}

/* The set bits of one 64-page word of bitmap 2 (base = its first pfn). */
static struct mperr *kd_word(struct kd *k, struct kd_out *o, uint64_t bits, uint64_t base,
			     uint64_t *i)
{
	while (bits) {
		uint64_t pfn = base + (uint64_t)__builtin_ctzll(bits);
		struct mperr *err;

		bits &= bits - 1;
		if (*i >= k->n_desc_fit)
			err = kd_missing(k, *i, pfn);
		else
			err = kd_page(k, o, *i, pfn);
		if (err)
			return kd_page_ctx(err, *i, pfn);
		(*i)++;
	}
	return NULL;
}

/* Walk bitmap 2 a word at a time; entry index = set bits before pfn (§7.5). */
static struct mperr *kd_walk_bitmap(struct kd *k, struct kd_out *o)
{
	const uint8_t *b1 = k->map + k->bitmap_off, *b2 = b1 + k->bitmap_half;
	uint64_t i = 0;

	/* pages past ram_pages come after every RAM page: the entry indexes need none of them */
	for (uint64_t base = 0; base < k->ram_pages; base += 64) {
		uint64_t w1 = ld_le64(b1 + base / 8), w2 = ld_le64(b2 + base / 8);
		struct mperr *err;

		if (k->ram_pages - base < 64) {	/* bits past max_mapnr are not pages */
			uint64_t mask = (1ull << (k->ram_pages - base)) - 1;

			w1 &= mask;
			w2 &= mask;
		}
		k->n_excluded += (uint64_t)__builtin_popcountll(w1 & ~w2);
		k->n_present += (uint64_t)__builtin_popcountll(w2);
		err = kd_word(k, o, w2, base, &i);
		if (err)
			return err;
	}
	return run_flush(k, o);
}

/* Map the decompressed pages and add the runs that point into them. */
static struct mperr *kd_add_slots(struct kd *k, struct kd_out *o)
{
	struct mperr *err = out_flush(o);
	uint8_t *m = NULL;

	if (err || !o->n_slots)
		return err;
	err = map_tmp(o->fd, o->written, &m);
	if (!err)
		err = ram_own_map(&k->s->ram, m, (size_t)o->written);
	for (size_t i = 0; !err && i < o->n_slot_runs; i++) {
		const struct kd_run *r = &o->slot_runs[i];

		err = ram_add(&k->s->ram, r->pfn * k->bs, r->n * k->bs, m + r->slot * k->bs);
	}
	return err;
}

static struct mperr *kd_pages(struct kd *k)
{
	struct kd_out o = { .fd = -1 };
	struct mperr *err = NULL;

	o.cap = k->bs > OUT_CHUNK ? k->bs : OUT_CHUNK;
	o.buf = malloc(o.cap);
	o.page = malloc(k->bs);
	if (!o.buf || !o.page)
		err = mperr_nomem();
	if (!err)
		err = kd_walk_bitmap(k, &o);
	if (!err)
		err = kd_add_slots(k, &o);
	if (o.fd >= 0)
		close(o.fd);
	free(o.buf);
	free(o.page);
	free(o.slot_runs);
	return err;
}

/* ---- description ---- */

static const char *kd_compression_name(uint32_t status)
{
	switch (status & KD_COMPRESSION) {
	case KD_ZLIB:
		return "zlib";
	case KD_LZO:
		return "lzo";
	case KD_SNAPPY:
		return "snappy";
	case KD_ZSTD:
		return "zstd";
	case 0:
		return "uncompressed";
	default:
		return "mixed compression";
	}
}

static struct mperr *kd_describe(struct kd *k)
{
	struct snapshot *s = k->s;
	struct mperr *err;

	snprintf(s->format_detail, sizeof(s->format_detail),
		 "kdump-compressed%s v%" PRIu32 ", %s, %s-endian, block 0x%" PRIx32 "%s",
		 k->flat_records ? " (flattened)" : "", k->version, kd_compression_name(k->status),
		 k->big ? "big" : "little", k->bs, s->in.gzipped ? ", gzip" : "");
	err = snap_add_block(s, "kdump pages", 0, s->ram.size, 1);
	if (!err && k->ram_pages < k->max_mapnr)
		err = snap_add_block(s, "kdump pages above (HOMER)", k->ram_pages * k->bs,
				     (k->max_mapnr - k->ram_pages) * k->bs, 0);
	if (!err && k->flat_records)
		err = snap_add_note(s, "flattened makedumpfile stream: %zu records re-assembled "
				    "into 0x%" PRIx64 " bytes; kdump offsets refer to that form",
				    k->flat_records, k->flat_len);
	if (!err)
		err = snap_add_note(s, "kdump header in the guest's byte order (%s-endian, found "
				    "from header_version); dump_level %" PRIu32 ", nr_cpus %" PRIu32
				    ", max_mapnr 0x%" PRIx64, k->big ? "big" : "little",
				    k->dump_level, k->nr_cpus, k->max_mapnr);
	if (!err)
		err = snap_add_note(s, "pages: %" PRIu64 " dumped (%" PRIu64 " zlib, %" PRIu64 " lzo, %"
				    PRIu64 " snappy, %" PRIu64 " raw, %" PRIu64 " zero), %" PRIu64
				    " excluded by the dump level, %" PRIu64 " missing",
				    k->n_present, k->n_zlib, k->n_lzo, k->n_snappy, k->n_raw,
				    k->n_zero, k->n_excluded, k->n_missing);
	if (!err && k->vmci_len)
		err = snap_add_note(s, "vmcoreinfo: 0x%" PRIx64 " bytes at 0x%" PRIx64, k->vmci_len,
				    k->vmci_off);
	if (!err && !k->notes.prstatus)
		err = snap_add_note(s, "no NT_PRSTATUS note: the kdump carries no CPU registers");
	else if (!err)
		err = snap_add_note(s, "ELF notes: %zu: %zu NT_PRSTATUS (GPRs, NIP, MSR, CR, CTR, LR, "
				    "XER used), %zu NT_PRFPREG, %zu NT_PPC_VMX, %zu NT_PPC_VSX, "
				    "%zu NT_PPC_SPE (not used), %zu other", k->notes.notes,
				    k->notes.prstatus, k->notes.fpreg, k->notes.vmx,
				    k->notes.vsx, k->notes.spe, k->notes.other);
	return err;
}

static void kd_warn(const struct kd *k)
{
	const char *path = k->s->in.path;

	if (k->status & KD_INCOMPLETE)
		warnf(k->w, "%s: the kdump is marked incomplete; %" PRIu64 " pages without a "
		      "descriptor read as zero", path, k->n_missing);
	if (k->n_excluded)
		warnf(k->w, "%s: %" PRIu64 " pages excluded by dump_level %" PRIu32 " read as zero",
		      path, k->n_excluded, k->dump_level);
}

static struct mperr *kd_read_all(struct kd *k)
{
	struct snapshot *s = k->s;
	struct mperr *err = NULL;

	if (s->in.len >= 12 && !memcmp(s->in.map, "makedumpfile", 12)) {
		err = flat_reassemble(k);
		k->map = k->flat_map;
		k->len = k->flat_len;
	} else {
		k->map = s->in.map;
		k->len = s->in.len;
	}
	if (!err)
		err = mperr_in_table(kd_disk_header(k), "disk_dump_header");
	if (!err)
		err = mperr_in_table(kd_sub_header(k), "kdump_sub_header");
	if (!err)
		err = kd_layout(k);
	if (!err && k->flat_map) {
		err = ram_own_map(&s->ram, k->flat_map, (size_t)k->flat_len);
		k->flat_map = NULL;
	}
	if (!err)
		err = kd_notes(k);
	if (!err)
		err = kd_pages(k);
	if (!err)
		err = ram_finish(&s->ram);
	if (!err)
		err = prstatus_find_pirs(s, k->w);
	if (!err)
		err = kd_describe(k);
	if (!err)
		kd_warn(k);
	return err;
}

static struct mperr *kdump_read(struct snapshot *s, const struct warn_sink *w)
{
	struct kd k = { .s = s, .w = w };
	struct mperr *err;

#ifdef HAVE_LZO
	if (lzo_init() != LZO_E_OK)
		return mperr_input("liblzo2 failed to initialise");
#endif
	err = kd_read_all(&k);
	if (k.flat_map)
		munmap(k.flat_map, (size_t)k.flat_len);
	return err;
}

/* The diskdump signature, or the flattened format's (makedumpfile -F) */
static bool kdump_probe(const struct input *in, char *why, size_t len)
{
	static const uint8_t flat[16] = "makedumpfile";

	if (in->len >= 8 && !memcmp(in->map, "KDUMP   ", 8)) {
		snprintf(why, len, "\"KDUMP   \" at offset 0: a makedumpfile diskdump header");
		return true;
	}
	if (in->len >= 16 && !memcmp(in->map, flat, 16)) {
		snprintf(why, len, "\"makedumpfile\" at offset 0: the flattened format");
		return true;
	}
	snprintf(why, len, "no \"KDUMP\" or \"makedumpfile\" signature");
	return false;
}

const struct snap_reader snap_reader_kdump = { SNAP_KDUMP, "kdump", kdump_probe, kdump_read };
