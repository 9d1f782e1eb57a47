/*
 * check_kdump.c - the kdump-compressed reader (in_kdump.c) on the real
 * crash.kdump fixtures (flattened, and re-assembled here into the
 * random-access form), and on small synthetic dumps built here from
 * snapshot-formats.md §7 (not from the reader) to reach every error path.
 */
#include "dump_fixture.h"
#include "lib_fixture.h"

#include <zlib.h>
#ifdef HAVE_LZO
#include <lzo/lzo1x.h>
#endif
#ifdef HAVE_SNAPPY
#include <snappy-c.h>
#endif

#define BS 4096u
#define NPAGES 40u
#define FLAT_HDR 4096u

/* ---- synthetic random-access kdump (§7.1 - §7.5) ---- */

struct kd_spec {
	bool big;
	uint32_t comp;		/* page_desc flags for non-zero pages: 0, 1, 2, 4 */
	unsigned ncpu;
	uint64_t dumped;	/* bitmap 2: bit p = page p dumped (pages 0..39) */
	uint32_t status_extra;
};

struct kd_img {
	uint8_t *buf;
	size_t len, cap;
	size_t desc_off, note_off, note_len;
};

static uint8_t ram_pattern[NPAGES * BS];

/* Pages 3, 4, 10 and 39 hold data (page 10 is incompressible); the rest are zero. */
static void make_ram(void)
{
	uint32_t x = 12345;

	memset(ram_pattern, 0, sizeof(ram_pattern));
	for (unsigned k = 0; k < BS; k++) {
		x = x * 1103515245u + 12345u;
		ram_pattern[3 * BS + k] = (uint8_t)(k % 13 + 1);
		ram_pattern[4 * BS + k] = (uint8_t)(k / 16);
		ram_pattern[10 * BS + k] = (uint8_t)(x >> 24);
		ram_pattern[39 * BS + k] = (uint8_t)(k % 7);
	}
}

static void img_append(struct kd_img *im, const void *p, size_t n)
{
	if (im->len + n > im->cap) {
		im->cap = (im->len + n) * 2;
		im->buf = realloc(im->buf, im->cap);
		ck_assert_ptr_nonnull(im->buf);
	}
	memcpy(im->buf + im->len, p, n);
	im->len += n;
}

static size_t compress_page(uint32_t comp, const uint8_t *page, uint8_t *out, size_t cap)
{
	switch (comp) {
	case 1: {
		uLongf n = cap;

		ck_assert_int_eq(compress2(out, &n, page, BS, 6), Z_OK);
		return n;
	}
#ifdef HAVE_LZO
	case 2: {
		static uint8_t wrk[LZO1X_1_MEM_COMPRESS];
		lzo_uint n = cap;

		ck_assert_int_eq(lzo_init(), LZO_E_OK);
		ck_assert_int_eq(lzo1x_1_compress(page, BS, out, &n, wrk), LZO_E_OK);
		return n;
	}
#endif
#ifdef HAVE_SNAPPY
	case 4: {
		size_t n = cap;

		ck_assert_int_eq(snappy_compress((const char *)page, BS, (char *)out, &n),
				 SNAPPY_OK);
		return n;
	}
#endif
	default:
		ck_abort_msg("compression %u not available", comp);
	}
	return 0;
}

static struct kd_img build_kdump(const struct kd_spec *sp)
{
	struct kd_img im = { 0 };
	uint8_t block[BS], notes[4096], tmp[2 * BS];
	size_t n_desc = 0, data_off, zero_off;
	uint8_t *desc;
	unsigned sub_blocks;

	memset(block, 0, sizeof(block));
	memcpy(block, "KDUMP   ", 8);
	st_u32(block + 8, 6, sp->big);
	memcpy(block + 12 + 4 * 65, "ppc64le", 7);	/* utsname.machine */
	st_u32(block + 424, sp->comp | sp->status_extra, sp->big);
	st_u32(block + 428, BS, sp->big);
	im.note_len = put_cpu_notes(notes, sp->big, sp->ncpu);
	sub_blocks = (unsigned)((104 + im.note_len + BS - 1) / BS);
	st_u32(block + 432, sub_blocks, sp->big);
	st_u32(block + 436, 2, sp->big);	/* one block per bitmap */
	st_u32(block + 440, NPAGES, sp->big);
	st_u32(block + 460, sp->ncpu, sp->big);
	img_append(&im, block, BS);

