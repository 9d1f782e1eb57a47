/*
 * elf_describe.h - the segments and notes of an ELF core file as `inspect`
 * lists them (the reverse of output/elf_out.h, which only writes).
 */
#ifndef MPIPLSIM_ELF_DESCRIBE_H
#define MPIPLSIM_ELF_DESCRIBE_H

#include <stdio.h>

#include "core/err.h"

/*
 * List the ELF header, every program header and every note of the ELF file
 * at path (NT_PRSTATUS: pr_pid, NIP, LR, R1; VMCOREINFO: OSRELEASE, PAGESIZE).
 */
struct mperr *vmcore_describe(FILE *out, const char *path);
/* The same on an open file (e.g. a snapshot's mapped input, gzip already inflated). */
struct mperr *vmcore_describe_fd(FILE *out, int fd, const char *name);

#endif
