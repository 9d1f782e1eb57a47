/*
 * check_tables.c - every validation rule of mpipl.md §10 on synthetic RAM
 * images (lib_builder), plus the walk's outcomes: spills, merges, MDRT bytes.
 */
#include <check.h>
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "lib_builder.h"
#include "lib_pipeline.h"
#include "lib_fixture.h"

#define RAM_SIZE 0x40000000ULL
#define KSRC_SIZE 0x1000000u

struct vcase {
	const char *name;
	enum rb_layout layout;
	void (*setup)(struct rb *b);
	int no_registers;
	/* expected: error kind (0 = success), table and entry of the error */
	int kind;
	const char *table;
	long entry;
	/* on success: pieces, MDRT entries recorded, a warning containing this text */
	unsigned pieces, recorded;
	const char *warning;
};

static void no_change(struct rb *b)
{
	(void)b;
}

static void no_spirah(struct rb *b)
{
	rb_be16(b, b->spirah, 0);
}

static void bad_esize(struct rb *b)
{
	rb_be32(b, b->spirah + 0x38, 0x18);
}

static void bad_hdr_len(struct rb *b)
{
	rb_be32(b, b->spirah + 0x10, 0x40);
}

static void mdst_outside_ram(struct rb *b)
{
	rb_be64(b, rb_ntuple(b, 3, 0), 0x80000000ULL);
}

static void mdrt_past_end(struct rb *b)
{
	rb_be64(b, rb_ntuple(b, 5, 0), RAM_SIZE - 0x1000);
}

static void mdst_act_over_alloc(struct rb *b)
{
	rb_be16(b, rb_ntuple(b, 3, 8), 1);
}

static void mddt_act_over_64(struct rb *b)
{
	rb_be16(b, rb_ntuple(b, 4, 8), 100);
	rb_be16(b, rb_ntuple(b, 4, 10), 65);
}

static void mdst_act_len(struct rb *b)
{
	rb_be32(b, rb_ntuple(b, 3, 16), 24);
}

static void mdrt_alloc_len(struct rb *b)
{
	rb_be32(b, rb_ntuple(b, 5, 12), 16);
}

static void counts_differ(struct rb *b)
{
	rb_entry(b, 1, 2, 0x36000000, 0x80, 0x1000);
	rb_count(b, 1, 3);
}

static void src_outside_ram(struct rb *b)
{
	rb_entry(b, 0, 1, RAM_SIZE - 0x1000, 0x80, 0x2000);
}

static void dst_outside_ram(struct rb *b)
{
	rb_entry(b, 1, 1, RAM_SIZE, 0x80, KSRC_SIZE);
}

static void src_size0(struct rb *b)
{
	rb_entry(b, 0, 2, 0x2000000, 0x80, 0);
	rb_entry(b, 1, 2, 0x36000000, 0x80, 0x1000);
	rb_count(b, 0, 3);
	rb_count(b, 1, 3);
}

static void dst_addr0(struct rb *b)
{
	rb_entry(b, 1, 1, 0, 0x80, KSRC_SIZE);
	/* the builder ORs bit 63 in; an address 0 entry as the kernel never writes it */
	rb_be64(b, b->mddt + 16, 0);
}

static void dst_size0(struct rb *b)
{
	rb_entry(b, 1, 1, 0x34000000, 0x80, 0);
}

static void dests_run_out(struct rb *b)
{
	rb_count(b, 1, 1);
}

static void dst_smaller_spills(struct rb *b)
{
	rb_entry(b, 1, 1, 0x34000000, 0x80, KSRC_SIZE / 2);
	rb_entry(b, 1, 2, 0x36000000, 0x80, KSRC_SIZE / 2);
	rb_count(b, 1, 3);
}

static void dst_larger_filled(struct rb *b)
{
	rb_entry(b, 0, 1, 0, 0x80, KSRC_SIZE / 2);
	rb_entry(b, 0, 2, KSRC_SIZE / 2, 0x80, KSRC_SIZE / 2);
	rb_count(b, 0, 3);
}

