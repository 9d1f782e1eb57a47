/*
 * report_compare.c - `compare` as text (one grep-able line per difference,
 * then a summary line) or as one JSON document; see report.h.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

enum val { V_HEX, V_DEC, V_HAS };

static const struct {
	const char *section, *field;
	enum val val;
} info[CMP_WHAT_COUNT] = {
	[CMP_RAM_SIZE] = { "ram", "size", V_HEX },
	[CMP_TABLE_GPA] = { "tables", "address", V_HEX },
	[CMP_MDRT_ACT_CNT] = { "spirah", "mdrt_act_cnt", V_DEC },
	[CMP_MDRT_COUNTED] = { "mdrt", "counted", V_DEC },
	[CMP_MDRT_SRC] = { "mdrt", "src", V_HEX },
	[CMP_MDRT_DEST] = { "mdrt", "dest", V_HEX },
	[CMP_MDRT_REGION] = { "mdrt", "region", V_HEX },
	[CMP_MDRT_TYPE] = { "mdrt", "type", V_HEX },
	[CMP_MDRT_SIZE] = { "mdrt", "size", V_HEX },
	[CMP_MDRT_PAD] = { "mdrt", "padding", V_HEX },
	[CMP_PDA_THREAD_SIZE] = { "proc_dump_area", "thread_size", V_HEX },
	[CMP_PDA_VERSION] = { "proc_dump_area", "version", V_HEX },
	[CMP_PDA_ALLOC_ADDR] = { "proc_dump_area", "alloc_addr", V_HEX },
	[CMP_PDA_ALLOC_SIZE] = { "proc_dump_area", "alloc_size", V_HEX },
	[CMP_PDA_DEST] = { "proc_dump_area", "dest_addr", V_HEX },
	[CMP_PDA_ACT_SIZE] = { "proc_dump_area", "act_size", V_HEX },
	[CMP_THREAD_COUNT] = { "threads", "count", V_DEC },
	[CMP_THREAD_PRESENT] = { "thread", "present", V_HAS },
	[CMP_THREAD_POSITION] = { "thread", "record", V_DEC },
	[CMP_THREAD_CORE_STATE] = { "thread", "core_state", V_HEX },
	[CMP_THREAD_OFFSET] = { "thread", "offset", V_HEX },
	[CMP_THREAD_ECNT] = { "thread", "ecnt", V_DEC },
	[CMP_THREAD_ESIZE] = { "thread", "esize", V_HEX },
	[CMP_THREAD_EACTSZ] = { "thread", "eactsz", V_HEX },
	[CMP_REG_PRESENT] = { "register", "present", V_HAS },
	[CMP_REG_VALUE] = { "register", "value", V_HEX },
};

static const char *const from_name[] = {
	[CMP_THREADS_NONE] = "none", [CMP_THREADS_NTUPLE] = "ntuple",
	[CMP_THREADS_QEMU] = "0x10300",
};

/* "MDRT entry 0", "thread PIR 0x4", ... : what the line is about */
static void diff_where(const struct cmp_session *s, const struct cmp_diff *d, char *buf,
		       size_t len)
{
	const char *sec = info[d->what].section;

	if (!strcmp(sec, "ram"))
		snprintf(buf, len, "RAM");
	else if (!strcmp(sec, "tables"))
		snprintf(buf, len, "tables: %s", d->index == SPIRAH_NR_NTUPLES ? "SPIRA-H"
			 : spirah_ntuple_name(d->index));
	else if (!strcmp(sec, "spirah"))
		snprintf(buf, len, "SPIRA-H");
	else if (d->what == CMP_MDRT_COUNTED)
		snprintf(buf, len, "MDRT entries %ld-%ld", d->index, d->index + d->span - 1);
	else if (!strcmp(sec, "mdrt"))
		snprintf(buf, len, "MDRT entry %ld", d->index);
	else if (!strcmp(sec, "proc_dump_area") && d->index == CMP_AREA_WRITTEN)
		snprintf(buf, len, "processor dump area as written");
	else if (!strcmp(sec, "proc_dump_area"))
		snprintf(buf, len, "processor dump area at 0x%" PRIx64,
			 d->index == CMP_AREA_QEMU ? QEMU_V2_PDA_GPA : s->t[0].pda.gpa);
	else if (!strcmp(sec, "threads"))
		snprintf(buf, len, "threads");
	else
		snprintf(buf, len, "thread PIR 0x%" PRIx32, d->pir);
}

static void val_str(enum val v, uint64_t x, char *buf, size_t len)
{
	if (v == V_DEC)
		snprintf(buf, len, "%" PRIu64, x);
	else
		snprintf(buf, len, "0x%" PRIx64, x);
}

