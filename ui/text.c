/* SDL_ttf fonts by (face, size) and a texture cache, both small LRU tables.
 * Fonts are opened from memory: the .ttf files are read once.
 *
 * Lines are drawn word by word, each word a cached texture: a new line
 * ("Du er sjekket inn kl. 10.16", "Velkommen, Kari") then costs the
 * rendering of its new words only, not of a whole new line texture, which
 * was the slowest part of a confirmation's frame (0.6-1 ms per line, more
 * when memory is tight). Widths are measured the same way, so the layout
 * and the drawing always agree. */
#include "text.h"

#include <SDL_ttf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_FONTS_MAX    24  /* open (face, size) pairs: a screen uses under 10 */
#define TEXT_TEXTURES_MAX 512 /* cached words: several screens' worth */
#define TEXT_LINE_MAX     384

struct font_slot {
    TTF_Font *font;
    enum layout_face face;
    int px;
    uint64_t used;
};

struct texture_slot {
    SDL_Texture *texture;
    uint32_t hash; /* of line, face, px, fg: compared first */
    enum layout_face face;
    int px, w, h;
    int advance; /* the word's measured width: where the pen goes next */
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

static int space_width(TTF_Font *font)
{
    int advance = 0;
    if (TTF_GlyphMetrics32(font, ' ', NULL, NULL, NULL, NULL, &advance) < 0)
        return 0;
    return advance;
}

/* Calls fn for each word of line (the runs between spaces) with the pen's
 * x, and returns the line's width: words and spaces, as text_draw puts
 * them. */
static int words_each(TTF_Font *font, const char *line,
                      int (*fn)(void *user, const char *word, size_t len, int pen), void *user)
{
    int pen = 0, space = space_width(font), end = 0;
    const char *p = line;
    while (*p) {
        if (*p == ' ') {
            pen += space;
            end = pen;
            p++;
            continue;
        }
        size_t len = strcspn(p, " ");
        int w = fn(user, p, len, pen);
        if (w < 0)
            return -1;
        pen += w;
        end = pen;
        p += len;
    }
    return end;
}

static int word_size(void *user, const char *word, size_t len, int pen)
{
    (void)pen;
    char buffer[TEXT_LINE_MAX];
    snprintf(buffer, sizeof buffer, "%.*s", (int)len, word);
    int w = 0, h = 0;
    return TTF_SizeUTF8(user, buffer, &w, &h) < 0 ? -1 : w;
}

static int metric_width(void *ctx, enum layout_face face, int px, const char *line)
{
    TTF_Font *font = font_get(ctx, face, px);
    if (!font || !*line)
        return 0;
    int w = words_each(font, line, word_size, font);
    return w > 0 ? w : 0;
}

static int metric_cap_height(void *ctx, enum layout_face face, int px)
{
    TTF_Font *font = font_get(ctx, face, px);
    int minx, maxx, miny, maxy, advance;
    if (!font || TTF_GlyphMetrics(font, 'H', &minx, &maxx, &miny, &maxy, &advance) < 0)
        return (int)(px * 0.73);
    return maxy;
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
    text->metrics.cap_height = metric_cap_height;
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

static uint32_t word_hash(const char *word, size_t len, enum layout_face face, int px, uint32_t fg)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)word[i]) * 16777619u;
    return h ^ ((uint32_t)face * 2654435761u) ^ ((uint32_t)px << 24) ^ fg;
}

struct word_draw {
    struct text *text;
    SDL_Renderer *renderer;
    TTF_Font *font;
    enum layout_face face;
    int px, x, y;
    uint32_t fg;
};

/* One word from the cache (rendered into it when new) at the pen. */
static int word_draw(void *user, const char *word, size_t len, int pen)
{
    struct word_draw *d = user;
    struct text *text = d->text;
    uint32_t hash = word_hash(word, len, d->face, d->px, d->fg);
    struct texture_slot *slot = NULL, *oldest = &text->textures[0];
    for (int i = 0; i < TEXT_TEXTURES_MAX; i++) {
        struct texture_slot *candidate = &text->textures[i];
        if (candidate->texture && candidate->hash == hash && candidate->face == d->face &&
            candidate->px == d->px && candidate->fg == d->fg &&
            strncmp(candidate->line, word, len) == 0 && candidate->line[len] == '\0') {
            slot = candidate;
            break;
        }
        if (!candidate->texture || candidate->used < oldest->used)
            oldest = candidate;
    }
    if (!slot) {
        char buffer[TEXT_LINE_MAX];
        snprintf(buffer, sizeof buffer, "%.*s", (int)len, word);
        SDL_Color colour = {(Uint8)(d->fg >> 16), (Uint8)(d->fg >> 8), (Uint8)d->fg, 255};
        SDL_Surface *surface = TTF_RenderUTF8_Blended(d->font, buffer, colour);
        if (!surface)
            return -1;
        if (oldest->texture)
            SDL_DestroyTexture(oldest->texture);
        slot = oldest;
        slot->texture = SDL_CreateTextureFromSurface(d->renderer, surface);
        slot->w = surface->w;
        slot->h = surface->h;
        SDL_FreeSurface(surface);
        if (!slot->texture)
            return -1;
        slot->advance = word_size(d->font, word, len, pen);
        if (slot->advance < 0) {
            SDL_DestroyTexture(slot->texture);
            slot->texture = NULL;
            return -1;
        }
        slot->hash = hash;
        slot->face = d->face;
        slot->px = d->px;
        slot->fg = d->fg;
        snprintf(slot->line, sizeof slot->line, "%s", buffer);
    }
    slot->used = ++text->clock;
    SDL_Rect dst = {d->x + pen, d->y, slot->w, slot->h};
    SDL_RenderCopy(d->renderer, slot->texture, NULL, &dst);
    /* The measured width, as the layout was told: measured once, kept. */
    return slot->advance;
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
    struct word_draw d = {text, renderer, font_get(text, face, px), face, px, x, y, fg};
    if (!d.font)
        return 0;
    int w = words_each(d.font, line, word_draw, &d);
    return w > 0 ? w : 0;
}
