/* plan.c - see plan.h */
#include "sim/plan.h"

#include <stdlib.h>

struct copy_piece *sim_new_piece(struct sim_plan *p)
{
	if (p->n_pieces == p->cap_pieces) {
		unsigned cap = p->cap_pieces ? 2 * p->cap_pieces : 16;
		struct copy_piece *n = realloc(p->piece, cap * sizeof(*n));

		if (!n)
			return NULL;
		p->piece = n;
		p->cap_pieces = cap;
	}
	return &p->piece[p->n_pieces++];
}

void sim_plan_free(struct sim_plan *p)
{
	free(p->order);
	free(p->piece);
	free(p->mdrt);
	p->order = NULL;
	p->piece = NULL;
	p->mdrt = NULL;
}
