/* tmpdir.c - see tmpdir.h */
#include "core/tmpdir.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char *tmp_dir(void)
{
	const char *d = getenv("TMPDIR");

	return d && *d ? d : "/tmp";
}

int tmp_open_unlinked(void)
{
	char path[4096];
	int fd = open(tmp_dir(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0)
		return fd;
	snprintf(path, sizeof(path), "%s/mpiplsim.XXXXXX", tmp_dir());
	fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	return fd;
}
