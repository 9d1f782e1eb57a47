/*
 * elfcore.h - an Elf64 core file's ELF header and program headers as plain
 * host-order values: what the crashed kernel left in memory, and what the
 * vmcore writer writes. Types only; a leaf anyone may include.
 */
#ifndef MPIPLSIM_ELFCORE_H
#define MPIPLSIM_ELFCORE_H

#include <stdbool.h>
#include <stdint.h>

#define ELFCORE_EHDR_SIZE	64u	/* sizeof(Elf64_Ehdr) */
#define ELFCORE_PHDR_SIZE	56u	/* sizeof(Elf64_Phdr) */

struct elfcore_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

struct elfcore_hdr {
	uint64_t gpa;			/* where it was read, 0 if built here */
	bool big;			/* EI_DATA == ELFDATA2MSB */
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
	struct elfcore_phdr *ph;	/* phnum entries, malloc'ed */
};

#endif