/* The line for d, without the row. */
static void diff_text(const struct cmp_session *s, const struct cmp_diff *d, char *buf,
		      size_t len)
{
	enum val v = info[d->what].val;
	char where[64], a[24], b[24], nb[32];
	const char *only = d->a ? "in A only" : "in B only";

	diff_where(s, d, where, sizeof(where));
	val_str(v, d->a, a, sizeof(a));
	val_str(v, d->b, b, sizeof(b));
	if (d->what == CMP_MDRT_COUNTED)
		snprintf(buf, len, "%s: counted in %s only (act_cnt %s / %s)", where,
			 d->a > d->b ? "A" : "B", a, b);
	else if (d->what == CMP_THREAD_PRESENT)
		snprintf(buf, len, "%s: %s", where, only);
	else if (d->what == CMP_REG_PRESENT)
		snprintf(buf, len, "%s: register %s %s", where, reg_name(d->reg, nb, sizeof(nb)),
			 only);
	else if (d->what == CMP_REG_VALUE)
		snprintf(buf, len, "%s: register %s %s / %s", where,
			 reg_name(d->reg, nb, sizeof(nb)), a, b);
	else
		snprintf(buf, len, "%s: %s %s / %s", where, info[d->what].field, a, b);
}

static void range_text(const struct cmp_range *r, char *buf, size_t len)
{
	if (r->kind == CMP_RANGE_REST)
		snprintf(buf, len, "rest of RAM: 0x%" PRIx64 " bytes differ, first at 0x%" PRIx64,
			 r->differing, r->first);
	else
		snprintf(buf, len, "range %s 0x%" PRIx64 "+0x%" PRIx64 ": 0x%" PRIx64
			 " bytes differ, first at 0x%" PRIx64, r->name, r->gpa, r->len,
			 r->differing, r->first);
}

static const char *const row_names[] = {
	"D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8", "D9", "D10", "D11",
	"D12", "D13", "D14", "D15", "D16", "D17", "D18", "D19", "D20", "D21",
};
#define N_ROWS (sizeof(row_names) / sizeof(row_names[0]))

static bool names(const char *row, const char *name)
{
	return row && !strcmp(row, name);
}

/* Rows named by any difference, in D-number order; returns how many. */
static size_t rows_named(const struct cmp_result *r, const char **out)
{
	size_t n = 0;

	for (size_t k = 0; k < N_ROWS; k++) {
		bool hit = false;

		for (size_t i = 0; !hit && i < r->n_diff; i++)
			hit = names(r->diff[i].row, row_names[k]);
		for (size_t i = 0; !hit && i < r->n_range; i++)
			hit = r->range[i].differing && names(r->range[i].row, row_names[k]);
		if (hit)
			out[n++] = row_names[k];
	}
	return n;
}

static void side_text(FILE *out, const struct cmp_session *s, int i)
{
	const struct cmp_side *c = &s->r.side[i];

	fprintf(out, "%c %s: %s, RAM 0x%" PRIx64 ", %u MDRT entries counted, ", "AB"[i],
		s->path[i], snap_format_name(s->snap[i].format), s->snap[i].ram.size,
		c->mdrt_counted);
	if (c->threads_from == CMP_THREADS_NONE)
		fprintf(out, "no thread records (no processor dump area filled in)\n");
	else
		fprintf(out, "%zu thread records of 0x%" PRIx32 " bytes at 0x%" PRIx64
			" from the processor dump area at 0x%" PRIx64 "%s\n", c->n_threads,
			c->thread_size, c->threads_gpa, c->threads_from == CMP_THREADS_QEMU ?
			QEMU_V2_PDA_GPA : s->t[i].pda.gpa,
			c->threads_capped ? " (more than could be read)" : "");
}

static void compare_text(FILE *out, const struct cmp_session *s)
{
	const struct cmp_result *r = &s->r;
	const char *rows[N_ROWS];
	size_t n_rows = rows_named(r, rows);
	char line[256];

	side_text(out, s, 0);
	side_text(out, s, 1);
	for (size_t i = 0; i < r->n_diff; i++) {
		diff_text(s, &r->diff[i], line, sizeof(line));
		fprintf(out, "%s%s%s%s\n", line, r->diff[i].row ? " [" : "",
			r->diff[i].row ? r->diff[i].row : "", r->diff[i].row ? "]" : "");
	}
	for (size_t i = 0; i < r->n_range; i++) {
		if (!r->range[i].differing)
			continue;
		range_text(&r->range[i], line, sizeof(line));
		fprintf(out, "%s%s%s%s\n", line, r->range[i].row ? " [" : "",
			r->range[i].row ? r->range[i].row : "", r->range[i].row ? "]" : "");
	}
	if (cmp_equal(r)) {
		fprintf(out, "compare: equal\n");
		return;
	}
	fprintf(out, "compare: differ: %zu fields, %zu ranges (0x%" PRIx64 " bytes)", r->n_diff,
		r->n_ranges_differing, r->bytes_differing);
	for (size_t i = 0; i < n_rows; i++)
		fprintf(out, "%s%s", i ? " " : "; rows ", rows[i]);
	fputc('\n', out);
}

/* ---- JSON ---- */

static json_t *hex(uint64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "0x%" PRIx64, v);
	return json_string(b);
}

static json_t *value_json(enum val v, uint64_t x)
{
	if (v == V_HAS)
		return json_boolean(x);
	return v == V_DEC ? json_integer((json_int_t)x) : hex(x);
}

