/* outfile.c - see outfile.h */
#include "output/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#define MAX_OPEN 8

/* temporary names a signal handler may unlink; written before the file exists */
static char *volatile open_tmp[MAX_OPEN];

static void say(const char *msg)
{
	ssize_t r = write(STDERR_FILENO, msg, strlen(msg));

	(void)r;
}

/* Async-signal-safe: unlink, write, _exit or re-raise only. */
static void on_fatal_signal(int sig)
{
	for (int i = 0; i < MAX_OPEN; i++)
		if (open_tmp[i])
			unlink(open_tmp[i]);
	if (sig == SIGBUS) {
		/* a mapped input lost pages under us: it shrank or its disk failed */
		say("mpiplsim: an input file shrank or failed while being read (SIGBUS); "
		    "no output written\n");
		_exit(MPERR_IO);
	}
	if (sig != SIGPIPE)
		say("mpiplsim: interrupted; no output written\n");
	signal(sig, SIG_DFL);
	raise(sig);
}

void outfile_install_signal_cleanup(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

static int claim_slot(char *tmp)
{
	for (int i = 0; i < MAX_OPEN; i++)
		if (!open_tmp[i]) {
			open_tmp[i] = tmp;
			return i;
		}
	return -1;
}

struct mperr *outfile_open(struct outfile *f, const char *path)
{
	memset(f, 0, sizeof(*f));
	f->path = path;
	f->fd = -1;
	if (asprintf(&f->tmp, "%s.XXXXXX", path) < 0) {
		f->tmp = NULL;
		return mperr_nomem();
	}
	f->slot = claim_slot(f->tmp);
	f->fd = mkostemp(f->tmp, O_CLOEXEC);
	if (f->fd < 0) {
		struct mperr *err = mperr_io(errno, "cannot create %s", f->tmp);

		outfile_abort(f);
		return mperr_in_file(err, path);
	}
	/* mkstemp makes 0600; an output is an ordinary file under the umask */
	mode_t mask = umask(0);

	umask(mask);
	fchmod(f->fd, 0666 & ~mask);
	return NULL;
}

static struct mperr *fsync_dir(const char *path)
{
	char *copy = strdup(path);
	int dfd;

	if (!copy)
		return mperr_nomem();
	dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (dfd < 0 || fsync(dfd) < 0) {
		int e = errno;

		if (dfd >= 0)
			close(dfd);
		return mperr_io(e, "syncing the directory");
	}
	close(dfd);
	return NULL;
}

struct mperr *outfile_commit(struct outfile *f, uint64_t size, bool do_fsync)
{
	struct mperr *err = NULL;

	if (ftruncate(f->fd, (off_t)size) < 0)
		err = mperr_io(errno, "setting the size to 0x%llx", (unsigned long long)size);
	if (!err && do_fsync && fsync(f->fd) < 0)
		err = mperr_io(errno, "fsync");
	if (!err && close(f->fd) < 0)
		err = mperr_io(errno, "close");
	else if (err)
		close(f->fd);
	f->fd = -1;
	if (!err && rename(f->tmp, f->path) < 0)
		err = mperr_io(errno, "renaming %s into place", f->tmp);
	if (!err && do_fsync)
		err = fsync_dir(f->path);
	if (err) {
		outfile_abort(f);
		return mperr_in_file(err, f->path);
	}
	if (f->slot >= 0)
		open_tmp[f->slot] = NULL;
	free(f->tmp);
	f->tmp = NULL;
	return NULL;
}

void outfile_abort(struct outfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->tmp) {
		if (f->slot >= 0)
			open_tmp[f->slot] = NULL;
		unlink(f->tmp);
		free(f->tmp);
		f->tmp = NULL;
	}
}