static void dst_contiguous_merge(struct rb *b)
{
	rb_entry(b, 1, 1, 0x34000000, 0x80, KSRC_SIZE / 2);
	rb_entry(b, 1, 2, 0x34000000 + KSRC_SIZE / 2, 0x80, KSRC_SIZE / 2);
	rb_count(b, 1, 3);
}

static void region_mismatch(struct rb *b)
{
	rb_entry(b, 1, 1, 0x34000000, 0x81, KSRC_SIZE);
}

static void dests_overlap(struct rb *b)
{
	rb_entry(b, 1, 1, 0x31c50000 + 0x1000, 0x80, KSRC_SIZE);
}

static void dests_identical(struct rb *b)
{
	rb_entry(b, 0, 1, 0x32000000, 0x80, 0x1c50000);
	rb_entry(b, 1, 1, 0x31c50000, 0x80, 0x1c50000);
}

static void dst_over_later_src(struct rb *b)
{
	rb_entry(b, 1, 0, 0x800000, 0x03, 0x1c50000);
}

static void mdrt_too_small(struct rb *b)
{
	rb_be16(b, rb_ntuple(b, 5, 8), 1);
}

static void pda_alloc0(struct rb *b)
{
	rb_be64(b, b->pda + 0x10, 0);
}

static void pda_outside(struct rb *b)
{
	rb_be64(b, b->pda + 0x10, (1ULL << 63) | (RAM_SIZE - 0x100));
}

static void pda_small(struct rb *b)
{
	rb_be32(b, b->pda + 0x1c, 0x100);
}

static const struct vcase cases[] = {
	{ "v7.0 layout", RB_V70, no_change, 0, 0, NULL, -1, 2, 2, NULL },
	{ "master layout", RB_MASTER, no_change, 0, 0, NULL, -1, 2, 2, NULL },
	{ "no SPIRA-H", RB_V70, no_spirah, 0, 1, "SPIRA-H", -1, 0, 0, NULL },
	{ "SPIRA-H esize", RB_MASTER, bad_esize, 0, 1, "SPIRA-H", -1, 0, 0, NULL },
	{ "SPIRA-H hdr_len", RB_V70, bad_hdr_len, 0, 1, "SPIRA-H", -1, 0, 0, NULL },
	{ "MDST outside RAM", RB_V70, mdst_outside_ram, 0, 1, "MDST", -1, 0, 0, NULL },
	{ "MDRT past the end", RB_V70, mdrt_past_end, 0, 1, "MDRT", -1, 0, 0, NULL },
	{ "MDST act > alloc", RB_V70, mdst_act_over_alloc, 0, 1, "MDST", -1, 0, 0, NULL },
	{ "MDDT act > 64", RB_MASTER, mddt_act_over_64, 0, 1, "MDDT", -1, 0, 0, NULL },
	{ "MDST act_len", RB_V70, mdst_act_len, 0, 1, "MDST", -1, 0, 0, NULL },
	{ "MDRT alloc_len", RB_V70, mdrt_alloc_len, 0, 1, "MDRT", -1, 0, 0, NULL },
	{ "counts differ", RB_V70, counts_differ, 0, 0, NULL, -1, 2, 2, "MDST has 2 entries, MDDT 3" },
	{ "source outside RAM", RB_V70, src_outside_ram, 0, 1, "MDST", 1, 0, 0, NULL },
	{ "destination outside RAM", RB_V70, dst_outside_ram, 0, 1, "MDDT", 1, 0, 0, NULL },
	{ "source size 0", RB_V70, src_size0, 0, 0, NULL, -1, 2, 2, "MDST entry 2: size 0" },
	{ "destination address 0", RB_V70, dst_addr0, 0, 0, NULL, -1, 1, 1, "ends the walk" },
	{ "destination size 0", RB_V70, dst_size0, 0, 0, NULL, -1, 1, 1, "ends the walk" },
	{ "destinations run out", RB_V70, dests_run_out, 0, 0, NULL, -1, 1, 1, "after the last MDDT" },
	{ "smaller destination spills", RB_V70, dst_smaller_spills, 0, 0, NULL, -1, 3, 3, "differ in size" },
	{ "larger destination filled", RB_V70, dst_larger_filled, 0, 0, NULL, -1, 3, 3, "differ in size" },
	{ "contiguous destinations merge", RB_V70, dst_contiguous_merge, 0, 0, NULL, -1, 2, 2, "piece 0x0 -> 0x34000000 of 0x1000000 bytes" },
	{ "region mismatch", RB_V70, region_mismatch, 0, 0, NULL, -1, 2, 2, "copied anyway" },
	{ "destinations overlap", RB_V70, dests_overlap, 0, 1, "MDDT", 1, 0, 0, NULL },
	{ "identical destinations", RB_V70, dests_identical, 0, 1, "MDDT", 1, 0, 0, NULL },
	{ "destination over a later source", RB_V70, dst_over_later_src, 0, 1, "MDDT", 0, 0, 0, NULL },
	{ "MDRT too small", RB_V70, mdrt_too_small, 0, 0, NULL, -1, 2, 1, "not recorded" },
	{ "thread area at 0", RB_V70, pda_alloc0, 0, 1, "processor dump area", -1, 0, 0, NULL },
	{ "thread area at 0, --no-registers", RB_V70, pda_alloc0, 1, 0, NULL, -1, 2, 2, NULL },
	{ "thread area outside RAM", RB_MASTER, pda_outside, 0, 1, "processor dump area", -1, 0, 0, NULL },
	{ "thread area too small", RB_V70, pda_small, 0, 1, "processor dump area", -1, 0, 0, NULL },
};

