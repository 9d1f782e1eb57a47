/* outfile.c - see outfile.h */
#include "output/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
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

#define MAX_LINKS 40	/* symlinks followed, as the kernel's own limit */

static const char *type_name(mode_t m)
{
	return S_ISDIR(m) ? "directory" : S_ISCHR(m) ? "character device" :
	       S_ISBLK(m) ? "block device" : S_ISFIFO(m) ? "FIFO" : S_ISSOCK(m) ? "socket" :
	       "special file";
}

/* The directory part of p (malloc'd): "." for a bare name. */
static char *dir_of(const char *p)
{
	char *copy = strdup(p), *d;

	if (!copy)
		return NULL;
	d = strdup(dirname(copy));
	free(copy);
	return d;
}

/* The path a symlink at p points to, relative links taken from p's directory (malloc'd). */
static char *follow_link(const char *p)
{
	char buf[PATH_MAX], *dir, *r = NULL;
	ssize_t n = readlink(p, buf, sizeof(buf));

	if (n < 0)
		return NULL;
	if ((size_t)n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	buf[n] = '\0';
	if (buf[0] == '/' || !strchr(p, '/'))
		return strdup(buf);	/* absolute, or relative to the current directory */
	dir = dir_of(p);
	if (dir && asprintf(&r, "%s/%s", dir, buf) < 0)
		r = NULL;
	free(dir);
	if (!r)
		errno = ENOMEM;
	return r;
}

/* A path that does not exist yet: it is created in its directory, which must exist. */
static struct mperr *target_missing(const char *path, struct out_target *t)
{
	char *dir = dir_of(t->path);
	struct stat st;
	int e = 0;

	if (!dir)
		return mperr_nomem();
	if (stat(dir, &st) < 0)
		e = errno;
	else if (!S_ISDIR(st.st_mode))
		e = ENOTDIR;
	free(dir);
	if (e && strcmp(t->path, path))
		return mperr_in_file(mperr_io(e, "cannot create %s", t->path), path);
	if (e)
		return mperr_in_file(mperr_io(e, "cannot create"), path);
	t->dev = st.st_dev;
	t->ino = st.st_ino;
	return NULL;
}

/* The temporary file goes beside the target: its directory must take a new file. */
static struct mperr *target_dir_writable(const char *path, const struct out_target *t)
{
	char *dir = dir_of(t->path);
	int e;

	if (!dir)
		return mperr_nomem();
	e = access(dir, W_OK) < 0 ? errno : 0;
	free(dir);
	if (e && strcmp(t->path, path))
		return mperr_in_file(mperr_io(e, "cannot create %s", t->path), path);
	return e ? mperr_in_file(mperr_io(e, "cannot create"), path) : NULL;
}

struct mperr *outfile_target(const char *path, struct out_target *t)
{
	struct mperr *err;
	struct stat st;

	memset(t, 0, sizeof(*t));
	t->path = strdup(path);
	for (int hops = 0; t->path; hops++) {
		char *next;

		if (lstat(t->path, &st) < 0) {
			if (errno != ENOENT) {
				err = mperr_in_file(mperr_io(errno, "cannot look up"), path);
				goto fail;
			}
			err = target_missing(path, t);
			if (!err)
				err = target_dir_writable(path, t);
			if (err)
				goto fail;
			return NULL;
		}
		if (!S_ISLNK(st.st_mode))
			break;
		next = hops < MAX_LINKS ? follow_link(t->path) : (errno = ELOOP, NULL);
		if (!next) {
			err = mperr_in_file(mperr_io(errno, "cannot follow the symlink"), path);
			goto fail;
		}
		free(t->path);
		t->path = next;
	}
	if (!t->path)
		return mperr_nomem();
	t->exists = true;
	t->mode = st.st_mode;
	t->dev = st.st_dev;
	t->ino = st.st_ino;
	if (S_ISREG(st.st_mode)) {
		err = target_dir_writable(path, t);
		if (err)
			goto fail;
		return NULL;
	}
	if (strcmp(t->path, path))
		err = mperr_usage("leads to %s, a %s, not a regular file: refusing to replace it",
				  t->path, type_name(st.st_mode));
	else
		err = mperr_usage("is a %s, not a regular file: refusing to replace it",
				  type_name(st.st_mode));
	err = mperr_in_file(err, path);
fail:
	outfile_target_free(t);
	return err;
}

void outfile_target_free(struct out_target *t)
{
	free(t->path);
	t->path = NULL;
}

/* One file: the same inode, or the same name in the same directory when neither exists yet. */
static bool same_target(const struct out_target *a, const struct out_target *b)
{
	const char *na = strrchr(a->path, '/'), *nb = strrchr(b->path, '/');

	if (a->exists != b->exists || a->dev != b->dev || a->ino != b->ino)
		return false;
	return a->exists || !strcmp(na ? na + 1 : a->path, nb ? nb + 1 : b->path);
}

/* Output o against the inputs and the outputs before it. */
static struct mperr *check_one(const struct named_path *out, const struct out_target *t,
			       size_t i, const struct named_path *in, size_t n_in)
{
	const struct named_path *o = &out[i];
	struct stat st;

	for (size_t k = 0; t[i].exists && k < n_in; k++) {
		if (!in[k].path || stat(in[k].path, &st) < 0)
			continue;	/* opening it says what is wrong */
		if (st.st_dev != t[i].dev || st.st_ino != t[i].ino)
			continue;
		if (!strcmp(in[k].path, o->path))
			return mperr_in_file(mperr_usage("%s names %s, which is never modified",
							 o->what, in[k].what), o->path);
		return mperr_in_file(mperr_usage("%s names %s %s (the same file), which is never "
						 "modified", o->what, in[k].what, in[k].path),
				     o->path);
	}
	for (size_t j = 0; j < i; j++)
		if (out[j].path && same_target(&t[i], &t[j]))
			return mperr_in_file(mperr_usage("%s names another output too (%s)",
							 o->what, out[j].what), o->path);
	return NULL;
}

struct mperr *outfile_check(const struct named_path *out, size_t n_out,
			    const struct named_path *in, size_t n_in)
{
	struct out_target *t = calloc(n_out ? n_out : 1, sizeof(*t));
	struct mperr *err = NULL;

	if (!t)
		return mperr_nomem();
	for (size_t i = 0; !err && i < n_out; i++) {
		if (!out[i].path)
			continue;
		err = outfile_target(out[i].path, &t[i]);
		if (!err)
			err = check_one(out, t, i, in, n_in);
	}
	for (size_t i = 0; i < n_out; i++)
		outfile_target_free(&t[i]);
	free(t);
	return err;
}

struct mperr *outfile_open(struct outfile *f, const char *path)
{
	struct out_target t;
	struct mperr *err;
	mode_t mask;

	memset(f, 0, sizeof(*f));
	f->path = path;
	f->fd = -1;
	f->slot = -1;
	err = outfile_target(path, &t);
	if (err)
		return err;
	f->target = t.path;	/* the temporary goes beside it, so rename() is atomic */
	if (asprintf(&f->tmp, "%s.XXXXXX", f->target) < 0) {
		f->tmp = NULL;
		outfile_abort(f);
		return mperr_nomem();
	}
	f->slot = claim_slot(f->tmp);
	f->fd = mkostemp(f->tmp, O_CLOEXEC);
	if (f->fd < 0) {
		if (strcmp(f->target, path))
			err = mperr_io(errno, "cannot create a file beside %s", f->target);
		else
			err = mperr_io(errno, "cannot create");
		if (f->slot >= 0)
			open_tmp[f->slot] = NULL;
		free(f->tmp);	/* nothing was created under that name: never unlink it */
		f->tmp = NULL;
		outfile_abort(f);
		return mperr_in_file(err, path);
	}
	/* mkstemp makes 0600; an output is an ordinary file under the umask */
	mask = umask(0);
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

/* The target became something else than a regular file while we wrote: leave it. */
static struct mperr *recheck_target(const struct outfile *f)
{
	struct stat st;

	if (lstat(f->target, &st) < 0 || S_ISREG(st.st_mode))
		return NULL;
	return mperr_usage("%s became a %s while it was written: refusing to replace it",
			   f->target, type_name(st.st_mode));
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
	if (!err)
		err = recheck_target(f);
	if (!err && rename(f->tmp, f->target) < 0)
		err = mperr_io(errno, "renaming the finished file into place");
	if (!err && do_fsync)
		err = fsync_dir(f->target);
	if (err) {
		outfile_abort(f);
		return mperr_in_file(err, f->path);
	}
	if (f->slot >= 0)
		open_tmp[f->slot] = NULL;
	free(f->tmp);
	f->tmp = NULL;
	free(f->target);
	f->target = NULL;
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
	free(f->target);
	f->target = NULL;
}
