/*
 * check_elf.c - the dump-guest-memory ELF reader (in_elf.c, prstatus.c) on the
 * real crash.elf fixture, and on small synthetic ELF cores built here from
 * snapshot-formats.md §6 (not from the reader) to reach every error path.
 */
#include "dump_fixture.h"
#include "lib_fixture.h"

#include <elf.h>

#define DATA_BASE 0x10000u	/* synthetic: PT_LOAD data starts here in the file */

struct seg_spec {
	uint64_t paddr, memsz, filesz;
	uint64_t off;		/* 0: next free file offset */
};

struct elf_img {
	uint8_t *buf;
	size_t len;
	size_t phoff, note_off;
};

static void put16(uint8_t *p, uint16_t v, bool big)
{
	p[big ? 0 : 1] = (uint8_t)(v >> 8);
	p[big ? 1 : 0] = (uint8_t)v;
}

/* One PT_NOTE (phdr 0) with ncpu CPUs' notes, then the PT_LOADs (phdr 1..n). */
static struct elf_img build_elf(bool big, const struct seg_spec *sg, unsigned n, unsigned ncpu)
{
	struct elf_img im = { .phoff = 64 };
	uint64_t data_end = DATA_BASE;
	size_t notes_len;
	uint8_t *ph;

	for (unsigned i = 0; i < n; i++)
		data_end += sg[i].off ? 0 : sg[i].filesz;
	im.len = data_end;
	im.buf = calloc(1, im.len);
	ck_assert_ptr_nonnull(im.buf);
	memcpy(im.buf, ELFMAG, SELFMAG);
	im.buf[EI_CLASS] = ELFCLASS64;
	im.buf[EI_DATA] = big ? ELFDATA2MSB : ELFDATA2LSB;
	im.buf[EI_VERSION] = EV_CURRENT;
	put16(im.buf + 16, ET_CORE, big);
	put16(im.buf + 18, EM_PPC64, big);
	st_u32(im.buf + 20, EV_CURRENT, big);
	st_u64(im.buf + 32, im.phoff, big);
	put16(im.buf + 52, 8, big);	/* e_ehsize as QEMU 7.2 writes it */
	put16(im.buf + 54, 56, big);
	put16(im.buf + 56, (uint16_t)(n + 1), big);
	im.note_off = im.phoff + 56 * (n + 1);
	notes_len = put_cpu_notes(im.buf + im.note_off, big, ncpu);
	ck_assert_uint_lt(im.note_off + notes_len, DATA_BASE);
	ph = im.buf + im.phoff;
	st_u32(ph, PT_NOTE, big);
	st_u64(ph + 8, im.note_off, big);
	st_u64(ph + 32, notes_len, big);
	st_u64(ph + 40, notes_len, big);
	data_end = DATA_BASE;
	for (unsigned i = 0; i < n; i++) {
		uint64_t off = sg[i].off ? sg[i].off : data_end;

		ph = im.buf + im.phoff + 56 * (i + 1);
		st_u32(ph, PT_LOAD, big);
		st_u64(ph + 8, off, big);
		st_u64(ph + 24, sg[i].paddr, big);
		st_u64(ph + 32, sg[i].filesz, big);
		st_u64(ph + 40, sg[i].memsz, big);
		if (sg[i].off)
			continue;
		for (uint64_t k = 0; k < sg[i].filesz; k++)	/* byte = low bits of its gpa + 1 */
			im.buf[off + k] = (uint8_t)((sg[i].paddr + k) % 251 + 1);
		data_end += sg[i].filesz;
	}
	return im;
}

static uint64_t phdr_field(const struct elf_img *im, unsigned idx, unsigned field_off)
{
	return ld_le64(im->buf + im->phoff + 56 * idx + field_off);
}

/* ---- the real fixture ---- */

START_TEST(fixture_ram_equals_raw)
{
	struct snapshot elf, raw;

	fx_open(&elf, "crash.elf", SNAP_AUTO);
	fx_open(&raw, "crash.raw", SNAP_AUTO);
	ck_assert_int_eq(elf.format, SNAP_ELF);
	ck_assert_uint_eq(elf.ram.size, 0x80000000u);
	assert_same_ram(&elf.ram, &raw.ram);
	snapshot_close(&elf);
	snapshot_close(&raw);
}
END_TEST

