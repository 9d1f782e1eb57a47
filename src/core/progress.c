/* progress.c - see progress.h */
#include "core/progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

int64_t progress_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void progress_init(struct progress *p, bool enabled)
{
	p->enabled = enabled && isatty(STDERR_FILENO);
	p->what = NULL;
	p->total = p->done = p->drawn = 0;
	p->last_ms = 0;
	p->shown = false;
}

static void show(struct progress *p)
{
	uint64_t done = p->done < p->total ? p->done : p->total;	/* never past 100% */

	fprintf(stderr, "\rmpiplsim: %s %3u%% (%llu / %llu MiB)\033[K", p->what,
		p->total ? (unsigned)(done * 100 / p->total) : 100,
		(unsigned long long)(done >> 20), (unsigned long long)(p->total >> 20));
	p->drawn = p->done;
	p->shown = true;
}

/* The line appears at once, so even a phase shorter than one interval shows it. */
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
	p->last_ms = progress_now_ms();
	show(p);
}

void progress_add(struct progress *p, uint64_t n)
{
	int64_t t;

	if (!p || !p->enabled)
		return;
	p->done += n;
	t = progress_now_ms();
	if (t - p->last_ms < PROGRESS_INTERVAL_MS)
		return;
	p->last_ms = t;
	show(p);
}

/* The final state (100% when the total was honest) is drawn once before the line goes. */
void progress_end(struct progress *p)
{
	if (p && p->shown && p->drawn != p->done)
		show(p);
	if (p && p->shown) {
		fputs("\r\033[K", stderr);
		p->shown = false;
	}
}
