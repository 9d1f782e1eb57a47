/*
 * check_printk.c - VMCOREINFO (tables/vmcoreinfo.c) and the printk ring
 * buffer reader (tables/printk.c) on a guest RAM built here, byte by byte,
 * with the layout VMCOREINFO of Linux 6.1 ppc64 gives (SIZE(printk_info)=88,
 * ...): the records makedumpfile would print, then one hostile value at a
 * time. The real guests are checked against makedumpfile by tests/dmesg.sh.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/ram_image.h"
#include "report/report.h"
#include "tables/printk.h"
#include "tables/vmcoreinfo.h"

#include "lib_fixture.h"

#define RAM_SIZE	0x10000u
#define VA(gpa)		(UINT64_C(0xc000000000000000) + (gpa))
#define NOTE_GPA	0x1000u
#define PRB_PTR_GPA	0x2000u
#define PRB_GPA		0x2100u
#define DESCS_GPA	0x3000u
#define INFOS_GPA	0x3100u
#define DATA_GPA	0x4000u
#define SV(state, id)	(((uint64_t)(state) << 62) | (id))

static const char layout[] =
	"SIZE(printk_ringbuffer)=88\nOFFSET(printk_ringbuffer.desc_ring)=0\n"
	"OFFSET(printk_ringbuffer.text_data_ring)=48\nOFFSET(printk_ringbuffer.fail)=80\n"
	"OFFSET(prb_desc_ring.count_bits)=0\nOFFSET(prb_desc_ring.descs)=8\n"
	"OFFSET(prb_desc_ring.infos)=16\nOFFSET(prb_desc_ring.head_id)=24\n"
	"OFFSET(prb_desc_ring.tail_id)=32\nSIZE(prb_desc)=24\nOFFSET(prb_desc.state_var)=0\n"
	"OFFSET(prb_desc.text_blk_lpos)=8\nOFFSET(prb_data_blk_lpos.begin)=0\n"
	"OFFSET(prb_data_blk_lpos.next)=8\nSIZE(printk_info)=88\nOFFSET(printk_info.seq)=0\n"
	"OFFSET(printk_info.ts_nsec)=8\nOFFSET(printk_info.text_len)=16\n"
	"OFFSET(printk_info.caller_id)=20\nOFFSET(prb_data_ring.size_bits)=0\n"
	"OFFSET(prb_data_ring.data)=8\nOFFSET(prb_data_ring.head_lpos)=16\n"
	"OFFSET(prb_data_ring.tail_lpos)=24\nOFFSET(atomic_long_t.counter)=0\n";

struct guest {
	uint8_t *mem;
	struct ram_image ram;
	struct vmcoreinfo vi;
	struct printk_log log;
};

static uint8_t mem[RAM_SIZE];

static void put_note(const char *text)
{
	size_t n = strlen(text);

	st_u32(mem + NOTE_GPA, 11, false);
	st_u32(mem + NOTE_GPA + 4, (uint32_t)n, false);
	st_u32(mem + NOTE_GPA + 8, 0, false);
	memcpy(mem + NOTE_GPA + 12, "VMCOREINFO\0", 12);
	memcpy(mem + NOTE_GPA + 24, text, n);
}

/* desc slot: state, id, text block [begin, next); info: seq, ts, text_len */
static void put_record(unsigned slot, unsigned state, uint64_t id, uint64_t begin, uint64_t next,
		       uint64_t ts, uint16_t len)
{
	uint8_t *d = mem + DESCS_GPA + slot * 24, *in = mem + INFOS_GPA + slot * 88;

	st_u64(d, SV(state, id), false);
	st_u64(d + 8, begin, false);
	st_u64(d + 16, next, false);
	st_u64(in, id, false);
	st_u64(in + 8, ts, false);
	in[16] = (uint8_t)len;
	in[17] = (uint8_t)(len >> 8);
}

/* Two records with text (ids 4, 5) and one reserved (6); ring of 4, text ring of 256. */
static void build(void)
{
	char text[2048];

	memset(mem, 0, sizeof(mem));
	snprintf(text, sizeof(text), "OSRELEASE=6.1.0-test\nBUILD-ID=abc123\nPAGESIZE=65536\n"
		 "SYMBOL(prb)=%016llx\n%sCRASHTIME=1\n", (unsigned long long)VA(PRB_PTR_GPA), layout);
	put_note(text);
	st_u64(mem + PRB_PTR_GPA, VA(PRB_GPA), false);
	st_u32(mem + PRB_GPA, 2, false);			/* count_bits */
	st_u64(mem + PRB_GPA + 8, VA(DESCS_GPA), false);
	st_u64(mem + PRB_GPA + 16, VA(INFOS_GPA), false);
	st_u64(mem + PRB_GPA + 24, 6, false);			/* head_id */
	st_u64(mem + PRB_GPA + 32, 4, false);			/* tail_id */
	st_u32(mem + PRB_GPA + 48, 8, false);			/* size_bits */
	st_u64(mem + PRB_GPA + 56, VA(DATA_GPA), false);
	put_record(0, 1, 4, 0, 16, 1000, 5);
	memcpy(mem + DATA_GPA + 8, "hello", 5);
	put_record(1, 2, 5, 16, 32, 1500000000, 6);
	memcpy(mem + DATA_GPA + 24, "a\nb\x01\x7f\xe2", 6);	/* DEL and UTF-8 escaped too */
	put_record(2, 0, 6, 32, 48, 7, 3);
}

