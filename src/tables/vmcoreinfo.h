/*
 * vmcoreinfo.h - the crashed kernel's VMCOREINFO: the "KEY=value" text the
 * kernel publishes in an ELF note named "VMCOREINFO" (kernel/vmcore_info.c,
 * crash_save_vmcoreinfo_init()) for dump tools. Found in one of three ways,
 * each named in `how`: the note of an ELF input (a vmcore), a note at a
 * guest-physical address the caller knows (fadump's crash info header), or
 * a search of guest RAM for the note itself. Values are looked up by key;
 * nothing here knows which structures they describe.
 */
#ifndef MPIPLSIM_VMCOREINFO_H
#define MPIPLSIM_VMCOREINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ram_image.h"

/* VMCOREINFO_BYTES is one page: 64 KiB at most on ppc64 */
#define VMCI_MAX_TEXT		0x10000u

enum vmci_source { VMCI_NONE, VMCI_ELF_NOTE, VMCI_AT_ADDRESS, VMCI_SCAN };

struct vmcoreinfo {
	enum vmci_source source;
	uint64_t where;			/* ELF note: file offset; else gpa of the note */
	bool big;			/* byte order of the note, hence of the kernel */
	char *text;			/* descsz bytes, NUL added; malloc'ed */
	size_t len;
	unsigned n_candidates;		/* VMCI_SCAN: notes found in RAM */
	char release[65];		/* OSRELEASE, "" if absent */
	char build_id[65];		/* BUILD-ID, "" if absent */
	bool crashtime;			/* CRASHTIME= present: the kernel recorded a crash */
};

/* The value of "KEY=value" in VMCOREINFO text (*vlen bytes, not terminated), or NULL. */
const char *vmcoreinfo_value(const char *text, size_t len, const char *key, size_t *vlen);

/*
 * The note "VMCOREINFO" at gpa (12-byte ELF note header, kernel byte order,
 * either accepted). max_len bounds the note as the pointer to it said.
 */
struct mperr *vmci_read_note(const struct ram_image *ram, uint64_t gpa, uint64_t max_len,
			     struct vmcoreinfo *v);
/*
 * Search the data of guest RAM for a VMCOREINFO note whose text starts with
 * OSRELEASE=; the first one (lowest address) is taken and the count kept.
 * A note whose header and name straddle two data extents is not seen.
 */
struct mperr *vmci_scan(const struct ram_image *ram, struct vmcoreinfo *v);
/*
 * The VMCOREINFO note among the PT_NOTE segments of the ELF64 file mapped at
 * [map, map + len). *found false (and NULL) if the file has none.
 */
struct mperr *vmci_from_elf(const uint8_t *map, size_t len, struct vmcoreinfo *v, bool *found);

/* "SYMBOL(x)" (hex) and "OFFSET(s.m)", "SIZE(s)", "LENGTH(x)", "NUMBER(x)" (decimal). */
bool vmci_symbol(const struct vmcoreinfo *v, const char *name, uint64_t *val);
bool vmci_number(const struct vmcoreinfo *v, const char *kind, const char *name, int64_t *val);
void vmci_free(struct vmcoreinfo *v);

/* A name for how it was found: "ELF note of the input", ... */
const char *vmci_source_name(enum vmci_source s);

#endif
