/*
 * check_fixture_raw.c - the real crash.raw of both guests through the whole
 * pipeline: tables equal to tables.json (read by an independent script), the
 * exact MDRT bytes, and a post-MPIPL image whose every destination range
 * equals its source range of the input and which differs from the input only
 * where the simulation wrote.
 */
#include <check.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/bytes.h"
#include "lib_fixture.h"
#include "lib_pipeline.h"
#include "output/outfile.h"
#include "output/post_image.h"

static uint64_t hexval(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_string(v), "tables.json: %s missing", key);
	return strtoull(json_string_value(v), NULL, 0);
}

/* The crash.raw record of tables.json */
static json_t *expected_tables(const char *guest, json_t **root)
{
	json_error_t je;
	size_t i;
	json_t *rec;

	*root = json_load_file(shared_path(guest, "tables.json"), 0, &je);
	ck_assert_msg(*root, "tables.json: %s", je.text);
	json_array_foreach(*root, i, rec)
		if (!strcmp(json_string_value(json_object_get(rec, "file")), "crash.raw"))
			return rec;
	ck_abort_msg("tables.json has no crash.raw record");
	return NULL;
}

static void assert_entries(json_t *exp, const struct dump_entry *e, unsigned n)
{
	size_t i;
	json_t *x;

	ck_assert_uint_eq(json_array_size(exp), n);
	json_array_foreach(exp, i, x) {
		ck_assert_uint_eq(e[i].raw, hexval(x, "addr"));
		ck_assert_uint_eq(e[i].gpa, hexval(x, "phys"));
		ck_assert_uint_eq(e[i].size, hexval(x, "size"));
		ck_assert_uint_eq(e[i].region, strtoul(json_string_value(
			json_object_get(x, "region")), NULL, 0));
		ck_assert_uint_eq(e[i].type, hexval(x, "type"));
	}
}

static void assert_tables(const char *guest, const struct mpipl_tables *t)
{
	json_t *root, *exp = expected_tables(guest, &root), *m, *a;

	ck_assert_uint_eq(t->spirah_gpa - t->base, hexval(exp, "spirah_off"));
	ck_assert_int_eq(t->legacy_spira,
			 json_is_true(json_object_get(exp, "spira_legacy_at_0x10000")));
	ck_assert_uint_eq(t->nt[NT_MDST].gpa - t->base, hexval(exp, "mdst_off"));
	ck_assert_uint_eq(t->nt[NT_MDDT].gpa - t->base, hexval(exp, "mddt_off"));
	assert_entries(json_object_get(exp, "mdst"), t->mdst, t->n_mdst);
	assert_entries(json_object_get(exp, "mddt"), t->mddt, t->n_mddt);
	m = json_object_get(exp, "metadata");
	ck_assert_uint_eq(t->meta.crashing_pir, hexval(m, "crashing_pir"));
	ck_assert_uint_eq(t->meta.kernel_tag, hexval(m, "kernel_tag"));
	ck_assert_uint_eq(t->meta.boot_mem_size, hexval(m, "boot_mem_size"));
	a = json_object_get(exp, "proc_dump_area");
	ck_assert_uint_eq(t->pda.gpa - t->base, hexval(a, "off"));
	ck_assert_uint_eq(t->pda.alloc_raw, hexval(a, "alloc_addr"));
	ck_assert_uint_eq(t->pda.alloc_size, hexval(a, "alloc_size"));
	ck_assert_uint_eq(t->pda.dest_raw, hexval(a, "dest_addr"));
	ck_assert_uint_eq(t->pda.act_size, hexval(a, "act_size"));
	json_decref(root);
}

