/* vmcoreinfo.c - see vmcoreinfo.h */
#include "tables/vmcoreinfo.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

#define NOTE_HDR		12u
#define NAME			"VMCOREINFO"	/* n_namesz 11 with its NUL, 12 padded */
#define NAME_SZ			11u
#define NAME_PADDED		12u
/* crash_save_vmcoreinfo_init() writes OSRELEASE first */
#define FIRST_KEY		"OSRELEASE="
#define EHDR_SIZE		64u
#define PHDR_SIZE		56u
#define PT_NOTE_		4u

const char *vmci_source_name(enum vmci_source s)
{
	switch (s) {
	case VMCI_ELF_NOTE: return "the VMCOREINFO note of the ELF input";
	case VMCI_AT_ADDRESS: return "the address fadump's crash info header gives";
	case VMCI_SCAN: return "a search of guest RAM for the VMCOREINFO note";
	default: return "not found";
	}
}

const char *vmcoreinfo_value(const char *text, size_t len, const char *key, size_t *vlen)
{
	size_t klen = strlen(key);

	for (size_t o = 0; o < len;) {
		const char *line = text + o, *nl = memchr(line, '\n', len - o);
		size_t l = nl ? (size_t)(nl - line) : len - o;

		if (l > klen && !memcmp(line, key, klen) && line[klen] == '=') {
			*vlen = l - klen - 1;
			return line + klen + 1;
		}
		o += l + 1;
	}
	return NULL;
}

static void copy_value(const struct vmcoreinfo *v, const char *key, char *buf, size_t blen)
{
	size_t vlen = 0;
	const char *p = vmcoreinfo_value(v->text, v->len, key, &vlen);

	if (!p)
		vlen = 0;
	if (vlen > blen - 1)
		vlen = blen - 1;
	/* printable ASCII only: the value ends up on a terminal and in JSON */
	for (size_t i = 0; i < vlen; i++)
		buf[i] = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?';
	buf[vlen] = '\0';
}

/* Take descsz bytes of text, NUL-terminated, and the facts every caller wants. */
static struct mperr *take_text(struct vmcoreinfo *v, const uint8_t *desc, size_t descsz)
{
	size_t vlen;

	v->text = malloc(descsz + 1);
	if (!v->text)
		return mperr_nomem();
	memcpy(v->text, desc, descsz);
	v->text[descsz] = '\0';
	/* the kernel's text stops at its first NUL (vmcoreinfo_size counts only the text) */
	v->len = strnlen(v->text, descsz);
	copy_value(v, "OSRELEASE", v->release, sizeof(v->release));
	copy_value(v, "BUILD-ID", v->build_id, sizeof(v->build_id));
	v->crashtime = vmcoreinfo_value(v->text, v->len, "CRASHTIME", &vlen) != NULL;
	return NULL;
}

/* A note header at h naming VMCOREINFO, in either byte order; descsz out. */
static bool note_header(const uint8_t *h, bool *big, uint32_t *descsz)
{
	for (int b = 0; b < 2; b++) {
		if (ld_u32(h, b) == NAME_SZ && ld_u32(h + 8, b) == 0 &&
		    !memcmp(h + NOTE_HDR, NAME, NAME_SZ)) {
			*big = b;
			*descsz = ld_u32(h + 4, b);
			return true;
		}
	}
	return false;
}

struct mperr *vmci_read_note(const struct ram_image *ram, uint64_t gpa, uint64_t max_len,
			     struct vmcoreinfo *v)
{
	uint8_t h[NOTE_HDR + NAME_PADDED];
	uint64_t limit;
	uint8_t *desc;
	uint32_t descsz;
	struct mperr *err;

