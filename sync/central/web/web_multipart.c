/* multipart/form-data (RFC 7578), the body of a form with a file in it (a
 * calendar to import): each part becomes a web field, its value
 * NUL-terminated in a copy of the body and its length kept, since a file
 * may hold any byte. The body is already within the web app's limit
 * (http.c); a page limits its own file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "web.h"

#define BOUNDARY_MAX 70 /* RFC 2046 */

/* The boundary parameter of the Content-Type, quoted or not. */
static int boundary_of(const char *type, char *out, size_t cap)
{
    const char *at = strcasestr(type, "boundary=");
    if (!at)
        return -EINVAL;
    at += strlen("boundary=");
    size_t len;
    if (*at == '"') {
        at++;
        const char *end = strchr(at, '"');
        len = end ? (size_t)(end - at) : 0;
    } else {
        len = strcspn(at, "; \t");
    }
    if (len == 0 || len > BOUNDARY_MAX || len + 1 > cap)
        return -EINVAL;
    memcpy(out, at, len);
    out[len] = '\0';
    return 0;
}

/* The value of name="..." in a part's Content-Disposition, NUL-terminated
 * in place; NULL when it has none. */
static char *disposition_name(char *headers, char *headers_end)
{
    for (char *line = headers; line < headers_end;) {
        char *eol = memchr(line, '\n', (size_t)(headers_end - line));
        if (!eol)
            eol = headers_end;
        if ((size_t)(eol - line) > 20 && strncasecmp(line, "Content-Disposition:", 20) == 0) {
            for (char *p = line; p + 6 <= eol; p++)
                /* " name=" (not "filename=") */
                if (strncmp(p, "name=\"", 6) == 0 && (p == line || p[-1] == ' ' || p[-1] == ';')) {
                    char *value = p + 6;
                    char *close = memchr(value, '"', (size_t)(eol - value));
                    if (!close)
                        return NULL;
                    *close = '\0';
                    return value;
                }
        }
        line = eol + 1;
    }
    return NULL;
}

int web_multipart_parse(struct web *web, const char *type)
{
    char boundary[BOUNDARY_MAX + 5];
    char delimiter[BOUNDARY_MAX + 8];
    if (boundary_of(type, boundary, sizeof boundary))
        return -EINVAL;
    size_t body_len = web->request->body_len;
    web->form = malloc(body_len + 1);
    if (!web->form)
        return -ENOMEM;
    memcpy(web->form, web->request->body, body_len);
    web->form[body_len] = '\0';
    char *body = web->form, *end = body + body_len;
    /* The first delimiter is "--boundary"; each next is "\r\n--boundary". */
    size_t dlen = (size_t)snprintf(delimiter, sizeof delimiter, "\r\n--%s", boundary);
    char *part = memmem(body, body_len, delimiter + 2, dlen - 2);
    if (!part)
        return -EINVAL;
    part += dlen - 2;
    while (part + 2 <= end && web->field_count < WEB_FIELDS_MAX) {
        if (part[0] == '-' && part[1] == '-')
            return 0; /* the closing delimiter */
        if (part[0] != '\r' || part[1] != '\n')
            return -EINVAL;
        char *headers = part + 2;
        char *blank = memmem(headers, (size_t)(end - headers), "\r\n\r\n", 4);
        if (!blank)
            return -EINVAL;
        char *value = blank + 4;
        char *next = memmem(value, (size_t)(end - value), delimiter, dlen);
        if (!next)
            return -EINVAL;
        char *name = disposition_name(headers, blank);
        *next = '\0';
        if (name) {
            web->fields[web->field_count].name = name;
            web->fields[web->field_count].value = value;
            web->fields[web->field_count].length = (size_t)(next - value);
            web->field_count++;
        }
        part = next + dlen;
    }
    return 0;
}
