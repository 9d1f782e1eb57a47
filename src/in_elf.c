/* in_elf.c - placeholder until the elf reader lands; reports the format as unsupported */
#include "snapshot.h"

struct mperr *elf_read(struct snapshot *s, const struct warn_sink *w)
{
	(void)s;
	(void)w;
	return mperr_input("elf snapshots are not supported by this build");
}
