/*
 * mpipl_layout.h - where the firmware's MPIPL structures sit and where each
 * field sits in them: one name per fact, each with its mpipl.md section, for
 * every layer (tables parse with them, sim and output write with them,
 * compare and report read them back). All big-endian (mpipl.md intro).
 * Offsets named *_OFF are from the start of their structure unless they say
 * "from the OPAL base".
 */
#ifndef MPIPLSIM_MPIPL_LAYOUT_H
#define MPIPLSIM_MPIPL_LAYOUT_H

#include <math.h>
#include <stdint.h>

#define HRMOR_BIT		(UINT64_C(1) << 63)	/* skiboot include/skiboot.h, mpipl.md intro */

/* ---- §1 address map: from the relocated OPAL base ---- */

#define SKIBOOT_BASE		UINT64_C(0x30000000)	/* include/mem-map.h, simulation.md §2 */
#define SPIRAH_SEARCH_OFF	UINT64_C(0x10000)	/* SPIRA-H is found from here on */
#define SPIRAH_SEARCH_LEN	UINT64_C(0x1000)
/* the two skiboot layouts of the §1 table (master chains them from SPIRA-H) */
#define V70_SPIRAH_OFF		UINT64_C(0x10400)
#define V70_PDA_OFF		UINT64_C(0x10700)
#define V70_MDST_OFF		UINT64_C(0x11000)
#define V70_MDDT_OFF		UINT64_C(0x11400)
#define MASTER_SPIRAH_OFF	UINT64_C(0x10000)
#define MASTER_PDA_OFF		UINT64_C(0x10300)
#define MASTER_MDST_OFF		UINT64_C(0x10c00)
#define MASTER_MDDT_OFF		UINT64_C(0x11000)
#define MDRT_OFF		UINT64_C(0x1c00000)	/* both layouts */
#define MPIPL_META_OFF		UINT64_C(0x1c08000)	/* struct mpipl_metadata, §5 */
#define MPIPL_META_SIZE		20u		/* packed */
#define MPIPL_META_CRASHING_PIR_OFF	0x0u
#define MPIPL_META_KERNEL_TAG_OFF	0x4u
#define MPIPL_META_BOOT_MEM_OFF		0xcu		/* boot_mem_size */
#define DUMP_TABLE_MAX		64u		/* 0x400 bytes reserved per MDST/MDDT */

/* ---- §2 SPIRA-H (struct spirah, an HDIF) and its ntuples ---- */

#define HDIF_MAGIC		0xd1f0u		/* be16 at 0x00, then a 6-byte id */
#define SPIRAH_SIZE		0x200u		/* total_len, sizeof(struct spirah) */
#define SPIRAH_VERSION_OFF	0x0au
#define SPIRAH_HDR_LEN_OFF	0x10u
#define SPIRAH_HDR_LEN		0x20u
#define SPIRAH_IDATA_OFF	0x20u		/* idata.offset: + array.offset = ntuples */
#define SPIRAH_ARRAY_OFF	0x30u		/* array.offset */
#define SPIRAH_ECNT_OFF		0x34u		/* array.ecnt: 6, the 7th read by position */
#define SPIRAH_ESIZE_OFF	0x38u		/* array.esize */
#define SPIRAH_NTUPLE_OFF	0x40u		/* ntuple i at spirah + 0x40 + i * 0x20 */
#define SPIRAH_NTUPLE_SIZE	0x20u
#define SPIRAH_NR_NTUPLES	7u		/* 6 declared in ecnt, the 7th is the proc dump area */

/* ntuple fields (struct spira_ntuple) */
#define NTUPLE_ADDR_OFF		0x00u
#define NTUPLE_ALLOC_CNT_OFF	0x08u
#define NTUPLE_ACT_CNT_OFF	0x0au		/* be16 */
#define NTUPLE_ALLOC_LEN_OFF	0x0cu
#define NTUPLE_ACT_LEN_OFF	0x10u

/* ntuple index -> use (hostboot enum hdatSpiraHDataAreas) */
enum spirah_idx {
	NT_HS_DATA, NT_PROC_INIT, NT_CPU_CTRL, NT_MDST, NT_MDDT, NT_MDRT, NT_PROC_DUMP,
};

/* Offset of ntuple i from SPIRA-H. */
static inline uint32_t spirah_ntuple_off(unsigned i)
{
	return SPIRAH_NTUPLE_OFF + i * SPIRAH_NTUPLE_SIZE;
}

/* ntuple 5 act_cnt, the MDRT entry count hostboot writes (§3, §11): SPIRA-H + 0xea */
#define SPIRAH_MDRT_ACT_CNT_OFF	(SPIRAH_NTUPLE_OFF + NT_MDRT * SPIRAH_NTUPLE_SIZE + \
				 NTUPLE_ACT_CNT_OFF)

