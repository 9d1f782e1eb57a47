/*
 * lib_builder.h - synthesise raw guest-RAM images (sparse temp files) holding
 * OPAL's MPIPL tables, for table-driven tests of every validation rule
 * (mpipl.md §10). Layouts follow the two real skiboot maps (mpipl.md §1).
 */
#ifndef MPIPLSIM_TEST_BUILDER_H
#define MPIPLSIM_TEST_BUILDER_H

#include <stddef.h>
#include <stdint.h>

enum rb_layout { RB_V70, RB_MASTER };

struct rb {
	char path[256];
	int fd;
	uint64_t size, base;
	uint64_t spirah, pda, mdst, mddt, mdrt, meta, threads;
};

/* A RAM image of size bytes with the standard tables: OPAL + kernel regions. */
void rb_create(struct rb *b, uint64_t size, enum rb_layout layout);
void rb_destroy(struct rb *b);

void rb_put(struct rb *b, uint64_t gpa, const void *bytes, size_t n);
void rb_be16(struct rb *b, uint64_t gpa, uint16_t v);
void rb_be32(struct rb *b, uint64_t gpa, uint32_t v);
void rb_be64(struct rb *b, uint64_t gpa, uint64_t v);
void rb_get(struct rb *b, uint64_t gpa, void *bytes, size_t n);

/* MDST (table 0) or MDDT (table 1) entry i; addr gets the HRMOR bit. */
void rb_entry(struct rb *b, int table, unsigned i, uint64_t addr, uint8_t region, uint32_t size);
/* act_cnt of MDST (0) / MDDT (1) in SPIRA-H */
void rb_count(struct rb *b, int table, uint16_t act_cnt);
/* SPIRA-H ntuple i field at offset off (0 addr, 8 alloc_cnt, 10 act_cnt, 12 alloc_len, 16 act_len) */
uint64_t rb_ntuple(struct rb *b, unsigned i, unsigned off);

/* Fill [gpa, gpa+len) with a pattern derived from gpa (non-zero, position-dependent). */
void rb_pattern(struct rb *b, uint64_t gpa, uint64_t len);

#endif
