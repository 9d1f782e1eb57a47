/*
 * check_hostile.c - hostile input (issue 19): text.h's escaping (every byte
 * value, truncation at a whole escape, the JSON stand-in for strings that are
 * not UTF-8); arithmetic on guest values that must not wrap (SPIRA-H ntuple
 * offset + base, an OPAL base no guest has, vmdescription size x count); work
 * bounded by the input (vmdescription look-ups, duplicate PIRs).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/cpu_state.h"
#include "core/text.h"
#include "input/vmdesc.h"
#include "tables/mpipl_tables.h"
#include "lib_fixture.h"

START_TEST(every_byte)
{
	char out[8], want[8];

	for (int b = 0; b < 256; b++) {
		char in = (char)b;

		text_escape(out, sizeof(out), &in, 1);
		if (b == '\\')
			strcpy(want, "\\\\");
		else if (b >= 0x20 && b < 0x7f)
			snprintf(want, sizeof(want), "%c", b);
		else
			snprintf(want, sizeof(want), "\\x%02x", b);
		ck_assert_str_eq(out, want);
	}
}
END_TEST

START_TEST(strings)
{
	char buf[64];

	ck_assert_str_eq(text_esc(buf, sizeof(buf), "pnv.ram"), "pnv.ram");
	ck_assert_str_eq(text_esc(buf, sizeof(buf), "\x1b[31mXX"), "\\x1b[31mXX");
	ck_assert_str_eq(text_esc(buf, sizeof(buf), "a\nb\\c\xff"), "a\\x0ab\\\\c\\xff");
	ck_assert_str_eq(text_esc(buf, sizeof(buf), NULL), "");
	ck_assert_str_eq(TEXT_ESC("\x7f"), "\\x7f");
}
END_TEST

/* Cut before a whole escape, marked "..."; the count says how much of the source went out. */
START_TEST(truncation)
{
	char buf[10];

	ck_assert_uint_eq(text_escape(buf, sizeof(buf), "abcdefghijkl", 12), 6);
	ck_assert_str_eq(buf, "abcdef...");
	ck_assert_uint_eq(text_escape(buf, sizeof(buf), "ab\x1b\x1b\x1b", 5), 3);
	ck_assert_str_eq(buf, "ab\\x1b...");
	ck_assert_uint_eq(text_escape(buf, sizeof(buf), "abcdefghi", 9), 9);	/* exactly fits */
	ck_assert_str_eq(buf, "abcdefghi");
	ck_assert_uint_eq(text_escape(buf, 1, "abc", 3), 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(text_put_long)
{
	char *in = malloc(5000), *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	for (int i = 0; i < 5000; i++)
		in[i] = i % 2 ? '\n' : 'a';
	text_put(f, in, 5000);
	fclose(f);
	ck_assert_uint_eq(len, 2500 * 5);	/* nothing lost at chunk edges */
	for (size_t i = 0; i < len; i += 5)
		ck_assert(!memcmp(out + i, "a\\x0a", 5));
	free(in);
	free(out);
}
END_TEST

START_TEST(json_fallback)
{
	json_t *j = text_json("\x1b[31m");
	char *s;

	ck_assert_str_eq(json_string_value(j), "\x1b[31m");	/* UTF-8: jansson escapes it */
	json_decref(j);
	j = text_json("a\xff\n");
	ck_assert_str_eq(json_string_value(j), "a\\xff\\x0a");
	s = json_dumps(j, JSON_ENCODE_ANY);
	ck_assert_str_eq(s, "\"a\\\\xff\\\\x0a\"");
	free(s);
	json_decref(j);
}
END_TEST

/* A SPIRA-H header of the v7.0 layout with ntuple 3 holding a base-relative offset. */
static void spirah_bytes(uint8_t *h)
{
	memset(h, 0, SPIRAH_SIZE);
	st_be16(h, 0xD1F0);
	memcpy(h + 2, "SPIRAH", 6);
	st_be32(h + 0x10, 0x20);
	st_be32(h + 0x20, 0x10);
	st_be32(h + 0x30, 0x30);
	st_be32(h + 0x38, SPIRAH_NTUPLE_SIZE);
	st_be64(h + SPIRAH_NTUPLE_OFF + 3 * SPIRAH_NTUPLE_SIZE, 0x11000);
}

START_TEST(ntuple_offset_plus_base)
{
	uint8_t h[SPIRAH_SIZE];
	struct spirah sp;
	struct mperr *err;

	spirah_bytes(h);
	ck_assert_ptr_null(spirah_parse(h, 0, 0x30000000, &sp));
	ck_assert_uint_eq(sp.nt[3].gpa, 0x30011000);
	err = spirah_parse(h, 0x1000, UINT64_C(0xfffffffffffff000), &sp);
	ck_assert_ptr_nonnull(err);
	ck_assert_str_eq(err->msg, "ntuple 3 (MDST): offset 0x11000 + base 0xfffffffffffff000 "
			 "overflows 64 bits");
	ck_assert(err->has_off && err->off == 0x1000 + SPIRAH_NTUPLE_OFF + 3 * 0x20);
	mperr_free(err);
}
END_TEST

START_TEST(base_beyond_real_addresses)
{
	struct ram_image ram;
	struct mpipl_tables t;
	struct mperr *err;

	ram_init(&ram, 0x100000);
	ck_assert_ptr_null(ram_finish(&ram));
	err = mpipl_tables_load(&ram, UINT64_C(1) << 63, NULL, &t, NULL);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->kind, MPERR_USAGE);
	ck_assert_str_eq(err->msg, "OPAL base 0x8000000000000000 is beyond any guest real "
			 "address (below 0x4000000000000000)");
	mperr_free(err);
	ram_free(&ram);
}
END_TEST

/* size x count past 2^64 is said to overflow; the wrapped product is never printed */
START_TEST(vmdesc_size_times_count)
{
	static const char js[] = "{\"devices\": [{\"name\": \"d\", \"instance_id\": 0, \"fields\": "
				 "[{\"name\": \"f\", \"size\": 4611686018427387904, "
				 "\"array_len\": 8}]}]}";
	uint8_t data[16] = { 0 };
	struct vmdesc *vd;
	struct cur c = cur_make(data, sizeof(data));
	struct mperr *err;

	ck_assert_ptr_null(vmdesc_parse(&vd, (const uint8_t *)js, strlen(js), 0));
	err = vmdesc_walk_device(vd, "d", 0, 0, &c, NULL, NULL);
	ck_assert_ptr_nonnull(err);
	ck_assert_str_eq(err->msg, "field \"f\": 8 x 0x4000000000000000 bytes overflows 64 bits");
	mperr_free(err);
	vmdesc_free(vd);
}
END_TEST

/* Devices looked up out of order cost steps from one budget for the whole stream. */
START_TEST(vmdesc_lookup_budget)
{
	enum { N = 3000 };
	size_t cap = 64 * N + 64, len = 0;
	char *js = malloc(cap);
	uint8_t data[1] = { 0 };
	struct vmdesc *vd;
	struct mperr *err = NULL;
	unsigned ok = 0;

	len += (size_t)snprintf(js + len, cap - len, "{\"devices\": [");
	for (int i = 0; i < N; i++)
		len += (size_t)snprintf(js + len, cap - len, "%s{\"name\": \"d\", \"instance_id\": "
					"%d, \"fields\": []}", i ? ", " : "", i);
	len += (size_t)snprintf(js + len, cap - len, "]}");
	ck_assert_ptr_null(vmdesc_parse(&vd, (const uint8_t *)js, len, 0));
	/* always the device just before the last one found: N - 1 steps each */
	for (unsigned k = 0; k < 100000 && !err; k++) {
		struct cur c = cur_make(data, sizeof(data));

		err = vmdesc_walk_device(vd, "d", (N - 1) * (k + 1) % N, 0, &c, NULL, NULL);
		ok += !err;
	}
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err->msg, "vmdescription too complex"), "%s", err->msg);
	ck_assert_uint_ge(ok, (1u << 22) / N - 2);
	ck_assert_uint_le(ok, (1u << 22) / (N - 1) + 2);
	mperr_free(err);
	vmdesc_free(vd);
	free(js);
}
END_TEST

