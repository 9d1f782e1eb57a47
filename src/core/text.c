/* text.c - see text.h */
#include "core/text.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Bytes one source byte takes once escaped (without the NUL). */
static size_t esc_len(unsigned char b)
{
	if (b == '\\')
		return 2;
	return b >= 0x20 && b < 0x7f ? 1 : 4;
}

size_t text_escape(char *dst, size_t size, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i, total = 0;
	bool cut;

	if (!size)
		return 0;
	for (i = 0; i < len && total < size; i++)
		total += esc_len((unsigned char)src[i]);
	cut = total + 1 > size;	/* then keep room for "..." */
	for (i = 0; i < len; i++) {
		unsigned char b = (unsigned char)src[i];
		size_t n = esc_len(b);

		if (o + n + (cut ? 4 : 1) > size)
			break;
		if (n == 1) {
			dst[o++] = (char)b;
		} else if (n == 2) {
			dst[o++] = '\\';
			dst[o++] = '\\';
		} else {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[b >> 4];
			dst[o++] = hex[b & 0xf];
		}
	}
	if (i < len)
		for (int k = 0; k < 3 && o + 1 < size; k++)
			dst[o++] = '.';
	dst[o] = '\0';
	return i;
}

const char *text_esc(char *buf, size_t size, const char *s)
{
	text_escape(buf, size, s ? s : "", s ? strlen(s) : 0);
	return buf;
}

void text_put(FILE *out, const char *s, size_t len)
{
	char buf[TEXT_ESC_MAX];

	while (len) {
		/* 4 bytes per source byte at most: a chunk always fits whole */
		size_t n = len < (sizeof(buf) - 1) / 4 ? len : (sizeof(buf) - 1) / 4;

		text_escape(buf, sizeof(buf), s, n);
		fputs(buf, out);
		s += n;
		len -= n;
	}
}

void text_line(FILE *out, const char *prefix, const char *s)
{
	fputs(prefix, out);
	text_put(out, s, strlen(s));
	fputc('\n', out);
}

json_t *text_json(const char *s)
{
	json_t *j = json_string(s);
	size_t len, size;
	char *buf;

	if (j || !s)
		return j;
	len = strlen(s);
	if (__builtin_mul_overflow(len, 4, &size) || __builtin_add_overflow(size, 1, &size))
		return NULL;
	buf = malloc(size);
	if (!buf)
		return NULL;
	text_escape(buf, size, s, len);
	j = json_string(buf);
	free(buf);
	return j;
}
