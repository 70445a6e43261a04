/* Drawing of layout boxes. Nothing here decides where things go. */
#include "render.h"

#include <math.h>
#include <string.h>

static SDL_Color colour_of(uint32_t rgb)
{
    SDL_Color c = {(Uint8)(rgb >> 16), (Uint8)(rgb >> 8), (Uint8)rgb, 255};
    return c;
}

static void set_colour(SDL_Renderer *renderer, uint32_t rgb)
{
    SDL_SetRenderDrawColor(renderer, (Uint8)(rgb >> 16), (Uint8)(rgb >> 8), (Uint8)rgb, 255);
}

/* A pressed button is shown a little darker: feedback that the finger is on
 * it, before anything happens on release. */
static uint32_t darker(uint32_t rgb)
{
    uint32_t r = (rgb >> 16) & 0xFFu, g = (rgb >> 8) & 0xFFu, b = rgb & 0xFFu;
    return ((r * 3 / 4) << 16) | ((g * 3 / 4) << 8) | (b * 3 / 4);
}

static void fill(SDL_Renderer *renderer, int x, int y, int w, int h, uint32_t rgb)
{
    SDL_Rect rect = {x, y, w, h};
    set_colour(renderer, rgb);
    SDL_RenderFillRect(renderer, &rect);
}

static void frame(SDL_Renderer *renderer, const struct layout_box *box, uint32_t rgb, int width)
{
    fill(renderer, box->x, box->y, box->w, width, rgb);
    fill(renderer, box->x, box->y + box->h - width, box->w, width, rgb);
    fill(renderer, box->x, box->y, width, box->h, rgb);
    fill(renderer, box->x + box->w - width, box->y, width, box->h, rgb);
}

static void triangle(SDL_Renderer *renderer, uint32_t rgb, float x1, float y1, float x2, float y2,
                     float x3, float y3)
{
    SDL_Color c = colour_of(rgb);
    SDL_Vertex v[3] = {
        {{x1, y1}, c, {0, 0}},
        {{x2, y2}, c, {0, 0}},
        {{x3, y3}, c, {0, 0}},
    };
    SDL_RenderGeometry(renderer, NULL, v, 3, NULL, 0);
}

static void thick_line(SDL_Renderer *renderer, uint32_t rgb, float x1, float y1, float x2, float y2,
                       float width)
{
    float dx = x2 - x1, dy = y2 - y1, len = sqrtf(dx * dx + dy * dy);
    if (len <= 0)
        return;
    float nx = -dy / len * width / 2, ny = dx / len * width / 2;
    triangle(renderer, rgb, x1 + nx, y1 + ny, x2 + nx, y2 + ny, x2 - nx, y2 - ny);
    triangle(renderer, rgb, x1 + nx, y1 + ny, x2 - nx, y2 - ny, x1 - nx, y1 - ny);
}

static void disc(SDL_Renderer *renderer, uint32_t rgb, float cx, float cy, float r)
{
    enum { SEGMENTS = 48 };
    for (int i = 0; i < SEGMENTS; i++) {
        float a = (float)(2 * M_PI * i / SEGMENTS), b = (float)(2 * M_PI * (i + 1) / SEGMENTS);
        triangle(renderer, rgb, cx, cy, cx + r * cosf(a), cy + r * sinf(a), cx + r * cosf(b),
                 cy + r * sinf(b));
    }
}

/* An arrow pointing in direction (dx, dy) = one of the four unit vectors. */
static void arrow(SDL_Renderer *renderer, uint32_t rgb, float cx, float cy, float size, int dx,
                  int dy)
{
    float head = size * 0.5f, shaft = size * 0.22f;
    /* Local frame: u along the arrow, v across. */
    float ux = (float)dx, uy = (float)dy, vx = -uy, vy = ux;
#define P(u, v) cx + ux *(u) + vx *(v), cy + uy *(u) + vy *(v)
    triangle(renderer, rgb, P(size / 2, 0), P(0, head), P(0, -head));
    triangle(renderer, rgb, P(0, shaft / 2), P(-size / 2, shaft / 2), P(-size / 2, -shaft / 2));
    triangle(renderer, rgb, P(0, shaft / 2), P(-size / 2, -shaft / 2), P(0, -shaft / 2));
#undef P
}