static void pir_pair(const uint32_t *pir, size_t n, const char *want)
{
	struct cpu_set set = { 0 };
	struct mperr *err;

	for (size_t i = 0; i < n; i++)
		cpu_set_add(&set)->pir = pir[i];
	err = cpu_set_check(&set);
	if (!want) {
		ck_assert_ptr_null(err);
	} else {
		ck_assert_ptr_nonnull(err);
		ck_assert_str_eq(err->msg, want);
		mperr_free(err);
	}
	cpu_set_free(&set);
}

/* the pair a scan of every (i, j > i) names first, found by sorting */
START_TEST(duplicate_pirs)
{
	static const uint32_t a[] = { 5, 3, 7, 3, 5, 5 }, b[] = { 1, 2, 2, 1 };
	static const uint32_t c[] = { 9, 8, 7 }, d[] = { 4, 6, 6 };
	uint32_t *many = malloc(16384 * sizeof(*many));

	pir_pair(a, 6, "vCPU 0 and vCPU 4 both have PIR 0x5");
	pir_pair(b, 4, "vCPU 0 and vCPU 3 both have PIR 0x1");
	pir_pair(c, 3, NULL);
	pir_pair(d, 3, "vCPU 1 and vCPU 2 both have PIR 0x6");
	pir_pair(d, 0, NULL);
	for (uint32_t i = 0; i < 16384; i++)
		many[i] = 16383 - i;
	many[16383] = 7;	/* the PIR of vCPU 16376 */
	pir_pair(many, 16384, "vCPU 16376 and vCPU 16383 both have PIR 0x7");
	free(many);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hostile");
	TCase *tc = tcase_create("hostile");

	tcase_add_test(tc, every_byte);
	tcase_add_test(tc, strings);
	tcase_add_test(tc, truncation);
	tcase_add_test(tc, text_put_long);
	tcase_add_test(tc, json_fallback);
	tcase_add_test(tc, ntuple_offset_plus_base);
	tcase_add_test(tc, base_beyond_real_addresses);
	tcase_add_test(tc, vmdesc_size_times_count);
	tcase_add_test(tc, vmdesc_lookup_budget);
	tcase_add_test(tc, duplicate_pirs);
	suite_add_tcase(s, tc);
	return check_run(s);
}
