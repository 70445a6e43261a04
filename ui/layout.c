/* Boxes, text fitting and the layout rules. See layout.h. */
#include "layout.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define ELLIPSIS "\xE2\x80\xA6"

double layout_scale_for(int w, int h)
{
    int longer = w > h ? w : h, shorter = w > h ? h : w;
    double a = (double)longer / LAYOUT_BASE_LONG, b = (double)shorter / LAYOUT_BASE_SHORT;
    double scale = a < b ? a : b;
    return scale > 0.25 ? scale : 0.25;
}

void layout_begin(struct layout *layout, int w, int h, const struct layout_metrics *metrics,
                  uint32_t background)
{
    layout->w = w;
    layout->h = h;
    layout->scale = layout_scale_for(w, h);
    layout->px_per_mm = 0;
    layout->text_flags = 0;
    layout->background = background;
    layout->metrics = metrics;
    layout->count = 0;
    layout->overflow = 0;
}

void layout_set_px_per_mm(struct layout *layout, double px_per_mm)
{
    layout->px_per_mm = px_per_mm > 0 ? px_per_mm : 0;
}

static int cap_px(const struct layout *layout, enum layout_face face, int px)
{
    const struct layout_metrics *metrics = layout->metrics;
    if (metrics && metrics->cap_height)
        return metrics->cap_height(metrics->ctx, face, px);
    return (int)(px * 0.73);
}

double layout_cap_mm(const struct layout *layout, enum layout_face face, int px)
{
    return layout->px_per_mm > 0 ? cap_px(layout, face, px) / layout->px_per_mm : 0;
}

int layout_read_px(const struct layout *layout, enum layout_face face, double v)
{
    int px = layout_px(layout, v);
    if (px < layout_px(layout, LAYOUT_MIN_TEXT_PX))
        px = layout_px(layout, LAYOUT_MIN_TEXT_PX);
    if (layout->px_per_mm <= 0)
        return px;
    while (layout_cap_mm(layout, face, px) < LAYOUT_MIN_CAP_MM && px < 400)
        px++;
    return px;
}

/* Whether two boxes draw the same pixels: what they do (action, arg) does
 * not show; text after its end may hold an older text's bytes. */
static int looks_same(const struct layout_box *a, const struct layout_box *b)
{
    return a->x == b->x && a->y == b->y && a->w == b->w && a->h == b->h && a->kind == b->kind &&
           a->bg == b->bg && a->fg == b->fg && a->border == b->border && a->face == b->face &&
           a->px == b->px && a->pad == b->pad && a->align == b->align && a->icon == b->icon &&
           a->flags == b->flags && a->lines == b->lines && a->text_w == b->text_w &&
           a->text_h == b->text_h && strcmp(a->text, b->text) == 0;
}

static int damage_add(struct layout_rect *out, int *count, int max, const struct layout_box *box)
{
    if (*count >= max)
        return -1;
    out[(*count)++] = layout_rect(box->x, box->y, box->w, box->h);
    return 0;
}

int layout_damage(const struct layout *before, int before_pressed, const struct layout *after,
                  int after_pressed, struct layout_rect *out, int max)
{
    if (before->w != after->w || before->h != after->h ||
        before->background != after->background || before->count != after->count ||
        before->scale != after->scale)
        return -1;
    int count = 0;
    for (int i = 0; i < after->count; i++) {
        const struct layout_box *was = &before->box[i], *now = &after->box[i];
        int pressed_changed = (i == before_pressed) != (i == after_pressed);
        if (looks_same(was, now) && !pressed_changed)
            continue;
        if (damage_add(out, &count, max, was) < 0)
            return -1;
        if ((was->x != now->x || was->y != now->y || was->w != now->w || was->h != now->h) &&
            damage_add(out, &count, max, now) < 0)
            return -1;
    }
    return count;
}

int layout_px(const struct layout *layout, double v)
{
    return (int)lround(v * layout->scale);
}