	memset(block, 0, sizeof(block));	/* sub-header v6, then the notes */
	st_u32(block + 8, 1, sp->big);
	im.note_off = BS + 104;
	st_u64(block + 48, im.note_off, sp->big);
	st_u64(block + 56, im.note_len, sp->big);
	st_u64(block + 96, NPAGES, sp->big);
	img_append(&im, block, 104);
	img_append(&im, notes, im.note_len);
	memset(block, 0, sizeof(block));
	img_append(&im, block, (1 + sub_blocks) * BS - im.len);

	memset(block, 0, sizeof(block));	/* bitmap 1: all pages exist */
	memset(block, 0xff, NPAGES / 8);
	img_append(&im, block, BS);
	memset(block, 0, sizeof(block));
	for (unsigned p = 0; p < NPAGES; p++)
		if (sp->dumped >> p & 1) {
			block[p / 8] |= (uint8_t)(1u << (p % 8));
			n_desc++;
		}
	img_append(&im, block, BS);

	im.desc_off = im.len;
	desc = calloc(n_desc ? n_desc : 1, 24);
	ck_assert_ptr_nonnull(desc);
	img_append(&im, desc, n_desc * 24);
	data_off = im.len;
	zero_off = data_off;
	memset(block, 0, sizeof(block));
	img_append(&im, block, BS);	/* the shared zero page, stored raw */
	n_desc = 0;
	for (unsigned p = 0; p < NPAGES; p++) {
		const uint8_t *page = ram_pattern + p * BS;
		uint8_t *d = im.buf + im.desc_off + 24 * n_desc;
		size_t n = BS;
		uint32_t flags = 0;

		if (!(sp->dumped >> p & 1))
			continue;
		n_desc++;
		if (mem_is_zero(page, BS)) {
			st_u64(d, zero_off, sp->big);
			st_u32(d + 8, BS, sp->big);
			continue;
		}
		if (sp->comp)
			n = compress_page(sp->comp, page, tmp, sizeof(tmp));
		if (sp->comp && n < BS)
			flags = sp->comp;
		else
			n = BS;
		st_u64(d, im.len, sp->big);
		st_u32(d + 8, (uint32_t)n, sp->big);
		st_u32(d + 12, flags, sp->big);
		img_append(&im, flags ? tmp : page, n);
	}
	free(desc);
	return im;
}

static const struct kd_spec zlib_le = { false, 1, 2, (1ull << NPAGES) - 1, 0 };

/* The flattened form: 4 KiB header, records of at most chunk bytes, end marker (§7.7). */
static struct kd_img flatten(const struct kd_img *ra, size_t chunk)
{
	struct kd_img fl = { 0 };
	uint8_t hdr[FLAT_HDR], rec[16];

	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, "makedumpfile", 12);
	st_be64(hdr + 16, 1);
	st_be64(hdr + 24, 1);
	img_append(&fl, hdr, sizeof(hdr));
	for (size_t off = 0; off < ra->len; off += chunk) {
		size_t n = ra->len - off < chunk ? ra->len - off : chunk;

		st_be64(rec, off);
		st_be64(rec + 8, n);
		img_append(&fl, rec, 16);
		img_append(&fl, ra->buf + off, n);
	}
	memset(rec, 0xff, 16);
	img_append(&fl, rec, 16);
	return fl;
}

