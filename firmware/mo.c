/* Reads gettext .mo catalogues in memory (see mo.h). */
#include "mo.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MO_MAGIC         0x950412deu
#define MO_MAGIC_SWAPPED 0xde120495u

static uint32_t mo_word(const struct mo *mo, size_t offset)
{
    uint32_t value;
    memcpy(&value, mo->data + offset, sizeof value);
    if (mo->swapped)
        value = __builtin_bswap32(value);
    return value;
}

/* The string of entry index in a table, or NULL if the file lies about it. */
static const char *mo_string(const struct mo *mo, uint32_t table, uint32_t index, uint32_t *len)
{
    size_t entry = (size_t)table + (size_t)index * 8u;
    if (entry + 8u > mo->size)
        return NULL;
    uint32_t length = mo_word(mo, entry), offset = mo_word(mo, entry + 4);
    /* The string and its NUL must lie inside the file. */
    if ((size_t)offset + length + 1u > mo->size || mo->data[offset + length] != '\0')
        return NULL;
    if (len)
        *len = length;
    return (const char *)mo->data + offset;
}

int mo_parse(struct mo *mo, const void *data, size_t size, char *err, size_t errlen)
{
    memset(mo, 0, sizeof *mo);
    mo->data = data;
    mo->size = size;
    if (size < 28) {
        snprintf(err, errlen, "too short for a .mo catalogue");
        return -EINVAL;
    }
    uint32_t magic;
    memcpy(&magic, data, sizeof magic);
    if (magic != MO_MAGIC && magic != MO_MAGIC_SWAPPED) {
        snprintf(err, errlen, "not a .mo catalogue (compile the .po with msgfmt)");
        return -EINVAL;
    }
    mo->swapped = magic == MO_MAGIC_SWAPPED;
    mo->count = mo_word(mo, 8);
    mo->originals = mo_word(mo, 12);
    mo->translations = mo_word(mo, 16);
    for (uint32_t i = 0; i < mo->count; i++) {
        if (!mo_string(mo, mo->originals, i, NULL) || !mo_string(mo, mo->translations, i, NULL)) {
            snprintf(err, errlen, "entry %u points outside the file", i);
            mo->count = 0;
            return -EINVAL;
        }
    }
    return 0;
}

/* Binary search: msgfmt writes the originals sorted by strcmp. */
const char *mo_find(const struct mo *mo, const char *msgid, uint32_t *len)
{
    if (!mo || !mo->data)
        return NULL;
    uint32_t low = 0, high = mo->count;
    while (low < high) {
        uint32_t mid = low + (high - low) / 2;
        const char *original = mo_string(mo, mo->originals, mid, NULL);
        int cmp = strcmp(msgid, original);
        if (cmp == 0) {
            const char *text = mo_string(mo, mo->translations, mid, len);
            /* An untranslated entry is left out by msgfmt; an empty one too. */
            return text && *text ? text : NULL;
        }
        if (cmp < 0)
            high = mid;
        else
            low = mid + 1;
    }
    return NULL;
}
