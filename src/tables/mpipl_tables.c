/*
 * mpipl_tables.c - find SPIRA-H from the relocated OPAL base and read the
 * tables it points to (mpipl.md §2-§5, simulation.md §2).
 */
#include "tables/mpipl_tables.h"

#include <inttypes.h>
#include <string.h>

#include "core/bytes.h"

static const char *const nt_names[SPIRAH_NR_NTUPLES] = {
	"host data area", "processor init", "CPU controls", "MDST", "MDDT", "MDRT",
	"processor dump area",
};

const char *spirah_ntuple_name(unsigned i)
{
	return i < SPIRAH_NR_NTUPLES ? nt_names[i] : "?";
}

/* opal-dump.h / opal-api.h region ids (mpipl.md §3) */
const char *dump_region_name(uint8_t region)
{
	switch (region) {
	case 0x01: return "OPAL console";
	case 0x02: return "HBRT log";
	case 0x03: return "OPAL memory";
	case 0x80: return "kernel";
	}
	if (region < 0x40)
		return "OPAL";
	return region < 0x80 ? "reserved" : "kernel/host";
}

/* HDIF header: be16 0xD1F0 then a 6-byte id (mpipl.md §2) */
static bool hdif_is(const uint8_t *p, const char id[6])
{
	return ld_be16(p) == HDIF_MAGIC && !memcmp(p + 2, id, 6);
}

/*
 * SPIRA-H search over a buffer holding the bytes from base + SPIRAH_SEARCH_OFF
 * on (guest RAM or a firmware image): the first 16-byte aligned HDIF header
 * with id "SPIRAH". Shared by the RAM reader and firmware.c.
 */
bool spirah_search(const uint8_t *win, size_t len, size_t *off, bool *legacy_spira)
{
	for (size_t o = 0; o < SPIRAH_SEARCH_LEN && o + 8 <= len; o += 0x10) {
		if (hdif_is(win + o, "SPIRAH")) {
			*off = o;
			*legacy_spira = hdif_is(win, "SPIRA ");
			return true;
		}
	}
	return false;
}

static struct mperr *find_spirah(const struct ram_image *ram, struct mpipl_tables *t)
{
	uint8_t win[SPIRAH_SEARCH_LEN + 8];
	uint64_t from;
	size_t o;
	struct mperr *err;

	if (__builtin_add_overflow(t->base, SPIRAH_SEARCH_OFF, &from))
		return mperr_input("OPAL base 0x%" PRIx64 " overflows", t->base);
	err = ram_check_range(ram, from, sizeof(win));
	if (err)
		return mperr_prefix(err, "no room for SPIRA-H after OPAL base 0x%" PRIx64,
				    t->base);
	err = ram_read(ram, from, win, sizeof(win));
	if (err)
		return err;
	if (spirah_search(win, sizeof(win), &o, &t->legacy_spira)) {
		t->spirah_gpa = from + o;
		return NULL;
	}
	return mperr_hint(mperr_at(mperr_input("no SPIRA-H (HDIF 0xd1f0 \"SPIRAH\") in 0x%" PRIx64
					       "..0x%" PRIx64 "; is the OPAL base 0x%" PRIx64
					       " right?", from, from + SPIRAH_SEARCH_LEN, t->base),
				   from),
			  MPERR_HINT_OPAL_BASE);
}

/* Fixed header fields that place the ntuple array (mpipl.md §2 layout); at = where h is. */
static struct mperr *check_spirah_header(const uint8_t *h, uint64_t at, struct spirah *sp)
{
	uint32_t hdr_len = ld_be32(h + SPIRAH_HDR_LEN_OFF);
	uint32_t idata_off = ld_be32(h + SPIRAH_IDATA_OFF), arr_off = ld_be32(h + SPIRAH_ARRAY_OFF);
	uint32_t esize = ld_be32(h + SPIRAH_ESIZE_OFF);