static void assert_ram_is_pattern(const struct snapshot *s, uint64_t dumped)
{
	static uint8_t got[NPAGES * BS];

	ck_assert_uint_eq(s->ram.size, NPAGES * BS);
	ck_assert_ptr_null(ram_read(&s->ram, 0, got, sizeof(got)));
	for (unsigned p = 0; p < NPAGES; p++) {
		bool want_data = dumped >> p & 1;

		if (want_data)
			ck_assert_msg(!memcmp(got + p * BS, ram_pattern + p * BS, BS), "page %u", p);
		else
			ck_assert_msg(mem_is_zero(got + p * BS, BS), "page %u not zero", p);
	}
	/* zero pages are holes: only the four data pages take space */
	ck_assert_uint_eq(s->ram.data_bytes, (uint64_t)BS * (unsigned)__builtin_popcountll(
			  dumped & (1ull << 3 | 1ull << 4 | 1ull << 10 | 1ull << 39)));
}

/* Random-access and flattened forms of the same dump give the same RAM and CPUs. */
static void check_round_trip(const struct kd_spec *sp)
{
	struct kd_img ra = build_kdump(sp), fl = flatten(&ra, 3000);
	struct snapshot s;

	must_open(&s, ra.buf, ra.len, SNAP_AUTO);
	ck_assert_int_eq(s.format, SNAP_KDUMP);
	assert_ram_is_pattern(&s, sp->dumped);
	assert_synthetic_cpus(&s, sp->ncpu);
	ck_assert_ptr_nonnull(strstr(s.format_detail, sp->big ? "big-endian" : "little-endian"));
	snapshot_close(&s);
	must_open(&s, fl.buf, fl.len, SNAP_AUTO);
	ck_assert_int_eq(s.format, SNAP_KDUMP);
	ck_assert_ptr_nonnull(strstr(s.format_detail, "flattened"));
	assert_ram_is_pattern(&s, sp->dumped);
	assert_synthetic_cpus(&s, sp->ncpu);
	snapshot_close(&s);
	free(ra.buf);
	free(fl.buf);
}

START_TEST(synthetic_zlib_le)
{
	check_round_trip(&zlib_le);
}
END_TEST

START_TEST(synthetic_zlib_be)
{
	struct kd_spec sp = zlib_le;

	sp.big = true;
	sp.ncpu = 3;
	check_round_trip(&sp);
}
END_TEST

START_TEST(synthetic_uncompressed)
{
	struct kd_spec sp = zlib_le;

	sp.comp = 0;
	check_round_trip(&sp);
}
END_TEST

START_TEST(synthetic_lzo)
{
#ifdef HAVE_LZO
	struct kd_spec sp = zlib_le;

	sp.comp = 2;
	check_round_trip(&sp);
#else
	TEST_SKIP("built without lzo2 (liblzo2-dev)");
#endif
}
END_TEST

START_TEST(synthetic_snappy)
{
#ifdef HAVE_SNAPPY
	struct kd_spec sp = zlib_le;

	sp.comp = 4;
	check_round_trip(&sp);
#else
	TEST_SKIP("built without snappy (libsnappy-dev)");
#endif
}
END_TEST

/* makedumpfile -d: pages cleared in bitmap 2 have no descriptor and read as zero */
START_TEST(synthetic_excluded_pages)
{
	struct kd_spec sp = zlib_le;

	sp.dumped &= ~(1ull << 4 | 1ull << 7);
	check_round_trip(&sp);
}
END_TEST

/* Flattened records out of order and overwritten: the later record wins. */
START_TEST(flattened_out_of_order)
{
	struct kd_img ra = build_kdump(&zlib_le), fl = { 0 };
	uint8_t hdr[FLAT_HDR], rec[16], junk[512];
	struct snapshot s;
	size_t half = ra.len / 2;

	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, "makedumpfile", 12);
	st_be64(hdr + 16, 1);
	st_be64(hdr + 24, 1);
	img_append(&fl, hdr, sizeof(hdr));
	memset(junk, 0x5a, sizeof(junk));
	st_be64(rec, 0);
	st_be64(rec + 8, sizeof(junk));
	img_append(&fl, rec, 16);
	img_append(&fl, junk, sizeof(junk));	/* overwritten by the next-but-one record */
	st_be64(rec, half);
	st_be64(rec + 8, ra.len - half);
	img_append(&fl, rec, 16);
	img_append(&fl, ra.buf + half, ra.len - half);
	st_be64(rec, 0);
	st_be64(rec + 8, half);
	img_append(&fl, rec, 16);
	img_append(&fl, ra.buf, half);
	memset(rec, 0xff, 16);
	img_append(&fl, rec, 16);
	must_open(&s, fl.buf, fl.len, SNAP_KDUMP);
	assert_ram_is_pattern(&s, zlib_le.dumped);
	snapshot_close(&s);
	free(ra.buf);
	free(fl.buf);
}
END_TEST

