/* Cutting and cleaning UTF-8 text for messages and stored fields: a cut
 * lands only between characters, and text that must be valid UTF-8 (a JSON
 * string, a terminal line) never carries a stray byte. */
#ifndef TILSTEDE_UTF8_H
#define TILSTEDE_UTF8_H

#include <stdarg.h>
#include <stddef.h>

/* The length of the first character of text[0..len): 1 to 4, or 0 when
 * those bytes do not start a valid UTF-8 sequence (overlong forms,
 * surrogates and values past U+10FFFF are invalid). */
size_t utf8_char_len(const char *text, size_t len);
/* The longest prefix of text[0..len) of at most max bytes that ends between
 * two characters (text is taken to be valid UTF-8). */
size_t utf8_cut(const char *text, size_t len, size_t max);
/* Copies the NUL-terminated in to out (cap bytes, NUL-terminated), each
 * invalid byte as '?', cut at a character boundary when it does not fit.
 * Returns the length written. */
size_t utf8_copy_clean(char *out, size_t cap, const char *in);
/* vsnprintf into out (cap bytes), and when the text did not fit, cut back
 * to its last whole character: a message is cut between characters, never
 * inside one. Returns the length written. */
size_t utf8_vformat(char *out, size_t cap, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
size_t utf8_format(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* For "%.*s": text cut to at most max bytes between characters, as a
 * printf precision and argument pair (text is evaluated twice). */
#define UTF8_CLIP(text, max) (int)utf8_cut((text), strlen(text), (max)), (text)

#endif