	memset(v, 0, sizeof(*v));
	err = ram_read(ram, gpa, h, sizeof(h));
	if (err)
		return mperr_at(mperr_prefix(err, "VMCOREINFO note at 0x%" PRIx64, gpa), gpa);
	if (!note_header(h, &v->big, &descsz))
		return mperr_at(mperr_input("VMCOREINFO note at 0x%" PRIx64 ": no note named "
					    "VMCOREINFO there (n_namesz 0x%" PRIx32 ")", gpa,
					    ld_le32(h)), gpa);
	/* max_len (0: none) is what the pointer to the note said it spans, header included */
	limit = VMCI_MAX_TEXT;
	if (max_len && (max_len < sizeof(h) ? 0 : max_len - sizeof(h)) < limit)
		limit = max_len < sizeof(h) ? 0 : max_len - sizeof(h);
	if (descsz > limit)
		return mperr_at(mperr_input("VMCOREINFO note at 0x%" PRIx64 ": n_descsz 0x%" PRIx32
					    " exceeds 0x%" PRIx64, gpa, descsz, limit), gpa);
	desc = malloc(descsz ? descsz : 1);
	if (!desc)
		return mperr_nomem();
	err = ram_read(ram, gpa + sizeof(h), desc, descsz);
	if (!err)
		err = take_text(v, desc, descsz);
	free(desc);
	if (err) {
		vmci_free(v);
		return mperr_at(mperr_prefix(err, "VMCOREINFO note at 0x%" PRIx64, gpa), gpa);
	}
	v->source = VMCI_AT_ADDRESS;
	v->where = gpa;
	return NULL;
}

struct scan {
	const struct ram_image *ram;
	struct vmcoreinfo *v;
	bool got;		/* v holds the first note that could be read whole */
	unsigned n;
};

static struct mperr *scan_piece(void *ctx, uint64_t gpa, const uint8_t *data, uint64_t len)
{
	struct scan *s = ctx;
	const uint8_t *p = data, *end = data + len;

	while ((p = memmem(p, (size_t)(end - p), NAME, NAME_SZ))) {
		const uint8_t *h = p - NOTE_HDR;
		bool big;
		uint32_t descsz;

		if (p - data >= NOTE_HDR && (size_t)(end - p) >= NAME_PADDED + strlen(FIRST_KEY) &&
		    note_header(h, &big, &descsz) && descsz <= VMCI_MAX_TEXT &&
		    !memcmp(p + NAME_PADDED, FIRST_KEY, strlen(FIRST_KEY))) {
			s->n++;
			if (!s->got) {
				uint64_t at = gpa + (uint64_t)(h - data);
				struct mperr *err = vmci_read_note(s->ram, at, 0, s->v);

				if (err == mperr_nomem())
					return err;
				s->got = !err;
				mperr_free(err);	/* a note that cannot be read: the next */
			}
		}
		p += NAME_SZ;
	}
	return NULL;
}

struct mperr *vmci_scan(const struct ram_image *ram, struct vmcoreinfo *v)
{
	struct scan s = { ram, v, false, 0 };
	struct mperr *err;

	memset(v, 0, sizeof(*v));
	err = ram_walk_data(ram, 0, ram->size, scan_piece, &s);
	if (err || !s.got) {
		if (s.got)
			vmci_free(v);
		return err ? err : mperr_input("no VMCOREINFO note (\"VMCOREINFO\" followed by "
					       "OSRELEASE=) in guest RAM%s",
					       s.n ? " that can be read whole" : "");
	}
	v->source = VMCI_SCAN;
	v->n_candidates = s.n;
	return NULL;
}

