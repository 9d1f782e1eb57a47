/*
 * check_firmware.c - the payload-image patch of --firmware (firmware.c,
 * mpipl.md §11).
 *
 * Real image: QEMU's own skiboot.lid (Debian qemu-system-data, skiboot v7.0,
 * the firmware of the v7.0 fixture; $MPIPLSIM_SKIBOOT overrides the path).
 * Where it is missing those tests print SKIP and pass. The master fixture's
 * skiboot.lid is not shipped: a master-layout image is made here from the
 * SPIRA-H skiboot copied to base + 0x10000 in master/crash.raw (the image's
 * own bytes, relocated), at its unrelocated offset in a zero image.
 * Expected offsets and values come from tables.json and mpipl.md, the
 * patched bytes from the post-MPIPL view of the same run.
 */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/bytes.h"
#include "output/firmware.h"
#include "lib_fixture.h"
#include "lib_pipeline.h"

/* the name the code uses, held to the number mpipl.md §11 gives */
#define MDRT_CNT SPIRAH_MDRT_ACT_CNT_OFF
_Static_assert(SPIRAH_MDRT_ACT_CNT_OFF == 0xea, "SPIRA-H + 0xea: ntuple 5 act_cnt (mpipl.md §11)");

static const struct sim_options hostboot = { .mode = MODE_HOSTBOOT };
static const struct sim_options v2 = { .mode = MODE_QEMU_V2, .profile = PROFILE_QEMU_V2 };

static const char *skiboot_path(void)
{
	const char *p = getenv("MPIPLSIM_SKIBOOT");

	p = p && *p ? p : "/usr/share/qemu/skiboot.lid";
	if (access(p, R_OK)) {
		printf("SKIP: %s: %s (install qemu-system-data)\n", p, strerror(errno));
		return NULL;
	}
	return p;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;

	ck_assert_msg(f, "open %s: %s", path, strerror(errno));
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	b = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

static uint64_t expect_hex(const char *guest, const char *obj, const char *key)
{
	json_error_t je;
	json_t *root = json_load_file(shared_path(guest, "tables.json"), 0, &je), *rec = NULL, *v;
	uint64_t val;
	size_t i;

	ck_assert_msg(root, "tables.json: %s", je.text);
	json_array_foreach(root, i, v)
		if (!strcmp(json_string_value(json_object_get(v, "file")), "crash.raw"))
			rec = v;
	ck_assert_ptr_nonnull(rec);
	v = obj ? json_object_get(json_object_get(rec, obj), key) : json_object_get(rec, key);
	ck_assert_msg(json_is_string(v), "tables.json: %s missing", key);
	val = strtoull(json_string_value(v), NULL, 0);
	json_decref(root);
	return val;
}

static size_t n_mdst(const char *guest)
{
	json_error_t je;
	json_t *root = json_load_file(shared_path(guest, "tables.json"), 0, &je), *v;
	size_t i, n = 0;

	ck_assert_ptr_nonnull(root);
	json_array_foreach(root, i, v)
		if (!strcmp(json_string_value(json_object_get(v, "file")), "crash.raw"))
			n = json_array_size(json_object_get(v, "mdst"));
	json_decref(root);
	return n;
}

/* Bytes that differ between the two images lie exactly in the recorded patches. */
static void assert_only_patches_differ(const struct fw_image *fw, const uint8_t *orig)
{
	for (size_t o = 0; o < fw->len; o++) {
		bool in = false;

		for (unsigned k = 0; k < fw->n_patch; k++)
			in |= o >= fw->patch[k].off && o < fw->patch[k].off + fw->patch[k].len;
		if (!in)
			ck_assert_msg(fw->buf[o] == orig[o], "byte 0x%zx changed outside the patches",
				      o);
	}
}

/* Every patch holds what the post-MPIPL view holds at base + its offset. */
static void assert_patches_from_view(const struct fw_image *fw, const struct pipe *p,
				     uint64_t at)
{
	for (unsigned k = 0; k < fw->n_patch; k++) {
		uint8_t v[0x30];
		const struct fw_patch *q = &fw->patch[k];

		ck_assert_uint_le(q->len, sizeof(v));
		ck_assert_ptr_null(ovl_read(&p->ovl, q->off + at, v, q->len));
		ck_assert_msg(!memcmp(v, fw->buf + q->off, q->len), "%s differs from the view",
			      q->what);
	}
}

static void assert_input_error(struct mperr *err, const char *table, long entry)
{
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->kind, MPERR_INPUT);
	if (table)
		ck_assert_str_eq(err->table, table);
	else
		ck_assert_ptr_null(err->table);
	ck_assert_int_eq(err->entry, entry);
	mperr_free(err);
}

