/* post_image.c - see post_image.h */
#include "output/post_image.h"

#include <stdlib.h>

#include "core/fileio.h"
#include "output/outfile.h"
#include "core/progress.h"

struct sink {
	struct wcomb wc;
	struct progress *pr;
};

static void release(const void *ram, const uint8_t *data, uint64_t len)
{
	ram_release(ram, data, len);	/* peak RSS: one window of the input */
}

static struct mperr *write_piece(void *ctx, uint64_t gpa, const uint8_t *data, uint64_t len)
{
	struct sink *s = ctx;
	struct mperr *err = wc_add(&s->wc, data, len, gpa);

	progress_add(s->pr, len);
	return err;
}

struct mperr *post_image_write(const struct overlay *ovl, struct outfile *f,
			       struct progress *pr)
{
	const struct ram_image *ram = ovl->base;
	struct sink *s = malloc(sizeof(*s));	/* the combiner holds 16 KiB of iovecs */
	struct mperr *err;

	if (!s)
		return mperr_in_file(mperr_nomem(), f->path);
	wc_init(&s->wc, f->fd, release, ram);
	wc_set_source(&s->wc, ram->map, ram->map_len, ram->map_fd);
	s->pr = pr;
	err = ovl_walk_data(ovl, 0, ram->size, write_piece, s);
	if (!err)
		err = wc_flush(&s->wc);
	else
		mperr_free(wc_flush(&s->wc));
	free(s);
	return mperr_in_file(err, f->path);
}
