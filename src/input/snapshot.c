/*
 * snapshot.c - the format detector: walks the readers' ops tables
 * (snap_reader.h) in the order of snapshot-formats.md §1 (magic numbers
 * first, raw by exclusion last) and runs the reader that matched.
 */
#include "input/snapshot.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "input/snap_reader.h"

/* Detection order; raw, which has no magic, last. */
static const struct snap_reader *const readers[SNAP_NR_FORMATS] = {
	&snap_reader_mig, &snap_reader_elf, &snap_reader_kdump, &snap_reader_raw,
};

static const struct snap_reader *reader_of(enum snap_format f)
{
	for (unsigned i = 0; i < SNAP_NR_FORMATS; i++)
		if (readers[i]->format == f)
			return readers[i];
	return NULL;
}

const char *snap_format_name(enum snap_format f)
{
	const struct snap_reader *r = reader_of(f);

	return f == SNAP_AUTO ? "auto" : r ? r->name : "?";
}

int snap_format_parse(const char *s)
{
	if (!strcmp(s, "auto"))
		return SNAP_AUTO;
	for (unsigned i = 0; i < SNAP_NR_FORMATS; i++)
		if (!strcmp(s, readers[i]->name))
			return readers[i]->format;
	return -1;
}

/* Each probe in turn; the evidence of every probe asked is kept for -v. */
static const struct snap_reader *detect(struct snapshot *s, struct mperr **err)
{
	char tried[sizeof(((struct mperr *)0)->msg)] = "";
	size_t n = 0;

	for (unsigned i = 0; i < SNAP_NR_FORMATS; i++) {
		struct snap_evidence *e = &s->evidence[s->n_evidence++];

		e->format = readers[i]->format;
		e->match = readers[i]->probe(&s->in, e->why, sizeof(e->why));
		if (e->match)
			return readers[i];
		n += (size_t)snprintf(tried + n, n < sizeof(tried) ? sizeof(tried) - n : 0,
				      "%s%s (%s)", i ? ", " : "", readers[i]->name, e->why);
		if (n >= sizeof(tried))
			n = sizeof(tried);
	}
	*err = mperr_hint(mperr_input("not a recognised snapshot: tried %s", tried),
			  MPERR_HINT_FORMAT);
	return NULL;
}

/* A directory, device or FIFO is no snapshot of any format (say so before opening it). */
static struct mperr *check_kind(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0 || S_ISREG(st.st_mode))
		return NULL;	/* input_open() reports what is wrong with it */
	return mperr_input("not a recognised snapshot: %s, not a file of any format (mig, elf, "
			   "kdump, raw)", S_ISDIR(st.st_mode) ? "a directory" :
			   S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISCHR(st.st_mode) ||
			   S_ISBLK(st.st_mode) ? "a device" : "not a regular file");
}

struct mperr *snapshot_open(struct snapshot *s, const char *path, enum snap_format format,
			    const struct warn_sink *w)
{
	const struct snap_reader *r;
	struct mperr *err;

	memset(s, 0, sizeof(*s));
	err = check_kind(path);
	if (!err)
		err = input_open(&s->in, path);
	if (err)
		return mperr_in_file(err, path);
	r = format == SNAP_AUTO ? detect(s, &err) : reader_of(format);
	if (r) {
		s->format = r->format;
		err = r->read(s, w);
	}
	if (!err)
		err = ram_finish(&s->ram);
	s->ram.map = s->in.map;
	s->ram.map_len = s->in.len;
	s->ram.map_fd = s->in.fd;
	if (!err && s->cpus.n)
		err = cpu_set_check(&s->cpus);
	if (err) {
		snapshot_close(s);
		return mperr_in_file(err, path);
	}
	return NULL;
}

void snapshot_close(struct snapshot *s)
{
	snap_free_parts(s);
	input_close(&s->in);
}
