/*
 * check_compare.c - compare: the row classification on made-up values, the
 * byte counter against a brute-force reference, and whole comparisons of
 * synthetic post-MPIPL images (hostboot vs --emulate qemu-v2, an image with
 * itself, hostile thread records).
 */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/bytes.h"
#include "compare/compare.h"
#include "lib_builder.h"
#include "lib_pipeline.h"
#include "output/outfile.h"
#include "output/post_image.h"
#include "lib_fixture.h"

#define RAM_SIZE 0x40000000ULL
#define H (UINT64_C(1) << 63)

/* ---- rows ---- */

struct row_case {
	struct cmp_diff d;
	const char *row;
};

#define REG(t, n) ((struct reg_id){ (t), (n) })

static const struct row_case rows[] = {
	/* D6: advanced by the float-ceiling chunk count, bit 63 dropped (either order) */
	{ { .what = CMP_MDRT_SRC, .a = H | 0x30000000, .b = 0x32000000, .ctx_a = 0x1c38000,
	    .ctx_b = 0x1c38000 }, "D6" },
	{ { .what = CMP_MDRT_DEST, .a = 0x64c30000, .b = H | 0x34c30000, .ctx_a = 0x30000000,
	    .ctx_b = 0x30000000 }, "D6" },
	/* B3: 0x2000001 is one float chunk, so the address moves by 32 MiB only */
	{ { .what = CMP_MDRT_SRC, .a = H | 0x1000, .b = 0x2001000, .ctx_a = 0x2000001,
	    .ctx_b = 0x2000001 }, "D6" },
	{ { .what = CMP_MDRT_SRC, .a = H | 0x1000, .b = 0x4001000, .ctx_a = 0x2000001,
	    .ctx_b = 0x2000001 }, NULL },
	/* not QEMU's: unwritten entry, both with bit 63, wrong advance */
	{ { .what = CMP_MDRT_SRC, .a = H, .b = 0, .ctx_a = 0x30000000 }, NULL },
	{ { .what = CMP_MDRT_SRC, .a = H | 0x1000, .b = H | 0x2001000, .ctx_a = 0x1000,
	    .ctx_b = 0x1000 }, NULL },
	{ { .what = CMP_MDRT_DEST, .a = H | 0x1000, .b = 0x1000 + 0x4000000, .ctx_b = 0x1000 },
	  NULL },
	/* D7: dump type 0 on one side */
	{ { .what = CMP_MDRT_TYPE, .a = 0xf5, .b = 0 }, "D7" },
	{ { .what = CMP_MDRT_TYPE, .a = 0xf5, .b = 0x01 }, NULL },
	/* D9: act_cnt left at alloc_cnt (1024) */
	{ { .what = CMP_MDRT_ACT_CNT, .a = 2, .b = 1024, .ctx_a = 1024, .ctx_b = 1024 }, "D9" },
	{ { .what = CMP_MDRT_COUNTED, .a = 1024, .b = 2, .ctx_a = 1024, .ctx_b = 1024 }, "D9" },
	{ { .what = CMP_MDRT_ACT_CNT, .a = 2, .b = 3, .ctx_a = 1024, .ctx_b = 1024 }, NULL },
	/* D10: the area written elsewhere, or anything at 0x10300 */
	{ { .what = CMP_PDA_THREAD_SIZE, .index = CMP_AREA_NTUPLE, .a = 0x278, .b = 0,
	    .ctx_a = 1, .ctx_b = 0 }, "D10" },
	{ { .what = CMP_PDA_ALLOC_SIZE, .index = CMP_AREA_QEMU, .a = 0, .b = 0x80000 }, "D10" },
	/* D15, D16: both written, QEMU's sizes */
	{ { .what = CMP_PDA_THREAD_SIZE, .index = CMP_AREA_WRITTEN, .a = 0x278, .b = 0x238,
	    .ctx_a = 1, .ctx_b = 1 }, "D15" },
	{ { .what = CMP_PDA_THREAD_SIZE, .index = CMP_AREA_NTUPLE, .a = 0x278, .b = 0x298,
	    .ctx_a = 1, .ctx_b = 1 }, NULL },
	{ { .what = CMP_PDA_VERSION, .index = CMP_AREA_WRITTEN, .a = 1, .b = 2, .ctx_a = 1,
	    .ctx_b = 1 }, "D15" },
	{ { .what = CMP_PDA_ACT_SIZE, .index = CMP_AREA_WRITTEN, .a = 0x4f0, .b = 0x470,
	    .ctx_a = 1, .ctx_b = 1 }, "D16" },
	{ { .what = CMP_PDA_ACT_SIZE, .index = CMP_AREA_NTUPLE, .a = 0x4f0, .b = 0x530,
	    .ctx_a = 1, .ctx_b = 1 }, NULL },
	{ { .what = CMP_PDA_DEST, .index = CMP_AREA_NTUPLE, .a = H | 1, .b = H | 2, .ctx_a = 1,
	    .ctx_b = 1 }, "D16" },
	/* threads */
	{ { .what = CMP_THREAD_CORE_STATE, .a = 0, .b = 0xff }, "D12" },
	{ { .what = CMP_THREAD_CORE_STATE, .a = 0, .b = 0x0f }, NULL },
	{ { .what = CMP_THREAD_OFFSET, .a = 0x10, .b = 0 }, "D13" },
	{ { .what = CMP_THREAD_OFFSET, .a = 0x10, .b = 0x20 }, NULL },
	{ { .what = CMP_THREAD_ECNT, .a = 38, .b = 34 }, "D11" },
	{ { .what = CMP_THREAD_ECNT, .a = 38, .b = 40 }, NULL },
	{ { .what = CMP_THREAD_POSITION, .a = 0, .b = 1 }, "D14" },
	{ { .what = CMP_THREAD_ESIZE, .a = 0x10, .b = 0x20 }, NULL },
	/* registers: QEMU never saves CR (D11); offset 0 loses MSR and adds a type-0 entry */
	{ { .what = CMP_REG_PRESENT, .reg = REG(2, 0x7d2), .a = 1, .b = 0, .ctx_a = 0x10 },
	  "D11" },
	{ { .what = CMP_REG_PRESENT, .reg = REG(2, 0x7d1), .a = 1, .b = 0, .ctx_a = 0x10,
	    .ctx_b = 0 }, "D13" },
	{ { .what = CMP_REG_PRESENT, .reg = REG(0, 34), .a = 0, .b = 1, .ctx_a = 0x10,
	    .ctx_b = 0 }, "D13" },
	{ { .what = CMP_REG_PRESENT, .reg = REG(1, 3), .a = 1, .b = 0, .ctx_a = 0x10,
	    .ctx_b = 0x10 }, NULL },
	{ { .what = CMP_REG_VALUE, .reg = REG(1, 3), .a = 1, .b = 2 }, NULL },
	{ { .what = CMP_THREAD_PRESENT, .a = 1, .b = 0 }, NULL },
	{ { .what = CMP_RAM_SIZE, .a = 1, .b = 2 }, NULL },
};