static struct layout_box *box_new(struct layout *layout, struct layout_rect r,
                                  enum layout_kind kind)
{
    if (layout->count >= LAYOUT_BOXES_MAX) {
        layout->overflow++;
        /* A scratch box so callers need no NULL checks; not drawn. */
        static _Thread_local struct layout_box scratch;
        memset(&scratch, 0, sizeof scratch);
        return &scratch;
    }
    struct layout_box *box = &layout->box[layout->count++];
    memset(box, 0, sizeof *box);
    box->x = r.x;
    box->y = r.y;
    box->w = r.w;
    box->h = r.h;
    box->kind = kind;
    box->bg = box->fg = box->border = LAYOUT_NONE;
    return box;
}

struct layout_box *layout_panel(struct layout *layout, struct layout_rect r, uint32_t bg,
                                uint32_t border)
{
    struct layout_box *box = box_new(layout, r, LAYOUT_PANEL);
    box->bg = bg;
    box->border = border;
    return box;
}

/* --- fitting --- */

static int width_of(const struct layout *layout, enum layout_face face, int px, const char *text)
{
    return layout->metrics->text_width(layout->metrics->ctx, face, px, text);
}

static size_t utf8_prev(const char *text, size_t at)
{
    if (at == 0)
        return 0;
    at--;
    while (at > 0 && ((unsigned char)text[at] & 0xC0u) == 0x80u)
        at--;
    return at;
}

/* Shortens line (in place, cap bytes) until line + "…" fits in width. */
static void ellipsize(const struct layout *layout, enum layout_face face, int px, char *line,
                      size_t cap, int width)
{
    char trial[LAYOUT_TEXT_MAX];
    size_t len = strlen(line);
    size_t room = (cap < sizeof trial ? cap : sizeof trial) - sizeof ELLIPSIS;
    while (len > room)
        len = utf8_prev(line, len);
    for (;;) {
        /* No space before the ellipsis: "Kari Nordm…", not "Kari …". */
        while (len > 0 && line[len - 1] == ' ')
            len--;
        memcpy(trial, line, len);
        memcpy(trial + len, ELLIPSIS, sizeof ELLIPSIS);
        if (len == 0 || width_of(layout, face, px, trial) <= width)
            break;
        len = utf8_prev(line, len);
    }
    memcpy(line, trial, len + sizeof ELLIPSIS);
}

void layout_shorten(const struct layout *layout, enum layout_face face, int px, const char *text,
                    int width, char *out, size_t cap)
{
    snprintf(out, cap, "%s", text);
    if (width_of(layout, face, px, out) > width)
        ellipsize(layout, face, px, out, cap, width);
}

void layout_shorten_start(const struct layout *layout, enum layout_face face, int px,
                          const char *text, int width, char *out, size_t cap)
{
    const char *tail = text;
    snprintf(out, cap, "%s", tail);
    while (*tail && width_of(layout, face, px, out) > width) {
        /* Drop a whole character from the front, never half of one. */
        tail++;
        while (((unsigned char)*tail & 0xC0u) == 0x80u)
            tail++;
        snprintf(out, cap, "%s%s", ELLIPSIS, tail);
    }
}

/* "1." or "23.": an ordinal number in Norwegian ("1. etasje", "23.
 * november"), which must not end a line: it is read with the next word. */
static int is_ordinal(const char *word, size_t len)
{
    if (len < 2 || word[len - 1] != '.')
        return 0;
    for (size_t i = 0; i + 1 < len; i++)
        if (word[i] < '0' || word[i] > '9')
            return 0;
    return 1;
}

/* Greedy word wrap of text into at most max_lines lines of width, '\n'
 * between them in out. Sets *complete when all of the text fitted. */
