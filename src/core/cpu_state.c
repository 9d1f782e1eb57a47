/* cpu_state.c - see cpu_state.h */
#include "core/cpu_state.h"

#include <stdlib.h>
#include <string.h>

struct cpu_regs *cpu_set_add(struct cpu_set *set)
{
	struct cpu_regs *p, *r;

	if (set->n >= 1u << 20)
		return NULL;
	if (set->n >= set->cap) {	/* copying grows as n, not n^2 */
		size_t cap = set->n + set->n / 2 + 4;

		p = realloc(set->cpu, cap * sizeof(*p));
		if (!p)
			return NULL;
		set->cpu = p;
		set->cap = cap;
	}
	p = set->cpu;
	r = &p[set->n];
	memset(r, 0, sizeof(*r));
	r->index = (uint32_t)set->n++;
	return r;
}

void cpu_set_free(struct cpu_set *set)
{
	free(set->cpu);
	set->cpu = NULL;
	set->n = set->cap = 0;
}

static const struct cpu_set *sort_set;

static int by_pir(const void *a, const void *b)
{
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	uint32_t pa = sort_set->cpu[ia].pir, pb = sort_set->cpu[ib].pir;

	if (pa != pb)
		return pa < pb ? -1 : 1;
	return ia < ib ? -1 : ia > ib;	/* a total order: equal PIRs by position */
}

size_t *cpu_set_pir_order(const struct cpu_set *set)
{
	size_t *idx = calloc(set->n ? set->n : 1, sizeof(*idx));

	if (!idx)
		return NULL;
	for (size_t i = 0; i < set->n; i++)
		idx[i] = i;
	sort_set = set;
	qsort(idx, set->n, sizeof(*idx), by_pir);
	sort_set = NULL;
	return idx;
}

/*
 * In n log n (n grows with the file): the pair named is the one a scan of
 * every (i, j > i) finds first, the lowest i with a twin and its lowest twin.
 */
struct mperr *cpu_set_check(const struct cpu_set *set)
{
	size_t *idx = cpu_set_pir_order(set), i = SIZE_MAX, j = 0;

	if (!idx)
		return mperr_nomem();
	for (size_t k = 1; k < set->n; k++)
		if (set->cpu[idx[k]].pir == set->cpu[idx[k - 1]].pir &&
		    (k < 2 || set->cpu[idx[k - 2]].pir != set->cpu[idx[k]].pir) &&
		    idx[k - 1] < i) {
			i = idx[k - 1];	/* the first two of a run of equal PIRs */
			j = idx[k];
		}
	free(idx);
	if (i == SIZE_MAX)
		return NULL;
	return mperr_input("vCPU %zu and vCPU %zu both have PIR 0x%x", i, j, set->cpu[i].pir);
}
