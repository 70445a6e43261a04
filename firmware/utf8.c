/* UTF-8 cuts at character boundaries and cleaning of stray bytes. */
#include "utf8.h"

#include <stdio.h>
#include <string.h>

size_t utf8_char_len(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    if (len == 0)
        return 0;
    if (s[0] < 0x80)
        return 1;
    size_t need;
    unsigned lowest_second = 0x80, highest_second = 0xbf;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        need = 2;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        need = 3;
        if (s[0] == 0xe0)
            lowest_second = 0xa0; /* overlong */
        else if (s[0] == 0xed)
            highest_second = 0x9f; /* surrogates */
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        need = 4;
        if (s[0] == 0xf0)
            lowest_second = 0x90; /* overlong */
        else if (s[0] == 0xf4)
            highest_second = 0x8f; /* past U+10FFFF */
    } else {
        return 0;
    }
    if (len < need || s[1] < lowest_second || s[1] > highest_second)
        return 0;
    for (size_t i = 2; i < need; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return need;
}

size_t utf8_cut(const char *text, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t cut = max;
    /* Back over continuation bytes to the start of the character at the
     * cut: at most three of them in valid UTF-8. */
    while (cut > 0 && max - cut < 3 && ((unsigned char)text[cut] & 0xc0) == 0x80)
        cut--;
    return cut;
}

size_t utf8_copy_clean(char *out, size_t cap, const char *in)
{
    size_t len = strlen(in), written = 0;
    if (cap == 0)
        return 0;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_char_len(in + i, len - i);
        const char *piece = n ? in + i : "?";
        size_t piece_len = n ? n : 1;
        if (written + piece_len >= cap)
            break;
        memcpy(out + written, piece, piece_len);
        written += piece_len;
        i += piece_len;
    }
    out[written] = '\0';
    return written;
}

size_t utf8_vformat(char *out, size_t cap, const char *fmt, va_list ap)
{
    if (cap == 0)
        return 0;
    int need = vsnprintf(out, cap, fmt, ap);
    if (need < 0) {
        out[0] = '\0';
        return 0;
    }
    size_t len = strlen(out);
    if ((size_t)need < cap)
        return len;
    /* The start of the last character, at most three continuation bytes
     * back; if that character is incomplete, it goes. */
    size_t start = len;
    while (start > 0 && len - start < 3 && ((unsigned char)out[start - 1] & 0xc0) == 0x80)
        start--;
    if (start > 0 && (unsigned char)out[start - 1] >= 0xc0 &&
        utf8_char_len(out + start - 1, len - start + 1) == 0)
        len = start - 1;
    out[len] = '\0';
    return len;
}

size_t utf8_format(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t len = utf8_vformat(out, cap, fmt, ap);
    va_end(ap);
    return len;
}
