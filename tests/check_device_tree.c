/*
 * check_device_tree.c - the real device tree QEMU wrote (fixtures
 * fdt-with-dump-node.dtb) placed at 0x01000000 of a synthetic guest: PIRs,
 * memory, /ibm,opal/dump read back, and "mpipl-boot" added in the post view
 * (empty as hostboot's path makes it, u64 1 as QEMU v2 does).
 */
#include <check.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/device_tree.h"
#include "lib_builder.h"
#include "lib_fixture.h"
#include "lib_pipeline.h"

#define RAM_SIZE 0x40000000ULL

static uint8_t *load_dtb(size_t *len)
{
	FILE *f = fopen(shared_path("", "fdt-with-dump-node.dtb"), "rb");
	uint8_t *buf = malloc(1 << 16);

	ck_assert_ptr_nonnull(f);
	*len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	ck_assert_uint_gt(*len, 40);
	return buf;
}

START_TEST(reads_qemu_tree)
{
	struct warn_sink w = { NULL, NULL };
	struct snapshot s;
	struct dt_info dt;
	char reason[128];
	size_t len;
	uint8_t *dtb = load_dtb(&len);
	struct rb b;

	rb_create(&b, RAM_SIZE, RB_V70);
	rb_put(&b, FDT_QEMU_GPA, dtb, len);
	ck_assert_ptr_null(snapshot_open(&s, b.path, SNAP_RAW, &w));
	ck_assert_ptr_null(dt_find(&s.ram, 0, &dt, reason, sizeof(reason)));
	ck_assert(dt.found);
	ck_assert_uint_eq(dt.gpa, FDT_QEMU_GPA);
	/* fdt-with-dump-node.dts: two cores, PIR 0 and 4; 2 GiB; the dump node */
	ck_assert_uint_eq(dt.n_pir, 2);
	ck_assert_uint_eq(dt.pir[0], 0);
	ck_assert_uint_eq(dt.pir[1], 4);
	ck_assert_uint_eq(dt.mem_total, 0x80000000ULL);
	ck_assert(dt.dump_node && dt.dump_compatible && !dt.mpipl_boot && dt.fw_load_area);
	ck_assert_uint_eq(dt.fw_load[0], 0x20000000);
	ck_assert_uint_eq(dt.fw_load[1], 0x8000000);
	ck_assert_uint_eq(dt.fw_load[2], 0x28000000);
	ck_assert_uint_eq(dt.fw_load[3], 0x8000000);
	dt_free(&dt);
	snapshot_close(&s);
	rb_destroy(&b);
	free(dtb);
}
END_TEST

/* _i = 0 hostboot (empty property), 1 QEMU v2 (u64 1) */
/* p10-2chip/README.md: POWER10, chip 0 with PIR 0x0, chip 1 with PIR 0x100, 1 GiB each */
START_TEST(chips_and_cores_of_p10_2chip)
{
	struct snapshot s;
	struct dt_info dt;
	char reason[128];
	unsigned seen = 0;

	ck_assert_ptr_null(snapshot_open(&s, fixture_path("p10-2chip/", "crash.mig"), SNAP_AUTO,
					 NULL));
	ck_assert_ptr_null(dt_find(&s.ram, 2, &dt, reason, sizeof(reason)));
	ck_assert_msg(dt.found, "%s", reason);
	ck_assert_uint_eq(dt.n_core, 2);
	ck_assert_uint_eq(dt.core[0].chip, 0);
	ck_assert_uint_eq(dt.core[0].pir, 0x0);
	ck_assert_uint_eq(dt.core[0].n_threads, 1);
	ck_assert_uint_eq(dt.core[1].chip, 1);
	ck_assert_uint_eq(dt.core[1].pir, 0x100);
	ck_assert_uint_eq(dt.core[1].n_threads, 1);
	ck_assert_uint_eq(dt.n_mem, 2);
	for (size_t i = 0; i < dt.n_mem; i++) {
		ck_assert_uint_eq(dt.mem[i].size, 0x40000000);
		ck_assert_uint_eq(dt.mem[i].base, dt.mem[i].chip ? 0x40000000 : 0);
		seen |= 1u << dt.mem[i].chip;
	}
	ck_assert_uint_eq(seen, 3);
	dt_free(&dt);
	snapshot_close(&s);
}
END_TEST

START_TEST(adds_mpipl_boot)
{
	struct sim_options o = { .mode = _i ? MODE_QEMU_V2 : MODE_HOSTBOOT,
				 .profile = _i ? PROFILE_QEMU_V2 : PROFILE_HOSTBOOT };
	size_t len;
	uint8_t *dtb = load_dtb(&len), *after = malloc(len + 64);
	const uint8_t *v;
	struct pipe p;
	struct rb b;
	int node, plen;

	rb_create(&b, RAM_SIZE, RB_MASTER);
	rb_put(&b, FDT_QEMU_GPA, dtb, len);
	ck_assert_ptr_null(pipe_run(&p, b.path, &o));
	ck_assert_ptr_null(dt_add_mpipl_boot(&p.ovl, FDT_QEMU_GPA, _i));
	ck_assert_ptr_null(ovl_read(&p.ovl, FDT_QEMU_GPA, after, len + 64));
	ck_assert_int_eq(fdt_check_full(after, fdt_totalsize(after)), 0);
	node = fdt_path_offset(after, "/ibm,opal/dump");
	ck_assert_int_ge(node, 0);
	v = fdt_getprop(after, node, "mpipl-boot", &plen);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(plen, _i ? 8 : 0);
	if (_i)
		ck_assert_uint_eq(fdt64_to_cpu(*(const fdt64_t *)v), 1);
	/* everything else in the tree is as it was */
	ck_assert_ptr_nonnull(fdt_getprop(after, node, "fw-load-area", &plen));
	ck_assert_int_eq(plen, 32);
	ck_assert_int_ge(fdt_path_offset(after, "/cpus"), 0);
	pipe_close(&p);
	rb_destroy(&b);
	free(dtb);
	free(after);
}
END_TEST

START_TEST(no_tree_is_reported)
{
	struct warn_sink w = { NULL, NULL };
	struct snapshot s;
	struct dt_info dt;
	char reason[128];
	struct rb b;

	rb_create(&b, RAM_SIZE, RB_V70);
	ck_assert_ptr_null(snapshot_open(&s, b.path, SNAP_RAW, &w));
	ck_assert_ptr_null(dt_find(&s.ram, 0, &dt, reason, sizeof(reason)));
	ck_assert(!dt.found);
	ck_assert_ptr_nonnull(strstr(reason, "no device tree"));
	/* a corrupt header at 0x01000000 is no tree either, and no crash */
	rb_be32(&b, FDT_QEMU_GPA, 0xd00dfeed);
	rb_be32(&b, FDT_QEMU_GPA + 4, 0xffffffff);
	snapshot_close(&s);
	ck_assert_ptr_null(snapshot_open(&s, b.path, SNAP_RAW, &w));
	ck_assert_ptr_null(dt_find(&s.ram, 0, &dt, reason, sizeof(reason)));
	ck_assert(!dt.found);
	snapshot_close(&s);
	rb_destroy(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("device_tree");
	TCase *tc = tcase_create("fdt");

	tcase_add_test(tc, reads_qemu_tree);
	tcase_add_test(tc, chips_and_cores_of_p10_2chip);
	tcase_add_loop_test(tc, adds_mpipl_boot, 0, 2);
	tcase_add_test(tc, no_tree_is_reported);
	suite_add_tcase(s, tc);
	return check_run(s);
}