START_TEST(fixture_registers_and_pirs)
{
	struct snapshot s;

	fx_open(&s, "crash.elf", SNAP_ELF);
	assert_crash_regs(&s, "");
	/* §6.4 worked example */
	ck_assert_uint_eq(s.cpus.cpu[0].gpr[0], 0xc00000000007cb48ull);
	ck_assert_uint_eq(s.cpus.cpu[0].gpr[1], 0xc000000001293bc0ull);
	ck_assert_uint_eq(s.cpus.cpu[1].spr[SPRN_CTR], 0x3004d2f8u);
	ck_assert_ptr_nonnull(strstr(s.cpus.pir_source, "device tree"));
	snapshot_close(&s);
}
END_TEST

START_TEST(fixture_blocks)
{
	struct snapshot s;

	fx_open(&s, "crash.elf", SNAP_ELF);
	ck_assert_uint_eq(s.n_blocks, 1);
	ck_assert_str_eq(s.blocks[0].name, "PT_LOAD 1");
	ck_assert_uint_eq(s.blocks[0].gpa, 0);
	ck_assert_uint_eq(s.blocks[0].len, 0x80000000u);
	ck_assert_int_eq(s.blocks[0].is_ram, 1);
	ck_assert_ptr_nonnull(strstr(s.format_detail, "little-endian"));
	snapshot_close(&s);
}
END_TEST

/* ---- synthetic cores ---- */

static void check_synthetic(bool big)
{
	static const struct seg_spec sg[] = {
		{ 0x0, 0x3000, 0x3000, 0 },
		{ 0x10000, 0x4000, 0x2000, 0 },	/* 0x2000 zero bytes past p_filesz */
	};
	struct elf_img im = build_elf(big, sg, 2, 3);
	struct snapshot s;
	uint8_t b[4];

	must_open(&s, im.buf, im.len, SNAP_AUTO);
	ck_assert_int_eq(s.format, SNAP_ELF);
	ck_assert_uint_eq(s.ram.size, 0x14000);
	ck_assert_uint_eq(s.ram.data_bytes, 0x5000);
	ck_assert_ptr_null(ram_read(&s.ram, 0x2ffe, b, 4));	/* data, then the hole */
	ck_assert_uint_eq(b[0], 0x2ffe % 251 + 1);
	ck_assert_uint_eq(b[1], 0x2fff % 251 + 1);
	ck_assert_uint_eq(b[2] | b[3], 0);
	ck_assert_ptr_null(ram_read(&s.ram, 0x11ffe, b, 4));	/* filesz end, memsz zero */
	ck_assert_uint_eq(b[1], 0x11fff % 251 + 1);
	ck_assert_uint_eq(b[2] | b[3], 0);
	ck_assert_uint_eq(s.n_blocks, 2);
	ck_assert_str_eq(s.blocks[1].name, "PT_LOAD 2");
	ck_assert_uint_eq(s.blocks[1].len, 0x4000);
	assert_synthetic_cpus(&s, 3);
	ck_assert_ptr_nonnull(strstr(s.cpus.pir_source, "guess"));
	snapshot_close(&s);
	free(im.buf);
}

START_TEST(synthetic_little_endian)
{
	check_synthetic(false);
}
END_TEST

START_TEST(synthetic_big_endian)
{
	check_synthetic(true);
}
END_TEST

