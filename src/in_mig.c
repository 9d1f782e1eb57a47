/* in_mig.c - placeholder until the mig reader lands; reports the format as unsupported */
#include "snapshot.h"

struct mperr *mig_read(struct snapshot *s, const struct warn_sink *w)
{
	(void)s;
	(void)w;
	return mperr_input("mig snapshots are not supported by this build");
}
