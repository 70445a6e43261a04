/* Draws a layout with an SDL_Renderer: panels, buttons, fitted text and
 * the few icons (drawn as geometry, so they scale and need no image files). */
#ifndef TILSTEDE_UI_RENDER_H
#define TILSTEDE_UI_RENDER_H

#include <SDL.h>

#include "layout.h"
#include "text.h"

/* pressed: the box under a finger now (drawn darker), or NULL. clip: only
 * this part is painted (the boxes that reach into it, clipped), or NULL for
 * the whole picture. */
void render_layout(SDL_Renderer *renderer, struct text *text, const struct layout *layout,
                   const struct layout_box *pressed, const SDL_Rect *clip);

#endif