/* MDRT = one entry per MDST/MDDT pair, from tables.json's addresses (mpipl.md §3). */
static void assert_mdrt_bytes(const char *guest, struct pipe *p)
{
	json_t *root, *exp = expected_tables(guest, &root);
	json_t *src = json_object_get(exp, "mdst"), *dst = json_object_get(exp, "mddt");
	size_t n = json_array_size(src);
	uint8_t got[32], want[32];

	ck_assert_uint_eq(p->plan.n_recorded, n);
	for (size_t i = 0; i < n; i++) {
		json_t *s = json_array_get(src, i), *d = json_array_get(dst, i);

		memset(want, 0, sizeof(want));
		st_be64(want, hexval(s, "addr"));
		st_be64(want + 8, hexval(d, "addr"));
		want[16] = (uint8_t)strtoul(json_string_value(json_object_get(s, "region")), NULL, 0);
		want[17] = (uint8_t)hexval(s, "type");
		st_be32(want + 20, (uint32_t)hexval(s, "size"));
		ck_assert_ptr_null(ovl_read(&p->ovl, p->t.nt[NT_MDRT].gpa + 32 * i, got, 32));
		ck_assert_msg(!memcmp(got, want, 32), "MDRT entry %zu differs", i);
	}
	/* the entry after the last stays as it was (zero in these fixtures) */
	ck_assert_ptr_null(ovl_read(&p->ovl, p->t.nt[NT_MDRT].gpa + 32 * n, got, 32));
	ck_assert(mem_is_zero(got, 32));
	json_decref(root);
}

static void assert_image(struct pipe *p, const struct ram_image *in, const struct ram_image *out)
{
	struct gpa_range *w = calloc(4 + p->plan.n_pieces, sizeof(*w));
	size_t nw = 0;
	uint64_t bad;
	uint8_t *a, *b;

	ck_assert_ptr_nonnull(w);
	ck_assert_uint_eq(in->size, out->size);
	w[nw++] = (struct gpa_range){ p->t.nt[NT_MDRT].gpa, 32 * p->plan.n_recorded };
	w[nw++] = (struct gpa_range){ p->t.spirah_gpa + 0xea, 2 };
	w[nw++] = (struct gpa_range){ p->t.pda.gpa, PDA_SIZE };
	w[nw++] = (struct gpa_range){ p->t.pda.alloc_gpa,
				      (uint64_t)p->plan.thread_size * p->plan.n_threads };
	for (unsigned i = 0; i < p->plan.n_pieces; i++) {
		const struct copy_piece *pc = &p->plan.piece[i];

		a = malloc(pc->len);
		b = malloc(pc->len);
		ck_assert(a && b);
		ck_assert_ptr_null(ram_read(in, pc->src, a, pc->len));
		ck_assert_ptr_null(ram_read(out, pc->dst, b, pc->len));
		ck_assert_msg(!memcmp(a, b, pc->len), "destination 0x%" PRIx64
			      " differs from source 0x%" PRIx64, pc->dst, pc->src);
		free(a);
		free(b);
		w[nw++] = (struct gpa_range){ pc->dst, pc->len };
	}
	/* outside those ranges the image is the input, in both directions */
	bad = ram_first_diff(in, out, w, nw);
	ck_assert_msg(bad == UINT64_MAX, "image differs from the input at 0x%" PRIx64, bad);
	free(w);
}

START_TEST(real_crash_raw)
{
	const char *guest = fixture_guests[_i];
	const char *raw = fixture_path(guest, "crash.raw");
	struct sim_options o = { .profile = PROFILE_HOSTBOOT };
	char out_path[4096];
	struct snapshot post;
	struct outfile f;
	struct pipe p;

	ck_assert_ptr_null(pipe_run(&p, raw, &o));
	assert_tables(guest, &p.t);
	assert_mdrt_bytes(guest, &p);
	snprintf(out_path, sizeof(out_path), "%s/post-%d.img", getenv("TMPDIR") ? getenv("TMPDIR")
		 : "/tmp", getpid());
	ck_assert_ptr_null(outfile_open(&f, out_path));
	ck_assert_ptr_null(post_image_write(&p.ovl, &f, NULL));
	ck_assert_ptr_null(outfile_commit(&f, p.snap.ram.size, false));
	ck_assert_ptr_null(snapshot_open(&post, out_path, SNAP_RAW, NULL));
	assert_image(&p, &p.snap.ram, &post.ram);
	snapshot_close(&post);
	unlink(out_path);
	pipe_close(&p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fixture_raw");
	TCase *tc = tcase_create("real");

	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, real_crash_raw, 0, 2);
	suite_add_tcase(s, tc);
	return check_run(s);
}
