/*
 * check_dense.c - the pieces that make dense guests cheap: runs of pages as
 * one extent (ram_add_pages, pages sent again splitting a run in
 * ram_finish) against a byte-array reference, and the write combiner
 * (few writes, zero pages holes, file-to-file copies) against the bytes it
 * was given.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/ram_image.h"
#include "core/tmpdir.h"
#include "lib_fixture.h"

#define PS 4096u
#define REC (PS + 8u)	/* a page record: be64 header, then the page */

/* A stream of n page records, page k filled with fill(k) (0: a zero page in a PAGE record). */
static uint8_t *make_stream(size_t n, uint8_t (*fill)(size_t))
{
	uint8_t *s = calloc(n, REC);

	ck_assert_ptr_nonnull(s);
	for (size_t k = 0; k < n; k++) {
		memset(s + k * REC, 0xa5, 8);	/* a header, never part of a page */
		memset(s + k * REC + 8, fill(k), PS);
	}
	return s;
}

static uint8_t fill_k(size_t k)	/* never 0: a page of data */
{
	return (uint8_t)(k % 255 + 1);
}

static void page_is(const struct ram_image *ram, uint64_t page, uint8_t v)
{
	static uint8_t buf[PS];

	size_t i = 0;

	ck_assert_ptr_null(ram_read(ram, page * PS, buf, PS));
	while (i < PS && buf[i] == v)	/* one assertion a page: Check records each one */
		i++;
	ck_assert_msg(i == PS, "page %llu byte %zu: 0x%02x, expected 0x%02x",
		      (unsigned long long)page, i, i < PS ? buf[i] : v, v);
}

START_TEST(run_split_by_later_pages)
{
	uint8_t *s = make_stream(8, fill_k), *again = malloc(PS);
	struct ram_image ram;
	static const uint8_t want[8] = { 0xee, 2, 3, 0xee, 5, 0, 7, 0xee };

	memset(again, 0xee, PS);
	ram_init(&ram, 8 * PS);
	ck_assert_ptr_null(ram_add_pages(&ram, 0, 8 * PS, s + 8, PS, REC));
	ck_assert_ptr_null(ram_add(&ram, 3 * PS, PS, again));
	ck_assert_ptr_null(ram_add(&ram, 5 * PS, PS, NULL));	/* ZERO after PAGE */
	ck_assert_ptr_null(ram_add(&ram, 0, PS, again));	/* first page of the run */
	ck_assert_ptr_null(ram_add(&ram, 7 * PS, PS, s + 8));	/* its last page, again */
	ck_assert_ptr_null(ram_add(&ram, 7 * PS, PS, again));	/* and once more: this wins */
	ck_assert_ptr_null(ram_finish(&ram));
	for (unsigned k = 0; k < 8; k++)
		page_is(&ram, k, want[k]);
	ck_assert_uint_eq(ram.data_bytes, 7 * PS);
	/* 0xee | 2,3 (one run) | 0xee | 5 | 7 | 0xee: pages 1-2 stay one extent */
	ck_assert_uint_eq(ram.n, 6);
	ck_assert_uint_eq(ram.ext[1].len, 2 * PS);
	ck_assert_uint_eq(ram.ext[1].step, REC);
	/* finishing again changes nothing */
	ck_assert_ptr_null(ram_finish(&ram));
	ck_assert_uint_eq(ram.n, 6);
	for (unsigned k = 0; k < 8; k++)
		page_is(&ram, k, want[k]);
	ram_free(&ram);
	free(again);
	free(s);
}
END_TEST

START_TEST(run_overlaps_refused)
{
	uint8_t *s = make_stream(4, fill_k);
	struct ram_image ram;
	struct mperr *err;

	/* a later add that is not on the run's page grid */
	ram_init(&ram, 8 * PS);
	ck_assert_ptr_null(ram_add_pages(&ram, 0, 4 * PS, s + 8, PS, REC));
	ck_assert_ptr_null(ram_add(&ram, PS + 8, PS, s + 8));
	err = ram_finish(&ram);
	ck_assert_ptr_nonnull(err);
	mperr_free(err);
	ram_free(&ram);
	/* a run added after a page it covers does not win: an error, as before runs */
	ram_init(&ram, 8 * PS);
	ck_assert_ptr_null(ram_add(&ram, PS, PS, s + 8));
	ck_assert_ptr_null(ram_add_pages(&ram, 0, 4 * PS, s + 8, PS, REC));
	err = ram_finish(&ram);
	ck_assert_ptr_nonnull(err);
	mperr_free(err);
	ram_free(&ram);
	/* a run that runs past the end of a later page's neighbour run */
	ram_init(&ram, 8 * PS);
	ck_assert_ptr_null(ram_add_pages(&ram, 0, 4 * PS, s + 8, PS, REC));
	ck_assert_ptr_null(ram_add(&ram, 3 * PS, 2 * PS, s + 8));
	err = ram_finish(&ram);
	ck_assert_ptr_nonnull(err);
	mperr_free(err);
	/* bad runs */
	err = ram_add_pages(&ram, 0, 3 * PS + 1, s + 8, PS, REC);
	ck_assert_ptr_nonnull(err);
	mperr_free(err);
	err = ram_add_pages(&ram, 0, 2 * PS, s + 8, PS, PS - 1);
	ck_assert_ptr_nonnull(err);
	mperr_free(err);
	ram_free(&ram);
	free(s);
}
END_TEST

