/*
 * bytes.h - explicit-endian loads and stores, and a bounds-checked cursor.
 * Never cast file bytes to a struct (STYLE.md §3): alignment, padding and
 * byte order all lie. A leaf module: anyone may include it.
 */
#ifndef MPIPLSIM_BYTES_H
#define MPIPLSIM_BYTES_H

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t ld_be16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return be16toh(v);
}

static inline uint32_t ld_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return be32toh(v);
}

static inline uint64_t ld_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return be64toh(v);
}

static inline uint16_t ld_le16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

static inline uint32_t ld_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static inline uint64_t ld_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

/* Loads in a byte order chosen at run time (ELF, kdump, kernel structures). */
static inline uint32_t ld_u32(const uint8_t *p, bool big)
{
	return big ? ld_be32(p) : ld_le32(p);
}

static inline uint64_t ld_u64(const uint8_t *p, bool big)
{
	return big ? ld_be64(p) : ld_le64(p);
}

static inline void st_be16(uint8_t *p, uint16_t v)
{
	v = htobe16(v);
	memcpy(p, &v, sizeof(v));
}

static inline void st_be32(uint8_t *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, sizeof(v));
}

static inline void st_be64(uint8_t *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, sizeof(v));
}

static inline void st_u32(uint8_t *p, uint32_t v, bool big)
{
	v = big ? htobe32(v) : htole32(v);
	memcpy(p, &v, sizeof(v));
}

static inline void st_u64(uint8_t *p, uint64_t v, bool big)
{
	v = big ? htobe64(v) : htole64(v);
	memcpy(p, &v, sizeof(v));
}

/* A cursor over [base, base + len); pos never passes len. */
struct cur {
	const uint8_t *base;
	size_t len;
	size_t pos;
};

static inline struct cur cur_make(const void *base, size_t len)
{
	struct cur c = { base, len, 0 };

	return c;
}

static inline size_t cur_left(const struct cur *c)
{
	return c->len - c->pos;
}

static inline size_t cur_pos(const struct cur *c)
{
	return c->pos;
}

/* Take n bytes: *out points at them. False (and no move) if fewer are left. */
static inline bool cur_take(struct cur *c, size_t n, const uint8_t **out)
{
	if (n > cur_left(c))
		return false;
	*out = c->base + c->pos;
	c->pos += n;
	return true;
}

static inline bool cur_u8(struct cur *c, uint8_t *v)
{
	const uint8_t *p;

	if (!cur_take(c, 1, &p))
		return false;
	*v = p[0];
	return true;
}

static inline bool cur_be16(struct cur *c, uint16_t *v)
{
	const uint8_t *p;

	if (!cur_take(c, 2, &p))
		return false;
	*v = ld_be16(p);
	return true;
}

static inline bool cur_be32(struct cur *c, uint32_t *v)
{
	const uint8_t *p;

	if (!cur_take(c, 4, &p))
		return false;
	*v = ld_be32(p);
	return true;
}

static inline bool cur_be64(struct cur *c, uint64_t *v)
{
	const uint8_t *p;

	if (!cur_take(c, 8, &p))
		return false;
	*v = ld_be64(p);
	return true;
}

/* True if all n bytes are zero; fast on the common all-zero page. */
bool mem_is_zero(const void *p, size_t n);

#endif