/* Every piece's destination in the post view equals its source in the input. */
static void assert_copies(struct pipe *p)
{
	for (unsigned i = 0; i < p->plan.n_pieces; i++) {
		const struct copy_piece *c = &p->plan.piece[i];
		uint8_t *a = malloc(c->len), *b = malloc(c->len);

		ck_assert_ptr_nonnull(a);
		ck_assert_ptr_nonnull(b);
		ck_assert_ptr_null(ram_read(&p->snap.ram, c->src, a, c->len));
		ck_assert_ptr_null(ovl_read(&p->ovl, c->dst, b, c->len));
		ck_assert_msg(!memcmp(a, b, c->len), "piece %u not copied", i);
		free(a);
		free(b);
	}
}

/* MDRT entries and SPIRA-H act_cnt as hostboot writes them (mpipl.md §3). */
static void assert_mdrt(struct pipe *p)
{
	uint8_t e[32], cnt[2];

	for (unsigned i = 0; i < p->plan.n_recorded; i++) {
		const struct copy_piece *c = &p->plan.piece[i];

		ck_assert_ptr_null(ovl_read(&p->ovl, p->t.nt[NT_MDRT].gpa + 32 * i, e, 32));
		ck_assert_uint_eq(ld_be64(e), c->src | HRMOR_BIT);
		ck_assert_uint_eq(ld_be64(e + 8), c->dst | HRMOR_BIT);
		ck_assert_uint_eq(e[16], p->t.mdst[c->mdst].region);
		ck_assert_uint_eq(ld_be32(e + 20), c->len);
		ck_assert_uint_eq(ld_be64(e + 24), 0);
	}
	ck_assert_ptr_null(ovl_read(&p->ovl, p->t.spirah_gpa + 0xea, cnt, 2));
	ck_assert_uint_eq(ld_be16(cnt), p->plan.n_recorded);
}

