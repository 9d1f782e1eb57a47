/* printk.c - see printk.h */
#include "tables/printk.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

/* kernel/printk/printk_ringbuffer.h, for a 64-bit unsigned long */
#define SV_FLAGS_SHIFT		62
#define SV_ID_MASK		(~(UINT64_C(3) << SV_FLAGS_SHIFT))
#define SV_COMMITTED		1u
#define SV_FINALIZED		2u
#define MAX_COUNT_BITS		24u	/* 16M descriptors; the kernel uses < 20 */
#define MAX_SIZE_BITS		31u	/* LOG_BUF_LEN_MAX is 1 << 31 */
#define ULONG_SIZE		8u	/* ppc64 */

/* The VMCOREINFO numbers the reader needs; each is checked against its struct's size. */
struct prb_layout {
	int64_t sz_prb, off_desc_ring, off_text_ring;
	int64_t off_count_bits, off_descs, off_infos, off_head_id, off_tail_id;
	int64_t sz_desc, off_state_var, off_text_blk_lpos, off_begin, off_next;
	int64_t sz_info, off_seq, off_ts_nsec, off_text_len, off_caller_id;
	int64_t off_size_bits, off_data, off_counter;
};

struct field {
	const char *kind, *name;
	size_t at;			/* offsetof(struct prb_layout, ...) */
};

#define F(k, n, m) { k, n, offsetof(struct prb_layout, m) }
static const struct field fields[] = {
	F("SIZE", "printk_ringbuffer", sz_prb),
	F("OFFSET", "printk_ringbuffer.desc_ring", off_desc_ring),
	F("OFFSET", "printk_ringbuffer.text_data_ring", off_text_ring),
	F("OFFSET", "prb_desc_ring.count_bits", off_count_bits),
	F("OFFSET", "prb_desc_ring.descs", off_descs),
	F("OFFSET", "prb_desc_ring.infos", off_infos),
	F("OFFSET", "prb_desc_ring.head_id", off_head_id),
	F("OFFSET", "prb_desc_ring.tail_id", off_tail_id),
	F("SIZE", "prb_desc", sz_desc),
	F("OFFSET", "prb_desc.state_var", off_state_var),
	F("OFFSET", "prb_desc.text_blk_lpos", off_text_blk_lpos),
	F("OFFSET", "prb_data_blk_lpos.begin", off_begin),
	F("OFFSET", "prb_data_blk_lpos.next", off_next),
	F("SIZE", "printk_info", sz_info),
	F("OFFSET", "printk_info.seq", off_seq),
	F("OFFSET", "printk_info.ts_nsec", off_ts_nsec),
	F("OFFSET", "printk_info.text_len", off_text_len),
	F("OFFSET", "printk_info.caller_id", off_caller_id),
	F("OFFSET", "prb_data_ring.size_bits", off_size_bits),
	F("OFFSET", "prb_data_ring.data", off_data),
	F("OFFSET", "atomic_long_t.counter", off_counter),
};
#undef F

static struct mperr *get_layout(const struct vmcoreinfo *vi, struct prb_layout *l)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		int64_t *v = (int64_t *)((char *)l + fields[i].at);

		if (!vmci_number(vi, fields[i].kind, fields[i].name, v))
			return mperr_input("VMCOREINFO has no %s(%s): not the lockless printk ring "
					   "buffer of Linux 5.10+", fields[i].kind, fields[i].name);
		if (*v < 0 || *v > 0x10000)
			return mperr_input("VMCOREINFO %s(%s)=%" PRId64 " is not a plausible %s",
					   fields[i].kind, fields[i].name, *v,
					   !strcmp(fields[i].kind, "SIZE") ? "size" : "offset");
	}
	return NULL;
}

/* [off, off + width) inside a struct of size sz (all small: checked by get_layout) */
static struct mperr *within(const char *what, int64_t off, unsigned width, int64_t sz)
{
	if (off + width <= sz)
		return NULL;
	return mperr_input("VMCOREINFO: %s at offset %" PRId64 " (%u bytes) lies outside its "
			   "struct (%" PRId64 " bytes)", what, off, width, sz);
}

static struct mperr *check_layout(const struct prb_layout *l)
{
	int64_t ring = l->off_desc_ring, text = l->off_text_ring;
	struct mperr *err;

