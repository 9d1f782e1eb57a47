/* err.c - see err.h */
#include "core/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static struct mperr nomem = {
	.kind = MPERR_IO, .errnum = ENOMEM, .entry = -1, .msg = "out of memory",
};

static struct mperr *mperr_vnew(enum mperr_kind kind, int errnum, const char *fmt, va_list ap)
{
	struct mperr *err = calloc(1, sizeof(*err));

	if (!err)
		return &nomem;
	err->kind = kind;
	err->errnum = errnum;
	err->entry = -1;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (errnum) {
		size_t n = strlen(err->msg);

		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
	}
	return err;
}

struct mperr *mperr_input(const char *fmt, ...)
{
	struct mperr *err;
	va_list ap;

	va_start(ap, fmt);
	err = mperr_vnew(MPERR_INPUT, 0, fmt, ap);
	va_end(ap);
	return err;
}

struct mperr *mperr_usage(const char *fmt, ...)
{
	struct mperr *err;
	va_list ap;

	va_start(ap, fmt);
	err = mperr_vnew(MPERR_USAGE, 0, fmt, ap);
	va_end(ap);
	return err;
}

struct mperr *mperr_io(int errnum, const char *fmt, ...)
{
	struct mperr *err;
	va_list ap;

	va_start(ap, fmt);
	err = mperr_vnew(MPERR_IO, errnum, fmt, ap);
	va_end(ap);
	return err;
}

struct mperr *mperr_nomem(void)
{
	return &nomem;
}

struct mperr *mperr_in_file(struct mperr *err, const char *file)
{
	if (err && err != &nomem && !err->file)
		err->file = file;
	return err;
}

struct mperr *mperr_in_table(struct mperr *err, const char *table)
{
	if (err && err != &nomem && !err->table)
		err->table = table;
	return err;
}

struct mperr *mperr_in_entry(struct mperr *err, const char *table, long entry)
{
	if (err && err != &nomem && !err->table) {
		err->table = table;
		err->entry = entry;
	}
	return err;
}

struct mperr *mperr_at(struct mperr *err, uint64_t off)
{
	if (err && err != &nomem && !err->has_off) {
		err->has_off = 1;
		err->off = off;
	}
	return err;
}

struct mperr *mperr_hint(struct mperr *err, enum mperr_hint hint)
{
	if (err && err != &nomem)
		err->hint = hint;
	return err;
}

struct mperr *mperr_prefix(struct mperr *err, const char *fmt, ...)
{
	char head[128], tmp[sizeof(err->msg) + sizeof(head) + 2];
	va_list ap;

	if (!err || err == &nomem)
		return err;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	snprintf(tmp, sizeof(tmp), "%s: %s", head, err->msg);
	tmp[sizeof(err->msg) - 1] = '\0';	/* truncate to fit */
	memcpy(err->msg, tmp, sizeof(err->msg));
	return err;
}

void mperr_format(const struct mperr *err, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (err->file)
		n += snprintf(buf + n, len - n, "%s: ", err->file);
	if (n < len && err->table && err->entry >= 0)
		n += snprintf(buf + n, len - n, "%s entry %ld: ", err->table, err->entry);
	else if (n < len && err->table)
		n += snprintf(buf + n, len - n, "%s: ", err->table);
	if (n < len)
		snprintf(buf + n, len - n, "%s", err->msg);
}

void mperr_free(struct mperr *err)
{
	if (err != &nomem)
		free(err);
}

void warnf(const struct warn_sink *w, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (!w || !w->fn)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	w->fn(w->ctx, buf);
}