/* e_phnum PN_XNUM: the count is in section header 0's sh_info */
START_TEST(pn_xnum)
{
	static const struct seg_spec sg[] = { { 0x0, 0x1000, 0x1000, 0 } };
	struct elf_img im = build_elf(false, sg, 1, 1);
	size_t shoff = 0x8000;	/* free space before DATA_BASE */
	struct snapshot s;
	struct mperr *err;

	put16(im.buf + 56, PN_XNUM, false);
	st_u64(im.buf + 40, shoff, false);
	put16(im.buf + 58, 64, false);
	put16(im.buf + 60, 1, false);
	st_u32(im.buf + shoff + 44, 2, false);	/* sh_info: PT_NOTE + PT_LOAD */
	must_open(&s, im.buf, im.len, SNAP_ELF);
	ck_assert_uint_eq(s.ram.size, 0x1000);
	ck_assert_uint_eq(s.cpus.n, 1);
	snapshot_close(&s);

	st_u32(im.buf + shoff + 44, 0x10000000, false);	/* more headers than the file holds */
	err = expect_input_error(im.buf, im.len, SNAP_ELF);
	ck_assert_uint_eq(err->off, im.phoff);
	mperr_free(err);

	st_u64(im.buf + 40, im.len - 8, false);	/* section header 0 cut off */
	err = expect_input_error(im.buf, im.len, SNAP_ELF);
	mperr_free(err);
	free(im.buf);
}
END_TEST

START_TEST(truncated)
{
	static const struct seg_spec sg[] = { { 0x0, 0x3000, 0x3000, 0 } };
	struct elf_img im = build_elf(false, sg, 1, 2);
	const size_t cut[] = {
		0, 4, 63, 64 + 20, im.note_off - 8, im.note_off + 100,
		im.note_off + NOTE_PRSTATUS_SIZE + 30, DATA_BASE, DATA_BASE + 0x1800, im.len - 1,
	};

	for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		struct mperr *err = expect_input_error(im.buf, cut[i], SNAP_ELF);

		mperr_free(err);
	}
	free(im.buf);
}
END_TEST

START_TEST(overlapping_segments)
{
	static const struct seg_spec sg[] = {
		{ 0x0, 0x8000, 0x1000, 0 },
		{ 0x10000, 0x1000, 0x1000, 0 },
		{ 0x4000, 0x1000, 0x1000, 0 },	/* inside segment 1's p_memsz */
	};
	struct elf_img im = build_elf(false, sg, 3, 1);
	struct mperr *err = expect_input_error(im.buf, im.len, SNAP_ELF);

	ck_assert_int_eq(err->entry, 3);
	ck_assert_uint_eq(err->off, im.phoff + 3 * 56);
	ck_assert_ptr_nonnull(strstr(err->msg, "1"));
	ck_assert_ptr_nonnull(strstr(err->msg, "3"));
	mperr_free(err);
	free(im.buf);
}
END_TEST

START_TEST(segment_beyond_file)
{
	static const struct seg_spec sg[] = {
		{ 0x0, 0x3000, 0x3000, 0 },
		{ 0x10000, 0x3000, 0x3000, 0 },
	};
	struct elf_img im = build_elf(false, sg, 2, 1);
	struct mperr *err;

	st_u64(im.buf + im.phoff + 2 * 56 + 32, 0x4000, false);	/* filesz */
	st_u64(im.buf + im.phoff + 2 * 56 + 40, 0x4000, false);	/* memsz */
	err = expect_input_error(im.buf, im.len, SNAP_ELF);
	ck_assert_int_eq(err->entry, 2);
	ck_assert_uint_eq(err->off, phdr_field(&im, 2, 8));
	mperr_free(err);

	st_u64(im.buf + im.phoff + 2 * 56 + 8, UINT64_MAX - 0x1000, false);	/* wraps */
	err = expect_input_error(im.buf, im.len, SNAP_ELF);
	ck_assert_int_eq(err->entry, 2);
	mperr_free(err);

	st_u64(im.buf + im.phoff + 2 * 56 + 8, DATA_BASE, false);
	st_u64(im.buf + im.phoff + 2 * 56 + 24, UINT64_MAX - 0x1000, false);	/* paddr wraps */
	err = expect_input_error(im.buf, im.len, SNAP_ELF);
	ck_assert_int_eq(err->entry, 2);
	mperr_free(err);

	st_u64(im.buf + im.phoff + 56 + 32, 0x4000, false);	/* filesz > memsz */
	err = expect_input_error(im.buf, im.len, SNAP_ELF);
	ck_assert_int_eq(err->entry, 1);
	mperr_free(err);
	free(im.buf);
}
END_TEST

