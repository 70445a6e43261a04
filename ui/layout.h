/* The layout step: each screen describes itself as a list of boxes (panels,
 * text, buttons, icons) with their text fitted to the box. Pure: it measures
 * text through a metrics table and draws nothing, so the rules (text fits,
 * targets large enough, nothing overlaps, enough contrast) are checked by
 * code on exactly what the renderer will draw, and hit-testing uses it too. */
#ifndef TILSTEDE_UI_LAYOUT_H
#define TILSTEDE_UI_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

/* The design is made for a 7" 800x480 panel and scaled from it. */
#define LAYOUT_BASE_LONG         800
#define LAYOUT_BASE_SHORT        480
#define LAYOUT_MIN_TEXT_PX       28  /* body text, at scale 1 */
/* A dense list for staff (the fire roll call), read at arm's length: about
 * 3 mm cap height on the 7" panel. Never on the volunteers' screens. */
#define LAYOUT_MIN_LIST_TEXT_PX  24
#define LAYOUT_MIN_TARGET_PX     60  /* about 9 mm on the 7" panel */
/* Body text read on the home and confirmation screens (LAYOUT_READ): a
 * cap height of at least this on the configured panel ([display] width_mm,
 * height_mm), for old eyes at arm's length. */
#define LAYOUT_MIN_CAP_MM 4.0
/* A row that spans a column (at least ROW_SPAN targets wide) may be lower:
 * 44 px is about 8 mm, and the width makes it easy to hit. */
#define LAYOUT_MIN_ROW_TARGET_PX 44
#define LAYOUT_ROW_TARGET_SPAN   4
#define LAYOUT_MIN_CONTRAST      4.5 /* WCAG AA for text */
#define LAYOUT_MIN_ICON_CONTRAST 3.0 /* WCAG AA for graphics */
#define LAYOUT_BOXES_MAX         128
#define LAYOUT_TEXT_MAX          384
#define LAYOUT_NONE              0xFF000000u /* no background: what lies below shows */

enum layout_face { LAYOUT_REGULAR = 0, LAYOUT_BOLD = 1, LAYOUT_FACES };

/* Text measurement, supplied by the text module (or a fake in tests). */
struct layout_metrics {
    int (*text_width)(void *ctx, enum layout_face face, int px, const char *text);
    int (*line_height)(void *ctx, enum layout_face face, int px);
    /* The height of a capital (H) in px; NULL: the fonts' 0.73 em. */
    int (*cap_height)(void *ctx, enum layout_face face, int px);
    void *ctx;
};

enum layout_kind { LAYOUT_PANEL = 0, LAYOUT_TEXT, LAYOUT_BUTTON, LAYOUT_ICON };

enum layout_icon {
    ICON_NONE = 0,
    ICON_CHECK,      /* checked in */
    ICON_WAVE,       /* checked out: an open door arrow */
    ICON_CROSS,      /* error, refused */
    ICON_WARNING,    /* needs attention */
    ICON_STAR,       /* milestone */
    ICON_ARROW_LEFT, /* where the reader is */
    ICON_ARROW_RIGHT,
    ICON_ARROW_UP,
    ICON_ARROW_DOWN,
    ICON_DOT, /* a status dot */
};

enum layout_align { ALIGN_LEFT = 0, ALIGN_CENTER, ALIGN_RIGHT };

#define LAYOUT_SINGLE_LINE  0x1u  /* never wrap: shorten with an ellipsis */
/* An activity's title, shown whole where it is chosen or edited: it alone
 * may end in an ellipsis. A name, a status, a time, a count or a message
 * never may (layout_check). */
#define LAYOUT_TITLE_CUT    0x2u
#define LAYOUT_TRUNCATED    0x4u  /* set by fitting: the text did not fit whole */
#define LAYOUT_DISABLED     0x8u  /* a button that does nothing now */
#define LAYOUT_SELECTED     0x10u /* a chosen option, drawn with a thick border */
#define LAYOUT_MIDDLE       0x20u /* text vertically centred in its box */
#define LAYOUT_DENSE        0x40u /* list text: LAYOUT_MIN_LIST_TEXT_PX may do */
#define LAYOUT_READ         0x80u /* body text for old eyes: LAYOUT_MIN_CAP_MM at least */

struct layout_box {
    int x, y, w, h;
    enum layout_kind kind;
    uint32_t bg, fg, border; /* 0xRRGGBB, or LAYOUT_NONE */
    enum layout_face face;
    int px;  /* the font size after fitting */
    int pad; /* inner margin of text */
    enum layout_align align;
    enum layout_icon icon;
    unsigned flags;
    int action; /* 0 = not a target */
    int64_t arg;
    char text[LAYOUT_TEXT_MAX]; /* after fitting: the lines, '\n' between */
    int lines, text_w, text_h;
};

