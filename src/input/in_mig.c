/*
 * in_mig.c - QEMU migration stream (savevm format, "QEVM" version 3) as
 * `migrate "exec:cat > FILE"` or a `file:` URI writes it, QEMU 7.2 to current
 * (snapshot-formats.md §2-§5). One forward pass over the mapped stream: page
 * records are indexed where they lie, never copied; device sections are
 * walked with the trailing JSON vmdescription, which is located first; the
 * ppc `cpu` sections give the registers.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "input/snap_reader.h"
#include "input/vmdesc.h"

#define QEVM_MAGIC 0x5145564du		/* "QEVM" */
#define QEMU_V1_MAGIC 0x51454d55u	/* "QEMU": QEMU_VM_FILE_MAGIC_COMPAT */
#define QEVM_VERSION 3
#define RAM_VERSION 4
#define DEFAULT_PAGE_SIZE 4096u		/* TARGET_PAGE_SIZE of ppc64, §3.4 */
#define MAIN_RAM_BLOCK "pnv.ram"	/* §3.3 */

/* record types, §2.2 */
enum {
	VM_EOF = 0x00, VM_START = 0x01, VM_PART = 0x02, VM_END = 0x03, VM_FULL = 0x04,
	VM_SUBSECTION = 0x05, VM_VMDESC = 0x06, VM_CONFIG = 0x07, VM_COMMAND = 0x08,
	VM_FOOTER = 0x7e,
};

/* flags in the low bits of a ram record's be64, §3.1 */
enum {
	RAM_FULL = 0x01, RAM_ZERO = 0x02, RAM_MEM_SIZE = 0x04, RAM_PAGE = 0x08, RAM_EOS = 0x10,
	RAM_CONTINUE = 0x20, RAM_XBZRLE = 0x40, RAM_HOOK = 0x80, RAM_COMPRESS = 0x100,
	RAM_MULTIFD_FLUSH = 0x200,
};

/* QEMU_VM_COMMAND numbers (migration/savevm.c enum qemu_vm_cmd) */
enum {
	CMD_OPEN_RETURN_PATH = 1, CMD_PING = 2, CMD_POSTCOPY_ADVISE = 3,
	CMD_SWITCHOVER_START = 0x0b,
};

#define MAX_BLOCKS 4096		/* QEMU machines have a handful */
#define MAPPED_RAM_HDR_SIZE 28	/* packed: be32 version, be64 page size, bitmap, pages (§4) */
#define MAPPED_RAM_VERSION 1

struct mig_block {
	char id[256];
	uint64_t len;
	size_t off;			/* of its MEM_SIZE entry */
	bool in_file;			/* false: mapped-ram says x-ignore-shared left it out */
	uint64_t bitmap_off, pages_off;	/* mapped-ram only */
	uint64_t n_page, n_zero;	/* records (or bitmap bits) seen */
};

struct sec {
	uint8_t type;
	size_t off;		/* of the type byte */
	uint32_t id;
	char name[256];
	uint32_t instance, version;
};

struct mig {
	struct snapshot *s;
	const struct warn_sink *w;
	struct cur c;
	struct vmdesc *vd;
	size_t vd_off;		/* offset of its 0x06 record, if vd */
	uint64_t page_size;
	char machine[40];	/* fits format_detail */
	bool seen_config, cap_mapped_ram, cap_ignore_shared, postcopy_ram;
	struct mig_block *blk;
	size_t n_blk, cap_blk;
	uint16_t by_id[MAX_BLOCKS];	/* block indexes sorted by id: find_block in log n */
	bool have_blocks;
	size_t ram_blk;		/* the block that is guest RAM at gpa 0 */
	long cur_blk;		/* CONTINUE context; persists across sections (§3.1) */
	bool have_ram_sec;
	uint32_t ram_sec_id;
	const uint8_t *fill[256];	/* one shared page per non-zero ZERO fill byte */
	bool have_cpu;
	uint32_t last_cpu;
	size_t released;	/* stream bytes before this were dropped from our RSS */
	/*
	 * Pages of the RAM block are indexed as runs: page records at consecutive
	 * addresses whose data lie at a fixed distance in the stream (a record
	 * header between) make one extent, so memory does not grow with the
	 * number of pages. Only pages above every page indexed so far (hw) join a
	 * run; a page sent again is added alone and wins (ram_add_pages()).
	 */
	uint64_t run_gpa, run_len, hw;
	const uint8_t *run_data;
	uint32_t run_step;
};

#define RELEASE_STEP (8u << 20)

/*
 * Parsed stream bytes leave the resident set every RELEASE_STEP (they stay in
 * the page cache; pages that RAM extents point to fault back in when read),
 * so peak RSS does not grow with the number of zero records, i.e. guest size.
 */
static void release_parsed(struct mig *m)
{
	size_t pos = cur_pos(&m->c);

	if (pos - m->released < RELEASE_STEP)
		return;
	map_release(m->s->in.map, m->s->in.len, m->s->in.map + m->released, pos - m->released);
	m->released = pos;
}

