/*
 * printk.h - the crashed kernel's log, read from the lockless printk ring
 * buffer of Linux 5.10 and later (kernel/printk/printk_ringbuffer.h) with
 * nothing but guest RAM and VMCOREINFO: SYMBOL(prb), the SIZE()/OFFSET() of
 * printk_ringbuffer, prb_desc_ring, prb_desc, prb_data_blk_lpos,
 * printk_info, prb_data_ring and atomic_long_t; the records are taken as
 * makedumpfile --dump-dmesg takes them (tail_id to head_id, committed or
 * finalized, text cut at the data block's end). Kernel virtual addresses are
 * ppc64 linear-map addresses: physical = virtual - PAGE_OFFSET. Every value
 * read from the guest is bounded before use. Formatting is the caller's.
 */
#ifndef MPIPLSIM_PRINTK_H
#define MPIPLSIM_PRINTK_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ram_image.h"
#include "tables/vmcoreinfo.h"

#define PRINTK_PAGE_OFFSET	UINT64_C(0xc000000000000000)	/* ppc64 book3s linear map */

struct printk_record {
	uint64_t id;			/* descriptor id */
	uint64_t seq, ts_nsec;
	uint32_t caller_id;
	const uint8_t *text;		/* into printk_log.data */
	uint16_t len;
};

struct printk_log {
	uint64_t page_offset;		/* from NUMBER(PAGE_OFFSET), else PRINTK_PAGE_OFFSET */
	uint64_t prb_va;		/* the value of the pointer prb */
	unsigned count_bits, size_bits;
	uint64_t descs_va, infos_va, data_va;
	uint64_t head_id, tail_id;
	uint8_t *data;			/* copy of the text data ring */
	struct printk_record *rec;	/* records with text, oldest first */
	size_t n;
	size_t n_skipped;		/* ids in [tail, head] not committed/finalized or empty */
};

struct mperr *printk_load(const struct ram_image *ram, const struct vmcoreinfo *vi,
			  struct printk_log *log);
void printk_free(struct printk_log *log);

#endif