START_TEST(v70_real_image)
{
	const char *lid = skiboot_path();
	uint64_t spirah = expect_hex("", NULL, "spirah_off");
	uint64_t pda = expect_hex("", "proc_dump_area", "off");
	struct fw_image fw;
	struct pipe p;
	uint8_t *orig;
	size_t len;

	if (!lid)
		return;
	orig = slurp(lid, &len);
	ck_assert_ptr_null(pipe_run(&p, fixture_path("", "crash.mig"), &hostboot));
	ck_assert_ptr_null(fw_read(&fw, lid, SKIBOOT_BASE));
	ck_assert_uint_eq(fw.len, len);
	ck_assert_uint_eq(fw.spirah_off, spirah);
	ck_assert(fw.legacy_spira);
	ck_assert_uint_eq(fw.pda_off, pda);
	ck_assert_ptr_null(fw_patch_from(&fw, &p.t, &p.plan, &p.ovl, NULL));

	/* four fields of the area and the MDRT count, nothing else */
	ck_assert_uint_eq(fw.n_patch, 5);
	ck_assert_uint_eq(fw.patch[0].off, pda + 0x00);
	ck_assert_uint_eq(fw.patch[1].off, pda + 0x04);
	ck_assert_uint_eq(fw.patch[2].off, pda + 0x20);
	ck_assert_uint_eq(fw.patch[3].off, pda + 0x2c);
	ck_assert_uint_eq(fw.patch[4].off, spirah + MDRT_CNT);
	assert_only_patches_differ(&fw, orig);
	assert_patches_from_view(&fw, &p, SKIBOOT_BASE);

	/* the values hostboot writes (mpipl.md §4): dest = alloc, one record per vCPU */
	ck_assert_uint_eq(fw.buf[pda + 4], 1);
	ck_assert_uint_eq(ld_be64(fw.buf + pda + 0x20),
			  expect_hex("", "proc_dump_area", "alloc_addr"));
	ck_assert_uint_ne(ld_be32(fw.buf + pda), 0);
	ck_assert_uint_eq(ld_be32(fw.buf + pda + 0x2c),
			  ld_be32(fw.buf + pda) * p.snap.cpus.n);
	ck_assert_uint_eq(ld_be16(fw.buf + spirah + MDRT_CNT), n_mdst(""));
	/* alloc_addr/alloc_size stay as the image has them: skiboot sets them again */
	ck_assert(!memcmp(fw.buf + pda + 0x10, orig + pda + 0x10, 0x10));
	fw_free(&fw);

	/* the file itself is untouched */
	{
		size_t len2;
		uint8_t *again = slurp(lid, &len2);

		ck_assert_uint_eq(len2, len);
		ck_assert(!memcmp(again, orig, len));
		free(again);
	}
	free(orig);
	pipe_close(&p);
}
END_TEST

/* A master-layout image: SPIRA-H as skiboot relocated it, at its unrelocated offset. */
static uint8_t *master_image(size_t *len, uint64_t *spirah)
{
	struct pipe p;
	uint8_t *img;

	*spirah = expect_hex("master/", NULL, "spirah_off");
	*len = 0x20000;
	img = calloc(1, *len);
	ck_assert_ptr_nonnull(img);
	ck_assert_ptr_null(pipe_run(&p, fixture_path("master/", "crash.raw"), &hostboot));
	ck_assert_ptr_null(ram_read(&p.snap.ram, SKIBOOT_BASE + *spirah, img + *spirah,
				    SPIRAH_SIZE));
	pipe_close(&p);
	return img;
}