static struct mperr *truncated(const struct mig *m, size_t need, const char *what)
{
	return mperr_at(mperr_input("truncated: %s needs %zu bytes at 0x%zx, the file ends at 0x%zx",
				    what, need, cur_pos(&m->c), m->c.len),
			cur_pos(&m->c));
}

/*
 * u8 length + bytes, as idstrs are written; no NUL inside, not empty. Names
 * stay as the file has them, in messages too: printing escapes them (text.h).
 */
static struct mperr *read_name(struct mig *m, const char *what, char out[256])
{
	size_t off = cur_pos(&m->c);
	const uint8_t *p;
	uint8_t len;

	if (!cur_u8(&m->c, &len))
		return truncated(m, 1, what);
	if (!cur_take(&m->c, len, &p))
		return truncated(m, len, what);
	if (len == 0 || memchr(p, 0, len))
		return mperr_at(mperr_input("%s at 0x%zx is %s", what, off,
					    len ? "not a string (has a NUL byte)" : "empty"), off);
	memcpy(out, p, len);
	out[len] = '\0';
	return NULL;
}

static bool good_page_size(uint64_t ps)
{
	/* flags up to 0x200 must fit below the page offset (§3.1) */
	return ps >= 1024 && ps <= 65536 && !(ps & (ps - 1));
}

/* §2.1; also recognises the formats we reject so the message can say so */
static struct mperr *read_header(struct mig *m)
{
	uint32_t magic, version;

	if (m->c.len < 8)
		return mperr_at(mperr_input("file of 0x%zx bytes is too short for a migration stream header",
					    m->c.len), 0);
	cur_be32(&m->c, &magic);
	cur_be32(&m->c, &version);
	if (magic == QEMU_V1_MAGIC)
		return mperr_at(mperr_input("old QEMU savevm format (magic \"QEMU\", version 1) is not supported, expected \"QEVM\" version 3"),
				0);
	if (magic != QEVM_MAGIC)
		return mperr_at(mperr_input("not a QEMU migration stream: magic 0x%08" PRIx32 ", expected 0x5145564d (\"QEVM\")",
					    magic), 0);
	if (version != QEVM_VERSION)
		return mperr_at(mperr_input("QEVM stream version %" PRIu32 " is not supported, expected 3%s",
					    version, version == 2 ? " (2 is the obsolete compat version)" : ""),
				4);
	return NULL;
}

/* The JSON must be known before the first device section; it ends the file (§2.7). */
static struct mperr *load_vmdesc(struct mig *m)
{
	const uint8_t *map = m->c.base;
	size_t off;
	uint64_t ps;
	struct mperr *err;

	if (!vmdesc_locate(map, m->c.len, &off) || off < 9)
		return NULL;	/* absent: fine until a device section needs it */
	err = vmdesc_parse(&m->vd, map + off + 5, m->c.len - off - 5, off + 5);
	if (err)
		return mperr_prefix(err, "vmdescription at 0x%zx", off);
	m->vd_off = off;
	ps = vmdesc_page_size(m->vd);
	if (ps && !good_page_size(ps))
		return mperr_at(mperr_input("vmdescription at 0x%zx: page_size 0x%" PRIx64 " is not a power of two from 1 KiB to 64 KiB",
					    off, ps), off);
	if (ps)
		m->page_size = ps;
	return NULL;
}

/* configuration/capabilities: be32 count, then count x (u8 length + name) */
static struct mperr *config_caps(struct mig *m)
{
	uint32_t n;

	if (!cur_be32(&m->c, &n))
		return truncated(m, 4, "capability count");
	if (n > cur_left(&m->c))
		return mperr_at(mperr_input("%" PRIu32 " capabilities cannot fit in the 0x%zx bytes left",
					    n, cur_left(&m->c)), cur_pos(&m->c) - 4);
	for (uint32_t i = 0; i < n; i++) {
		char cap[256];
		struct mperr *err = read_name(m, "capability name", cap);

		if (err)
			return err;
		if (!strcmp(cap, "mapped-ram"))
			m->cap_mapped_ram = true;
		else if (!strcmp(cap, "x-ignore-shared"))
			m->cap_ignore_shared = true;
		else
			warnf(m->w, "%s: unknown migration capability \"%s\" in the configuration",
			      m->s->in.path, cap);
	}
	return NULL;
}

static struct mperr *config_page_bits(struct mig *m)
{
	size_t off = cur_pos(&m->c);
	uint32_t bits;

	if (!cur_be32(&m->c, &bits))
		return truncated(m, 4, "target page bits");
	if (bits < 10 || bits > 16)
		return mperr_at(mperr_input("target page bits %" PRIu32 " out of range 10..16", bits),
				off);
	if (m->vd && vmdesc_page_size(m->vd) && vmdesc_page_size(m->vd) != 1u << bits)
		return mperr_at(mperr_input("target page size 0x%x disagrees with the vmdescription's page_size 0x%" PRIx64,
					    1u << bits, vmdesc_page_size(m->vd)), off);
	m->page_size = 1u << bits;
	return NULL;
}

/* One subsection of the configuration (§2.3): 0x05, name, be32 version, payload. */
static struct mperr *config_sub(struct mig *m)
{
	size_t off = cur_pos(&m->c);
	char name[256];
	uint32_t ver = 0;
	struct mperr *err;

