/* snap_build.c - see snap_build.h */
#include "input/snap_build.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void snap_free_parts(struct snapshot *s)
{
	ram_free(&s->ram);
	cpu_set_free(&s->cpus);
	for (size_t i = 0; i < s->n_notes; i++)
		free(s->notes[i]);
	free(s->notes);
	free(s->blocks);
	s->notes = NULL;
	s->blocks = NULL;
	s->n_notes = s->n_blocks = 0;
}