START_TEST(bad_note_sizes)
{
	static const struct seg_spec sg[] = { { 0x0, 0x1000, 0x1000, 0 } };
	struct elf_img im = build_elf(false, sg, 1, 2);
	size_t second = im.note_off + NOTE_PRSTATUS_SIZE + NOTE_FPREG_SIZE;
	struct mperr *err;

	st_u32(im.buf + second + 4, 500, false);	/* CPU 1's NT_PRSTATUS descsz */
	err = expect_input_error(im.buf, im.len, SNAP_ELF);
	ck_assert_str_eq(err->table, "note");
	ck_assert_int_eq(err->entry, 2);
	ck_assert_uint_eq(err->off, second);
	mperr_free(err);

	st_u32(im.buf + second + 4, 0xffffff00u, false);	/* past the segment */
	err = expect_input_error(im.buf, im.len, SNAP_ELF);
	ck_assert_uint_eq(err->off, second);
	mperr_free(err);

	st_u32(im.buf + second + 4, 504, false);
	st_u32(im.buf + second, 0xfffffff0u, false);	/* namesz */
	err = expect_input_error(im.buf, im.len, SNAP_ELF);
	ck_assert_uint_eq(err->off, second);
	mperr_free(err);

	st_u32(im.buf + second, 5, false);
	st_u64(im.buf + im.phoff + 32, 0x7fff0000, false);	/* PT_NOTE p_filesz past the file */
	err = expect_input_error(im.buf, im.len, SNAP_ELF);
	ck_assert_int_eq(err->entry, 0);
	mperr_free(err);
	free(im.buf);
}
END_TEST

START_TEST(wrong_kind_of_elf)
{
	static const struct seg_spec sg[] = { { 0x0, 0x1000, 0x1000, 0 } };
	struct elf_img im = build_elf(false, sg, 1, 1);
	struct mperr *err;

	put16(im.buf + 18, EM_X86_64, false);
	err = expect_input_error(im.buf, im.len, SNAP_ELF);
	mperr_free(err);
	put16(im.buf + 18, EM_PPC64, false);
	im.buf[EI_CLASS] = ELFCLASS32;
	err = expect_input_error(im.buf, im.len, SNAP_ELF);
	mperr_free(err);
	im.buf[EI_CLASS] = ELFCLASS64;
	put16(im.buf + 54, 32, false);	/* e_phentsize */
	err = expect_input_error(im.buf, im.len, SNAP_ELF);
	mperr_free(err);
	put16(im.buf + 54, 56, false);
	put16(im.buf + 56, 1, false);	/* only the PT_NOTE: no memory */
	err = expect_input_error(im.buf, im.len, SNAP_ELF);
	mperr_free(err);
	free(im.buf);
}
END_TEST

START_TEST(fuzz_regressions)
{
	/* run from the repository root, as `make check` does */
	ck_assert_int_ge(replay_dir("tests/fuzz/seeds/elf", SNAP_ELF), 1);
	replay_dir("tests/fuzz/regress/elf", SNAP_ELF);
}
END_TEST

static Suite *elf_suite(void)
{
	Suite *s = suite_create("elf");
	TCase *fx = tcase_create("fixture"), *syn = tcase_create("synthetic");

	tcase_set_timeout(fx, 120);
	tcase_add_test(fx, fixture_ram_equals_raw);
	tcase_add_test(fx, fixture_registers_and_pirs);
	tcase_add_test(fx, fixture_blocks);
	suite_add_tcase(s, fx);
	tcase_set_timeout(syn, 60);
	tcase_add_test(syn, synthetic_little_endian);
	tcase_add_test(syn, synthetic_big_endian);
	tcase_add_test(syn, pn_xnum);
	tcase_add_test(syn, truncated);
	tcase_add_test(syn, overlapping_segments);
	tcase_add_test(syn, segment_beyond_file);
	tcase_add_test(syn, bad_note_sizes);
	tcase_add_test(syn, wrong_kind_of_elf);
	tcase_add_test(syn, fuzz_regressions);
	suite_add_tcase(s, syn);
	return s;
}

int main(void)
{
	return check_run(elf_suite());
}