	m->c.pos++;	/* the 0x05 the caller saw */
	err = read_name(m, "configuration subsection name", name);
	if (!err && !cur_be32(&m->c, &ver))
		err = truncated(m, 4, "subsection version");
	if (err)
		return err;
	if (ver == 1 && !strcmp(name, "configuration/capabilities"))
		err = config_caps(m);
	else if (ver == 1 && !strcmp(name, "configuration/target-page-bits"))
		err = config_page_bits(m);
	else if (ver == 1 && !strcmp(name, "configuration/uuid"))
		err = cur_left(&m->c) < 16 ? truncated(m, 16, "uuid") : (m->c.pos += 16, NULL);
	else
		err = vmdesc_walk_config_sub(m->vd, name, &m->c);
	return err ? mperr_at(mperr_prefix(err, "configuration subsection \"%s\" at 0x%zx",
					   name, off), off) : NULL;
}

/* §2.3: be32 length + machine name, then subsections while the next byte is 0x05 */
static struct mperr *read_config(struct mig *m, size_t off)
{
	const uint8_t *p;
	uint32_t len;
	size_t i;

	if (m->seen_config)
		return mperr_at(mperr_input("second configuration record at 0x%zx", off), off);
	m->seen_config = true;
	if (!cur_be32(&m->c, &len))
		return truncated(m, 4, "machine name length");
	if (!cur_take(&m->c, len, &p))
		return truncated(m, len, "machine name");
	for (i = 0; i < len && i < sizeof(m->machine) - 1; i++)	/* escaped when printed */
		m->machine[i] = p[i] ? (char)p[i] : '?';
	m->machine[i] = '\0';
	while (cur_left(&m->c) && m->c.base[m->c.pos] == VM_SUBSECTION) {
		struct mperr *err = config_sub(m);

		if (err)
			return err;
	}
	return NULL;
}

