/* lib_fixture.c - see lib_fixture.h */
#include "lib_fixture.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char *const fixture_guests[2] = { "", "master/" };

static const char *env_path(const char *var, const char *guest, const char *name)
{
	static char buf[4][4096];
	static int k;
	const char *dir = getenv(var);
	char *p = buf[k++ % 4];

	ck_assert_msg(dir && *dir, "%s is not set: run the tests with make check", var);
	snprintf(p, sizeof(buf[0]), "%s/%s%s", dir, guest, name);
	ck_assert_msg(access(p, R_OK) == 0, "fixture %s is missing", p);
	return p;
}

const char *fixture_path(const char *guest, const char *name)
{
	return env_path("MPIPLSIM_FIXTURES", guest, name);
}

const char *shared_path(const char *guest, const char *name)
{
	return env_path("MPIPLSIM_SHARED", guest, name);
}