/* Walk the notes of one PT_NOTE segment [p, p + len). */
static struct mperr *elf_notes(const uint8_t *p, uint64_t len, bool big, uint64_t foff,
			       struct vmcoreinfo *v, bool *found)
{
	for (uint64_t o = 0; len - o >= NOTE_HDR;) {
		uint32_t namesz = ld_u32(p + o, big), descsz = ld_u32(p + o + 4, big);
		uint64_t nl = ((uint64_t)namesz + 3) & ~UINT64_C(3);
		uint64_t dl = ((uint64_t)descsz + 3) & ~UINT64_C(3);

		if (!namesz || nl + dl > len - o - NOTE_HDR)
			return NULL;	/* the end of the notes, as Linux reads them */
		if (namesz == NAME_SZ && !memcmp(p + o + NOTE_HDR, NAME, NAME_SZ)) {
			uint64_t at = foff + o;

			if (descsz > VMCI_MAX_TEXT)
				return mperr_at(mperr_input("VMCOREINFO note at file offset 0x%" PRIx64
							    ": n_descsz 0x%" PRIx32 ", more than 0x%x",
							    at, descsz, VMCI_MAX_TEXT), at);
			v->big = big;
			v->source = VMCI_ELF_NOTE;
			v->where = foff + o;
			*found = true;
			return take_text(v, p + o + NOTE_HDR + nl, descsz);
		}
		o += NOTE_HDR + nl + dl;
	}
	return NULL;
}

struct mperr *vmci_from_elf(const uint8_t *map, size_t len, struct vmcoreinfo *v, bool *found)
{
	uint64_t phoff, end;
	uint16_t phnum, phentsize;
	bool big;

	memset(v, 0, sizeof(*v));
	*found = false;
	if (len < EHDR_SIZE || memcmp(map, "\177ELF", 4) || map[4] != 2 ||
	    (map[5] != 1 && map[5] != 2))
		return mperr_input("not an ELF64 file");
	big = map[5] == 2;
	phoff = ld_u64(map + 32, big);
	phentsize = big ? ld_be16(map + 54) : ld_le16(map + 54);
	phnum = big ? ld_be16(map + 56) : ld_le16(map + 56);
	if (phentsize != PHDR_SIZE || __builtin_mul_overflow((uint64_t)phnum, PHDR_SIZE, &end) ||
	    __builtin_add_overflow(end, phoff, &end) || end > len)
		return mperr_input("ELF program headers (e_phoff 0x%" PRIx64 ", %u x %u bytes) "
				   "exceed the file (0x%zx bytes)", phoff, phnum, phentsize, len);
	for (uint16_t i = 0; i < phnum && !*found; i++) {
		const uint8_t *ph = map + phoff + (uint64_t)i * PHDR_SIZE;
		uint64_t off = ld_u64(ph + 8, big), sz = ld_u64(ph + 32, big), e;
		struct mperr *err;

		if (ld_u32(ph, big) != PT_NOTE_)
			continue;
		if (__builtin_add_overflow(off, sz, &e) || e > len)
			return mperr_input("ELF PT_NOTE %u: offset 0x%" PRIx64 " size 0x%" PRIx64
					   " exceeds the file (0x%zx bytes)", i, off, sz, len);
		err = elf_notes(map + off, sz, big, off, v, found);
		if (err)
			return err;
	}
	return NULL;
}

bool vmci_symbol(const struct vmcoreinfo *v, const char *name, uint64_t *val)
{
	char key[96], buf[24];
	size_t vlen;
	const char *p;
	char *end;

	snprintf(key, sizeof(key), "SYMBOL(%s)", name);
	p = vmcoreinfo_value(v->text, v->len, key, &vlen);
	if (!p || !vlen || vlen >= sizeof(buf))
		return false;
	memcpy(buf, p, vlen);
	buf[vlen] = '\0';
	*val = strtoull(buf, &end, 16);
	return !*end && buf[0] != '-';
}

bool vmci_number(const struct vmcoreinfo *v, const char *kind, const char *name, int64_t *val)
{
	char key[96], buf[24];
	size_t vlen;
	const char *p;
	char *end;

	snprintf(key, sizeof(key), "%s(%s)", kind, name);
	p = vmcoreinfo_value(v->text, v->len, key, &vlen);
	if (!p || !vlen || vlen >= sizeof(buf))
		return false;
	memcpy(buf, p, vlen);
	buf[vlen] = '\0';
	*val = strtoll(buf, &end, 10);
	return !*end;
}

void vmci_free(struct vmcoreinfo *v)
{
	free(v->text);
	v->text = NULL;
	v->len = 0;
}
