/* cmp_row.c - see cmp_row.h */
#include "compare/cmp_row.h"

#include "tables/mpipl_layout.h"

uint64_t cmp_qemu_chunks(uint32_t len)
{
	return qemu_v2_chunks(len);
}

/*
 * D6: q is the entry QEMU wrote for size bytes: h's address advanced by the
 * whole 32 MiB chunks (float ceiling), with bit 63 dropped (B1).
 */
static bool is_d6(uint64_t h, uint64_t q, uint64_t size)
{
	if (!(h & HRMOR_BIT) || (q & HRMOR_BIT) || !size || size > UINT32_MAX)
		return false;
	return q == (h & ~HRMOR_BIT) + cmp_qemu_chunks((uint32_t)size) * QEMU_V2_CHUNK;
}

static bool either(const struct cmp_diff *d, uint64_t v)
{
	return d->a == v || d->b == v;
}

/* The registers QEMU v2 saves: GPR0-31, NIP, MSR (item 11). */
static bool qemu_saves(struct reg_id r)
{
	return (r.type == REG_GPR && r.num < 32) ||
	       (r.type == REG_SPR && (r.num == REG_NIP || r.num == REG_MSR));
}

/*
 * A register in one record only. Offset 0 (B2) makes a reader take the
 * header's {offset, ecnt, esize} for a type-0 entry and lose the last one.
 */
static const char *reg_present_row(const struct cmp_diff *d)
{
	uint64_t off_has = d->a ? d->ctx_a : d->ctx_b, off_lacks = d->a ? d->ctx_b : d->ctx_a;

	if (d->reg.type == 0 && off_has == 0)
		return "D13";
	if (!qemu_saves(d->reg))
		return "D11";
	return off_lacks == 0 ? "D13" : NULL;
}

/* ctx: 1 if that image's area at the ntuple address was written (dest_addr != 0). */
static const char *pda_row(const struct cmp_diff *d)
{
	if (d->index == CMP_AREA_QEMU || d->ctx_a != d->ctx_b)
		return "D10";
	switch (d->what) {
	case CMP_PDA_THREAD_SIZE:
		return either(d, QEMU_V2_THREAD_SIZE) ? "D15" : NULL;
	case CMP_PDA_VERSION:
		return "D15";
	case CMP_PDA_DEST:
		return "D16";
	case CMP_PDA_ACT_SIZE:
		return (d->a && d->a % QEMU_V2_THREAD_SIZE == 0) ||
		       (d->b && d->b % QEMU_V2_THREAD_SIZE == 0) ? "D16" : NULL;
	default:
		return NULL;
	}
}

const char *cmp_row(const struct cmp_diff *d)
{
	switch (d->what) {
	case CMP_MDRT_ACT_CNT:
	case CMP_MDRT_COUNTED:	/* skiboot sets act_cnt = alloc_cnt, QEMU leaves it (D9) */
		return (d->a == d->ctx_a && d->a > d->b) || (d->b == d->ctx_b && d->b > d->a)
		       ? "D9" : NULL;
	case CMP_MDRT_SRC:
	case CMP_MDRT_DEST:
		return is_d6(d->a, d->b, d->ctx_b) || is_d6(d->b, d->a, d->ctx_a) ? "D6" : NULL;
	case CMP_MDRT_TYPE:
		return !d->a != !d->b ? "D7" : NULL;
	case CMP_PDA_THREAD_SIZE:
	case CMP_PDA_VERSION:
	case CMP_PDA_DEST:
	case CMP_PDA_ACT_SIZE:
	case CMP_PDA_ALLOC_ADDR:
	case CMP_PDA_ALLOC_SIZE:
		return pda_row(d);
	case CMP_THREAD_POSITION:
		return "D14";
	case CMP_THREAD_CORE_STATE:
		return either(d, QEMU_V2_CORE_STATE) ? "D12" : NULL;
	case CMP_THREAD_OFFSET:
		return either(d, 0) ? "D13" : NULL;
	case CMP_THREAD_ECNT:
		return either(d, QEMU_V2_NR_REGS) ? "D11" : NULL;
	case CMP_REG_PRESENT:
		return reg_present_row(d);
	default:
		return NULL;
	}
}

const char *cmp_range_row(enum cmp_range_kind kind)
{
	switch (kind) {
	case CMP_RANGE_PDA_QEMU:
		return "D10";
	case CMP_RANGE_FDT:
		return "D18";
	default:
		return NULL;
	}
}