	sp->version = ld_be16(h + SPIRAH_VERSION_OFF);
	sp->ecnt = ld_be32(h + SPIRAH_ECNT_OFF);
	if (hdr_len != SPIRAH_HDR_LEN)
		return mperr_at(mperr_input("hdr_len 0x%" PRIx32 ", expected 0x20", hdr_len),
				at + SPIRAH_HDR_LEN_OFF);
	if (esize != SPIRAH_NTUPLE_SIZE)
		return mperr_at(mperr_input("ntuple esize 0x%" PRIx32 ", expected 0x20", esize),
				at + SPIRAH_ESIZE_OFF);
	if ((uint64_t)idata_off + arr_off != SPIRAH_NTUPLE_OFF)
		return mperr_at(mperr_input("ntuple array at +0x%" PRIx64 ", expected +0x40",
					    (uint64_t)idata_off + arr_off),
				at + SPIRAH_IDATA_OFF);
	return NULL;
}

/* Stored ntuple address -> gpa: mask HRMOR, offsets below the base are base-relative. */
static void resolve_ntuple(struct ntuple *n, uint64_t base)
{
	uint64_t a = n->raw & ~HRMOR_BIT;

	n->relative = a < base;
	n->gpa = n->relative ? a + base : a;
}

static void parse_ntuple(const uint8_t *p, uint64_t base, struct ntuple *n)
{
	n->raw = ld_be64(p + NTUPLE_ADDR_OFF);
	n->alloc_cnt = ld_be16(p + NTUPLE_ALLOC_CNT_OFF);
	n->act_cnt = ld_be16(p + NTUPLE_ACT_CNT_OFF);
	n->alloc_len = ld_be32(p + NTUPLE_ALLOC_LEN_OFF);
	n->act_len = ld_be32(p + NTUPLE_ACT_LEN_OFF);
	resolve_ntuple(n, base);
}

struct mperr *spirah_parse(const uint8_t *h, uint64_t at, uint64_t base, struct spirah *sp)
{
	struct mperr *err = check_spirah_header(h, at, sp);

	if (err)
		return err;
	for (unsigned i = 0; i < SPIRAH_NR_NTUPLES; i++)
		parse_ntuple(h + spirah_ntuple_off(i), base, &sp->nt[i]);
	return NULL;
}

static struct mperr *read_spirah(const struct ram_image *ram, struct mpipl_tables *t)
{
	uint8_t h[SPIRAH_SIZE];
	struct spirah sp;
	struct mperr *err = ram_read(ram, t->spirah_gpa, h, sizeof(h));

	if (!err)
		err = spirah_parse(h, t->spirah_gpa, t->base, &sp);
	if (err)
		return mperr_in_table(err, "SPIRA-H");
	t->spirah_version = sp.version;
	t->spirah_ecnt = sp.ecnt;
	memcpy(t->nt, sp.nt, sizeof(t->nt));
	return NULL;
}

/* MDST/MDDT ntuple: act_cnt entries of act_len 16 (mpipl.md §3, §10) */
static struct mperr *check_dump_ntuple(const struct ram_image *ram, const struct ntuple *n)
{
	if (n->act_cnt > n->alloc_cnt)
		return mperr_input("act_cnt %u exceeds alloc_cnt %u", n->act_cnt, n->alloc_cnt);
	if (n->act_cnt > DUMP_TABLE_MAX)
		return mperr_input("act_cnt %u exceeds the %u entries skiboot reserves",
				   n->act_cnt, DUMP_TABLE_MAX);
	if (n->act_cnt && n->act_len != DUMP_ENTRY_SIZE)
		return mperr_input("act_len 0x%" PRIx32 ", expected 0x10", n->act_len);
	return mperr_prefix(ram_check_range(ram, n->gpa, (uint64_t)n->act_cnt * DUMP_ENTRY_SIZE),
			    "table at 0x%" PRIx64, n->gpa);
}

void dump_entry_parse(const uint8_t *b, struct dump_entry *e)
{
	e->raw = ld_be64(b + DUMP_ENTRY_ADDR_OFF);
	e->gpa = e->raw & ~HRMOR_BIT;	/* skiboot ORs it in, mpipl.md §3 */
	e->region = b[DUMP_ENTRY_REGION_OFF];
	e->type = b[DUMP_ENTRY_TYPE_OFF];
	e->size = ld_be32(b + DUMP_ENTRY_SIZE_OFF);
}

static struct mperr *read_dump_table(const struct ram_image *ram, const struct ntuple *n,
				     struct dump_entry *ent, unsigned *count)
{
	uint8_t buf[DUMP_TABLE_MAX * DUMP_ENTRY_SIZE];
	struct mperr *err = check_dump_ntuple(ram, n);

