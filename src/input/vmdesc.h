/*
 * vmdesc.h - the JSON "vmdescription" QEMU appends to a migration stream, and
 * the walk of a device section's bytes that it makes possible
 * (snapshot-formats.md §2.6-§2.7). Knows the VMState wire encoding (fields,
 * arrays, nested structs, subsections) but nothing about particular devices,
 * RAM or the section framing around the data.
 */
#ifndef MPIPLSIM_VMDESC_H
#define MPIPLSIM_VMDESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "core/err.h"

struct vmdesc;

/*
 * Find the trailing "06 be32 len {...}" record that ends exactly at the end of
 * [map, map + len). *rec_off is the offset of the 0x06 byte.
 */
bool vmdesc_locate(const uint8_t *map, size_t len, size_t *rec_off);

/* Parse the JSON text found at stream offset base (for error offsets). */
struct mperr *vmdesc_parse(struct vmdesc **out, const uint8_t *json, size_t len, size_t base);
void vmdesc_free(struct vmdesc *vd);

/* "page_size" of the description, 0 if absent. */
uint64_t vmdesc_page_size(const struct vmdesc *vd);

/* One top-level field of a device section, as the walk met it. */
struct vmdesc_field {
	const char *name;
	uint64_t size;		/* bytes per element */
	uint64_t count;		/* array_len, 1 for a scalar */
	size_t off;		/* stream offset of the first element */
	const uint8_t *data;	/* size * count bytes */
};

typedef struct mperr *(*vmdesc_field_fn)(void *ctx, const struct vmdesc_field *f);

/*
 * Walk the data of device section (name, instance, version) from c: its
 * fields, then the subsections the description lists, each checked to be
 * present (0x05, name, version). fn (may be NULL) sees each top-level field.
 * On success c stands on the first byte after the data (the footer).
 */
struct mperr *vmdesc_walk_device(struct vmdesc *vd, const char *name, uint32_t instance,
				 uint32_t version, struct cur *c, vmdesc_field_fn fn, void *ctx);

/*
 * Walk the fields of configuration subsection name (c is just after its
 * version) by the "configuration" description of newer QEMU; error if the
 * description does not have it.
 */
struct mperr *vmdesc_walk_config_sub(struct vmdesc *vd, const char *name, struct cur *c);

#endif