/* ---- malformed synthetic dumps ---- */

static uint8_t *desc_at(const struct kd_img *im, unsigned i)
{
	return im->buf + im->desc_off + 24 * i;
}

START_TEST(truncated)
{
	struct kd_img im = build_kdump(&zlib_le);
	const size_t cut[] = {
		0, 8, 300, BS + 50, im.note_off + 100, 2 * BS + 100, 3 * BS + 10,
		im.desc_off + 30, im.desc_off + 24 * NPAGES - 1, im.len - 1,
	};

	for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		struct mperr *err = expect_input_error(im.buf, cut[i], SNAP_KDUMP);

		mperr_free(err);
	}
	free(im.buf);
}
END_TEST

/* bitmap 2 says present but the descriptor array is too short */
START_TEST(descriptor_array_short)
{
	struct kd_img im = build_kdump(&zlib_le);
	struct mperr *err;

	for (unsigned i = 0; i < 5; i++) {	/* pages 0-4: data before the descriptors */
		st_u64(desc_at(&im, i), 0, false);
		st_u32(desc_at(&im, i) + 8, BS, false);
		st_u32(desc_at(&im, i) + 12, 0, false);
	}
	err = expect_input_error(im.buf, im.desc_off + 24 * 5 + 7, SNAP_KDUMP);

	ck_assert_int_eq(err->entry, 5);
	ck_assert_uint_eq(err->off, im.desc_off + 24 * 5);
	ck_assert_ptr_nonnull(strstr(err->msg, "pfn 0x5"));
	mperr_free(err);

	/* unless the header says the dump is incomplete: then the pages read as zero */
	st_u32(im.buf + 424, 1 | 8, false);
	{
		struct snapshot s;

		must_open(&s, im.buf, im.desc_off + 24 * 5 + 7, SNAP_KDUMP);
		ck_assert_uint_eq(s.ram.data_bytes, 5 * BS);
		snapshot_close(&s);
	}
	free(im.buf);
}
END_TEST

START_TEST(descriptor_offset_beyond_file)
{
	struct kd_img im = build_kdump(&zlib_le);
	struct mperr *err;

	st_u64(desc_at(&im, 10), 0x9999999, false);
	err = expect_input_error(im.buf, im.len, SNAP_KDUMP);
	ck_assert_str_eq(err->table, "page descriptor");
	ck_assert_int_eq(err->entry, 10);
	ck_assert_uint_eq(err->off, 0x9999999);
	ck_assert_ptr_nonnull(strstr(err->msg, "pfn 0xa"));
	ck_assert_ptr_nonnull(strstr(err->msg, "0x9999999"));
	mperr_free(err);

	st_u64(desc_at(&im, 10), UINT64_MAX - 10, false);	/* offset + size wraps */
	err = expect_input_error(im.buf, im.len, SNAP_KDUMP);
	ck_assert_int_eq(err->entry, 10);
	mperr_free(err);
	free(im.buf);
}
END_TEST

START_TEST(zlib_page_wrong_size)
{
	struct kd_img im = build_kdump(&zlib_le);
	uint8_t half[BS / 2], z[BS];
	uLongf n = sizeof(z);
	struct mperr *err;
	size_t at = im.len;

	memset(half, 7, sizeof(half));
	ck_assert_int_eq(compress2(z, &n, half, sizeof(half), 6), Z_OK);
	img_append(&im, z, n);
	st_u64(desc_at(&im, 3), at, false);
	st_u32(desc_at(&im, 3) + 8, (uint32_t)n, false);
	err = expect_input_error(im.buf, im.len, SNAP_KDUMP);
	ck_assert_int_eq(err->entry, 3);
	ck_assert_uint_eq(err->off, at);
	mperr_free(err);

	st_u32(desc_at(&im, 3) + 8, (uint32_t)n - 3, false);	/* cut stream */
	err = expect_input_error(im.buf, im.len, SNAP_KDUMP);
	ck_assert_int_eq(err->entry, 3);
	mperr_free(err);
	free(im.buf);
}
END_TEST