START_TEST(master_layout)
{
	uint64_t spirah, pda = expect_hex("master/", "proc_dump_area", "off");
	size_t len;
	uint8_t *img = master_image(&len, &spirah);
	struct fw_image fw;
	struct pipe p;

	ck_assert_uint_eq(spirah, 0x10000);	/* mpipl.md §11: master 0x10300, count 0x100ea */
	ck_assert_uint_eq(pda, 0x10300);
	ck_assert_ptr_null(pipe_run(&p, fixture_path("master/", "crash.mig"), &hostboot));
	ck_assert_ptr_null(fw_from_bytes(&fw, "master.lid", img, len, SKIBOOT_BASE));
	ck_assert(!fw.legacy_spira);
	ck_assert_uint_eq(fw.pda_off, pda);
	ck_assert_ptr_null(fw_patch_from(&fw, &p.t, &p.plan, &p.ovl, NULL));
	ck_assert_uint_eq(fw.n_patch, 5);
	ck_assert_uint_eq(fw.patch[4].off, 0x100ea);
	assert_only_patches_differ(&fw, img);
	assert_patches_from_view(&fw, &p, SKIBOOT_BASE);
	ck_assert_uint_eq(ld_be64(fw.buf + pda + 0x20),
			  expect_hex("master/", "proc_dump_area", "alloc_addr"));
	ck_assert_uint_eq(ld_be16(fw.buf + 0x100ea), n_mdst("master/"));
	fw_free(&fw);
	pipe_close(&p);
	free(img);
}
END_TEST

/* QEMU v2 writes the whole area at absolute 0x10300 and no count (mpipl.md §7 D9, D10) */
START_TEST(master_layout_qemu_v2)
{
	uint64_t spirah;
	size_t len;
	uint8_t *img = master_image(&len, &spirah);
	struct fw_image fw;
	struct pipe p;

	ck_assert_ptr_null(pipe_run(&p, fixture_path("master/", "crash.kdump"), &v2));
	ck_assert_ptr_null(fw_from_bytes(&fw, "master.lid", img, len, SKIBOOT_BASE));
	ck_assert_ptr_null(fw_patch_from(&fw, &p.t, &p.plan, &p.ovl, NULL));
	ck_assert_uint_eq(fw.n_patch, 1);
	ck_assert_uint_eq(fw.patch[0].off, 0x10300);
	ck_assert_uint_eq(fw.patch[0].len, 0x30);
	assert_only_patches_differ(&fw, img);
	assert_patches_from_view(&fw, &p, 0);
	ck_assert_uint_eq(ld_be32(fw.buf + 0x10300), 0x238);
	fw_free(&fw);
	pipe_close(&p);
	free(img);
}
END_TEST

/* The v7.0 image with one field changed, read as if from a file. */
static struct mperr *v70_poked(const char *lid, size_t cut, uint64_t off, uint32_t be32,
			       struct fw_image *fw)
{
	size_t len;
	uint8_t *b = slurp(lid, &len);
	struct mperr *err;

	if (cut)
		len = cut;
	if (off)
		st_be32(b + off, be32);
	err = fw_from_bytes(fw, "poked.lid", b, len, SKIBOOT_BASE);
	free(b);
	return err;
}

START_TEST(bad_images)
{
	const char *lid = skiboot_path();
	uint64_t spirah = 0x10400;	/* tables.json spirah_off */
	struct fw_image fw;
	struct mperr *err;
	uint8_t *big;

	if (!lid)
		return;
	ck_assert_uint_eq(expect_hex("", NULL, "spirah_off"), spirah);
	/* no SPIRA-H: eyecatcher gone */
	err = v70_poked(lid, 0, spirah, 0, &fw);
	ck_assert_uint_eq(err->off, 0x10000);
	ck_assert_str_eq(err->file, "poked.lid");
	assert_input_error(err, "SPIRA-H", -1);
	fw_free(&fw);
	/* too small to hold SPIRA-H, and cut inside it */
	assert_input_error(v70_poked(lid, 0x10100, 0, 0, &fw), NULL, -1);
	fw_free(&fw);
	err = v70_poked(lid, spirah + 0x100, 0, 0, &fw);
	ck_assert_uint_eq(err->off, spirah);
	assert_input_error(err, "SPIRA-H", -1);
	fw_free(&fw);
	/* a wrong ntuple esize, as in RAM */
	err = v70_poked(lid, 0, spirah + 0x38, 0x18, &fw);
	ck_assert_uint_eq(err->off, spirah + 0x38);
	assert_input_error(err, "SPIRA-H", -1);
	fw_free(&fw);
	/* processor dump area outside the image (ntuple 6 address, low word) */
	err = v70_poked(lid, 0, spirah + 0x40 + 6 * 0x20 + 4, 0x01000000, &fw);
	assert_input_error(err, "SPIRA-H", 6);
	fw_free(&fw);
	/* the unchanged image reads; a secure-boot container is not what QEMU runs */
	ck_assert_ptr_null(v70_poked(lid, 0, 0, 0, &fw));
	fw_free(&fw);
	{
		size_t len;
		uint8_t *b = slurp(lid, &len);

		st_be32(b, 0x17082011);
		err = fw_from_bytes(&fw, "stb.lid", b, len, SKIBOOT_BASE);
		ck_assert_uint_eq(err->off, 0);
		assert_input_error(err, NULL, -1);
		fw_free(&fw);
		free(b);
	}
	/* larger than skiboot's image area: refused before copying */
	big = calloc(1, FW_MAX_SIZE + 1);
	ck_assert_ptr_nonnull(big);
	assert_input_error(fw_from_bytes(&fw, "big.lid", big, FW_MAX_SIZE + 1, SKIBOOT_BASE),
			   NULL, -1);
	ck_assert_ptr_null(fw.buf);
	free(big);
	/* a file that is not there is an I/O error naming it */
	err = fw_read(&fw, "/nonexistent/skiboot.lid", SKIBOOT_BASE);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->kind, MPERR_IO);
	ck_assert_str_eq(err->file, "/nonexistent/skiboot.lid");
	mperr_free(err);
	fw_free(&fw);
}
END_TEST