START_TEST(row_classification)
{
	const struct row_case *c = &rows[_i];
	const char *got = cmp_row(&c->d);

	if (!c->row)
		ck_assert_msg(!got, "case %d: expected no row, got %s", _i, got);
	else
		ck_assert_msg(got && !strcmp(got, c->row), "case %d: expected %s, got %s", _i,
			      c->row, got ? got : "none");
}
END_TEST

START_TEST(range_rows_and_chunks)
{
	ck_assert_str_eq(cmp_range_row(CMP_RANGE_PDA_QEMU), "D10");
	ck_assert_str_eq(cmp_range_row(CMP_RANGE_FDT), "D18");
	ck_assert_ptr_null(cmp_range_row(CMP_RANGE_DEST));
	ck_assert_ptr_null(cmp_range_row(CMP_RANGE_REST));
	ck_assert_uint_eq(cmp_qemu_chunks(0), 0);
	ck_assert_uint_eq(cmp_qemu_chunks(1), 1);
	ck_assert_uint_eq(cmp_qemu_chunks(0x2000000), 1);
	ck_assert_uint_eq(cmp_qemu_chunks(0x2000001), 1);	/* B3 */
	ck_assert_uint_eq(cmp_qemu_chunks(0x2001000), 2);
	ck_assert_uint_eq(cmp_qemu_chunks(0x30000000), 24);
}
END_TEST

