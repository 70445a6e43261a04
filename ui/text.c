/* SDL_ttf fonts by (face, size) and a texture cache, both small LRU tables.
 * Fonts are opened from memory: the .ttf files are read once. */
#include "text.h"

#include <SDL_ttf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_FONTS_MAX    24  /* open (face, size) pairs: a screen uses under 10 */
#define TEXT_TEXTURES_MAX 256 /* cached lines: two screens' worth */
#define TEXT_LINE_MAX     384

struct font_slot {
    TTF_Font *font;
    enum layout_face face;
    int px;
    uint64_t used;
};

struct texture_slot {
    SDL_Texture *texture;
    enum layout_face face;
    int px, w, h;
    uint32_t fg;
    uint64_t used;
    char line[TEXT_LINE_MAX];
};

struct text {
    void *font_data[LAYOUT_FACES];
    size_t font_size[LAYOUT_FACES];
    struct font_slot fonts[TEXT_FONTS_MAX];
    struct texture_slot textures[TEXT_TEXTURES_MAX];
    SDL_Renderer *renderer; /* the textures' owner */
    uint64_t clock;         /* LRU counter */
    struct layout_metrics metrics;
};

static TTF_Font *font_get(struct text *text, enum layout_face face, int px)
{
    struct font_slot *oldest = &text->fonts[0];
    for (int i = 0; i < TEXT_FONTS_MAX; i++) {
        struct font_slot *slot = &text->fonts[i];
        if (slot->font && slot->face == face && slot->px == px) {
            slot->used = ++text->clock;
            return slot->font;
        }
        if (!slot->font || slot->used < oldest->used)
            oldest = slot;
        if (!slot->font)
            break;
    }
    if (oldest->font)
        TTF_CloseFont(oldest->font);
    SDL_RWops *rw = SDL_RWFromConstMem(text->font_data[face], (int)text->font_size[face]);
    oldest->font = rw ? TTF_OpenFontRW(rw, 1, px) : NULL;
    oldest->face = face;
    oldest->px = px;
    oldest->used = ++text->clock;
    if (oldest->font)
        TTF_SetFontHinting(oldest->font, TTF_HINTING_LIGHT);
    return oldest->font;
}

static int metric_width(void *ctx, enum layout_face face, int px, const char *line)
{
    TTF_Font *font = font_get(ctx, face, px);
    int w = 0, h = 0;
    if (!font || !*line || TTF_SizeUTF8(font, line, &w, &h) < 0)
        return 0;
    return w;
}

static int metric_line_height(void *ctx, enum layout_face face, int px)
{
    TTF_Font *font = font_get(ctx, face, px);
    return font ? TTF_FontLineSkip(font) : px;
}

int text_open(const char *font_dir, struct text **out, char *err, size_t errlen)
{
    static const char *const files[LAYOUT_FACES] = {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf"};
    int rc = 0;
    struct text *text = calloc(1, sizeof *text);
    if (!text) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    for (int face = 0; face < LAYOUT_FACES; face++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", font_dir, files[face]);
        text->font_data[face] = SDL_LoadFile(path, &text->font_size[face]);
        if (!text->font_data[face]) {
            rc = -ENOENT;
            snprintf(err, errlen, "%s: %s (is the assets directory right?)", path, SDL_GetError());
            goto out;
        }
    }
    text->metrics.text_width = metric_width;
    text->metrics.line_height = metric_line_height;
    text->metrics.ctx = text;
    if (!font_get(text, LAYOUT_REGULAR, 28)) {
        rc = -EINVAL;
        snprintf(err, errlen, "%s/%s: not a usable font: %s", font_dir, files[0], TTF_GetError());
        goto out;
    }
out:
    if (rc < 0) {
        text_close(text);
        text = NULL;
    }
    *out = text;
    return rc;
}

void text_flush(struct text *text)
{
    for (int i = 0; i < TEXT_TEXTURES_MAX; i++) {
        if (text->textures[i].texture)
            SDL_DestroyTexture(text->textures[i].texture);
        text->textures[i].texture = NULL;
    }
    text->renderer = NULL;
}

void text_close(struct text *text)
{
    if (!text)
        return;
    text_flush(text);
    for (int i = 0; i < TEXT_FONTS_MAX; i++)
        if (text->fonts[i].font)
            TTF_CloseFont(text->fonts[i].font);
    for (int face = 0; face < LAYOUT_FACES; face++)
        SDL_free(text->font_data[face]);
    free(text);
}

const struct layout_metrics *text_metrics(struct text *text)
{
    return &text->metrics;
}

int text_covers(struct text *text, const char *utf8)
{
    TTF_Font *font = font_get(text, LAYOUT_REGULAR, 28);
    const unsigned char *p = (const unsigned char *)utf8;
    while (*p) {
        uint32_t cp;
        int len = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        cp = len == 1 ? *p : len == 2 ? (*p & 0x1Fu) : len == 3 ? (*p & 0x0Fu) : (*p & 0x07u);
        for (int i = 1; i < len; i++) {
            if ((p[i] & 0xC0u) != 0x80u)
                return 0;
            cp = (cp << 6) | (p[i] & 0x3Fu);
        }
        if (!TTF_GlyphIsProvided32(font, cp))
            return 0;
        p += len;
    }
    return 1;
}

int text_draw(struct text *text, SDL_Renderer *renderer, enum layout_face face, int px, uint32_t fg,
              const char *line, int x, int y)
{
    if (!*line)
        return 0;
    if (text->renderer != renderer) {
        text_flush(text);
        text->renderer = renderer;
    }
    struct texture_slot *slot = NULL, *oldest = &text->textures[0];
    for (int i = 0; i < TEXT_TEXTURES_MAX; i++) {
        struct texture_slot *candidate = &text->textures[i];
        if (candidate->texture && candidate->face == face && candidate->px == px &&
            candidate->fg == fg && strcmp(candidate->line, line) == 0) {
            slot = candidate;
            break;
        }
        if (!candidate->texture || candidate->used < oldest->used)
            oldest = candidate;
    }
    if (!slot) {
        TTF_Font *font = font_get(text, face, px);
        if (!font)
            return 0;
        SDL_Color colour = {(Uint8)(fg >> 16), (Uint8)(fg >> 8), (Uint8)fg, 255};
        SDL_Surface *surface = TTF_RenderUTF8_Blended(font, line, colour);
        if (!surface)
            return 0;
        if (oldest->texture)
            SDL_DestroyTexture(oldest->texture);
        slot = oldest;
        slot->texture = SDL_CreateTextureFromSurface(renderer, surface);
        slot->w = surface->w;
        slot->h = surface->h;
        SDL_FreeSurface(surface);
        if (!slot->texture)
            return 0;
        slot->face = face;
        slot->px = px;
        slot->fg = fg;
        snprintf(slot->line, sizeof slot->line, "%s", line);
    }
    slot->used = ++text->clock;
    SDL_Rect dst = {x, y, slot->w, slot->h};
    SDL_RenderCopy(renderer, slot->texture, NULL, &dst);
    return slot->w;
}
