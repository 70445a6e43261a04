/* A growable text buffer with a stated maximum (like curl's dynbuf): what
 * the central builds for a response can never grow without bound. */
#ifndef TILSTEDE_CENTRAL_BUF_H
#define TILSTEDE_CENTRAL_BUF_H

#include <stddef.h>

struct central_buf {
    char *data; /* NUL-terminated while len > 0 */
    size_t len;
    size_t cap;
    size_t max;
    int failed; /* a write did not fit or memory ran out; the text is cut */
};

void central_buf_init(struct central_buf *buf, size_t max);
void central_buf_free(struct central_buf *buf);
/* Appends; on failure sets `failed` and returns -ENOMEM or -E2BIG. */
int central_buf_add(struct central_buf *buf, const void *data, size_t len);
int central_buf_str(struct central_buf *buf, const char *text);
int central_buf_printf(struct central_buf *buf, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends text with &, <, >, " and ' escaped for HTML. */
int central_buf_html(struct central_buf *buf, const char *text);
/* The web pages' one door for text: printf where every %s argument is
 * HTML-escaped (only the format, a literal in the program, goes out as it
 * is). Conversions: %s %d %u %ld %lld %zu %%. */
int central_buf_htmlf(struct central_buf *buf, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* Hands the data over to the caller (free() it); the buffer is empty. */
char *central_buf_take(struct central_buf *buf, size_t *len);

#endif