START_TEST(bad_page_flags_and_sizes)
{
	struct kd_img im = build_kdump(&zlib_le);
	struct mperr *err;

	st_u32(desc_at(&im, 3) + 12, 0x20, false);	/* zstd */
	err = expect_input_error(im.buf, im.len, SNAP_KDUMP);
	ck_assert_int_eq(err->entry, 3);
	ck_assert_ptr_nonnull(strstr(err->msg, "zstd"));
	mperr_free(err);
	st_u32(desc_at(&im, 3) + 12, 0x3, false);	/* zlib and lzo */
	err = expect_input_error(im.buf, im.len, SNAP_KDUMP);
	mperr_free(err);
	st_u32(desc_at(&im, 3) + 12, 0x100, false);	/* unknown */
	err = expect_input_error(im.buf, im.len, SNAP_KDUMP);
	mperr_free(err);
	st_u32(desc_at(&im, 3) + 12, 0, false);	/* raw, but shorter than a block */
	err = expect_input_error(im.buf, im.len, SNAP_KDUMP);
	ck_assert_int_eq(err->entry, 3);
	mperr_free(err);
	free(im.buf);
}
END_TEST

START_TEST(bad_headers)
{
	static const uint32_t bad_bs[] = { 0, 4097, 256, 1u << 21, 0xffffffffu };
	struct kd_img im = build_kdump(&zlib_le);
	struct mperr *err;

	for (size_t i = 0; i < sizeof(bad_bs) / sizeof(bad_bs[0]); i++) {
		st_u32(im.buf + 428, bad_bs[i], false);
		err = expect_input_error(im.buf, im.len, SNAP_KDUMP);
		ck_assert_uint_eq(err->off, 428);
		ck_assert_ptr_nonnull(strstr(err->msg, "block_size"));
		mperr_free(err);
	}
	st_u32(im.buf + 428, BS, false);
	st_u32(im.buf + 8, 0, false);	/* header_version */
	err = expect_input_error(im.buf, im.len, SNAP_KDUMP);
	ck_assert_uint_eq(err->off, 8);
	mperr_free(err);
	st_u32(im.buf + 8, 6, false);
	st_u32(im.buf + 436, 3, false);	/* odd bitmap_blocks */
	err = expect_input_error(im.buf, im.len, SNAP_KDUMP);
	mperr_free(err);
	st_u32(im.buf + 436, 2000, false);	/* bitmaps past the end */
	err = expect_input_error(im.buf, im.len, SNAP_KDUMP);
	mperr_free(err);
	st_u32(im.buf + 436, 2, false);
	st_u64(im.buf + BS + 96, 8 * BS + 1, false);	/* max_mapnr_64 > bitmap */
	err = expect_input_error(im.buf, im.len, SNAP_KDUMP);
	mperr_free(err);
	st_u64(im.buf + BS + 96, NPAGES, false);
	st_u32(im.buf + BS + 12, 1, false);	/* split */
	err = expect_input_error(im.buf, im.len, SNAP_KDUMP);
	mperr_free(err);
	st_u32(im.buf + BS + 12, 0, false);
	st_u64(im.buf + BS + 48, im.len - 8, false);	/* notes past the end */
	err = expect_input_error(im.buf, im.len, SNAP_KDUMP);
	ck_assert_uint_eq(err->off, im.len - 8);
	mperr_free(err);
	st_u64(im.buf + BS + 48, im.note_off, false);
	st_u32(im.buf + im.note_off + 4, 500, false);	/* NT_PRSTATUS descsz */
	err = expect_input_error(im.buf, im.len, SNAP_KDUMP);
	ck_assert_str_eq(err->table, "note");
	ck_assert_uint_eq(err->off, im.note_off);
	mperr_free(err);
	free(im.buf);
}
END_TEST