START_TEST(validation_case)
{
	const struct vcase *c = &cases[_i];
	struct sim_options o = { .no_registers = c->no_registers };
	struct pipe p;
	struct rb b;
	struct mperr *err;

	rb_create(&b, RAM_SIZE, c->layout);
	c->setup(&b);
	err = pipe_run(&p, b.path, &o);
	if (c->kind) {
		ck_assert_msg(err, "%s: expected an error", c->name);
		ck_assert_int_eq(err->kind, c->kind);
		ck_assert_str_eq(err->table, c->table);
		ck_assert_int_eq(err->entry, c->entry);
		ck_assert_str_eq(err->file, b.path);
		mperr_free(err);
	} else {
		ck_assert_msg(!err, "%s: %s", c->name, err ? err->msg : "");
		ck_assert_uint_eq(p.plan.n_pieces, c->pieces);
		ck_assert_uint_eq(p.plan.n_recorded, c->recorded);
		if (c->warning)
			ck_assert_msg(strstr(p.warnings, c->warning), "%s: no warning '%s' in:\n%s",
				      c->name, c->warning, p.warnings);
		else
			ck_assert_msg(!p.n_warnings, "%s: unexpected warnings:\n%s", c->name,
				      p.warnings);
		assert_copies(&p);
		assert_mdrt(&p);
	}
	pipe_close(&p);
	rb_destroy(&b);
}
END_TEST

/* Thread records: PIR order, header, entries (mpipl.md §4 profiles). */
START_TEST(thread_records_linux_min)
{
	struct sim_options o = { .profile = PROFILE_LINUX_MIN };
	uint8_t h[0x18], e[16], a[0x30];
	struct pipe p;
	struct rb b;

	rb_create(&b, RAM_SIZE, RB_V70);
	ck_assert_ptr_null(pipe_run(&p, b.path, &o));
	ck_assert_uint_eq(p.plan.n_regs, 40);
	ck_assert_uint_eq(p.plan.thread_size, 0x18 + 40 * 16);
	/* PIR 0 first although the CPU list has PIR 4 first */
	ck_assert_ptr_null(ovl_read(&p.ovl, b.threads, h, sizeof(h)));
	ck_assert_uint_eq(ld_be32(h), 0);
	ck_assert_uint_eq(h[4], 0);
	ck_assert_uint_eq(ld_be32(h + 8), 0x10);
	ck_assert_uint_eq(ld_be32(h + 12), 40);
	ck_assert_uint_eq(ld_be32(h + 16), 0x10);
	ck_assert_uint_eq(ld_be32(h + 20), 0x10);
	ck_assert_ptr_null(ovl_read(&p.ovl, b.threads + p.plan.thread_size, h, sizeof(h)));
	ck_assert_uint_eq(ld_be32(h), 4);
	/* entry 32 of PIR 4 = NIP, 39 = DSISR */
	ck_assert_ptr_null(ovl_read(&p.ovl, b.threads + p.plan.thread_size + 0x18 + 32 * 16, e, 16));
	ck_assert_uint_eq(ld_be32(e), 2);
	ck_assert_uint_eq(ld_be32(e + 4), 0x7d0);
	ck_assert_uint_eq(ld_be64(e + 8), 0xc000000000001004ULL);
	ck_assert_ptr_null(ovl_read(&p.ovl, b.threads + 0x18 + 39 * 16, e, 16));
	ck_assert_uint_eq(ld_be32(e + 4), 18);
	ck_assert_uint_eq(ld_be64(e + 8), 0x40000000);
	/* processor dump area results, at its ntuple address */
	ck_assert_ptr_null(ovl_read(&p.ovl, b.pda, a, sizeof(a)));
	ck_assert_uint_eq(ld_be32(a), p.plan.thread_size);
	ck_assert_uint_eq(a[4], 1);
	ck_assert_uint_eq(ld_be64(a + 0x20), b.threads | HRMOR_BIT);
	ck_assert_uint_eq(ld_be32(a + 0x2c), 2 * p.plan.thread_size);
	pipe_close(&p);
	rb_destroy(&b);
}
END_TEST