static struct mperr *load(struct guest *g)
{
	struct mperr *err;

	ram_init(&g->ram, RAM_SIZE);
	ck_assert_ptr_null(ram_add(&g->ram, 0, RAM_SIZE, mem));
	ck_assert_ptr_null(ram_finish(&g->ram));
	err = vmci_read_note(&g->ram, NOTE_GPA, 0, &g->vi);
	if (!err)
		err = printk_load(&g->ram, &g->vi, &g->log);
	return err;
}

static void unload(struct guest *g)
{
	printk_free(&g->log);
	vmci_free(&g->vi);
	ram_free(&g->ram);
}

/* report_dmesg() of the loaded log into a string */
static char *dmesg_text(const struct guest *g)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	report_dmesg(f, &g->log);
	fclose(f);
	return buf;
}

static void expect_input_error(void)
{
	struct guest g;
	struct mperr *err = load(&g);

	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->kind, MPERR_INPUT);
	mperr_free(err);
	unload(&g);
}

START_TEST(records_as_makedumpfile_prints_them)
{
	struct guest g;
	char *out;

	build();
	ck_assert_ptr_null(load(&g));
	ck_assert_str_eq(g.vi.release, "6.1.0-test");
	ck_assert_str_eq(g.vi.build_id, "abc123");
	ck_assert(g.vi.crashtime);
	ck_assert_uint_eq(g.log.n, 2);
	ck_assert_uint_eq(g.log.n_skipped, 1);
	out = dmesg_text(&g);
	ck_assert_str_eq(out, "[    0.000001] hello\n[    1.500000] a\n               "
			 "b\\x01\\x7f\\xe2\n");
	free(out);
	unload(&g);
}
END_TEST

START_TEST(text_len_past_block_is_cut)
{
	struct guest g;
	char *out;

	build();
	put_record(0, 1, 4, 0, 16, 1000, 200);	/* block holds 8 bytes of text */
	ck_assert_ptr_null(load(&g));
	out = dmesg_text(&g);
	ck_assert_str_eq(out, "[    0.000001] hello\\x00\\x00\\x00\n[    1.500000] a\n               "
			 "b\\x01\\x7f\\xe2\n");
	free(out);
	unload(&g);
}
END_TEST

START_TEST(wrapped_block_starts_the_ring)
{
	struct guest g;

	build();
	put_record(0, 1, 4, 240 + 256 * 3, 16 + 256 * 4, 1000, 5);	/* lpos wrap: begin > next */
	ck_assert_ptr_null(load(&g));
	ck_assert_uint_eq(g.log.n, 2);
	ck_assert_int_eq(memcmp(g.log.rec[0].text, "hello", 5), 0);
	unload(&g);
}
END_TEST

START_TEST(id_mismatch_is_skipped)
{
	struct guest g;

	build();
	put_record(0, 1, 8, 0, 16, 1000, 5);	/* slot 0 now holds id 8, not 4 */
	ck_assert_ptr_null(load(&g));
	ck_assert_uint_eq(g.log.n, 1);
	unload(&g);
}
END_TEST

START_TEST(hostile_count_bits)
{
	build();
	st_u32(mem + PRB_GPA, 40, false);
	expect_input_error();
}
END_TEST

START_TEST(hostile_size_bits)
{
	build();
	st_u32(mem + PRB_GPA + 48, 0xffffffff, false);
	expect_input_error();
}
END_TEST

START_TEST(hostile_descs_outside_ram)
{
	build();
	st_u64(mem + PRB_GPA + 8, VA(RAM_SIZE - 8), false);
	expect_input_error();
}
END_TEST

START_TEST(hostile_data_below_page_offset)
{
	build();
	st_u64(mem + PRB_GPA + 56, DATA_GPA, false);
	expect_input_error();
}
END_TEST

START_TEST(hostile_id_span)
{
	build();
	st_u64(mem + PRB_GPA + 24, 4 + 4, false);	/* 5 ids for 4 slots */
	expect_input_error();
}
END_TEST