static json_t *diff_json(const struct cmp_session *s, const struct cmp_diff *d)
{
	json_t *o = json_object();
	bool thread = d->what >= CMP_THREAD_PRESENT;
	char line[256], nb[32];

	diff_text(s, d, line, sizeof(line));
	json_object_set_new(o, "section", json_string(info[d->what].section));
	json_object_set_new(o, "field", json_string(info[d->what].field));
	json_object_set_new(o, "index", d->index < 0 ? json_null() : json_integer(d->index));
	json_object_set_new(o, "span", json_integer(d->span));
	json_object_set_new(o, "pir", thread ? hex(d->pir) : json_null());
	json_object_set_new(o, "register", d->what == CMP_REG_PRESENT || d->what == CMP_REG_VALUE
				   ? json_string(reg_name(d->reg, nb, sizeof(nb))) : json_null());
	json_object_set_new(o, "a", value_json(info[d->what].val, d->a));
	json_object_set_new(o, "b", value_json(info[d->what].val, d->b));
	json_object_set_new(o, "row", d->row ? json_string(d->row) : json_null());
	json_object_set_new(o, "text", json_string(line));
	return o;
}

static const char *const kind_name[] = {
	[CMP_RANGE_DEST] = "preserved", [CMP_RANGE_SPIRAH] = "spirah",
	[CMP_RANGE_MDST] = "mdst", [CMP_RANGE_MDDT] = "mddt", [CMP_RANGE_MDRT] = "mdrt",
	[CMP_RANGE_PDA] = "proc_dump_area", [CMP_RANGE_PDA_QEMU] = "proc_dump_area_0x10300",
	[CMP_RANGE_THREADS] = "thread_records", [CMP_RANGE_META] = "mpipl_metadata",
	[CMP_RANGE_FDT] = "device_tree", [CMP_RANGE_REST] = "rest",
};

static json_t *range_json(const struct cmp_range *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(r->name));
	json_object_set_new(o, "kind", json_string(kind_name[r->kind]));
	json_object_set_new(o, "gpa", hex(r->gpa));
	json_object_set_new(o, "size", hex(r->len));
	json_object_set_new(o, "differing_bytes", hex(r->differing));
	json_object_set_new(o, "first_difference", r->differing ? hex(r->first) : json_null());
	json_object_set_new(o, "row", r->row && r->differing ? json_string(r->row) : json_null());
	return o;
}

static json_t *side_json(const struct cmp_session *s, int i)
{
	const struct cmp_side *c = &s->r.side[i];
	json_t *o = json_object(), *th = json_object();

	json_object_set_new(o, "file", json_string(s->path[i]));
	json_object_set_new(o, "format", json_string(snap_format_name(s->snap[i].format)));
	json_object_set_new(o, "ram_size", hex(s->snap[i].ram.size));
	json_object_set_new(o, "mdrt_counted", json_integer(c->mdrt_counted));
	json_object_set_new(th, "from", json_string(from_name[c->threads_from]));
	json_object_set_new(th, "gpa", hex(c->threads_gpa));
	json_object_set_new(th, "thread_size", hex(c->thread_size));
	json_object_set_new(th, "count", json_integer((json_int_t)c->n_threads));
	json_object_set_new(th, "capped", json_boolean(c->threads_capped));
	json_object_set_new(o, "threads", th);
	return o;
}

static json_t *compare_json(const struct cmp_session *s)
{
	const struct cmp_result *r = &s->r;
	json_t *o = json_object(), *diffs = json_array(), *ranges = json_array();
	json_t *rows = json_array(), *sum = json_object();
	const char *rn[N_ROWS];
	size_t n_rows = rows_named(r, rn);

	json_object_set_new(o, "a", side_json(s, 0));
	json_object_set_new(o, "b", side_json(s, 1));
	json_object_set_new(o, "equal", json_boolean(cmp_equal(r)));
	for (size_t i = 0; i < r->n_diff; i++)
		json_array_append_new(diffs, diff_json(s, &r->diff[i]));
	json_object_set_new(o, "differences", diffs);
	for (size_t i = 0; i + 1 < r->n_range; i++)
		json_array_append_new(ranges, range_json(&r->range[i]));
	json_object_set_new(o, "ranges", ranges);
	json_object_set_new(o, "rest", range_json(&r->range[r->n_range - 1]));
	for (size_t i = 0; i < n_rows; i++)
		json_array_append_new(rows, json_string(rn[i]));
	json_object_set_new(o, "rows", rows);
	json_object_set_new(sum, "fields", json_integer((json_int_t)r->n_diff));
	json_object_set_new(sum, "ranges", json_integer((json_int_t)r->n_ranges_differing));
	json_object_set_new(sum, "bytes", hex(r->bytes_differing));
	json_object_set_new(sum, "mdrt_entries_compared", json_integer(r->mdrt_compared));
	json_object_set_new(o, "summary", sum);
	return o;
}

void report_compare(FILE *out, const struct cmp_session *s, bool json)
{
	json_t *j;

	if (!json) {
		compare_text(out, s);
		return;
	}
	j = compare_json(s);
	json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(j);
}