struct layout {
    int w, h;
    double scale;
    double px_per_mm;    /* of the panel; 0: not known, no LAYOUT_READ rule */
    unsigned text_flags; /* added to every text and button from now on (LAYOUT_READ) */
    uint32_t background;
    const struct layout_metrics *metrics;
    int count;
    int overflow; /* boxes that did not fit in the array: a fault */
    struct layout_box box[LAYOUT_BOXES_MAX];
};

/* The scale of a w x h screen (landscape or portrait) against 800x480. */
double layout_scale_for(int w, int h);
void layout_begin(struct layout *layout, int w, int h, const struct layout_metrics *metrics,
                  uint32_t background);
/* v base pixels at this layout's scale. */
int layout_px(const struct layout *layout, double v);
/* The panel's pixels per millimetre (after layout_begin). */
void layout_set_px_per_mm(struct layout *layout, double px_per_mm);
/* The cap height of face at px, in mm on the panel (0 if not known). */
double layout_cap_mm(const struct layout *layout, enum layout_face face, int px);
/* The least size of body text read by people (LAYOUT_READ): the body size
 * at this scale, or more where the panel's pixels are small. At least v
 * base pixels. */
int layout_read_px(const struct layout *layout, enum layout_face face, double v);

struct layout_rect {
    int x, y, w, h;
};
static inline struct layout_rect layout_rect(int x, int y, int w, int h)
{
    struct layout_rect r = {x, y, w, h};
    return r;
}

/* Where after looks different from before (the box under the finger drawn
 * darker counts): up to max rectangles in *out, and how many (0: nothing
 * to repaint), or -1 when the whole picture must be painted (another
 * screen, another size, more changes than max). */
int layout_damage(const struct layout *before, int before_pressed, const struct layout *after,
                  int after_pressed, struct layout_rect *out, int max);

struct layout_box *layout_panel(struct layout *layout, struct layout_rect r, uint32_t bg,
                                uint32_t border);
/* Text fitted into r: the largest size from px_max down to the minimum body
 * size at which it wraps into the box; below that it is shortened with an
 * ellipsis (and marked LAYOUT_TRUNCATED). */
struct layout_box *layout_text(struct layout *layout, struct layout_rect r, const char *text,
                               enum layout_face face, int px_max, uint32_t fg, uint32_t bg,
                               enum layout_align align, unsigned flags);
struct layout_box *layout_button(struct layout *layout, struct layout_rect r, const char *text,
                                 enum layout_face face, int px_max, uint32_t fg, uint32_t bg,
                                 uint32_t border, int action, int64_t arg, unsigned flags);
struct layout_box *layout_icon(struct layout *layout, struct layout_rect r, enum layout_icon icon,
                               uint32_t fg, uint32_t bg);

/* The height text needs when wrapped into width at px (no box added). */
int layout_measure(struct layout *layout, const char *text, enum layout_face face, int px,
                   int width);
/* The same for LAYOUT_DENSE text. */
int layout_measure_dense(struct layout *layout, const char *text, enum layout_face face, int px,
                         int width);

/* text in out, shortened at the end ("Frokostk…") or the start
 * ("…kristoffersen") with an ellipsis until it fits width at px. */
void layout_shorten(const struct layout *layout, enum layout_face face, int px, const char *text,
                    int width, char *out, size_t cap);
void layout_shorten_start(const struct layout *layout, enum layout_face face, int px,
                          const char *text, int width, char *out, size_t cap);

/* The topmost target box under (x, y), or NULL. */
const struct layout_box *layout_hit(const struct layout *layout, int x, int y);
/* The first box with this action (and arg, unless any_arg). */
const struct layout_box *layout_find(const struct layout *layout, int action, int64_t arg,
                                     int any_arg);
/* The first box whose text contains needle. */
const struct layout_box *layout_find_text(const struct layout *layout, const char *needle);

/* Checks the rules; writes up to max one-line descriptions of what is wrong
 * (each up to 200 bytes) and returns how many problems there are. */
#define LAYOUT_PROBLEM_LEN 200
int layout_check(const struct layout *layout, char (*problems)[LAYOUT_PROBLEM_LEN], int max);

/* WCAG contrast ratio of two 0xRRGGBB colours (1 .. 21). */
double layout_contrast(uint32_t a, uint32_t b);
/* The colour behind a box: its own background or the nearest panel below. */
uint32_t layout_background_of(const struct layout *layout, const struct layout_box *box);

/* Maps a point on the physical panel to the layout of a screen rotated by
 * rotation degrees clockwise (0, 90, 180, 270); pw x ph is the panel. */
void layout_unrotate(int rotation, int pw, int ph, int px, int py, int *lx, int *ly);

#endif