static int wrap(const struct layout *layout, enum layout_face face, int px, const char *text,
                int width, int max_lines, int single, char *out, size_t cap, int *complete,
                int *widest)
{
    int lines = 0;
    size_t used = 0;
    const char *rest = text;
    *widest = 0;
    out[0] = '\0';
    while (*rest && lines < max_lines) {
        char line[LAYOUT_TEXT_MAX];
        const char *newline = strchr(rest, '\n');
        size_t limit = newline ? (size_t)(newline - rest) : strlen(rest);
        if (limit >= sizeof line)
            limit = sizeof line - 1;
        size_t best = limit;
        if (!single) {
            /* The longest run of whole words that fits; at least one word.
             * A hyphen ends a word too: "Kristiansen-" / "Bjørnstad". An
             * ordinal is no place to break: the space after it is laid out
             * as a no-break space (the text itself keeps an ordinary one). */
            best = 0;
            for (size_t end = 0; end < limit;) {
                while (end < limit && rest[end] == ' ')
                    end++;
                size_t word = end;
                while (end < limit && rest[end] != ' ')
                    if (rest[end++] == '-' && end < limit && rest[end] != ' ')
                        break;
                if (end < limit && is_ordinal(rest + word, end - word))
                    continue;
                memcpy(line, rest, end);
                line[end] = '\0';
                if (best > 0 && width_of(layout, face, px, line) > width)
                    break;
                best = end;
            }
        }
        memcpy(line, rest, best);
        line[best] = '\0';
        rest += best;
        while (*rest == ' ')
            rest++;
        if (*rest == '\n')
            rest++;
        int w = width_of(layout, face, px, line);
        if (w > width || (lines + 1 == max_lines && *rest)) {
            ellipsize(layout, face, px, line, sizeof line, width);
            w = width_of(layout, face, px, line);
            *complete = 0;
        }
        if (w > *widest)
            *widest = w;
        int wrote = snprintf(out + used, cap - used, "%s%s", lines ? "\n" : "", line);
        lines++;
        if (wrote < 0 || (size_t)wrote >= cap - used) {
            *complete = 0;
            break;
        }
        used += (size_t)wrote;
    }
    if (*rest)
        *complete = 0;
    return lines;
}

static void fit(struct layout *layout, struct layout_box *box, const char *text, int px_max)
{
    int px_min =
        layout_px(layout, box->flags & LAYOUT_DENSE ? LAYOUT_MIN_LIST_TEXT_PX : LAYOUT_MIN_TEXT_PX);
    if (box->flags & LAYOUT_READ)
        px_min = layout_read_px(layout, box->face, LAYOUT_MIN_TEXT_PX);
    if (px_max < px_min)
        px_max = px_min;
    int width = box->w - 2 * box->pad, height = box->h;
    int single = (box->flags & LAYOUT_SINGLE_LINE) != 0;
    int step = px_max / 16 > 1 ? px_max / 16 : 1;
    for (int px = px_max;; px -= step) {
        if (px < px_min)
            px = px_min;
        int lh = layout->metrics->line_height(layout->metrics->ctx, box->face, px);
        int max_lines = lh > 0 ? height / lh : 1;
        if (max_lines < 1)
            max_lines = 1;
        if (single)
            max_lines = 1;
        int complete = 1, widest;
        int lines = wrap(layout, box->face, px, text, width, max_lines, single, box->text,
                         sizeof box->text, &complete, &widest);
        if (complete || px == px_min) {
            box->px = px;
            box->lines = lines;
            box->text_w = widest;
            box->text_h = lines * lh;
            if (!complete)
                box->flags |= LAYOUT_TRUNCATED;
            return;
        }
    }
}

struct layout_box *layout_text(struct layout *layout, struct layout_rect r, const char *text,
                               enum layout_face face, int px_max, uint32_t fg, uint32_t bg,
                               enum layout_align align, unsigned flags)
{
    struct layout_box *box = box_new(layout, r, LAYOUT_TEXT);
    box->fg = fg;
    box->bg = bg;
    box->face = face;
    box->align = align;
    box->flags = flags | layout->text_flags;
    fit(layout, box, text ? text : "", px_max);
    return box;
}

struct layout_box *layout_button(struct layout *layout, struct layout_rect r, const char *text,
                                 enum layout_face face, int px_max, uint32_t fg, uint32_t bg,
                                 uint32_t border, int action, int64_t arg, unsigned flags)
{
    struct layout_box *box = box_new(layout, r, LAYOUT_BUTTON);
    box->fg = fg;
    box->bg = bg;
    box->border = border;
    box->face = face;
    box->align = ALIGN_CENTER;
    box->flags = flags | LAYOUT_MIDDLE | layout->text_flags;
    box->action = action;
    box->arg = arg;
    box->pad = layout_px(layout, 12);
    fit(layout, box, text ? text : "", px_max);
    return box;
}

