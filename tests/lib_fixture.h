/* lib_fixture.h - paths of the real fixtures, from the environment make check sets */
#ifndef MPIPLSIM_TEST_FIXTURE_H
#define MPIPLSIM_TEST_FIXTURE_H

/* "$MPIPLSIM_FIXTURES/<guest><name>" (decompressed); fails the test if unset or missing */
const char *fixture_path(const char *guest, const char *name);
/* "$MPIPLSIM_SHARED/<guest><name>" (the shared fixture folder itself) */
const char *shared_path(const char *guest, const char *name);

/* The two real guests: "" (skiboot v7.0) and "master/" */
extern const char *const fixture_guests[2];

#endif
