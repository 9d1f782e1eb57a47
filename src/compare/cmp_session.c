/* cmp_session.c - see cmp_session.h */
#include "compare/cmp_session.h"

#include <string.h>

struct mperr *cmp_session_run(struct cmp_session *s, const char *a, const char *b,
			      enum snap_format format, uint64_t opal_base,
			      const struct table_override *ovr, const struct warn_sink *w)
{
	struct mperr *err = NULL;

	memset(s, 0, sizeof(*s));
	s->path[0] = a;
	s->path[1] = b;
	for (int i = 0; !err && i < 2; i++) {
		err = snapshot_open(&s->snap[i], s->path[i], format, w);
		if (err)
			break;
		s->have_snap[i] = true;
		err = mperr_in_file(mpipl_tables_load(&s->snap[i].ram, opal_base, ovr, &s->t[i], w),
				    s->path[i]);
	}
	return err ? err : cmp_images(&s->t[0], &s->t[1], &s->r);
}

void cmp_session_close(struct cmp_session *s)
{
	cmp_result_free(&s->r);
	for (int i = 0; i < 2; i++)
		if (s->have_snap[i])
			snapshot_close(&s->snap[i]);
	memset(s, 0, sizeof(*s));
}