/* Flattened record at position pos of fl: put offset and size. */
static void set_record(struct kd_img *fl, size_t pos, uint64_t off, uint64_t size)
{
	st_be64(fl->buf + pos, off);
	st_be64(fl->buf + pos + 8, size);
}

START_TEST(flattened_bad_records)
{
	struct kd_img ra = build_kdump(&zlib_le), fl = flatten(&ra, 3000);
	size_t rec2 = FLAT_HDR + 16 + 3000;	/* the second record */
	const struct {
		uint64_t off, size;
	} bad[] = {
		{ 1ull << 63, 16 },			/* negative offset */
		{ 3000, 1ull << 63 },			/* negative size */
		{ INT64_MAX - 100, 3000 },		/* ends beyond 2^63 */
		{ 3000, 3001 + (uint64_t)fl.len },	/* data truncated */
		{ 1ull << 50, 3000 },			/* absurdly far: not a kdump */
	};
	struct mperr *err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kd_img copy = { malloc(fl.len), fl.len, fl.len, 0, 0, 0 };

		memcpy(copy.buf, fl.buf, fl.len);
		set_record(&copy, rec2, bad[i].off, bad[i].size);
		err = expect_input_error(copy.buf, copy.len, SNAP_AUTO);
		ck_assert_str_eq(err->table, "flattened record");
		ck_assert_int_eq(err->entry, 1);
		ck_assert_uint_eq(err->off, rec2);
		mperr_free(err);
		free(copy.buf);
	}
	err = expect_input_error(fl.buf, fl.len - 16, SNAP_AUTO);	/* no end marker */
	mperr_free(err);
	err = expect_input_error(fl.buf, rec2 + 10, SNAP_AUTO);	/* record header cut */
	ck_assert_uint_eq(err->off, rec2);
	mperr_free(err);
	err = expect_input_error(fl.buf, 100, SNAP_KDUMP);	/* flat header cut */
	mperr_free(err);
	st_be64(fl.buf + 16, 2);	/* header type */
	err = expect_input_error(fl.buf, fl.len, SNAP_AUTO);
	ck_assert_uint_eq(err->off, 16);
	mperr_free(err);
	free(ra.buf);
	free(fl.buf);
}
END_TEST

/* ---- the real fixtures ---- */

START_TEST(fixture_ram_equals_raw)
{
	struct snapshot kd, raw;

	fx_open(&kd, "crash.kdump", SNAP_AUTO);
	fx_open(&raw, "crash.raw", SNAP_AUTO);
	ck_assert_int_eq(kd.format, SNAP_KDUMP);
	ck_assert_uint_eq(kd.ram.size, 0x80000000u);
	assert_same_ram(&kd.ram, &raw.ram);
	snapshot_close(&kd);
	snapshot_close(&raw);
}
END_TEST

START_TEST(master_ram_equals_raw)
{
	struct snapshot kd, raw;

	fx_open(&kd, "master/crash.kdump", SNAP_AUTO);
	fx_open(&raw, "master/crash.raw", SNAP_AUTO);
	assert_same_ram(&kd.ram, &raw.ram);
	snapshot_close(&kd);
	snapshot_close(&raw);
}
END_TEST

START_TEST(fixture_registers_and_pirs)
{
	struct snapshot s;

	fx_open(&s, "crash.kdump", SNAP_KDUMP);
	assert_crash_regs(&s, "");
	ck_assert_ptr_nonnull(strstr(s.cpus.pir_source, "device tree"));
	snapshot_close(&s);
	fx_open(&s, "master/crash.kdump", SNAP_KDUMP);
	assert_crash_regs(&s, "master/");
	snapshot_close(&s);
}
END_TEST

