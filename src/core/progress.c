/* progress.c - see progress.h */
#include "core/progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void progress_init(struct progress *p, bool enabled)
{
	p->enabled = enabled && isatty(STDERR_FILENO);
	p->what = NULL;
	p->total = p->done = 0;
	p->last_ms = 0;
	p->shown = false;
}

static void show(struct progress *p)
{
	fprintf(stderr, "\rmpiplsim: %s %3u%% (%llu / %llu MiB)\033[K", p->what,
		p->total ? (unsigned)(p->done * 100 / p->total) : 100,
		(unsigned long long)(p->done >> 20), (unsigned long long)(p->total >> 20));
	p->shown = true;
}

/* The line appears at once, so even a run shorter than one update interval shows it. */
void progress_start(struct progress *p, const char *what, uint64_t total)
{
	if (!p)
		return;
	p->what = what;
	p->total = total;
	p->done = 0;
	p->last_ms = 0;
	if (!p->enabled)
		return;
	p->last_ms = now_ms();
	show(p);
}

void progress_add(struct progress *p, uint64_t n)
{
	int64_t t;

	if (!p || !p->enabled)
		return;
	p->done += n;
	t = now_ms();
	if (t - p->last_ms < 100 && p->done < p->total)
		return;
	p->last_ms = t;
	show(p);
}

void progress_end(struct progress *p)
{
	if (p && p->shown) {
		fputs("\r\033[K", stderr);
		p->shown = false;
	}
}
