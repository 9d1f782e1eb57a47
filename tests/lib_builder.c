/* lib_builder.c - see lib_builder.h */
#include "lib_builder.h"

#include <check.h>
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HRMOR (UINT64_C(1) << 63)

void rb_put(struct rb *b, uint64_t gpa, const void *bytes, size_t n)
{
	ck_assert_msg(pwrite(b->fd, bytes, n, (off_t)gpa) == (ssize_t)n, "builder write");
}

void rb_get(struct rb *b, uint64_t gpa, void *bytes, size_t n)
{
	ck_assert_msg(pread(b->fd, bytes, n, (off_t)gpa) == (ssize_t)n, "builder read");
}

void rb_be16(struct rb *b, uint64_t gpa, uint16_t v)
{
	v = htobe16(v);
	rb_put(b, gpa, &v, 2);
}

void rb_be32(struct rb *b, uint64_t gpa, uint32_t v)
{
	v = htobe32(v);
	rb_put(b, gpa, &v, 4);
}

void rb_be64(struct rb *b, uint64_t gpa, uint64_t v)
{
	v = htobe64(v);
	rb_put(b, gpa, &v, 8);
}

static uint64_t nt_addr(struct rb *b, unsigned i)
{
	return b->spirah + 0x40 + i * 0x20;
}

uint64_t rb_ntuple(struct rb *b, unsigned i, unsigned off)
{
	return nt_addr(b, i) + off;
}

static void put_ntuple(struct rb *b, unsigned i, uint64_t addr, uint16_t alloc_cnt,
		       uint16_t act_cnt, uint32_t alloc_len, uint32_t act_len)
{
	uint64_t a = nt_addr(b, i);

	rb_be64(b, a, addr);
	rb_be16(b, a + 8, alloc_cnt);
	rb_be16(b, a + 10, act_cnt);
	rb_be32(b, a + 12, alloc_len);
	rb_be32(b, a + 16, act_len);
}

/* struct spirah header, mpipl.md §2 worked example */
static void put_spirah(struct rb *b)
{
	static const uint8_t hdr[0x40] = {
		0xd1, 0xf0, 'S', 'P', 'I', 'R', 'A', 'H', 0x00, 0x00, 0x00, 0x50,
		0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x20,
		0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x30,
		0x00, 0x00, 0x00, 0xf0, 0, 0, 0, 0, 0, 0, 0, 0,
		0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x20,
		0x00, 0x00, 0x00, 0x18,
	};

	rb_put(b, b->spirah, hdr, sizeof(hdr));
}

void rb_entry(struct rb *b, int table, unsigned i, uint64_t addr, uint8_t region, uint32_t size)
{
	uint64_t a = (table ? b->mddt : b->mdst) + i * 16;
	uint8_t z[2] = { 0, 0 };

	rb_be64(b, a, addr | HRMOR);
	rb_put(b, a + 8, &region, 1);
	rb_put(b, a + 9, z, 1);
	rb_put(b, a + 10, z, 2);
	rb_be32(b, a + 12, size);
}

void rb_count(struct rb *b, int table, uint16_t act_cnt)
{
	rb_be16(b, nt_addr(b, table ? 4 : 3) + 10, act_cnt);
}

void rb_pattern(struct rb *b, uint64_t gpa, uint64_t len)
{
	uint8_t buf[4096];

	for (uint64_t o = 0; o < len; o += sizeof(buf)) {
		size_t n = len - o < sizeof(buf) ? (size_t)(len - o) : sizeof(buf);

		for (size_t i = 0; i < n; i += 8) {
			uint64_t v = htobe64((gpa + o + i) ^ 0x5a5a000000000000ULL);

			memcpy(buf + i, &v, n - i < 8 ? n - i : 8);
		}
		rb_put(b, gpa + o, buf, n);
	}
}

void rb_create(struct rb *b, uint64_t size, enum rb_layout layout)
{
	const char *dir = getenv("TMPDIR");
	uint64_t opal_size;

	memset(b, 0, sizeof(*b));
	snprintf(b->path, sizeof(b->path), "%s/mpiplsim-rb.XXXXXX", dir && *dir ? dir : "/tmp");
	b->fd = mkstemp(b->path);
	ck_assert_msg(b->fd >= 0, "mkstemp");
	ck_assert_int_eq(ftruncate(b->fd, (off_t)size), 0);
	b->size = size;
	b->base = 0x30000000;
	if (layout == RB_V70) {
		static const uint8_t spira[8] = { 0xd1, 0xf0, 'S', 'P', 'I', 'R', 'A', ' ' };

		rb_put(b, b->base + 0x10000, spira, sizeof(spira));
		b->spirah = b->base + 0x10400;
		b->pda = b->base + 0x10700;
		b->mdst = b->base + 0x11000;
		b->mddt = b->base + 0x11400;
		opal_size = 0x1c50000;
	} else {
		b->spirah = b->base + 0x10000;
		b->pda = b->base + 0x10300;
		b->mdst = b->base + 0x10c00;
		b->mddt = b->base + 0x11000;
		opal_size = 0x1c38000;
	}
	b->mdrt = b->base + 0x1c00000;
	b->meta = b->base + 0x1c08000;
	b->threads = 0x338a0000;
	put_spirah(b);
	put_ntuple(b, 0, 0x31200000, 1, 0, 0x800000, 0);
	put_ntuple(b, 3, b->mdst - b->base, 64, 2, 16, 16);
	put_ntuple(b, 4, b->mddt - b->base, 64, 2, 16, 16);
	put_ntuple(b, 5, b->mdrt, 1024, 1024, 32, 32);
	put_ntuple(b, 6, b->pda - b->base, 1, 1, 0x30, 0x30);
	/* OPAL region to just after itself, kernel's first 16 MiB to 0x34000000 */
	rb_entry(b, 0, 0, b->base, 0x03, (uint32_t)opal_size);
	rb_entry(b, 1, 0, b->base + opal_size, 0x03, (uint32_t)opal_size);
	rb_entry(b, 0, 1, 0, 0x80, 0x1000000);
	rb_entry(b, 1, 1, 0x34000000, 0x80, 0x1000000);
	rb_be64(b, b->pda + 0x10, b->threads | HRMOR);
	rb_be32(b, b->pda + 0x1c, 0x80000);
	rb_be32(b, b->meta, 4);
	rb_be64(b, b->meta + 4, 0x64c40000);
	rb_be64(b, b->meta + 12, 0x1000000);
	rb_pattern(b, 0, 0x10000);
	rb_pattern(b, 0xff0000, 0x10000);
	rb_pattern(b, b->base + 0x100000, 0x1000);
}

void rb_destroy(struct rb *b)
{
	close(b->fd);
	unlink(b->path);
}