	if ((err = within("prb_desc_ring.count_bits", ring + l->off_count_bits, 4, l->sz_prb)) ||
	    (err = within("prb_desc_ring.descs", ring + l->off_descs, 8, l->sz_prb)) ||
	    (err = within("prb_desc_ring.infos", ring + l->off_infos, 8, l->sz_prb)) ||
	    (err = within("prb_desc_ring.head_id", ring + l->off_head_id + l->off_counter, 8,
			  l->sz_prb)) ||
	    (err = within("prb_desc_ring.tail_id", ring + l->off_tail_id + l->off_counter, 8,
			  l->sz_prb)) ||
	    (err = within("prb_data_ring.size_bits", text + l->off_size_bits, 4, l->sz_prb)) ||
	    (err = within("prb_data_ring.data", text + l->off_data, 8, l->sz_prb)) ||
	    (err = within("prb_desc.state_var", l->off_state_var + l->off_counter, 8,
			  l->sz_desc)) ||
	    (err = within("prb_desc.text_blk_lpos.begin", l->off_text_blk_lpos + l->off_begin, 8,
			  l->sz_desc)) ||
	    (err = within("prb_desc.text_blk_lpos.next", l->off_text_blk_lpos + l->off_next, 8,
			  l->sz_desc)) ||
	    (err = within("printk_info.seq", l->off_seq, 8, l->sz_info)) ||
	    (err = within("printk_info.ts_nsec", l->off_ts_nsec, 8, l->sz_info)) ||
	    (err = within("printk_info.text_len", l->off_text_len, 2, l->sz_info)) ||
	    (err = within("printk_info.caller_id", l->off_caller_id, 4, l->sz_info)))
		return err;
	return NULL;
}

/* A kernel virtual address of the linear map and len bytes there -> gpa in RAM. */
static struct mperr *va_to_gpa(const struct ram_image *ram, uint64_t page_offset, uint64_t va,
			       uint64_t len, const char *what, uint64_t *gpa)
{
	struct mperr *err;

	if (va < page_offset)
		return mperr_input("%s at 0x%016" PRIx64 " is not a linear-map address (below "
				   "PAGE_OFFSET 0x%016" PRIx64 ")", what, va, page_offset);
	*gpa = va - page_offset;
	err = ram_check_range(ram, *gpa, len);
	if (err)
		return mperr_prefix(err, "%s at 0x%016" PRIx64 " (0x%" PRIx64 " bytes)", what, va,
				    len);
	return NULL;
}

static struct mperr *read_va(const struct ram_image *ram, uint64_t page_offset, uint64_t va,
			     void *buf, size_t len, const char *what)
{
	uint64_t gpa = 0;
	struct mperr *err = va_to_gpa(ram, page_offset, va, len, what, &gpa);

	return err ? err : ram_read(ram, gpa, buf, len);
}

struct rings {
	struct prb_layout l;
	bool big;
	uint8_t *descs, *infos;
	uint64_t count, size;
};

/* dump_record() of makedumpfile's printk.c, with every index bounded. */
static void take_record(struct printk_log *log, const struct rings *r, uint64_t id)
{
	const struct prb_layout *l = &r->l;
	uint64_t slot = id % r->count;
	const uint8_t *d = r->descs + slot * l->sz_desc, *in = r->infos + slot * l->sz_info;
	uint64_t sv = ld_u64(d + l->off_state_var + l->off_counter, r->big);
	uint64_t begin, next, avail;
	unsigned state = (unsigned)(sv >> SV_FLAGS_SHIFT);
	uint16_t len;
	struct printk_record *rec;

	if ((sv & SV_ID_MASK) != id || (state != SV_COMMITTED && state != SV_FINALIZED))
		goto skip;
	begin = ld_u64(d + l->off_text_blk_lpos + l->off_begin, r->big) % r->size;
	next = ld_u64(d + l->off_text_blk_lpos + l->off_next, r->big) % r->size;
	if (begin == next)
		goto skip;	/* a data-less block */
	if (begin > next)
		begin = 0;	/* the block wrapped: its text starts the ring */
	begin += ULONG_SIZE;	/* the block starts with its descriptor id */
	len = r->big ? ld_be16(in + l->off_text_len) : ld_le16(in + l->off_text_len);
	if (next >= begin && next - begin < len)
		len = (uint16_t)(next - begin);	/* a truncated message */
	avail = begin < r->size ? r->size - begin : 0;
	if (len > avail)
		len = (uint16_t)avail;	/* corrupt: never past the ring */
	rec = &log->rec[log->n++];
	rec->id = id;
	rec->seq = ld_u64(in + l->off_seq, r->big);
	rec->ts_nsec = ld_u64(in + l->off_ts_nsec, r->big);
	rec->caller_id = ld_u32(in + l->off_caller_id, r->big);
	rec->text = log->data + begin;
	rec->len = len;
	return;
skip:
	log->n_skipped++;
}

/* The ring header, through the pointer prb. */
static struct mperr *read_header(const struct ram_image *ram, const struct vmcoreinfo *vi,
				 struct printk_log *log, struct rings *r)
{
	uint64_t prb_sym;
	uint8_t ptr[8], *h;
	const uint8_t *ring, *text;
	struct mperr *err;
	int64_t po;