/*
 * What a migration stream does: a first pass sending pages in runs (some
 * skipped as zero), then pages sent again, data or zero, in any order; the
 * image must read like the last record of each page.
 */
START_TEST(runs_against_reference)
{
	enum { N = 96 };
	uint8_t *s = make_stream(N, fill_k), *ref = calloc(N, PS), *resend = malloc(N * PS);
	struct ram_image ram;
	unsigned seed = (unsigned)_i * 7919u + 1;
	size_t k = 0;

	ck_assert_ptr_nonnull(ref);
	ck_assert_ptr_nonnull(resend);
	ram_init(&ram, N * PS);
	while (k < N) {	/* first pass: runs of 1..9 pages, gaps of zero pages */
		size_t len = 1 + (size_t)(rand_r(&seed) % 9), gap = (size_t)(rand_r(&seed) % 3);

		if (len > N - k)
			len = N - k;
		ck_assert_ptr_null(ram_add_pages(&ram, k * PS, len * PS, s + k * REC + 8, PS, REC));
		for (size_t j = k; j < k + len; j++)
			memset(ref + j * PS, fill_k(j), PS);
		k += len + gap;
	}
	for (int i = 0; i < 40; i++) {	/* then pages again */
		size_t p = (size_t)(rand_r(&seed) % N);
		int kind = rand_r(&seed) % 3;

		if (kind == 0) {
			ck_assert_ptr_null(ram_add(&ram, p * PS, PS, NULL));
			memset(ref + p * PS, 0, PS);
		} else {
			uint8_t v = (uint8_t)(0x80 + i);

			memset(resend + (size_t)i * PS, v, PS);
			ck_assert_ptr_null(ram_add(&ram, p * PS, PS, resend + (size_t)i * PS));
			memset(ref + p * PS, v, PS);
		}
	}
	ck_assert_ptr_null(ram_finish(&ram));
	for (size_t p = 0; p < N; p++)
		page_is(&ram, p, ref[p * PS]);
	ram_free(&ram);
	free(resend);
	free(ref);
	free(s);
}
END_TEST

/* ---- the write combiner ---- */

static uint8_t *file_bytes(int fd, uint64_t len)
{
	uint8_t *b = calloc(1, len);

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(pread(fd, b, len, 0), (ssize_t)len);
	return b;
}

/* True if [off, off+len) of fd is a hole (SEEK_DATA says the next data is past it). */
static int is_hole(int fd, uint64_t off, uint64_t len)
{
	off_t d = lseek(fd, (off_t)off, SEEK_DATA);

	return (d < 0 && errno == ENXIO) || (uint64_t)d >= off + len;
}

static uint64_t released_bytes;	/* what the combiner handed back, across its calls */

static void released(const void *ctx, const uint8_t *p, uint64_t len)
{
	(void)ctx;
	(void)p;
	released_bytes += len;
}

START_TEST(combiner_gathers_and_leaves_holes)
{
	enum { N = 3000 };	/* more pages than one write may take (WC_IOV) */
	uint8_t *s = make_stream(N, fill_k), *got;
	int fd = tmp_open_unlinked();
	struct wcomb *w = malloc(sizeof(*w));

	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_nonnull(w);
	/* pages 100..199 are zero: a PAGE record of zeros */
	for (size_t k = 100; k < 200; k++)
		memset(s + k * REC + 8, 0, PS);
	released_bytes = 0;
	wc_init(w, fd, released, NULL);
	for (size_t k = 0; k < N; k++)
		ck_assert_ptr_null(wc_add(w, s + k * REC + 8, PS, k * PS));
	ck_assert_ptr_null(wc_flush(w));
	ck_assert_int_eq(ftruncate(fd, (off_t)N * PS), 0);
	got = file_bytes(fd, (uint64_t)N * PS);
	for (size_t k = 0; k < N; k++)
		ck_assert_int_eq(memcmp(got + k * PS, s + k * REC + 8, PS), 0);
	ck_assert(is_hole(fd, 100 * PS, 100 * PS));
	/* 0..99, then 100..1223 and so on, WC_IOV pages a write */
	ck_assert_uint_eq(w->n_writes, 1 + (N - 200 + WC_IOV - 1) / WC_IOV);
	ck_assert_uint_ge(released_bytes, (uint64_t)N * PS);	/* every page read was released */
	free(got);
	free(w);
	close(fd);
	free(s);
}
END_TEST