/* hostboot profile: linux-min plus carried SPRs, a missing one reported once */
START_TEST(thread_records_hostboot_missing_register)
{
	struct sim_options o = { .profile = PROFILE_HOSTBOOT };
	struct pipe p;
	struct rb b;

	rb_create(&b, RAM_SIZE, RB_MASTER);
	ck_assert_ptr_null(pipe_run(&p, b.path, &o));
	/* the fake CPUs carry the linux-min set and PIR: 40 + 1 */
	ck_assert_uint_eq(p.plan.n_regs, 41);
	ck_assert_uint_eq(p.plan.reg[40].num, SPRN_PIR);
	pipe_close(&p);

	/* a CPU without DAR: DAR is left out of every record, with one warning */
	struct warn_sink w = { NULL, NULL };
	struct sim_plan plan;
	struct cpu_set set = { 0 };
	static const uint32_t pirs[] = { 0, 4 };

	ck_assert_ptr_null(snapshot_open(&p.snap, b.path, SNAP_AUTO, &w));
	ck_assert_ptr_null(mpipl_tables_load(&p.snap.ram, SKIBOOT_BASE, NULL, &p.t, &w));
	pipe_fake_cpus(&set, pirs, 2);
	set.cpu[1].spr_have[SPRN_DAR / 64] &= ~(1ULL << (SPRN_DAR % 64));
	ck_assert_ptr_null(sim_plan(&p.t, &set, &o, &plan, &w));
	ck_assert_uint_eq(plan.n_regs, 40);
	for (unsigned i = 0; i < plan.n_regs; i++)
		ck_assert(!(plan.reg[i].type == 2 && plan.reg[i].num == SPRN_DAR));
	sim_plan_free(&plan);
	cpu_set_free(&set);
	snapshot_close(&p.snap);
	rb_destroy(&b);
}
END_TEST

/* qemu-v2 profile: 34 registers, core state 0xff, offset 0, area at 0x10300 */
START_TEST(thread_records_qemu_v2_profile)
{
	struct sim_options o = { .profile = PROFILE_QEMU_V2 };
	uint8_t h[0x18], a[0x30];
	struct pipe p;
	struct rb b;

	rb_create(&b, RAM_SIZE, RB_MASTER);
	ck_assert_ptr_null(pipe_run(&p, b.path, &o));
	ck_assert_uint_eq(p.plan.thread_size, 0x238);
	ck_assert_ptr_null(ovl_read(&p.ovl, b.threads, h, sizeof(h)));
	ck_assert_uint_eq(ld_be32(h), 4);	/* CPU-list order */
	ck_assert_uint_eq(h[4], 0xff);
	ck_assert_uint_eq(ld_be32(h + 8), 0);
	ck_assert_ptr_null(ovl_read(&p.ovl, 0x10300, a, sizeof(a)));
	ck_assert_uint_eq(ld_be32(a), 0x238);
	ck_assert_uint_eq(ld_be32(a + 0x2c), 2 * 0x238);
	pipe_close(&p);
	rb_destroy(&b);
}
END_TEST

/* The user may give the OPAL base: nothing at the wrong base is found */
START_TEST(wrong_opal_base)
{
	struct warn_sink w = { NULL, NULL };
	struct mpipl_tables t;
	struct snapshot s;
	struct mperr *err;
	struct rb b;

	rb_create(&b, RAM_SIZE, RB_V70);
	ck_assert_ptr_null(snapshot_open(&s, b.path, SNAP_AUTO, &w));
	err = mpipl_tables_load(&s.ram, 0x20000000, NULL, &t, &w);
	ck_assert_ptr_nonnull(err);
	ck_assert_str_eq(err->table, "SPIRA-H");
	ck_assert(err->has_off && err->off == 0x20010000);
	mperr_free(err);
	err = mpipl_tables_load(&s.ram, 0x7fff0000, NULL, &t, &w);	/* past the end of RAM */
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->kind, MPERR_INPUT);
	mperr_free(err);
	snapshot_close(&s);
	rb_destroy(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tables");
	TCase *tc = tcase_create("validation");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, validation_case, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, thread_records_linux_min);
	tcase_add_test(tc, thread_records_hostboot_missing_register);
	tcase_add_test(tc, thread_records_qemu_v2_profile);
	tcase_add_test(tc, wrong_opal_base);
	suite_add_tcase(s, tc);
	return check_run(s);
}
