/* Fonts and text drawing: DejaVu Sans from assets/fonts, measured for the
 * layout step and drawn with a small cache of textures, so a redraw that
 * shows the same words does not render glyphs again. */
#ifndef TILSTEDE_UI_TEXT_H
#define TILSTEDE_UI_TEXT_H

#include <SDL.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"

struct text;

/* Loads DejaVuSans.ttf and DejaVuSans-Bold.ttf from font_dir. Needs
 * TTF_Init() done (ui_open does it). 0 or < 0 with err set. */
int text_open(const char *font_dir, struct text **out, char *err, size_t errlen);
void text_close(struct text *text);
const struct layout_metrics *text_metrics(struct text *text);
/* 1 when the regular face has a glyph for every character of utf8. */
int text_covers(struct text *text, const char *utf8);
/* Draws one line with its top-left at (x, y); returns its width. */
int text_draw(struct text *text, SDL_Renderer *renderer, enum layout_face face, int px, uint32_t fg,
              const char *line, int x, int y);
/* Forgets the textures (before the renderer goes). */
void text_flush(struct text *text);

#endif
