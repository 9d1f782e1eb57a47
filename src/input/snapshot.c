/* snapshot.c - see snapshot.h */
#include "input/snapshot.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

static const char *const names[] = {
	[SNAP_AUTO] = "auto", [SNAP_RAW] = "raw", [SNAP_MIG] = "mig",
	[SNAP_ELF] = "elf", [SNAP_KDUMP] = "kdump",
};

const char *snap_format_name(enum snap_format f)
{
	return f <= SNAP_KDUMP ? names[f] : "?";
}

int snap_format_parse(const char *s)
{
	for (int i = SNAP_AUTO; i <= SNAP_KDUMP; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

/* snapshot-formats.md §1: detection by the first bytes, raw by exclusion */
static enum snap_format detect(const struct input *in)
{
	static const uint8_t qevm[4] = { 'Q', 'E', 'V', 'M' };
	static const uint8_t elf[4] = { 0x7f, 'E', 'L', 'F' };
	static const uint8_t flat[16] = "makedumpfile";

	/* "QEVM", and "QEMU" of obsolete v1 streams (the mig reader rejects those clearly) */
	if (in->len >= 4 && (!memcmp(in->map, qevm, 4) || !memcmp(in->map, "QEMU", 4)))
		return SNAP_MIG;
	if (in->len >= 4 && !memcmp(in->map, elf, 4))
		return SNAP_ELF;
	if (in->len >= 8 && !memcmp(in->map, "KDUMP   ", 8))
		return SNAP_KDUMP;
	if (in->len >= 16 && !memcmp(in->map, flat, 16))
		return SNAP_KDUMP;
	return SNAP_RAW;
}

struct mperr *snapshot_open(struct snapshot *s, const char *path, enum snap_format format,
			    const struct warn_sink *w)
{
	struct mperr *err;

	memset(s, 0, sizeof(*s));
	err = input_open(&s->in, path);
	if (err)
		return err;
	s->format = format == SNAP_AUTO ? detect(&s->in) : format;
	switch (s->format) {
	case SNAP_MIG:
		err = mig_read(s, w);
		break;
	case SNAP_ELF:
		err = elf_read(s, w);
		break;
	case SNAP_KDUMP:
		err = kdump_read(s, w);
		break;
	default:
		err = raw_read(s, w);
		break;
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
	/* fault tests (tests/faults.sh) change the input here, between mapping and reading */
	if (getenv("MPIPLSIM_TEST_STOP_AFTER_OPEN"))
		raise(SIGSTOP);
	return NULL;
}

void snapshot_close(struct snapshot *s)
{
	ram_free(&s->ram);
	cpu_set_free(&s->cpus);
	for (size_t i = 0; i < s->n_notes; i++)
		free(s->notes[i]);
	free(s->notes);
	free(s->blocks);
	input_close(&s->in);
	s->notes = NULL;
	s->blocks = NULL;
	s->n_notes = s->n_blocks = 0;
}

struct mperr *snap_add_block(struct snapshot *s, const char *name, uint64_t gpa, uint64_t len,
			     int is_ram)
{
	struct snap_block *p = realloc(s->blocks, (s->n_blocks + 1) * sizeof(*p));

	if (!p)
		return mperr_nomem();
	s->blocks = p;
	p += s->n_blocks++;
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->gpa = gpa;
	p->len = len;
	p->is_ram = is_ram;
	return NULL;
}

struct mperr *snap_add_note(struct snapshot *s, const char *fmt, ...)
{
	char **p = realloc(s->notes, (s->n_notes + 1) * sizeof(*p));
	va_list ap;
	int r;

	if (!p)
		return mperr_nomem();
	s->notes = p;
	va_start(ap, fmt);
	r = vasprintf(&p[s->n_notes], fmt, ap);
	va_end(ap);
	if (r < 0)
		return mperr_nomem();
	s->n_notes++;
	return NULL;
}
