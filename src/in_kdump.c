/* in_kdump.c - placeholder until the kdump reader lands; reports the format as unsupported */
#include "snapshot.h"

struct mperr *kdump_read(struct snapshot *s, const struct warn_sink *w)
{
	(void)s;
	(void)w;
	return mperr_input("kdump snapshots are not supported by this build");
}
