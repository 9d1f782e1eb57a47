/*
 * progress.h - one line on stderr, updated in place, only when stderr is a
 * terminal and not silenced (STYLE.md §7). A NULL progress does nothing.
 * One phase at a time (inflating a gzip input, writing the outputs), each
 * with a total known before it starts: the line never passes 100% and is
 * redrawn at most every PROGRESS_INTERVAL_MS.
 */
#ifndef MPIPLSIM_PROGRESS_H
#define MPIPLSIM_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#define PROGRESS_INTERVAL_MS	100	/* at most 10 redraws a second */

struct progress {
	bool enabled;
	const char *what;
	uint64_t total, done;
	uint64_t drawn;			/* done when last drawn */
	int64_t last_ms;
	bool shown;
};

void progress_init(struct progress *p, bool enabled);
void progress_start(struct progress *p, const char *what, uint64_t total);
void progress_add(struct progress *p, uint64_t n);
/* Erase the line (the caller may print a summary in its place). */
void progress_end(struct progress *p);
/* Milliseconds of CLOCK_MONOTONIC, for durations in summaries. */
int64_t progress_now_ms(void);

#endif
