/*
 * check_qemu_v2.c - --emulate qemu-v2 (mpipl.md §7) on the real master
 * fixture (the layout the series was written for), on the v7.0 fixture (the
 * series finds nothing, D21) and on synthetic tables for the float-ceiling
 * chunk bug (B3).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "lib_builder.h"
#include "lib_fixture.h"
#include "lib_pipeline.h"

#define CHUNK 0x2000000ULL

static const struct sim_options v2 = { .mode = MODE_QEMU_V2, .profile = PROFILE_QEMU_V2 };

START_TEST(master_fixture)
{
	struct pipe p;
	uint8_t e[32], h[0x18], a[0x30], cnt[2];

	/* real registers: the kdump's notes */
	ck_assert_ptr_null(pipe_run(&p, fixture_path("master/", "crash.kdump"), &v2));
	ck_assert_uint_eq(p.plan.n_mdrt, p.t.n_mdst);
	for (unsigned i = 0; i < p.t.n_mdst; i++) {
		const struct dump_entry *s = &p.t.mdst[i], *d = &p.t.mddt[i];
		uint64_t adv = (d->size + CHUNK - 1) / CHUNK * CHUNK;	/* exact for these sizes */

		ck_assert_ptr_null(ovl_read(&p.ovl, p.t.base + 0x1c00000 + 32 * i, e, 32));
		ck_assert_uint_eq(ld_be64(e), s->gpa + adv);		/* D6, bit 63 clear */
		ck_assert_uint_eq(ld_be64(e + 8), d->gpa + adv);
		ck_assert_uint_eq(e[16], s->region);			/* D7 */
		ck_assert_uint_eq(e[17], 0);
		ck_assert_uint_eq(ld_be32(e + 20), d->size);
	}
	/* D9: SPIRA-H MDRT act_cnt untouched */
	ck_assert_ptr_null(ovl_read(&p.ovl, p.t.spirah_gpa + 0xea, cnt, 2));
	ck_assert_uint_eq(ld_be16(cnt), p.t.nt[NT_MDRT].act_cnt);
	/* D10, D15, D16: the area at absolute 0x10300 */
	ck_assert_ptr_null(ovl_read(&p.ovl, 0x10300, a, sizeof(a)));
	ck_assert_uint_eq(ld_be32(a), 0x238);
	ck_assert_uint_eq(a[4], 1);
	ck_assert_uint_eq(ld_be64(a + 0x20), p.t.pda.alloc_raw);
	ck_assert_uint_eq(ld_be32(a + 0x2c), 0x238 * p.snap.cpus.n);
	/* D12, D13, D14: 0xff, offset 0, CPU-list order */
	for (size_t i = 0; i < p.snap.cpus.n; i++) {
		ck_assert_ptr_null(ovl_read(&p.ovl, p.t.pda.alloc_gpa + 0x238 * i, h, sizeof(h)));
		ck_assert_uint_eq(ld_be32(h), p.snap.cpus.cpu[i].pir);
		ck_assert_uint_eq(h[4], 0xff);
		ck_assert_uint_eq(ld_be32(h + 8), 0);
		ck_assert_uint_eq(ld_be32(h + 12), 34);
	}
	pipe_close(&p);
}
END_TEST

START_TEST(v70_fixture_preserves_nothing)
{
	struct pipe p;

	ck_assert_ptr_null(pipe_run(&p, fixture_path("", "crash.kdump"), &v2));
	ck_assert_uint_eq(p.plan.n_pieces, 0);
	ck_assert_uint_eq(p.plan.n_mdrt, 0);
	ck_assert(!p.plan.write_cpu);
	ck_assert_ptr_nonnull(strstr(p.warnings, "nothing preserved"));
	ck_assert_ptr_nonnull(strstr(p.warnings, "D21"));
	ck_assert_ptr_nonnull(strstr(p.warnings, "no CPU data written"));
	pipe_close(&p);
}
END_TEST

/* B3: 0x2000001 bytes make one chunk in single precision; the last byte is lost */
START_TEST(float_ceiling_loses_the_tail)
{
	struct pipe p;
	struct rb b;
	uint8_t src, dst;

	rb_create(&b, 0x40000000ULL, RB_MASTER);
	rb_entry(&b, 0, 1, 0x4000000, 0x80, 0x2000001);
	rb_entry(&b, 1, 1, 0x34000000, 0x80, 0x2000001);
	rb_put(&b, 0x6000000, "\x5a", 1);		/* the byte past the first chunk */
	ck_assert_ptr_null(pipe_run(&p, b.path, &v2));
	ck_assert_ptr_null(ovl_read(&p.ovl, 0x6000000, &src, 1));
	ck_assert_ptr_null(ovl_read(&p.ovl, 0x36000000, &dst, 1));
	ck_assert_uint_eq(src, 0x5a);
	ck_assert_uint_eq(dst, 0);
	ck_assert_uint_eq(p.plan.mdrt[1].size, 0x2000001);	/* the MDRT claims it all */
	ck_assert_uint_eq(p.plan.mdrt[1].src, 0x4000000 + CHUNK);
	/* the hostboot walk copies it */
	pipe_close(&p);
	ck_assert_ptr_null(pipe_run(&p, b.path, &(struct sim_options){ 0 }));
	ck_assert_ptr_null(ovl_read(&p.ovl, 0x36000000, &dst, 1));
	ck_assert_uint_eq(dst, 0x5a);
	pipe_close(&p);
	rb_destroy(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("qemu_v2");
	TCase *tc = tcase_create("emulate");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, master_fixture);
	tcase_add_test(tc, v70_fixture_preserves_nothing);
	tcase_add_test(tc, float_ceiling_loses_the_tail);
	suite_add_tcase(s, tc);
	return check_run(s);
}
