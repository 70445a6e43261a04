/* Draws a layout with an SDL_Renderer: panels, buttons, fitted text and
 * the few icons (drawn as geometry, so they scale and need no image files). */
#ifndef TILSTEDE_UI_RENDER_H
#define TILSTEDE_UI_RENDER_H

#include <SDL.h>

#include "layout.h"
#include "text.h"

/* pressed: the box under a finger now (drawn darker), or NULL. */
void render_layout(SDL_Renderer *renderer, struct text *text, const struct layout *layout,
                   const struct layout_box *pressed);

#endif