	if (!vmci_symbol(vi, "prb", &prb_sym))
		return mperr_input("VMCOREINFO has no SYMBOL(prb): not the lockless printk ring "
				   "buffer of Linux 5.10+");
	err = get_layout(vi, &r->l);
	if (!err)
		err = check_layout(&r->l);
	if (err)
		return err;
	log->page_offset = vmci_number(vi, "NUMBER", "PAGE_OFFSET", &po) ? (uint64_t)po
									  : PRINTK_PAGE_OFFSET;
	err = read_va(ram, log->page_offset, prb_sym, ptr, sizeof(ptr), "SYMBOL(prb)");
	if (err)
		return err;
	log->prb_va = ld_u64(ptr, r->big);
	h = malloc(r->l.sz_prb);
	if (!h)
		return mperr_nomem();
	err = read_va(ram, log->page_offset, log->prb_va, h, r->l.sz_prb,
		      "struct printk_ringbuffer (*prb)");
	if (err) {
		free(h);
		return err;
	}
	ring = h + r->l.off_desc_ring;
	text = h + r->l.off_text_ring;
	log->count_bits = ld_u32(ring + r->l.off_count_bits, r->big);
	log->descs_va = ld_u64(ring + r->l.off_descs, r->big);
	log->infos_va = ld_u64(ring + r->l.off_infos, r->big);
	log->head_id = ld_u64(ring + r->l.off_head_id + r->l.off_counter, r->big);
	log->tail_id = ld_u64(ring + r->l.off_tail_id + r->l.off_counter, r->big);
	log->size_bits = ld_u32(text + r->l.off_size_bits, r->big);
	log->data_va = ld_u64(text + r->l.off_data, r->big);
	free(h);
	if (log->count_bits > MAX_COUNT_BITS || log->size_bits > MAX_SIZE_BITS ||
	    log->size_bits < 4)
		return mperr_input("printk ring buffer at 0x%016" PRIx64 ": count_bits %u, "
				   "size_bits %u (at most %u and %u)", log->prb_va, log->count_bits,
				   log->size_bits, MAX_COUNT_BITS, MAX_SIZE_BITS);
	r->count = UINT64_C(1) << log->count_bits;
	r->size = UINT64_C(1) << log->size_bits;
	return NULL;
}

/* The three arrays, each checked to lie in RAM before it is allocated. */
static struct mperr *read_rings(const struct ram_image *ram, struct printk_log *log,
				struct rings *r)
{
	uint64_t dlen = r->count * r->l.sz_desc, ilen = r->count * r->l.sz_info, gpa;
	struct mperr *err;

	if ((err = va_to_gpa(ram, log->page_offset, log->descs_va, dlen, "prb descs", &gpa)) ||
	    (err = va_to_gpa(ram, log->page_offset, log->infos_va, ilen, "prb infos", &gpa)) ||
	    (err = va_to_gpa(ram, log->page_offset, log->data_va, r->size, "prb text data",
			     &gpa)))
		return err;
	r->descs = malloc(dlen);
	r->infos = malloc(ilen);
	log->data = malloc(r->size);
	log->rec = calloc(r->count, sizeof(*log->rec));
	if (!r->descs || !r->infos || !log->data || !log->rec)
		return mperr_nomem();
	if ((err = read_va(ram, log->page_offset, log->descs_va, r->descs, dlen, "prb descs")) ||
	    (err = read_va(ram, log->page_offset, log->infos_va, r->infos, ilen, "prb infos")) ||
	    (err = read_va(ram, log->page_offset, log->data_va, log->data, r->size,
			   "prb text data")))
		return err;
	return NULL;
}

struct mperr *printk_load(const struct ram_image *ram, const struct vmcoreinfo *vi,
			  struct printk_log *log)
{
	struct rings r = { .big = vi->big };
	struct mperr *err;
	uint64_t span;

	memset(log, 0, sizeof(*log));
	err = read_header(ram, vi, log, &r);
	if (!err)
		err = read_rings(ram, log, &r);
	if (err)
		goto out;
	/* tail_id .. head_id, both included; more ids than slots is not a ring */
	span = (log->head_id - log->tail_id) & SV_ID_MASK;
	if (span >= r.count) {
		err = mperr_input("printk ring buffer at 0x%016" PRIx64 ": tail_id 0x%" PRIx64
				  " .. head_id 0x%" PRIx64 " spans more than its %" PRIu64
				  " descriptors", log->prb_va, log->tail_id, log->head_id, r.count);
		goto out;
	}
	for (uint64_t i = 0, id = log->tail_id; i <= span; i++, id = (id + 1) & SV_ID_MASK)
		take_record(log, &r, id);
out:
	free(r.descs);
	free(r.infos);
	if (err)
		printk_free(log);
	return err;
}

void printk_free(struct printk_log *log)
{
	free(log->data);
	free(log->rec);
	log->data = NULL;
	log->rec = NULL;
	log->n = 0;
}