	if (!err)
		err = ram_read(ram, n->gpa, buf, (size_t)n->act_cnt * DUMP_ENTRY_SIZE);
	if (err)
		return mperr_at(err, n->gpa);
	for (unsigned i = 0; i < n->act_cnt; i++)
		dump_entry_parse(buf + i * DUMP_ENTRY_SIZE, &ent[i]);
	*count = n->act_cnt;
	return NULL;
}

/* MDRT: alloc_cnt entries of 32 bytes (hostboot reads alloc_cnt * alloc_len) */
static struct mperr *check_mdrt(const struct ram_image *ram, const struct ntuple *n)
{
	if (n->alloc_len != MDRT_ENTRY_SIZE)
		return mperr_input("alloc_len 0x%" PRIx32 ", expected 0x20", n->alloc_len);
	return mperr_prefix(ram_check_range(ram, n->gpa, (uint64_t)n->alloc_cnt * MDRT_ENTRY_SIZE),
			    "table at 0x%" PRIx64, n->gpa);
}

struct mperr *pda_read(const struct ram_image *ram, uint64_t gpa, struct proc_dump_area *p)
{
	uint8_t b[PDA_SIZE];
	struct mperr *err = ram_read(ram, gpa, b, sizeof(b));

	if (err)
		return mperr_prefix(err, "area at 0x%" PRIx64, gpa);
	p->gpa = gpa;
	p->thread_size = ld_be32(b + PDA_THREAD_SIZE_OFF);
	p->version = b[PDA_VERSION_OFF];
	p->alloc_raw = ld_be64(b + PDA_ALLOC_ADDR_OFF);
	p->alloc_gpa = p->alloc_raw & ~HRMOR_BIT;
	p->alloc_size = ld_be32(b + PDA_ALLOC_SIZE_OFF);
	p->dest_raw = ld_be64(b + PDA_DEST_ADDR_OFF);
	p->act_size = ld_be32(b + PDA_ACT_SIZE_OFF);
	return NULL;
}

static struct mperr *read_meta(const struct ram_image *ram, uint64_t base, struct mpipl_meta *m)
{
	uint8_t b[MPIPL_META_SIZE];
	struct mperr *err;

	if (__builtin_add_overflow(base, MPIPL_META_OFF, &m->gpa))
		return mperr_input("OPAL base 0x%" PRIx64 " overflows", base);
	err = ram_read(ram, m->gpa, b, sizeof(b));
	if (err)
		return err;
	m->crashing_pir = ld_be32(b + MPIPL_META_CRASHING_PIR_OFF);
	m->kernel_tag = ld_be64(b + MPIPL_META_KERNEL_TAG_OFF);
	m->boot_mem_size = ld_be64(b + MPIPL_META_BOOT_MEM_OFF);
	return NULL;
}

/* Compare with the two skiboot layouts we know (mpipl.md §1 address map). */
static void classify_layout(struct mpipl_tables *t, const struct warn_sink *w)
{
	static const struct {
		const char *name;
		uint64_t spirah, pda, mdst, mddt, mdrt;
	} known[] = {
		{ "skiboot v7.0", V70_SPIRAH_OFF, V70_PDA_OFF, V70_MDST_OFF, V70_MDDT_OFF,
		  MDRT_OFF },
		{ "skiboot master", MASTER_SPIRAH_OFF, MASTER_PDA_OFF, MASTER_MDST_OFF,
		  MASTER_MDDT_OFF, MDRT_OFF },
	};
	uint64_t b = t->base;

	t->layout = "unknown";
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (t->spirah_gpa != b + known[i].spirah)
			continue;
		t->layout = known[i].name;
		if (t->nt[NT_PROC_DUMP].gpa != b + known[i].pda ||
		    t->nt[NT_MDST].gpa != b + known[i].mdst ||
		    t->nt[NT_MDDT].gpa != b + known[i].mddt ||
		    t->nt[NT_MDRT].gpa != b + known[i].mdrt)
			warnf(w, "SPIRA-H at 0x%" PRIx64 " has the %s position but its ntuples "
			      "differ from that layout; using the ntuples", t->spirah_gpa,
			      known[i].name);
		return;
	}
	warnf(w, "SPIRA-H at 0x%" PRIx64 " matches no known skiboot layout; using its ntuples",
	      t->spirah_gpa);
}

