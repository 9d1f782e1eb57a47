/* cpu_state.c - see cpu_state.h */
#include "core/cpu_state.h"

#include <stdlib.h>
#include <string.h>

struct cpu_regs *cpu_set_add(struct cpu_set *set)
{
	struct cpu_regs *p, *r;

	if (set->n >= 1u << 20)
		return NULL;
	p = realloc(set->cpu, (set->n + 1) * sizeof(*p));
	if (!p)
		return NULL;
	set->cpu = p;
	r = &p[set->n];
	memset(r, 0, sizeof(*r));
	r->index = (uint32_t)set->n++;
	return r;
}

void cpu_set_free(struct cpu_set *set)
{
	free(set->cpu);
	set->cpu = NULL;
	set->n = 0;
}

static const struct cpu_set *sort_set;

static int by_pir(const void *a, const void *b)
{
	uint32_t pa = sort_set->cpu[*(const size_t *)a].pir;
	uint32_t pb = sort_set->cpu[*(const size_t *)b].pir;

	return pa < pb ? -1 : pa > pb;
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

struct mperr *cpu_set_check(const struct cpu_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		for (size_t j = i + 1; j < set->n; j++)
			if (set->cpu[i].pir == set->cpu[j].pir)
				return mperr_input("vCPU %zu and vCPU %zu both have PIR 0x%x", i, j,
						   set->cpu[i].pir);
	return NULL;
}