struct layout_box *layout_icon(struct layout *layout, struct layout_rect r, enum layout_icon icon,
                               uint32_t fg, uint32_t bg)
{
    struct layout_box *box = box_new(layout, r, LAYOUT_ICON);
    box->icon = icon;
    box->fg = fg;
    box->bg = bg;
    return box;
}

static int measure(struct layout *layout, const char *text, enum layout_face face, int px,
                   int width, unsigned flags)
{
    struct layout_box box;
    memset(&box, 0, sizeof box);
    box.w = width;
    box.h = 1 << 20;
    box.face = face;
    box.flags = flags;
    fit(layout, &box, text, px);
    return box.text_h;
}

int layout_measure(struct layout *layout, const char *text, enum layout_face face, int px,
                   int width)
{
    return measure(layout, text, face, px, width, 0);
}

int layout_measure_dense(struct layout *layout, const char *text, enum layout_face face, int px,
                         int width)
{
    return measure(layout, text, face, px, width, LAYOUT_DENSE);
}

/* --- queries --- */

static int inside(const struct layout_box *box, int x, int y)
{
    return x >= box->x && y >= box->y && x < box->x + box->w && y < box->y + box->h;
}

const struct layout_box *layout_hit(const struct layout *layout, int x, int y)
{
    for (int i = layout->count - 1; i >= 0; i--) {
        const struct layout_box *box = &layout->box[i];
        if (box->action && !(box->flags & LAYOUT_DISABLED) && inside(box, x, y))
            return box;
    }
    return NULL;
}

const struct layout_box *layout_find(const struct layout *layout, int action, int64_t arg,
                                     int any_arg)
{
    for (int i = 0; i < layout->count; i++) {
        const struct layout_box *box = &layout->box[i];
        if (box->action == action && (any_arg || box->arg == arg))
            return box;
    }
    return NULL;
}

const struct layout_box *layout_find_text(const struct layout *layout, const char *needle)
{
    for (int i = 0; i < layout->count; i++) {
        /* Wrapped text has '\n' where the source had a space. */
        char flat[LAYOUT_TEXT_MAX];
        snprintf(flat, sizeof flat, "%s", layout->box[i].text);
        for (char *p = flat; *p; p++)
            if (*p == '\n')
                *p = ' ';
        if (strstr(flat, needle))
            return &layout->box[i];
    }
    return NULL;
}

/* --- rules --- */

