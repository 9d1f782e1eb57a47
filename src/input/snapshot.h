/*
 * snapshot.h - a snapshot of one stopped guest: its RAM and its vCPUs.
 * Detects the format by content (snapshot-formats.md §1) unless forced, and
 * hands the mapped input to the reader of that format. Readers fill ram, cpus
 * and the descriptive parts below; they never see MPIPL tables.
 */
#ifndef MPIPLSIM_SNAPSHOT_H
#define MPIPLSIM_SNAPSHOT_H

#include "core/cpu_state.h"
#include "core/err.h"
#include "core/input_file.h"
#include "core/ram_image.h"

enum snap_format { SNAP_AUTO, SNAP_RAW, SNAP_MIG, SNAP_ELF, SNAP_KDUMP };

/* A memory block or segment of the input, as inspect reports it. */
struct snap_block {
	char name[64];		/* RAM block idstr, "PT_LOAD 3", ... */
	uint64_t gpa;		/* guest-physical base, if is_ram */
	uint64_t len;
	int is_ram;		/* mapped into guest RAM at gpa */
};

struct snapshot {
	struct input in;
	enum snap_format format;
	char format_detail[96];	/* "QEMU migration stream v3, machine powernv9", ... */
	struct ram_image ram;
	struct cpu_set cpus;	/* empty if the format carries no registers */
	struct snap_block *blocks;
	size_t n_blocks;
	char **notes;		/* free-form facts for inspect (e.g. how PIRs were found) */
	size_t n_notes;
};

const char *snap_format_name(enum snap_format f);
/* "raw", "mig", "elf", "kdump" -> format; -1 if unknown */
int snap_format_parse(const char *s);

struct mperr *snapshot_open(struct snapshot *s, const char *path, enum snap_format format,
			    const struct warn_sink *w);
void snapshot_close(struct snapshot *s);

/* for readers */
struct mperr *snap_add_block(struct snapshot *s, const char *name, uint64_t gpa, uint64_t len,
			     int is_ram);
struct mperr *snap_add_note(struct snapshot *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The readers: each gets the mapped input (s->in) and fills s. */
struct mperr *raw_read(struct snapshot *s, const struct warn_sink *w);
struct mperr *mig_read(struct snapshot *s, const struct warn_sink *w);
struct mperr *elf_read(struct snapshot *s, const struct warn_sink *w);
struct mperr *kdump_read(struct snapshot *s, const struct warn_sink *w);

#endif