/* Where id is or would go in by_id. */
static size_t block_pos(const struct mig *m, const char *id)
{
	size_t lo = 0, hi = m->n_blk;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(m->blk[m->by_id[mid]].id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Page records name their block again and again: a look-up costs log n
 * comparisons, not n, so a crafted stream's time stays proportional to its size.
 */
static long find_block(const struct mig *m, const char *id)
{
	size_t i = block_pos(m, id);

	return i < m->n_blk && !strcmp(m->blk[m->by_id[i]].id, id) ? m->by_id[i] : -1;
}

/*
 * postcopy-ram adds be64 page size for blocks whose page size is not the
 * host's (§3.2), which the stream does not announce: a power of two above the
 * target page size cannot be a record (those carry flag bits) nor a name.
 */
static void skip_postcopy_page_size(struct mig *m, const struct mig_block *b)
{
	uint64_t v;

	if (!m->postcopy_ram || cur_left(&m->c) < 8)
		return;
	v = ld_be64(m->c.base + m->c.pos);
	if (v > m->page_size && v <= 1ULL << 40 && !(v & (v - 1))) {
		m->c.pos += 8;
		warnf(m->w, "%s: ram block \"%s\" has postcopy page size 0x%" PRIx64,
		      m->s->in.path, b->id, v);
	}
}

/* §4: MappedRamHeader after the block's MEM_SIZE entry; the stream resumes after its pages */
static struct mperr *mapped_ram_header(struct mig *m, struct mig_block *b)
{
	size_t off = cur_pos(&m->c), flen = m->c.len;
	uint64_t ps, nbits, bm_size, bm_end, pg_end;
	const uint8_t *h;
	uint32_t ver;

	if (!cur_take(&m->c, MAPPED_RAM_HDR_SIZE, &h))
		return truncated(m, MAPPED_RAM_HDR_SIZE, "mapped-ram header");
	ver = ld_be32(h);
	ps = ld_be64(h + 4);
	b->bitmap_off = ld_be64(h + 12);
	b->pages_off = ld_be64(h + 20);
	if (ver != MAPPED_RAM_VERSION)
		return mperr_at(mperr_input("mapped-ram header version %" PRIu32 ", expected 1", ver),
				off);
	if (ps != m->page_size)
		return mperr_at(mperr_input("mapped-ram header page size 0x%" PRIx64 ", the stream's is 0x%" PRIx64,
					    ps, m->page_size), off + 4);
	if (!b->bitmap_off && !b->pages_off) {
		b->in_file = false;	/* x-ignore-shared: shared memory, not in the file */
		return NULL;
	}
	nbits = b->len / ps;
	bm_size = (nbits + 63) / 64 * 8;	/* host unsigned longs */
	if (b->bitmap_off < cur_pos(&m->c) || __builtin_add_overflow(b->bitmap_off, bm_size, &bm_end) ||
	    bm_end > b->pages_off || b->pages_off % ps ||
	    __builtin_add_overflow(b->pages_off, b->len, &pg_end) || pg_end > flen)
		return mperr_at(mperr_input("mapped-ram bitmap at 0x%" PRIx64 " (0x%" PRIx64 " bytes) and pages at 0x%" PRIx64 " (0x%" PRIx64 " bytes) do not fit between 0x%zx and the end of the file at 0x%zx",
					    b->bitmap_off, bm_size, b->pages_off, b->len,
					    cur_pos(&m->c), flen),
				off + 12);
	m->c.pos = (size_t)pg_end;	/* forward only: pg_end > bitmap_off >= pos */
	return NULL;
}

/* One entry of the MEM_SIZE list: name, used_length, then the capability-dependent fields */
static struct mperr *block_entry(struct mig *m, struct mig_block *b, uint64_t left, uint64_t total)
{
	size_t off = cur_pos(&m->c);
	struct mperr *err = read_name(m, "ram block name", b->id);

	if (err)
		return err;
	b->off = off;
	if (!cur_be64(&m->c, &b->len))
		return truncated(m, 8, "ram block length");
	if (b->len > left || b->len == 0 || b->len % m->page_size)
		return mperr_at(mperr_input("ram block \"%s\" at 0x%zx: length 0x%" PRIx64 " %s (list total 0x%" PRIx64 ", 0x%" PRIx64 " left)",
					    b->id, off, b->len,
					    b->len > left ? "exceeds what is left of the list total" :
					    "is not a positive multiple of the page size", total, left),
				off);
	if (find_block(m, b->id) >= 0)
		return mperr_at(mperr_input("ram block \"%s\" listed twice", b->id), off);
	b->in_file = true;
	skip_postcopy_page_size(m, b);
	if (m->cap_ignore_shared && cur_left(&m->c) < 8)
		return truncated(m, 8, "ram block address (x-ignore-shared)");
	if (m->cap_ignore_shared)
		m->c.pos += 8;	/* mr->addr: only the loader's sanity check */
	if (m->cap_mapped_ram)
		return mapped_ram_header(m, b);
	return NULL;
}

/* §4: index runs of set bitmap bits; the bitmap is host longs, taken as little-endian */
static struct mperr *mapped_ram_index(struct mig *m, struct mig_block *b)
{
	const uint8_t *bm = m->c.base + b->bitmap_off;
	uint64_t ps = m->page_size, n = b->len / ps, i = 0;
	struct mperr *err;

	while (i < n) {
		uint64_t j;

		if (i % 8 == 0 && !bm[i / 8]) {
			i += 8;
			continue;
		}
		if (!(bm[i / 8] >> (i % 8) & 1)) {
			i++;
			continue;
		}
		for (j = i + 1; j < n && (bm[j / 8] >> (j % 8) & 1); j++)
			;
		err = ram_add(&m->s->ram, i * ps, (j - i) * ps, m->c.base + b->pages_off + i * ps);
		if (err)
			return err;
		b->n_page += j - i;
		i = j;
	}
	b->n_zero = n - b->n_page;
	return NULL;
}

/* The machine's RAM is "pnv.ram" (or a memory backend's id): else the largest block (§3.3). */
static struct mperr *blocks_done(struct mig *m)
{
	struct snapshot *s = m->s;
	struct mperr *err;
	long r = find_block(m, MAIN_RAM_BLOCK);

	if (r < 0) {
		r = 0;
		for (size_t i = 1; i < m->n_blk; i++)
			if (m->blk[i].len > m->blk[r].len)
				r = (long)i;
	}
	m->ram_blk = (size_t)r;
	m->have_blocks = true;
	for (size_t i = 0; i < m->n_blk; i++) {
		err = snap_add_block(s, m->blk[i].id, 0, m->blk[i].len, i == m->ram_blk);
		if (err)
			return err;
	}
	ram_init(&s->ram, m->blk[r].len);
	if (m->cap_mapped_ram && m->blk[r].in_file)
		return mapped_ram_index(m, &m->blk[r]);
	return NULL;
}

/* MEM_SIZE (§3.2): entries until their lengths add up to total */
static struct mperr *block_list(struct mig *m, uint64_t total, size_t off)
{
	uint64_t left = total;

	if (m->have_blocks)
		return mperr_at(mperr_input("second ram block list (MEM_SIZE) at 0x%zx", off), off);
	if (!total)
		return mperr_at(mperr_input("ram block list at 0x%zx has total size 0", off), off);
	while (left) {
		struct mig_block b = { 0 };
		struct mperr *err = block_entry(m, &b, left, total);
		size_t pos;

		if (err)
			return err;
		if (m->n_blk == MAX_BLOCKS)
			return mperr_at(mperr_input("ram block list at 0x%zx has more than %d blocks", off,
						    MAX_BLOCKS), b.off);
		if (m->n_blk == m->cap_blk) {
			size_t cap = m->cap_blk ? 2 * m->cap_blk : 8;
			struct mig_block *p = realloc(m->blk, cap * sizeof(*p));

			if (!p)
				return mperr_nomem();
			m->blk = p;
			m->cap_blk = cap;
		}
		pos = block_pos(m, b.id);
		memmove(m->by_id + pos + 1, m->by_id + pos, (m->n_blk - pos) * sizeof(m->by_id[0]));
		m->by_id[pos] = (uint16_t)m->n_blk;
		m->blk[m->n_blk++] = b;
		left -= b.len;
	}
	return blocks_done(m);
}

static const uint8_t *fill_page(struct mig *m, uint8_t fill, struct mperr **err)
{
	uint8_t *p;

	*err = NULL;
	if (m->fill[fill])
		return m->fill[fill];
	p = malloc(m->page_size);
	if (!p) {
		*err = mperr_nomem();
		return NULL;
	}
	memset(p, fill, m->page_size);
	*err = ram_own(&m->s->ram, p);
	if (*err)
		return NULL;
	warnf(m->w, "%s: zero-page records with fill byte 0x%02x (old QEMU); those pages are materialised",
	      m->s->in.path, fill);
	m->fill[fill] = p;
	return p;
}

static struct mperr *run_flush(struct mig *m)
{
	struct mperr *err = NULL;

	if (m->run_len)
		err = ram_add_pages(&m->s->ram, m->run_gpa, m->run_len, m->run_data,
				    (uint32_t)m->page_size,
				    m->run_step ? m->run_step : (uint32_t)m->page_size);
	m->run_len = 0;
	return err;
}

/* One page of the RAM block: data in the stream, a shared fill page, or NULL for zeros. */
static struct mperr *add_page(struct mig *m, uint64_t addr, const uint8_t *data, bool in_stream)
{
	uint64_t ps = m->page_size, k = m->run_len / ps, want;
	struct mperr *err;

	if (in_stream && addr >= m->hw) {
		if (k && addr == m->run_gpa + m->run_len && data > m->run_data) {
			uint64_t d = (uint64_t)(data - m->run_data);

			if (k == 1 && d >= ps && d <= UINT32_MAX)
				m->run_step = (uint32_t)d;
			if (m->run_step && !__builtin_mul_overflow(k, (uint64_t)m->run_step, &want) &&
			    d == want) {
				m->run_len += ps;
				m->hw = addr + ps;
				return NULL;
			}
		}
		err = run_flush(m);
		m->run_gpa = addr;
		m->run_len = ps;
		m->run_data = data;
		m->run_step = 0;
		m->hw = addr + ps;
		return err;
	}
	if (!data && addr >= m->hw)
		return NULL;	/* zero over nothing: no entry, so zero pages cost nothing */
	err = run_flush(m);	/* first, so that what follows wins over it */
	if (!err && data && addr + ps > m->hw)
		m->hw = addr + ps;
	return err ? err : ram_add(&m->s->ram, addr, ps, data);
}

/* ZERO or PAGE: [name unless CONTINUE], then a fill byte or the page itself */
static struct mperr *ram_page(struct mig *m, uint64_t addr, unsigned flags, size_t off)
{
	const uint8_t *data = NULL;
	struct mig_block *b;
	struct mperr *err;
	char id[256];

	if (!m->have_blocks || m->cap_mapped_ram)
		return mperr_at(mperr_input("page record at 0x%zx %s", off, m->have_blocks ?
					    "in a mapped-ram stream, which keeps pages outside the records" :
					    "before the ram block list (MEM_SIZE)"), off);
	if (!(flags & RAM_CONTINUE)) {
		err = read_name(m, "ram block name", id);
		if (err)
			return err;
		m->cur_blk = find_block(m, id);
		if (m->cur_blk < 0)
			return mperr_at(mperr_input("page record at 0x%zx names unknown ram block \"%s\"",
						    off, id), off);
	} else if (m->cur_blk < 0) {
		return mperr_at(mperr_input("page record at 0x%zx continues a block, but no block was named before",
					    off), off);
	}
	b = &m->blk[m->cur_blk];
	if (addr >= b->len || b->len - addr < m->page_size)
		return mperr_at(mperr_input("page 0x%" PRIx64 " at 0x%zx is beyond ram block \"%s\" (0x%" PRIx64 " bytes)",
					    addr, off, b->id, b->len), off);
	if (flags & RAM_ZERO) {
		uint8_t fill;

		if (!cur_u8(&m->c, &fill))
			return truncated(m, 1, "zero page fill byte");
		b->n_zero++;
		if (fill && (size_t)m->cur_blk == m->ram_blk) {
			data = fill_page(m, fill, &err);
			if (!data)
				return err;
		}
	} else {
		if (!cur_take(&m->c, m->page_size, &data))
			return truncated(m, m->page_size, "page data");
		b->n_page++;
	}
	if ((size_t)m->cur_blk != m->ram_blk)
		return NULL;	/* ROM and the like: reported as blocks, never mixed into RAM */
	return add_page(m, addr, data, !(flags & RAM_ZERO));
}

static struct mperr *bad_flags(unsigned flags, size_t off)
{
	const char *what;

	if (flags & RAM_XBZRLE)
		what = "XBZRLE-encoded page (flag 0x40, capability xbzrle) is not supported";
	else if (flags & RAM_COMPRESS)
		what = "compressed page (flag 0x100, capability compress) is not supported";
	else if (flags & RAM_HOOK)
		what = "RDMA hook (flag 0x80) cannot appear in a file";
	else if (flags & RAM_FULL)
		what = "obsolete FULL flag 0x01 is not supported";
	else if (flags & ~(RAM_ZERO | RAM_MEM_SIZE | RAM_PAGE | RAM_EOS | RAM_CONTINUE |
			   RAM_MULTIFD_FLUSH))
		what = "unknown flags";
	else
		what = "flags that do not go together";
	return mperr_at(mperr_input("ram record at 0x%zx: flags 0x%x: %s", off, flags, what), off);
}

/* Records of one START/PART/END section of "ram", up to EOS (§3.1). */
static struct mperr *ram_records(struct mig *m)
{
	for (;;) {
		size_t off = cur_pos(&m->c);
		uint64_t v, addr;
		unsigned flags;
		struct mperr *err;

		if (!cur_be64(&m->c, &v))
			return truncated(m, 8, "ram record");
		flags = (unsigned)(v & (m->page_size - 1));
		addr = v & ~(m->page_size - 1);
		/* as QEMU's ram_load_precopy: one kind per record, CONTINUE aside */
		switch (flags & ~RAM_CONTINUE) {
		case RAM_MEM_SIZE:
			err = block_list(m, addr, off);
			break;
		case RAM_ZERO:
		case RAM_PAGE:
			err = ram_page(m, addr, flags, off);
			break;
		case RAM_MULTIFD_FLUSH:
			err = NULL;
			break;
		case RAM_EOS:
			return NULL;
		default:
			err = bad_flags(flags, off);
			break;
		}
		if (err)
			return mperr_at(err, off);
		release_parsed(m);
	}
}

/* be32 id, idstr, be32 instance, be32 version: START and FULL (§2.4) */
static struct mperr *sec_header(struct mig *m, struct sec *sec)
{
	struct mperr *err;

	if (!cur_be32(&m->c, &sec->id))
		return truncated(m, 4, "section id");
	err = read_name(m, "section name", sec->name);
	if (err)
		return err;
	if (!cur_be32(&m->c, &sec->instance) || !cur_be32(&m->c, &sec->version))
		return truncated(m, 4, "section instance and version");
	return NULL;
}

static struct mperr *sec_footer(struct mig *m, const struct sec *sec)
{
	size_t off = cur_pos(&m->c);
	uint8_t t;
	uint32_t id;

	if (!cur_u8(&m->c, &t))
		return truncated(m, 5, "section footer");
	if (t == VM_SUBSECTION)
		return mperr_at(mperr_input("subsection at 0x%zx that the vmdescription does not list",
					    off), off);
	if (t != VM_FOOTER)
		return mperr_at(mperr_input("expected the section footer 0x7e at 0x%zx, found 0x%02x",
					    off, t), off);
	if (!cur_be32(&m->c, &id))
		return truncated(m, 4, "section footer id");
	if (id != sec->id)
		return mperr_at(mperr_input("footer id %" PRIu32 ", expected %" PRIu32, id, sec->id),
				off);
	return NULL;
}

static struct mperr *in_section(struct mperr *err, const struct sec *sec)
{

	if (!err)
		return NULL;
	if (sec->type == VM_PART || sec->type == VM_END)
		return mperr_prefix(err, "section %" PRIu32 " (\"ram\") at 0x%zx", sec->id, sec->off);
	return mperr_prefix(err, "section %" PRIu32 " (\"%s\" instance %" PRIu32 ") at 0x%zx",
			    sec->id, sec->name, sec->instance, sec->off);
}

/* ----- ppc64 cpu sections (§5) ----- */

enum { CF_GPR, CF_CRF, CF_NIP, CF_SPR, CF_MSR, CF_N };

static const struct {
	const char *name;
	uint64_t size, count;
} cpu_want[CF_N] = {
	[CF_GPR] = { "env.gpr", 8, 32 },
	[CF_CRF] = { "env.crf", 4, 8 },
	[CF_NIP] = { "env.nip", 8, 1 },
	[CF_SPR] = { "env.spr", 8, 1024 },
	[CF_MSR] = { "env.msr", 8, 1 },
};

struct cpu_fields {
	const uint8_t *p[CF_N];
};

static struct mperr *cpu_field(void *ctx, const struct vmdesc_field *f)
{
	struct cpu_fields *cf = ctx;

	for (int k = 0; k < CF_N; k++) {
		if (strcmp(f->name, cpu_want[k].name))
			continue;
		if (f->size != cpu_want[k].size || f->count != cpu_want[k].count)
			return mperr_at(mperr_input("cpu field \"%s\" is %" PRIu64 " x %" PRIu64 " bytes, expected %" PRIu64 " x %" PRIu64,
						    f->name, f->count, f->size, cpu_want[k].count,
						    cpu_want[k].size), f->off);
		if (cf->p[k])
			return mperr_at(mperr_input("cpu field \"%s\" appears twice", f->name),
					f->off);
		cf->p[k] = f->data;
	}
	return NULL;
}

/*
 * SPRs whose env.spr slot does not hold the register: QEMU computes them on
 * mfspr from the timebase (DEC, TBL/TBU and their write numbers, TBU40,
 * SPURR/PURR, HDEC, VTB) or reads another slot (UCTRL reads CTRL, USPRG3
 * reads SPRG3). cpu_pre_save syncs only XER, LR, CTR, CFAR, SPEFSCR and the
 * BATs into env.spr (target/ppc/machine.c).
 */
static bool spr_not_kept(unsigned n)
{
	static const uint16_t list[] = { 22, 136, 259, 268, 269, 284, 285, 286, 308, 309, 310, 849 };

	for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++)
		if (list[i] == n)
			return true;
	return false;
}

static struct mperr *cpu_store(struct mig *m, const struct sec *sec, const struct cpu_fields *cf)
{
	struct cpu_regs *r;
	uint64_t pir;

	for (int k = 0; k < CF_N; k++)
		if (!cf->p[k])
			return mperr_input("the vmdescription of this cpu has no field \"%s\" (not a 64-bit ppc cpu?)",
					   cpu_want[k].name);
	if (m->have_cpu && sec->instance <= m->last_cpu)
		return mperr_input("cpu instance %" PRIu32 " comes after instance %" PRIu32,
				   sec->instance, m->last_cpu);
	pir = ld_be64(cf->p[CF_SPR] + 8 * SPRN_PIR);
	if (pir > UINT32_MAX)
		return mperr_input("PIR (spr[1023]) 0x%" PRIx64 " does not fit 32 bits", pir);
	r = cpu_set_add(&m->s->cpus);
	if (!r)
		return mperr_nomem();
	m->have_cpu = true;
	m->last_cpu = sec->instance;
	for (int i = 0; i < 32; i++)
		r->gpr[i] = ld_be64(cf->p[CF_GPR] + 8 * i);
	for (int i = 0; i < 8; i++)
		r->cr |= (uint64_t)(ld_be32(cf->p[CF_CRF] + 4 * i) & 0xf) << (4 * (7 - i));
	r->nip = ld_be64(cf->p[CF_NIP]);
	r->msr = ld_be64(cf->p[CF_MSR]);
	r->have = CPU_HAS_GPR | CPU_HAS_NIP | CPU_HAS_MSR | CPU_HAS_CR;
	for (unsigned n = 0; n < CPU_NR_SPRS; n++)
		if (!spr_not_kept(n))
			cpu_set_spr(r, n, ld_be64(cf->p[CF_SPR] + 8 * n));
	r->pir = (uint32_t)pir;
	r->pir_known = true;
	return NULL;
}

/* ----- sections ----- */

static struct mperr *section_full(struct mig *m, struct sec *sec)
{
	struct cpu_fields cf = { { NULL } };
	bool is_cpu;
	struct mperr *err = sec_header(m, sec);

	if (err)
		return err;
	if (!m->vd)
		return mperr_at(mperr_input("the file has no vmdescription JSON at its end, so the length of device data is unknown"),
				cur_pos(&m->c));
	is_cpu = !strcmp(sec->name, "cpu");
	err = vmdesc_walk_device(m->vd, sec->name, sec->instance, sec->version, &m->c,
				 is_cpu ? cpu_field : NULL, &cf);
	if (!err && is_cpu)
		err = mperr_at(cpu_store(m, sec, &cf), sec->off);
	if (!err)
		err = sec_footer(m, sec);
	return err;
}

static struct mperr *section_start(struct mig *m, struct sec *sec)
{
	struct mperr *err = sec_header(m, sec);

	if (err)
		return err;
	if (strcmp(sec->name, "ram"))
		return mperr_at(mperr_input("iterative section other than \"ram\" is not supported"),
				sec->off);
	if (sec->version != RAM_VERSION)
		return mperr_at(mperr_input("ram section version %" PRIu32 ", expected 4", sec->version),
				sec->off);
	if (m->have_ram_sec)
		return mperr_at(mperr_input("second ram START section (the first has id %" PRIu32 ")",
					    m->ram_sec_id), sec->off);
	m->have_ram_sec = true;
	m->ram_sec_id = sec->id;
	err = ram_records(m);
	return err ? err : sec_footer(m, sec);
}

static struct mperr *section_part(struct mig *m, struct sec *sec)
{
	struct mperr *err;

	strcpy(sec->name, "ram");
	if (!cur_be32(&m->c, &sec->id))
		return truncated(m, 4, "section id");
	if (!m->have_ram_sec || sec->id != m->ram_sec_id)
		return mperr_at(mperr_input("no START record began a section with this id"), sec->off);
	err = ram_records(m);
	return err ? err : sec_footer(m, sec);
}

/* §2.2: be16 command, be16 length, payload; only what a precopy file carries */
static struct mperr *command(struct mig *m, size_t off)
{
	uint16_t cmd, len, want;
	const uint8_t *p;

	if (!cur_be16(&m->c, &cmd) || !cur_be16(&m->c, &len))
		return truncated(m, 4, "command header");
	if (!cur_take(&m->c, len, &p))
		return truncated(m, len, "command payload");
	switch (cmd) {
	case CMD_SWITCHOVER_START:
	case CMD_OPEN_RETURN_PATH:
		want = 0;
		break;
	case CMD_PING:
		want = 4;
		break;
	case CMD_POSTCOPY_ADVISE:	/* 16 bytes iff postcopy-ram is on */
		m->postcopy_ram = len == 16;
		want = len == 16 ? 16 : 0;
		break;
	default:
		return mperr_at(mperr_input("command 0x%x at 0x%zx (postcopy or COLO) is not supported in a snapshot file",
					    cmd, off), off);
	}
	if (len != want)
		return mperr_at(mperr_input("command 0x%x at 0x%zx has length %u, expected %u", cmd, off,
					    len, want), off);
	return NULL;
}

/* After EOF: nothing, or exactly the vmdescription that ends the file (§2.7) */
static struct mperr *after_eof(struct mig *m, size_t eof_off)
{
	size_t pos = cur_pos(&m->c);

	if (!m->have_blocks)
		return mperr_at(mperr_input("EOF record at 0x%zx, but the stream had no ram block list",
					    eof_off), eof_off);
	if (m->vd && m->vd_off != pos)
		return mperr_at(mperr_input("the vmdescription found at 0x%zx is not where the EOF record at 0x%zx leads",
					    m->vd_off, eof_off), pos);
	if (!m->vd && cur_left(&m->c))
		return mperr_at(mperr_input("0x%zx bytes after the EOF record at 0x%zx are not a vmdescription (0x06, be32 length, JSON ending the file)",
					    cur_left(&m->c), eof_off), pos);
	return NULL;
}

static struct mperr *walk_stream(struct mig *m)
{
	for (;;) {
		struct sec sec = { 0 };
		uint8_t type;
		struct mperr *err;

		sec.off = cur_pos(&m->c);
		if (!cur_u8(&m->c, &type))
			return truncated(m, 1, "record type (the stream has no EOF record)");
		sec.type = type;
		switch (type) {
		case VM_EOF:
			return after_eof(m, sec.off);
		case VM_CONFIG:
			err = read_config(m, sec.off);
			break;
		case VM_START:
			err = in_section(section_start(m, &sec), &sec);
			break;
		case VM_PART:
		case VM_END:
			err = in_section(section_part(m, &sec), &sec);
			break;
		case VM_FULL:
			err = in_section(section_full(m, &sec), &sec);
			break;
		case VM_COMMAND:
			err = command(m, sec.off);
			break;
		default:
			err = mperr_input("record type 0x%02x at 0x%zx %s", type, sec.off,
					  type == VM_FOOTER ? "(footer) outside a section" :
					  type == VM_SUBSECTION ? "(subsection) outside a device section" :
					  type == VM_VMDESC ? "(vmdescription) before the EOF record" :
					  "is unknown");
			break;
		}
		if (err)
			return mperr_at(err, sec.off);
	}
}

/* Facts for inspect, and the checks that need the whole stream. */
static struct mperr *finish(struct mig *m)
{
	struct snapshot *s = m->s;
	const struct mig_block *b = &m->blk[m->ram_blk];
	struct mperr *err;

	if (m->cap_ignore_shared && (!b->in_file || (!m->cap_mapped_ram && !b->n_page && !b->n_zero)))
		return mperr_at(mperr_input("guest RAM block \"%s\" (listed at 0x%zx) was left out of the stream as shared memory (x-ignore-shared)",
					    b->id, b->off), b->off);
	snprintf(s->format_detail, sizeof(s->format_detail), "QEMU migration stream v3, machine %s%s%s",
		 m->machine[0] ? m->machine : "unknown", m->cap_mapped_ram ? ", mapped-ram" : "",
		 s->in.gzipped ? ", gzip" : "");
	err = snap_add_note(s, "ram block \"%s\": %" PRIu64 " page records, %" PRIu64 " zero records",
			    b->id, b->n_page, b->n_zero);
	if (err)
		return err;
	if (s->cpus.n)
		snprintf(s->cpus.pir_source, sizeof(s->cpus.pir_source),
			 "migration stream: cpu section spr[1023] (PIR)");
	else
		warnf(m->w, "%s: the stream has no cpu sections: no registers", s->in.path);
	return NULL;
}

static struct mperr *mig_read(struct snapshot *s, const struct warn_sink *w)
{
	struct mig m = { .s = s, .w = w, .page_size = DEFAULT_PAGE_SIZE, .cur_blk = -1 };
	struct mperr *err;

	m.c = cur_make(s->in.map, s->in.len);
	err = read_header(&m);
	if (!err)
		err = load_vmdesc(&m);
	if (!err)
		err = walk_stream(&m);
	if (!err)
		err = run_flush(&m);
	if (!err)
		err = finish(&m);
	vmdesc_free(m.vd);
	free(m.blk);
	return err;
}

/* "QEVM", and "QEMU" of obsolete v1 streams, which mig_read() rejects clearly (§1) */
static bool mig_probe(const struct input *in, char *why, size_t len)
{
	if (in->len >= 4 && !memcmp(in->map, "QEVM", 4)) {
		snprintf(why, len, "\"QEVM\" at offset 0: QEMU_VM_FILE_MAGIC");
		return true;
	}
	if (in->len >= 4 && !memcmp(in->map, "QEMU", 4)) {
		snprintf(why, len, "\"QEMU\" at offset 0: an obsolete v1 migration stream");
		return true;
	}
	snprintf(why, len, "no \"QEVM\" magic");
	return false;
}

const struct snap_reader snap_reader_mig = { SNAP_MIG, "mig", mig_probe, mig_read };
