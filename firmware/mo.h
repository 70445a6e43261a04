/* gettext .mo catalogues read in memory: the kiosk's screen (ui/i18n.c,
 * from a file) and the central's web app (compiled into the program) look
 * up their translations with the same code. */
#ifndef TILSTEDE_MO_H
#define TILSTEDE_MO_H

#include <stddef.h>
#include <stdint.h>

struct mo {
    const unsigned char *data; /* the whole catalogue, the caller's */
    size_t size;
    uint32_t count;
    uint32_t originals; /* offset of the table of (length, offset) pairs */
    uint32_t translations;
    int swapped;
};

/* Checks data as a .mo catalogue (every entry inside it) and fills mo,
 * which points into data. 0, or -EINVAL with err saying what is wrong. */
int mo_parse(struct mo *mo, const void *data, size_t size, char *err, size_t errlen);
/* The translation of msgid and its length (plural forms NUL-separated
 * inside it), or NULL when the catalogue has none (or an empty one). */
const char *mo_find(const struct mo *mo, const char *msgid, uint32_t *len);

#endif
