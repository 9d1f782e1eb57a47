/* post_image.c - see post_image.h */
#include "output/post_image.h"

#include "core/fileio.h"
#include "output/outfile.h"
#include "core/progress.h"

struct sink {
	int fd;
	struct progress *pr;
	const struct ram_image *ram;
};

static struct mperr *write_piece(void *ctx, uint64_t gpa, const uint8_t *data, uint64_t len)
{
	struct sink *s = ctx;

	struct mperr *err = pwrite_sparse(s->fd, data, len, gpa);

	ram_release(s->ram, data, len);
	progress_add(s->pr, len);
	return err;
}

struct mperr *post_image_write(const struct overlay *ovl, struct outfile *f,
			       struct progress *pr)
{
	struct sink s = { f->fd, pr, ovl->base };
	struct mperr *err;

	err = ovl_walk_data(ovl, 0, ovl->base->size, write_piece, &s);
	return mperr_in_file(err, f->path);
}
