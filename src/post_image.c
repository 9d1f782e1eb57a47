/* post_image.c - see post_image.h */
#include "post_image.h"

#include "outfile.h"
#include "progress.h"

struct sink {
	int fd;
	struct progress *pr;
};

static struct mperr *write_piece(void *ctx, uint64_t gpa, const uint8_t *data, uint64_t len)
{
	struct sink *s = ctx;

	progress_add(s->pr, len);
	return pwrite_sparse(s->fd, data, len, gpa);
}

struct mperr *post_image_write(const struct overlay *ovl, struct outfile *f,
			       struct progress *pr)
{
	struct sink s = { f->fd, pr };
	struct mperr *err;

	progress_start(pr, "writing the post-MPIPL image", ovl->base->data_bytes);
	err = ovl_walk_data(ovl, 0, ovl->base->size, write_piece, &s);
	progress_end(pr);
	return mperr_in_file(err, f->path);
}