/* Pieces out of order, unaligned, of odd sizes, zero runs inside: the file reads like them. */
START_TEST(combiner_any_pieces)
{
	enum { LEN = 1 << 20 };
	uint8_t *ref = calloc(1, LEN), *got;
	unsigned seed = (unsigned)_i + 11;
	int fd = tmp_open_unlinked();
	struct wcomb *w = malloc(sizeof(*w));
	uint64_t off = 0;

	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_nonnull(ref);
	ck_assert_ptr_nonnull(w);
	for (size_t i = 0; i < LEN; i++)
		ref[i] = (i / 777) % 5 ? (uint8_t)rand_r(&seed) : 0;
	wc_init(w, fd, NULL, NULL);
	while (off < LEN) {	/* forward, with pieces swapped two by two */
		uint64_t a = 1 + (uint64_t)(rand_r(&seed) % 20000), b;

		if (a > LEN - off)
			a = LEN - off;
		b = 1 + (uint64_t)(rand_r(&seed) % 20000);
		if (b > LEN - off - a)
			b = LEN - off - a;
		if (b)
			ck_assert_ptr_null(wc_add(w, ref + off + a, b, off + a));
		ck_assert_ptr_null(wc_add(w, ref + off, a, off));
		off += a + b;
	}
	ck_assert_ptr_null(wc_flush(w));
	ck_assert_int_eq(ftruncate(fd, LEN), 0);
	got = file_bytes(fd, LEN);
	ck_assert_int_eq(memcmp(got, ref, LEN), 0);
	free(got);
	free(w);
	free(ref);
	close(fd);
}
END_TEST

/* A page-aligned piece of a mapped file goes file to file, and reads the same. */
START_TEST(combiner_copies_from_the_input)
{
	enum { LEN = 4 << 20 };
	uint8_t *ref = calloc(1, LEN), *got;
	int in = tmp_open_unlinked(), out = tmp_open_unlinked();
	struct wcomb *w = malloc(sizeof(*w));
	const uint8_t *map;

	ck_assert_int_ge(in, 0);
	ck_assert_int_ge(out, 0);
	ck_assert_ptr_nonnull(ref);
	ck_assert_ptr_nonnull(w);
	for (size_t i = 0; i < LEN; i++)
		ref[i] = (i / PS) % 7 == 3 ? 0 : (uint8_t)(i * 31 + 7);
	ck_assert_ptr_null(pwrite_all(in, ref, LEN, 0));
	map = mmap(NULL, LEN, PROT_READ, MAP_PRIVATE, in, 0);
	ck_assert(map != MAP_FAILED);
	wc_init(w, out, NULL, NULL);
	wc_set_source(w, map, LEN, in);
	/* a piece to another place (an MDST copy), then the whole file in place */
	ck_assert_ptr_null(wc_add(w, map + PS, 256 * PS, (uint64_t)LEN));
	ck_assert_ptr_null(wc_add(w, map, LEN, 0));
	ck_assert_ptr_null(wc_add(w, map + 5, 100, (uint64_t)LEN + 300 * PS));	/* unaligned */
	ck_assert_ptr_null(wc_flush(w));
	ck_assert_int_eq(ftruncate(out, (off_t)LEN + 301 * PS), 0);
	got = file_bytes(out, (uint64_t)LEN + 301 * PS);
	ck_assert_int_eq(memcmp(got, ref, LEN), 0);
	ck_assert_int_eq(memcmp(got + LEN, ref + PS, 256 * PS), 0);
	ck_assert_int_eq(memcmp(got + LEN + 300 * PS, ref + 5, 100), 0);
	/* cloned (XFS, btrfs) or copied in the kernel (ext4, tmpfs): not through our buffers */
	ck_assert_uint_ge(w->n_clones + w->n_copies, 2);
	if (!w->n_clones && w->n_copies)	/* copied page by page run: zero pages holes */
		ck_assert(is_hole(out, 3 * PS, PS));
	munmap((void *)(uintptr_t)map, LEN);
	free(got);
	free(w);
	free(ref);
	close(in);
	close(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dense");
	TCase *tc = tcase_create("dense");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, run_split_by_later_pages);
	tcase_add_test(tc, run_overlaps_refused);
	tcase_add_loop_test(tc, runs_against_reference, 0, 50);
	tcase_add_test(tc, combiner_gathers_and_leaves_holes);
	tcase_add_loop_test(tc, combiner_any_pieces, 0, 10);
	tcase_add_test(tc, combiner_copies_from_the_input);
	suite_add_tcase(s, tc);
	return check_run(s);
}