/* ---- bytes: random sparse images against a dense reference ---- */

#define DENSE 0x40000u

static uint32_t rnd_state;

static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

/*
 * A sparse image of size bytes over dense[]: each 4 KiB page is data (which
 * may hold zeros) or a hole (zeroed in dense[], as a hole reads).
 */
static void random_image(struct ram_image *ram, uint8_t *dense, uint64_t size)
{
	ram_init(ram, size);
	for (uint64_t p = 0; p < size; p += 0x1000) {
		uint64_t n = size - p < 0x1000 ? size - p : 0x1000;

		if (rnd() % 3 == 0) {
			memset(dense + p, 0, 0x1000);
			continue;
		}
		ck_assert_ptr_null(ram_add(ram, p, n, dense + p));
	}
	ck_assert_ptr_null(ram_finish(ram));
}

/* Two related contents: b is a with a few bytes changed, some runs of zeros in both. */
static void random_contents(uint8_t *a, uint8_t *b)
{
	for (size_t i = 0; i < DENSE; i++)
		a[i] = rnd() % 5 ? 0 : (uint8_t)rnd();
	memcpy(b, a, DENSE);
	for (int k = rnd() % 40; k > 0; k--)
		b[rnd() % DENSE] ^= (uint8_t)(1 + rnd() % 255);
}

START_TEST(bytes_against_reference)
{
	static uint8_t da[DENSE], db[DENSE];

	rnd_state = (uint32_t)_i * 2654435761u + 1;
	for (int round = 0; round < 20; round++) {
		uint64_t sa = DENSE - (rnd() % 2) * 0x8000, sb = DENSE - (rnd() % 2) * 0x10123;
		uint64_t gpa = rnd() % DENSE, len = rnd() % (DENSE - gpa + 1);
		uint64_t want = 0, first = 0, got, gfirst;
		struct ram_image a, b;

		random_contents(da, db);
		random_image(&a, da, sa);
		random_image(&b, db, sb);
		/* beyond an image's size, its bytes read as zero */
		for (uint64_t i = gpa; i < gpa + len; i++) {
			uint8_t x = i < sa ? da[i] : 0, y = i < sb ? db[i] : 0;

			if (x != y && !want++)
				first = i;
		}
		ck_assert_ptr_null(cmp_bytes(&a, &b, gpa, len, &got, &gfirst));
		ck_assert_uint_eq(got, want);
		ck_assert_uint_eq(gfirst, first);
		ram_free(&a);
		ram_free(&b);
	}
}
END_TEST

/* ---- whole images ---- */

struct post {
	char path[256];
	struct snapshot snap;
	struct mpipl_tables t;
};

