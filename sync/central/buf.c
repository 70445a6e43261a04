/* Bounded growable buffer (see buf.h). */
#include "buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void central_buf_init(struct central_buf *buf, size_t max)
{
    memset(buf, 0, sizeof *buf);
    buf->max = max;
}

void central_buf_free(struct central_buf *buf)
{
    free(buf->data);
    memset(buf, 0, sizeof *buf);
}

static int reserve(struct central_buf *buf, size_t extra)
{
    if (buf->failed)
        return -ENOMEM;
    if (extra > buf->max || buf->len + extra + 1 > buf->max) {
        buf->failed = 1;
        return -E2BIG;
    }
    size_t need = buf->len + extra + 1;
    if (need <= buf->cap)
        return 0;
    size_t cap = buf->cap ? buf->cap : 256;
    while (cap < need)
        cap *= 2;
    if (cap > buf->max)
        cap = buf->max;
    char *data = realloc(buf->data, cap);
    if (!data) {
        buf->failed = 1;
        return -ENOMEM;
    }
    buf->data = data;
    buf->cap = cap;
    return 0;
}

int central_buf_add(struct central_buf *buf, const void *data, size_t len)
{
    int rc = reserve(buf, len);
    if (rc)
        return rc;
    memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
    return 0;
}

int central_buf_str(struct central_buf *buf, const char *text)
{
    return central_buf_add(buf, text, strlen(text));
}

int central_buf_printf(struct central_buf *buf, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int len = vsnprintf(NULL, 0, format, args);
    va_end(args);
    if (len < 0)
        return -EINVAL;
    int rc = reserve(buf, (size_t)len);
    if (rc)
        return rc;
    va_start(args, format);
    vsnprintf(buf->data + buf->len, (size_t)len + 1, format, args);
    va_end(args);
    buf->len += (size_t)len;
    return 0;
}

int central_buf_html(struct central_buf *buf, const char *text)
{
    int rc = 0;
    for (const char *p = text; *p && !rc; p++) {
        switch (*p) {
        case '&':
            rc = central_buf_str(buf, "&amp;");
            break;
        case '<':
            rc = central_buf_str(buf, "&lt;");
            break;
        case '>':
            rc = central_buf_str(buf, "&gt;");
            break;
        case '"':
            rc = central_buf_str(buf, "&quot;");
            break;
        case '\'':
            rc = central_buf_str(buf, "&#39;");
            break;
        default:
            rc = central_buf_add(buf, p, 1);
            break;
        }
    }
    return rc;
}

int central_buf_htmlf(struct central_buf *buf, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int rc = 0;
    const char *p = format;
    while (*p && !rc) {
        const char *percent = strchr(p, '%');
        if (!percent) {
            rc = central_buf_str(buf, p);
            break;
        }
        rc = central_buf_add(buf, p, (size_t)(percent - p));
        p = percent + 1;
        if (rc)
            break;
        if (*p == '%') {
            rc = central_buf_add(buf, "%", 1);
            p++;
        } else if (*p == 's') {
            const char *text = va_arg(args, const char *);
            rc = central_buf_html(buf, text ? text : "");
            p++;
        } else if (*p == 'd') {
            rc = central_buf_printf(buf, "%d", va_arg(args, int));
            p++;
        } else if (*p == 'u') {
            rc = central_buf_printf(buf, "%u", va_arg(args, unsigned));
            p++;
        } else if (!strncmp(p, "lld", 3)) {
            rc = central_buf_printf(buf, "%lld", va_arg(args, long long));
            p += 3;
        } else if (!strncmp(p, "ld", 2)) {
            rc = central_buf_printf(buf, "%ld", va_arg(args, long));
            p += 2;
        } else if (!strncmp(p, "zu", 2)) {
            rc = central_buf_printf(buf, "%zu", va_arg(args, size_t));
            p += 2;
        } else {
            buf->failed = 1; /* a conversion this door does not know */
            rc = -EINVAL;
        }
    }
    va_end(args);
    return rc;
}

char *central_buf_take(struct central_buf *buf, size_t *len)
{
    char *data = buf->data;
    *len = buf->len;
    if (!data)
        data = calloc(1, 1);
    memset(buf, 0, sizeof *buf);
    return data;
}