static void icon(SDL_Renderer *renderer, const struct layout *layout, const struct layout_box *box)
{
    float cx = box->x + box->w / 2.0f, cy = box->y + box->h / 2.0f;
    float r = (box->w < box->h ? box->w : box->h) / 2.0f;
    uint32_t fg = box->fg, inner = layout_background_of(layout, box);
    float stroke = r * 0.22f;
    switch (box->icon) {
    case ICON_CHECK:
        disc(renderer, fg, cx, cy, r);
        thick_line(renderer, inner, cx - r * 0.48f, cy + r * 0.02f, cx - r * 0.12f, cy + r * 0.38f,
                   stroke);
        thick_line(renderer, inner, cx - r * 0.2f, cy + r * 0.38f, cx + r * 0.5f, cy - r * 0.36f,
                   stroke);
        break;
    case ICON_WAVE:
        disc(renderer, fg, cx, cy, r);
        arrow(renderer, inner, cx, cy, r * 1.1f, 1, 0);
        break;
    case ICON_CROSS:
        disc(renderer, fg, cx, cy, r);
        thick_line(renderer, inner, cx - r * 0.4f, cy - r * 0.4f, cx + r * 0.4f, cy + r * 0.4f,
                   stroke);
        thick_line(renderer, inner, cx + r * 0.4f, cy - r * 0.4f, cx - r * 0.4f, cy + r * 0.4f,
                   stroke);
        break;
    case ICON_WARNING:
        triangle(renderer, fg, cx, cy - r, cx + r, cy + r * 0.85f, cx - r, cy + r * 0.85f);
        thick_line(renderer, inner, cx, cy - r * 0.35f, cx, cy + r * 0.3f, stroke * 0.8f);
        disc(renderer, inner, cx, cy + r * 0.58f, stroke * 0.5f);
        break;
    case ICON_STAR:
        for (int i = 0; i < 5; i++) {
            float a = (float)(-M_PI / 2 + i * 2 * M_PI / 5);
            float left = a - (float)(M_PI / 5), right = a + (float)(M_PI / 5);
            float ri = r * 0.42f;
            triangle(renderer, fg, cx + r * cosf(a), cy + r * sinf(a), cx + ri * cosf(left),
                     cy + ri * sinf(left), cx + ri * cosf(right), cy + ri * sinf(right));
            triangle(renderer, fg, cx, cy, cx + ri * cosf(left), cy + ri * sinf(left),
                     cx + ri * cosf(right), cy + ri * sinf(right));
        }
        break;
    case ICON_ARROW_LEFT:
        arrow(renderer, fg, cx, cy, r * 2, -1, 0);
        break;
    case ICON_ARROW_RIGHT:
        arrow(renderer, fg, cx, cy, r * 2, 1, 0);
        break;
    case ICON_ARROW_UP:
        arrow(renderer, fg, cx, cy, r * 2, 0, -1);
        break;
    case ICON_ARROW_DOWN:
        arrow(renderer, fg, cx, cy, r * 2, 0, 1);
        break;
    case ICON_DOT:
        disc(renderer, fg, cx, cy, r);
        break;
    case ICON_NONE:
        break;
    }
}

static void lines(SDL_Renderer *renderer, struct text *text, const struct layout_box *box)
{
    const struct layout_metrics *metrics = text_metrics(text);
    int lh = metrics->line_height(metrics->ctx, box->face, box->px);
    int y = box->y;
    if (box->flags & LAYOUT_MIDDLE)
        y += (box->h - box->lines * lh) / 2;
    const char *line = box->text;
    while (line && *line) {
        const char *end = strchr(line, '\n');
        char one[LAYOUT_TEXT_MAX];
        size_t len = end ? (size_t)(end - line) : strlen(line);
        memcpy(one, line, len);
        one[len] = '\0';
        int w = metrics->text_width(metrics->ctx, box->face, box->px, one);
        int x = box->x + box->pad;
        if (box->align == ALIGN_CENTER)
            x = box->x + (box->w - w) / 2;
        else if (box->align == ALIGN_RIGHT)
            x = box->x + box->w - box->pad - w;
        text_draw(text, renderer, box->face, box->px, box->fg, one, x, y);
        y += lh;
        line = end ? end + 1 : NULL;
    }
}

void render_layout(SDL_Renderer *renderer, struct text *text, const struct layout *layout,
                   const struct layout_box *pressed, const SDL_Rect *clip)
{
    SDL_RenderSetClipRect(renderer, clip);
    set_colour(renderer, layout->background);
    if (clip)
        SDL_RenderFillRect(renderer, clip);
    else
        SDL_RenderClear(renderer);
    int border = layout_px(layout, 2) > 1 ? layout_px(layout, 2) : 1;
    for (int i = 0; i < layout->count; i++) {
        const struct layout_box *box = &layout->box[i];
        SDL_Rect area = {box->x, box->y, box->w, box->h};
        if (clip && !SDL_HasIntersection(&area, clip))
            continue;
        uint32_t bg = box->bg;
        if (box == pressed && bg != LAYOUT_NONE)
            bg = darker(bg);
        if (bg != LAYOUT_NONE && box->kind != LAYOUT_ICON)
            fill(renderer, box->x, box->y, box->w, box->h, bg);
        if (box->border != LAYOUT_NONE)
            frame(renderer, box, box->border, box->flags & LAYOUT_SELECTED ? border * 3 : border);
        if (box->kind == LAYOUT_ICON)
            icon(renderer, layout, box);
        else if (box->text[0])
            lines(renderer, text, box);
    }
    SDL_RenderSetClipRect(renderer, NULL);
}