static void quiet(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

/* Simulate o on the image at in and open the post-MPIPL image it gives. */
static void post_make(struct post *p, const char *in, const struct sim_options *o)
{
	const char *dir = getenv("TMPDIR");
	struct warn_sink w = { quiet, NULL };
	struct outfile f = { .fd = -1 };
	struct pipe pp;
	int fd;

	snprintf(p->path, sizeof(p->path), "%s/mpiplsim-cmp.XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(p->path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_ptr_null(pipe_run(&pp, in, o));
	ck_assert_ptr_null(outfile_open(&f, p->path));
	ck_assert_ptr_null(post_image_write(&pp.ovl, &f, NULL));
	ck_assert_ptr_null(outfile_commit(&f, pp.snap.ram.size, false));
	pipe_close(&pp);
	ck_assert_ptr_null(snapshot_open(&p->snap, p->path, SNAP_RAW, &w));
	ck_assert_ptr_null(mpipl_tables_load(&p->snap.ram, SKIBOOT_BASE, NULL, &p->t, &w));
}

static void post_free(struct post *p)
{
	snapshot_close(&p->snap);
	unlink(p->path);
}

static bool has_row(const struct cmp_result *r, const char *row)
{
	for (size_t i = 0; i < r->n_diff; i++)
		if (r->diff[i].row && !strcmp(r->diff[i].row, row))
			return true;
	for (size_t i = 0; i < r->n_range; i++)
		if (r->range[i].differing && r->range[i].row && !strcmp(r->range[i].row, row))
			return true;
	return false;
}

static const struct cmp_diff *find(const struct cmp_result *r, enum cmp_what what, long index)
{
	for (size_t i = 0; i < r->n_diff; i++)
		if (r->diff[i].what == what && r->diff[i].index == index)
			return &r->diff[i];
	return NULL;
}

static const struct cmp_range *rest(const struct cmp_result *r)
{
	ck_assert_uint_gt(r->n_range, 0);
	ck_assert_int_eq(r->range[r->n_range - 1].kind, CMP_RANGE_REST);
	return &r->range[r->n_range - 1];
}

/* hostboot vs --emulate qemu-v2 on a master layout: the rows of mpipl.md §7 */
START_TEST(hostboot_vs_qemu_v2)
{
	struct sim_options hb = { .profile = PROFILE_HOSTBOOT };
	struct sim_options v2 = { .mode = MODE_QEMU_V2, .profile = PROFILE_QEMU_V2 };
	static const char *const want[] = { "D6", "D9", "D10", "D11", "D12", "D13", "D14",
					    "D15", "D16" };
	const struct cmp_diff *d;
	struct cmp_result r;
	struct post a, b;
	struct rb in;

	rb_create(&in, RAM_SIZE, RB_MASTER);
	post_make(&a, in.path, &hb);
	post_make(&b, in.path, &v2);
	ck_assert_ptr_null(cmp_images(&a.t, &b.t, &r));
	ck_assert(!cmp_equal(&r));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(has_row(&r, want[i]), "row %s not named", want[i]);
	ck_assert(!has_row(&r, "D7") && !has_row(&r, "D18"));
	/* MDRT entry 0: OPAL region, one 32 MiB chunk further, without bit 63 */
	d = find(&r, CMP_MDRT_SRC, 0);
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(d->a, H | 0x30000000);
	ck_assert_uint_eq(d->b, 0x32000000);
	d = find(&r, CMP_MDRT_COUNTED, 2);
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(d->span, 1022);
	ck_assert_int_eq(r.side[0].threads_from, CMP_THREADS_NTUPLE);
	ck_assert_int_eq(r.side[1].threads_from, CMP_THREADS_QEMU);
	ck_assert_uint_eq(r.side[1].thread_size, 0x238);
	/* the copies are the same bytes; nothing else changed */
	for (size_t i = 0; i < r.n_range; i++)
		if (r.range[i].kind == CMP_RANGE_DEST)
			ck_assert_uint_eq(r.range[i].differing, 0);
	ck_assert_uint_eq(rest(&r)->differing, 0);
	cmp_result_free(&r);

	/* an image equals itself */
	ck_assert_ptr_null(cmp_images(&a.t, &a.t, &r));
	ck_assert(cmp_equal(&r));
	ck_assert_uint_eq(r.n_diff, 0);
	cmp_result_free(&r);
	post_free(&a);
	post_free(&b);
	rb_destroy(&in);
}
END_TEST

/* A post image against its input: exactly the simulation's writes differ. */
START_TEST(post_vs_input)
{
	struct sim_options o = { .no_registers = true };
	struct warn_sink w = { quiet, NULL };
	struct mpipl_tables t;
	struct snapshot s;
	struct cmp_result r;
	struct post a;
	struct rb in;

	rb_create(&in, RAM_SIZE, RB_V70);
	post_make(&a, in.path, &o);
	ck_assert_ptr_null(snapshot_open(&s, in.path, SNAP_RAW, &w));
	ck_assert_ptr_null(mpipl_tables_load(&s.ram, SKIBOOT_BASE, NULL, &t, &w));
	ck_assert_ptr_null(cmp_images(&a.t, &t, &r));
	ck_assert_uint_eq(rest(&r)->differing, 0);
	for (size_t i = 0; i < r.n_range; i++) {
		const struct cmp_range *x = &r.range[i];
		bool written = x->kind == CMP_RANGE_DEST || x->kind == CMP_RANGE_SPIRAH ||
			       x->kind == CMP_RANGE_MDRT || x->kind == CMP_RANGE_PDA;

		ck_assert_msg(written == !!x->differing, "%s: 0x%llx bytes differ", x->name,
			      (unsigned long long)x->differing);
	}
	cmp_result_free(&r);
	snapshot_close(&s);
	post_free(&a);
	rb_destroy(&in);
}
END_TEST

/* Thread records that lie: counts past RAM, entry size 0, offsets past the record. */
START_TEST(hostile_thread_records)
{
	struct sim_options o = { .profile = PROFILE_LINUX_MIN };
	struct warn_sink w = { quiet, NULL };
	struct cmp_result r;
	struct post a, b;
	struct rb in;
	int fd;

	rb_create(&in, RAM_SIZE, RB_MASTER);
	post_make(&a, in.path, &o);
	post_make(&b, in.path, &o);
	snapshot_close(&b.snap);
	fd = open(b.path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	{
		uint8_t v[4];

		st_be32(v, 0xffffffff);		/* act_size */
		ck_assert_int_eq(pwrite(fd, v, 4, (off_t)in.pda + 0x2c), 4);
		st_be32(v, 0);			/* esize of record 0 */
		ck_assert_int_eq(pwrite(fd, v, 4, (off_t)in.threads + 0x10), 4);
		st_be32(v, 0xfffffff0);		/* offset of record 1 */
		ck_assert_int_eq(pwrite(fd, v, 4, (off_t)in.threads + 0x18 + 40 * 16 + 8), 4);
	}
	close(fd);
	ck_assert_ptr_null(snapshot_open(&b.snap, b.path, SNAP_RAW, &w));
	ck_assert_ptr_null(mpipl_tables_load(&b.snap.ram, SKIBOOT_BASE, NULL, &b.t, &w));
	ck_assert_ptr_null(cmp_images(&a.t, &b.t, &r));
	ck_assert(r.side[1].threads_capped);
	ck_assert_uint_le(r.side[1].n_threads, CMP_MAX_THREADS);
	ck_assert_ptr_nonnull(find(&r, CMP_THREAD_COUNT, -1));
	cmp_result_free(&r);

	/* records of 256 MiB each: read no more than CMP_MAX_RECORD_BYTES */
	snapshot_close(&b.snap);
	fd = open(b.path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	{
		uint8_t v[4];

		st_be32(v, 0x10000000);		/* thread_size */
		ck_assert_int_eq(pwrite(fd, v, 4, (off_t)in.pda), 4);
	}
	close(fd);
	ck_assert_ptr_null(snapshot_open(&b.snap, b.path, SNAP_RAW, &w));
	ck_assert_ptr_null(mpipl_tables_load(&b.snap.ram, SKIBOOT_BASE, NULL, &b.t, &w));
	ck_assert_ptr_null(cmp_images(&a.t, &b.t, &r));
	ck_assert(r.side[1].threads_capped);
	ck_assert_uint_le((uint64_t)r.side[1].n_threads * 0x10000000, CMP_MAX_RECORD_BYTES);
	cmp_result_free(&r);
	post_free(&a);
	post_free(&b);
	rb_destroy(&in);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("compare");
	TCase *tc = tcase_create("compare");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, row_classification, 0, sizeof(rows) / sizeof(rows[0]));
	tcase_add_test(tc, range_rows_and_chunks);
	tcase_add_loop_test(tc, bytes_against_reference, 0, 50);
	tcase_add_test(tc, hostboot_vs_qemu_v2);
	tcase_add_test(tc, post_vs_input);
	tcase_add_test(tc, hostile_thread_records);
	suite_add_tcase(s, tc);
	return check_run(s);
}