START_TEST(hostile_offset_outside_struct)
{
	char text[2048], *p;

	build();
	snprintf(text, sizeof(text), "OSRELEASE=x\nSYMBOL(prb)=%016llx\n%s",
		 (unsigned long long)VA(PRB_PTR_GPA), layout);
	p = strstr(text, "OFFSET(printk_info.caller_id)=20");
	memcpy(p + strlen("OFFSET(printk_info.caller_id)="), "86", 2);
	put_note(text);
	expect_input_error();
}
END_TEST

START_TEST(no_prb_symbol)
{
	build();
	put_note("OSRELEASE=4.19.0\nSYMBOL(log_buf)=c000000000001000\n");
	expect_input_error();
}
END_TEST

START_TEST(note_descsz_past_limit)
{
	struct guest g;
	struct mperr *err;

	build();
	st_u32(mem + NOTE_GPA + 4, 0x7fffffff, false);
	ram_init(&g.ram, RAM_SIZE);
	ck_assert_ptr_null(ram_add(&g.ram, 0, RAM_SIZE, mem));
	ck_assert_ptr_null(ram_finish(&g.ram));
	err = vmci_read_note(&g.ram, NOTE_GPA, 0, &g.vi);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->kind, MPERR_INPUT);
	mperr_free(err);
	/* the search does not take it either */
	err = vmci_scan(&g.ram, &g.vi);
	ck_assert_ptr_nonnull(err);
	mperr_free(err);
	ram_free(&g.ram);
}
END_TEST

START_TEST(scan_finds_the_note)
{
	struct guest g;

	build();
	ram_init(&g.ram, RAM_SIZE);
	ck_assert_ptr_null(ram_add(&g.ram, 0, RAM_SIZE, mem));
	ck_assert_ptr_null(ram_finish(&g.ram));
	ck_assert_ptr_null(vmci_scan(&g.ram, &g.vi));
	ck_assert_uint_eq(g.vi.where, NOTE_GPA);
	ck_assert_uint_eq(g.vi.n_candidates, 1);
	ck_assert_int_eq(g.vi.source, VMCI_SCAN);
	ck_assert_ptr_null(printk_load(&g.ram, &g.vi, &g.log));
	ck_assert_uint_eq(g.log.n, 2);
	unload(&g);
}
END_TEST

/* An ELF64 core with one PT_NOTE holding the VMCOREINFO note of mem. */
START_TEST(elf_note_and_truncated_elf)
{
	uint8_t elf[4096] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	struct vmcoreinfo v;
	struct mperr *err;
	size_t note_len;
	bool found;

	build();
	note_len = (24 + ld_le32(mem + NOTE_GPA + 4) + 3) & ~(size_t)3;
	ck_assert_uint_le(0x100 + note_len, sizeof(elf));
	st_u64(elf + 32, 64, false);		/* e_phoff */
	elf[54] = 56;				/* e_phentsize */
	elf[56] = 1;				/* e_phnum */
	st_u32(elf + 64, 4, false);		/* PT_NOTE */
	st_u64(elf + 64 + 8, 0x100, false);	/* p_offset */
	st_u64(elf + 64 + 32, note_len, false);	/* p_filesz */
	memcpy(elf + 0x100, mem + NOTE_GPA, note_len);
	ck_assert_ptr_null(vmci_from_elf(elf, sizeof(elf), &v, &found));
	ck_assert(found);
	ck_assert_str_eq(v.release, "6.1.0-test");
	ck_assert_uint_eq(v.where, 0x100);
	vmci_free(&v);
	/* the segment runs past the end of the file */
	err = vmci_from_elf(elf, 0x100 + 16, &v, &found);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->kind, MPERR_INPUT);
	mperr_free(err);
	/* the program headers run past the end of the file */
	st_u64(elf + 32, UINT64_MAX - 8, false);
	err = vmci_from_elf(elf, sizeof(elf), &v, &found);
	ck_assert_ptr_nonnull(err);
	mperr_free(err);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("printk");
	TCase *t = tcase_create("synthetic");

	tcase_add_test(t, records_as_makedumpfile_prints_them);
	tcase_add_test(t, text_len_past_block_is_cut);
	tcase_add_test(t, wrapped_block_starts_the_ring);
	tcase_add_test(t, id_mismatch_is_skipped);
	tcase_add_test(t, hostile_count_bits);
	tcase_add_test(t, hostile_size_bits);
	tcase_add_test(t, hostile_descs_outside_ram);
	tcase_add_test(t, hostile_data_below_page_offset);
	tcase_add_test(t, hostile_id_span);
	tcase_add_test(t, hostile_offset_outside_struct);
	tcase_add_test(t, no_prb_symbol);
	tcase_add_test(t, note_descsz_past_limit);
	tcase_add_test(t, scan_finds_the_note);
	tcase_add_test(t, elf_note_and_truncated_elf);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return check_run(suite());
}