static double channel(uint32_t c)
{
    double v = (double)(c & 0xFFu) / 255.0;
    return v <= 0.03928 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static double luminance(uint32_t rgb)
{
    return 0.2126 * channel(rgb >> 16) + 0.7152 * channel(rgb >> 8) + 0.0722 * channel(rgb);
}

double layout_contrast(uint32_t a, uint32_t b)
{
    double la = luminance(a), lb = luminance(b);
    return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

static int contains(const struct layout_box *outer, const struct layout_box *inner)
{
    return inner->x >= outer->x && inner->y >= outer->y &&
           inner->x + inner->w <= outer->x + outer->w && inner->y + inner->h <= outer->y + outer->h;
}

uint32_t layout_background_of(const struct layout *layout, const struct layout_box *box)
{
    if (box->bg != LAYOUT_NONE)
        return box->bg;
    for (const struct layout_box *below = box - 1; below >= layout->box; below--)
        if (below->kind == LAYOUT_PANEL && below->bg != LAYOUT_NONE && contains(below, box))
            return below->bg;
    return layout->background;
}

static int overlap(const struct layout_box *a, const struct layout_box *b)
{
    return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

int layout_check(const struct layout *layout, char (*problems)[LAYOUT_PROBLEM_LEN], int max)
{
    int count = 0;
#define PROBLEM(...)                                                                               \
    do {                                                                                           \
        if (count < max)                                                                           \
            snprintf(problems[count], LAYOUT_PROBLEM_LEN, __VA_ARGS__);                            \
        count++;                                                                                   \
    } while (0)
    /* Tolerate rounding at scales that are not whole numbers. */
    int min_target = (int)floor(LAYOUT_MIN_TARGET_PX * layout->scale);
    int min_text = (int)floor(LAYOUT_MIN_TEXT_PX * layout->scale);
    int min_row = (int)floor(LAYOUT_MIN_ROW_TARGET_PX * layout->scale);
    int min_list_text = (int)floor(LAYOUT_MIN_LIST_TEXT_PX * layout->scale);
    if (layout->overflow)
        PROBLEM("%d boxes did not fit in the layout", layout->overflow);
    for (int i = 0; i < layout->count; i++) {
        const struct layout_box *box = &layout->box[i];
        const char *what = box->text[0] ? box->text : "(no text)";
        if (box->x < 0 || box->y < 0 || box->x + box->w > layout->w ||
            box->y + box->h > layout->h || box->w <= 0 || box->h <= 0)
            PROBLEM("box %d '%.40s' at %d,%d %dx%d is off the %dx%d screen", i, what, box->x,
                    box->y, box->w, box->h, layout->w, layout->h);
        if (box->kind == LAYOUT_BUTTON && (box->w < min_target || box->h < min_target))
            PROBLEM("button %d '%.40s' is %dx%d, under %d px", i, what, box->w, box->h, min_target);
        /* A panel that is a target (a list's row, words on top) by the same rule,
         * but a row across a column may be lower. */
        if (box->kind == LAYOUT_PANEL && box->action &&
            (box->w < min_target ||
             box->h < (box->w >= LAYOUT_ROW_TARGET_SPAN * min_target ? min_row : min_target)))
            PROBLEM("target %d is %dx%d, too small to touch", i, box->w, box->h);
        if ((box->kind == LAYOUT_TEXT || box->kind == LAYOUT_BUTTON) && box->text[0]) {
            int least = box->flags & LAYOUT_DENSE ? min_list_text : min_text;
            if (box->px < least)
                PROBLEM("text %d '%.40s' is %d px, under %d px", i, what, box->px, least);
            double cap_mm = layout_cap_mm(layout, box->face, box->px);
            if ((box->flags & LAYOUT_READ) && layout->px_per_mm > 0 && cap_mm < LAYOUT_MIN_CAP_MM)
                PROBLEM("text %d '%.40s' has a cap height of %.2f mm, under %.1f mm", i, what,
                        cap_mm, LAYOUT_MIN_CAP_MM);
            if (box->text_w > box->w - 2 * box->pad || box->text_h > box->h)
                PROBLEM("text %d '%.40s' (%dx%d) does not fit its box %dx%d", i, what, box->text_w,
                        box->text_h, box->w - 2 * box->pad, box->h);
            if ((box->flags & LAYOUT_TRUNCATED) && !(box->flags & LAYOUT_TITLE_CUT))
                PROBLEM("text %d '%.40s' was cut short", i, what);
            double ratio = layout_contrast(box->fg, layout_background_of(layout, box));
            if (ratio < LAYOUT_MIN_CONTRAST)
                PROBLEM("text %d '%.40s' has contrast %.2f, under %.1f", i, what, ratio,
                        LAYOUT_MIN_CONTRAST);
        }
        if (box->kind == LAYOUT_ICON) {
            double ratio = layout_contrast(box->fg, layout_background_of(layout, box));
            if (ratio < LAYOUT_MIN_ICON_CONTRAST)
                PROBLEM("icon %d has contrast %.2f, under %.1f", i, ratio,
                        LAYOUT_MIN_ICON_CONTRAST);
        }
        if (box->kind == LAYOUT_PANEL)
            continue;
        for (int j = i + 1; j < layout->count; j++) {
            const struct layout_box *other = &layout->box[j];
            if (other->kind != LAYOUT_PANEL && overlap(box, other))
                PROBLEM("box %d '%.30s' overlaps box %d '%.30s'", i, what, j,
                        other->text[0] ? other->text : "(no text)");
        }
    }
#undef PROBLEM
    return count;
}

void layout_unrotate(int rotation, int pw, int ph, int px, int py, int *lx, int *ly)
{
    /* The picture is turned clockwise by `rotation`: undo that turn. */
    switch (rotation) {
    case 90:
        *lx = py;
        *ly = pw - 1 - px;
        break;
    case 180:
        *lx = pw - 1 - px;
        *ly = ph - 1 - py;
        break;
    case 270:
        *lx = ph - 1 - py;
        *ly = px;
        break;
    default:
        *lx = px;
        *ly = py;
        break;
    }
}
