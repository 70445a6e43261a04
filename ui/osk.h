/* The on-screen keyboard: its own, because SDL has none on kmsdrm and the
 * volunteers need æ, ø and å. QWERTY rows on a landscape screen; in
 * portrait, where 11 keys across would be under 60 px, alphabetical rows of
 * seven. Pure: it adds buttons to a layout and edits a text buffer. */
#ifndef TILSTEDE_UI_OSK_H
#define TILSTEDE_UI_OSK_H

#include <stddef.h>
#include <stdint.h>

#include "layout.h"

#define OSK_BACKSPACE 8
#define OSK_SPACE     32

/* How tall the keyboard wants to be in a width x (any) area. */
int osk_height(const struct layout *layout, int width, int portrait);
/* Adds the keys as buttons with `action` and arg = the key's code point
 * (OSK_BACKSPACE, OSK_SPACE, or a letter). space_label names the space bar. */
void osk_build(struct layout *layout, struct layout_rect area, int portrait, int action,
               const char *space_label);
/* Applies a key to text (UTF-8, cap bytes with the NUL): appends a letter,
 * a space (not twice, not first), or removes the last character. Returns 1
 * if the text changed. */
int osk_apply(char *text, size_t cap, int64_t key);

#endif