/* ---- §3 MDST = MDDT entry (16 bytes), MDRT entry (32 bytes) ---- */

#define DUMP_ENTRY_SIZE		16u
#define DUMP_ENTRY_ADDR_OFF	0x0u		/* address | HRMOR_BIT */
#define DUMP_ENTRY_REGION_OFF	0x8u
#define DUMP_ENTRY_TYPE_OFF	0x9u
#define DUMP_ENTRY_SIZE_OFF	0xcu

#define MDRT_ENTRY_SIZE		32u
#define MDRT_SRC_OFF		0x00u
#define MDRT_DEST_OFF		0x08u
#define MDRT_REGION_OFF		0x10u
#define MDRT_TYPE_OFF		0x11u
#define MDRT_RESERVED_OFF	0x12u		/* be16 */
#define MDRT_SIZE_OFF		0x14u
#define MDRT_PAD_OFF		0x18u		/* be64 */
#define MDRT_MAX_ENTRIES	0xffffu		/* act_cnt is a u16 */

/* ---- §4 processor dump area (0x30 bytes) ---- */

#define PDA_SIZE		0x30u		/* struct proc_dump_area */
#define PDA_THREAD_SIZE_OFF	0x00u
#define PDA_VERSION_OFF		0x04u
#define PDA_ALLOC_ADDR_OFF	0x10u
#define PDA_ALLOC_SIZE_OFF	0x1cu
#define PDA_DEST_ADDR_OFF	0x20u
#define PDA_ACT_SIZE_OFF	0x2cu
#define PDA_VERSION_P9		0x1u		/* PROC_DUMP_AREA_FORMAT_P9 = HDAT_FADUMP_CPU_DATA_VER */

/* ---- §4 thread record: header (0x18 bytes), then register entries ---- */

#define THREAD_HDR_SIZE		0x18u		/* hdat_fadump_thread_hdr */
#define THREAD_PIR_OFF		0x00u
#define THREAD_CORE_STATE_OFF	0x04u
#define THREAD_OFFSET_OFF	0x08u		/* array offset, relative to this field */
#define THREAD_ECNT_OFF		0x0cu
#define THREAD_ESIZE_OFF	0x10u
#define THREAD_EACTSZ_OFF	0x14u
#define THREAD_REGS_REL		0x10u		/* offset value: array right after the header */
#define CORE_STATE_RUNNING	0x00u
#define CORE_STATE_INACTIVE	0x0fu		/* HDAT_FADUMP_CORE_INACTIVE */

#define REG_ENTRY_SIZE		0x10u		/* hdat_fadump_reg_entry */
#define REG_TYPE_OFF		0x0u
#define REG_NUM_OFF		0x4u
#define REG_VAL_OFF		0x8u
#define REG_GPR			1u		/* reg_type */
#define REG_SPR			2u
#define REG_NIP			0x7d0u		/* pseudo SPR ids, Linux opal-fadump.h */
#define REG_MSR			0x7d1u
#define REG_CR			0x7d2u

/* ---- §7 the QEMU v2 series (hw/ppc/pnv_mpipl.c), items 3-12 ---- */

/* item 3: fixed skiboot master offsets from the base, no SPIRA-H */
#define QEMU_V2_PDA_OFF		MASTER_PDA_OFF
#define QEMU_V2_MDST_OFF	MASTER_MDST_OFF
#define QEMU_V2_MDDT_OFF	MASTER_MDDT_OFF
#define QEMU_V2_MDRT_OFF	MDRT_OFF
/* item 12 (D10): the area is written back at the unrelocated address 0 + 0x10300 */
#define QEMU_V2_PDA_GPA		QEMU_V2_PDA_OFF
#define QEMU_V2_CHUNK		UINT64_C(0x2000000)	/* COPY_CHUNK_SIZE 32 MiB, item 7 */
#define QEMU_V2_NR_REGS		34u		/* GPR0-31, NIP, MSR (item 11, D11) */
#define QEMU_V2_CORE_STATE	0xffu		/* item 11, D12 */
#define QEMU_V2_THREAD_SIZE	(THREAD_HDR_SIZE + QEMU_V2_NR_REGS * REG_ENTRY_SIZE)	/* 0x238, D15 */

/* num_chunks = ceil((float)len / 32 MiB) in single precision (item 7, bug B3) */
static inline uint64_t qemu_v2_chunks(uint32_t len)
{
	return (uint64_t)ceilf((float)len / (float)QEMU_V2_CHUNK);
}

#endif
