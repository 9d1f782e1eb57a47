/*
 * faults_stop.c - LD_PRELOAD shim for tests/faults.sh (case 3): the process
 * stops itself (SIGSTOP) once the raw reader has walked the data extents of
 * the file MPIPLSIM_STOP_AFTER_WALK names, that is after the input is mapped
 * and before any byte of it is read, so that the test can shrink the file
 * under the running program. Keeps the test hook out of src/.
 *
 *   cc -shared -fPIC -o stop.so tests/faults_stop.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

off_t lseek(int fd, off_t off, int whence);
off_t lseek64(int fd, off_t off, int whence);

static int stopped;

/* fd is the watched file, and r (errno e) the last step of a SEEK_DATA/SEEK_HOLE walk */
static int walk_ended(int fd, int whence, off_t r, int e)
{
	const char *want = getenv("MPIPLSIM_STOP_AFTER_WALK");
	struct stat a, b;

	if (stopped || !want || fstat(fd, &a) || stat(want, &b))
		return 0;
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		return 0;
	/* no data after the last extent, or the last extent runs to the end of the file */
	return (whence == SEEK_DATA && r < 0 && e == ENXIO) ||
	       (whence == SEEK_HOLE && r >= 0 && r == a.st_size);
}

static off_t seek(const char *name, int fd, off_t off, int whence)
{
	off_t (*real)(int, off_t, int) = (off_t (*)(int, off_t, int))dlsym(RTLD_NEXT, name);
	off_t r = real(fd, off, whence);
	int e = errno;

	if (walk_ended(fd, whence, r, e)) {
		stopped = 1;
		raise(SIGSTOP);
	}
	errno = e;
	return r;
}

off_t lseek(int fd, off_t off, int whence)
{
	return seek("lseek", fd, off, whence);
}

off_t lseek64(int fd, off_t off, int whence)
{
	return seek("lseek64", fd, off, whence);
}