/*
 * Without SPIRA-H (user-given addresses): counts as the QEMU series finds
 * them, up to the first all-zero entry (mpipl.md §7 item 5); MDRT 1024.
 */
static struct mperr *synth_ntuples(const struct ram_image *ram, const struct table_override *o,
				   struct mpipl_tables *t)
{
	struct { enum spirah_idx i; uint64_t gpa; } give[] = {
		{ NT_MDST, o->mdst }, { NT_MDDT, o->mddt }, { NT_MDRT, o->mdrt },
		{ NT_PROC_DUMP, o->pda },
	};

	for (size_t k = 0; k < 4; k++) {
		struct ntuple *n = &t->nt[give[k].i];

		if (!give[k].gpa)
			return mperr_hint(mperr_usage("without SPIRA-H every table address "
						      "is needed"), MPERR_HINT_TABLE_ADDRS);
		n->raw = n->gpa = give[k].gpa;
		n->alloc_cnt = give[k].i == NT_MDRT ? 1024 : give[k].i == NT_PROC_DUMP ? 1 : 64;
		n->alloc_len = n->act_len = give[k].i == NT_MDRT ? MDRT_ENTRY_SIZE
					    : give[k].i == NT_PROC_DUMP ? PDA_SIZE
					    : DUMP_ENTRY_SIZE;
		n->act_cnt = 0;
	}
	for (int k = 0; k < 2; k++) {
		struct ntuple *n = &t->nt[k ? NT_MDDT : NT_MDST];
		uint8_t e[DUMP_ENTRY_SIZE];

		while (n->act_cnt < DUMP_TABLE_MAX) {
			struct mperr *err = ram_read(ram, n->gpa + n->act_cnt * DUMP_ENTRY_SIZE, e,
						     sizeof(e));
			if (err)
				return mperr_in_table(err, k ? "MDDT" : "MDST");
			if (!ld_be64(e) && !ld_be32(e + 12))
				break;
			n->act_cnt++;
		}
	}
	return NULL;
}

static struct mperr *load_spirah(const struct ram_image *ram, const struct table_override *o,
				 struct mpipl_tables *t, const struct warn_sink *w)
{
	struct mperr *err;
	bool given = o && (o->mdst || o->mddt || o->mdrt || o->pda);

	if (o && o->spirah) {
		t->spirah_gpa = o->spirah;
	} else {
		err = find_spirah(ram, t);
		if (err && given) {
			mperr_free(err);
			t->layout = "given on the command line";
			return synth_ntuples(ram, o, t);
		}
		if (err)
			return mperr_in_table(err, "SPIRA-H");
	}
	err = read_spirah(ram, t);
	if (err)
		return err;
	if (t->spirah_ecnt != 6)
		warnf(w, "SPIRA-H ntuple count %" PRIu32 ", skiboot writes 6; reading 7 by position",
		      t->spirah_ecnt);
	classify_layout(t, w);
	return NULL;
}

struct mperr *mpipl_tables_load(const struct ram_image *ram, uint64_t base,
				const struct table_override *o, struct mpipl_tables *t,
				const struct warn_sink *w)
{
	struct mperr *err;

	memset(t, 0, sizeof(*t));
	t->ram = ram;
	t->base = base;
	err = load_spirah(ram, o, t, w);
	if (err)
		return err;
	err = read_dump_table(ram, &t->nt[NT_MDST], t->mdst, &t->n_mdst);
	if (err)
		return mperr_in_table(err, "MDST");
	err = read_dump_table(ram, &t->nt[NT_MDDT], t->mddt, &t->n_mddt);
	if (err)
		return mperr_in_table(err, "MDDT");
	err = check_mdrt(ram, &t->nt[NT_MDRT]);
	if (err)
		return mperr_in_table(mperr_at(err, t->nt[NT_MDRT].gpa), "MDRT");
	err = pda_read(ram, t->nt[NT_PROC_DUMP].gpa, &t->pda);
	if (err)
		return mperr_in_table(err, "processor dump area");
	err = read_meta(ram, base, &t->meta);
	if (err)
		return mperr_in_table(err, "MPIPL metadata");
	if (t->n_mdst != t->n_mddt)
		warnf(w, "MDST has %u entries, MDDT %u: walking by bytes as hostboot does",
		      t->n_mdst, t->n_mddt);
	return NULL;
}
