/*
 * progress.h - one line on stderr, updated in place, only when stderr is a
 * terminal and not silenced (STYLE.md §7). A NULL progress does nothing.
 */
#ifndef MPIPLSIM_PROGRESS_H
#define MPIPLSIM_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
	bool enabled;
	const char *what;
	uint64_t total, done;
	int64_t last_ms;
	bool shown;
};

void progress_init(struct progress *p, bool enabled);
void progress_start(struct progress *p, const char *what, uint64_t total);
void progress_add(struct progress *p, uint64_t n);
void progress_end(struct progress *p);

#endif