/* The image must be the firmware that made the snapshot. */
START_TEST(image_of_another_firmware)
{
	const char *lid = skiboot_path();
	struct fw_image fw;
	struct pipe p;
	struct mperr *err;

	if (!lid)
		return;
	/* v7.0 image, master snapshot: SPIRA-H elsewhere */
	ck_assert_ptr_null(pipe_run(&p, fixture_path("master/", "crash.mig"), &hostboot));
	ck_assert_ptr_null(fw_read(&fw, lid, SKIBOOT_BASE));
	err = fw_patch_from(&fw, &p.t, &p.plan, &p.ovl, NULL);
	ck_assert_str_eq(err->file, lid);
	assert_input_error(err, "SPIRA-H", -1);
	fw_free(&fw);
	pipe_close(&p);

	/* same SPIRA-H place, another MDST address (ntuple 3) */
	ck_assert_ptr_null(pipe_run(&p, fixture_path("", "crash.mig"), &hostboot));
	ck_assert_ptr_null(v70_poked(lid, 0, 0x10400 + 0x40 + 3 * 0x20 + 4, 0x11100, &fw));
	assert_input_error(fw_patch_from(&fw, &p.t, &p.plan, &p.ovl, NULL), "SPIRA-H", 3);
	fw_free(&fw);

	/* a snapshot read without SPIRA-H gives nothing to check against */
	ck_assert_ptr_null(fw_read(&fw, lid, SKIBOOT_BASE));
	p.t.spirah_gpa = 0;
	assert_input_error(fw_patch_from(&fw, &p.t, &p.plan, &p.ovl, NULL), NULL, -1);
	fw_free(&fw);
	pipe_close(&p);
}
END_TEST

/* --emulate qemu-v2 on v7.0 writes no CPU data and no count: the copy is the original */
START_TEST(v70_qemu_v2_changes_nothing)
{
	const char *lid = skiboot_path();
	struct fw_image fw;
	struct pipe p;
	uint8_t *orig;
	size_t len;

	if (!lid)
		return;
	orig = slurp(lid, &len);
	ck_assert_ptr_null(pipe_run(&p, fixture_path("", "crash.kdump"), &v2));
	ck_assert_ptr_null(fw_read(&fw, lid, SKIBOOT_BASE));
	ck_assert_ptr_null(fw_patch_from(&fw, &p.t, &p.plan, &p.ovl, NULL));
	ck_assert_uint_eq(fw.n_patch, 0);
	ck_assert(!memcmp(fw.buf, orig, len));
	fw_free(&fw);
	pipe_close(&p);
	free(orig);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("firmware");
	TCase *tc = tcase_create("payload image");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, v70_real_image);
	tcase_add_test(tc, master_layout);
	tcase_add_test(tc, master_layout_qemu_v2);
	tcase_add_test(tc, bad_images);
	tcase_add_test(tc, image_of_another_firmware);
	tcase_add_test(tc, v70_qemu_v2_changes_nothing);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
