/*
 * post_image.h - write the post-MPIPL RAM image: the overlay's view of
 * [0, size) as a raw file (offset = guest-physical address), sparse, zero
 * pages as holes. The caller owns the outfile (opened, committed or
 * aborted together with the other outputs, so none appears alone).
 */
#ifndef MPIPLSIM_POST_IMAGE_H
#define MPIPLSIM_POST_IMAGE_H

#include "core/err.h"
#include "core/overlay.h"

struct progress;

struct outfile;

/*
 * Write the image into f; the caller commits f with size ovl->base->size.
 * Each stretch written is added to pr (the caller starts and ends the phase).
 */
struct mperr *post_image_write(const struct overlay *ovl, struct outfile *f,
			       struct progress *pr);

#endif
