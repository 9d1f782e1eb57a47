/*
 * text.h - terminal-safe text. Every string that comes from a snapshot (RAM
 * block names, section idstrs, vmstate field and subsection names, device tree
 * names, VMCOREINFO, library messages that quote the input) reaches a text
 * output only through text_escape(): bytes 0x20..0x7e other than the
 * backslash stay, a backslash becomes "\\", any other byte "\xNN" (two
 * lower-case hex digits). The result is printable ASCII on one line and names
 * the original bytes unambiguously. JSON output keeps jansson's escaping;
 * text_json() only stands in for strings that are not UTF-8.
 */
#ifndef MPIPLSIM_TEXT_H
#define MPIPLSIM_TEXT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#define TEXT_ESC_MAX 1024	/* a 255-byte name fully escaped fits */

/*
 * Escape len bytes of src into dst (size bytes, NUL-terminated if size > 0).
 * If the escaped text does not fit, it is cut before a whole escape and ends
 * in "..."; returns the number of source bytes written.
 */
size_t text_escape(char *dst, size_t size, const char *src, size_t len);

/* The NUL-terminated s escaped into buf; returns buf (a printf argument). */
const char *text_esc(char *buf, size_t size, const char *s);
/* TEXT_ESC(s): the same in a buffer of its own that lives to the end of the block */
#define TEXT_ESC(s) text_esc((char[TEXT_ESC_MAX]){ 0 }, TEXT_ESC_MAX, (s))

/* Write len bytes of s escaped to out, however long. */
void text_put(FILE *out, const char *s, size_t len);
/* One line: prefix as it is, s escaped (newlines too), then '\n'. */
void text_line(FILE *out, const char *prefix, const char *s);

/* json_string(s), or for bytes that are not UTF-8 the escaped text; never NULL but on ENOMEM */
json_t *text_json(const char *s);

#endif