/* The fixture re-assembled here (independently of the reader) into the "KDUMP   " form. */
static struct kd_img fixture_random_access(void)
{
	const char *p = fixture_path("", "crash.kdump");
	struct kd_img ra = { 0 };
	FILE *f = fopen(p, "rb");
	uint8_t *flat;
	long n;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	flat = malloc((size_t)n);
	ck_assert_ptr_nonnull(flat);
	ck_assert_uint_eq(fread(flat, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	ra.cap = 0x1a00d3b;	/* re-assembled size, §7.7 */
	ra.len = ra.cap;
	ra.buf = calloc(1, ra.cap);
	ck_assert_ptr_nonnull(ra.buf);
	for (size_t pos = FLAT_HDR; pos + 16 <= (size_t)n;) {
		uint64_t off = ld_be64(flat + pos), size = ld_be64(flat + pos + 8);

		if (off == UINT64_MAX)
			break;
		ck_assert_uint_le(off + size, ra.len);
		memcpy(ra.buf + off, flat + pos + 16, size);
		pos += 16 + size;
	}
	free(flat);
	return ra;
}

START_TEST(fixture_random_access_form)
{
	struct kd_img ra = fixture_random_access();
	struct snapshot kd, raw;
	struct mperr *err;
	uint64_t desc_off = 0x22000, d1234 = desc_off + 24 * 1234;

	ck_assert(!memcmp(ra.buf, "KDUMP   ", 8));
	must_open(&kd, ra.buf, ra.len, SNAP_AUTO);
	fx_open(&raw, "crash.raw", SNAP_RAW);
	assert_same_ram(&kd.ram, &raw.ram);
	assert_crash_regs(&kd, "");
	snapshot_close(&kd);
	snapshot_close(&raw);

	st_u32(ra.buf + 428, 4000, false);	/* block_size of the real header */
	err = expect_input_error(ra.buf, ra.len, SNAP_KDUMP);
	ck_assert_uint_eq(err->off, 428);
	mperr_free(err);
	st_u32(ra.buf + 428, 4096, false);
	st_u64(ra.buf + d1234, 0x9999999, false);	/* page descriptor 1234 */
	err = expect_input_error(ra.buf, ra.len, SNAP_KDUMP);
	ck_assert_int_eq(err->entry, 1234);
	ck_assert_uint_eq(err->off, 0x9999999);
	ck_assert_ptr_nonnull(strstr(err->msg, "pfn 0x4d2"));
	mperr_free(err);
	free(ra.buf);
}
END_TEST

START_TEST(fuzz_regressions)
{
	/* run from the repository root, as `make check` does */
	ck_assert_int_ge(replay_dir("tests/fuzz/seeds/kdump", SNAP_KDUMP), 1);
	replay_dir("tests/fuzz/regress/kdump", SNAP_KDUMP);
}
END_TEST

static Suite *kdump_suite(void)
{
	Suite *s = suite_create("kdump");
	TCase *fx = tcase_create("fixture"), *syn = tcase_create("synthetic");

	make_ram();
	tcase_set_timeout(fx, 300);
	tcase_add_test(fx, fixture_ram_equals_raw);
	tcase_add_test(fx, master_ram_equals_raw);
	tcase_add_test(fx, fixture_registers_and_pirs);
	tcase_add_test(fx, fixture_random_access_form);
	suite_add_tcase(s, fx);
	tcase_set_timeout(syn, 60);
	tcase_add_test(syn, synthetic_zlib_le);
	tcase_add_test(syn, synthetic_zlib_be);
	tcase_add_test(syn, synthetic_uncompressed);
	tcase_add_test(syn, synthetic_lzo);
	tcase_add_test(syn, synthetic_snappy);
	tcase_add_test(syn, synthetic_excluded_pages);
	tcase_add_test(syn, flattened_out_of_order);
	tcase_add_test(syn, truncated);
	tcase_add_test(syn, descriptor_array_short);
	tcase_add_test(syn, descriptor_offset_beyond_file);
	tcase_add_test(syn, zlib_page_wrong_size);
	tcase_add_test(syn, bad_page_flags_and_sizes);
	tcase_add_test(syn, bad_headers);
	tcase_add_test(syn, flattened_bad_records);
	tcase_add_test(syn, fuzz_regressions);
	suite_add_tcase(s, syn);
	return s;
}

int main(void)
{
	return check_run(kdump_suite());
}
