/* Pieces every screen uses: margins and the title bar with its way back. */
#include <stdio.h>
#include <string.h>

#include "ui_internal.h"

int screen_margin(const struct layout *layout)
{
    return layout_px(layout, 12);
}

int screen_title_height(const struct layout *layout)
{
    return screen_margin(layout) + layout_px(layout, 68);
}

int screen_back_width(const struct ui *ui, const struct layout *layout)
{
    return layout_px(layout, ui_is_portrait(ui) ? 150 : 190);
}

struct layout_box *screen_title(struct ui *ui, struct layout *layout, const char *title,
                                int back_action, const char *back_label, int right_w)
{
    int m = screen_margin(layout), bar = layout_px(layout, 64);
    int x = m;
    if (back_action) {
        int back_w = screen_back_width(ui, layout);
        layout_button(layout, layout_rect(m, m, back_w, bar), back_label, LAYOUT_BOLD,
                      layout_px(layout, 30), COLOUR_TEXT, COLOUR_WHITE, COLOUR_LINE, back_action, 0,
                      0);
        x += back_w + m;
    }
    /* A title too long for one line takes two (a name in it is never cut):
     * the box reaches into the half margin under the bar. */
    return layout_text(
        layout, layout_rect(x, m, layout->w - x - m - (right_w ? right_w + m : 0), bar + m / 2),
        title, LAYOUT_BOLD, layout_px(layout, 34), COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT,
        LAYOUT_MIDDLE);
}

void screen_question(struct layout *layout, const char *text, const char *yes_label,
                     const char *no_label)
{
    int m = screen_margin(layout), w = layout->w, h = layout->h;
    int bh = layout_px(layout, 72);
    int text_h = layout_measure(layout, text, LAYOUT_BOLD, layout_px(layout, 30), w - 4 * m);
    int panel_h = text_h + bh + 3 * m;
    int top = screen_title_height(layout) + m / 2;
    int y0 = (h - panel_h) / 2 > top ? (h - panel_h) / 2 : top;
    struct layout_rect r = layout_rect(m, y0, w - 2 * m, panel_h);
    layout_panel(layout, r, COLOUR_WARN, COLOUR_TEXT);
    layout_text(layout, layout_rect(r.x + m, r.y + m, r.w - 2 * m, text_h), text, LAYOUT_BOLD,
                layout_px(layout, 30), COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT, LAYOUT_MIDDLE);
    int bw = (r.w - 3 * m) / 2, y = r.y + r.h - m - bh;
    /* The safe answer first and in colour; the one that loses something plain. */
    layout_button(layout, layout_rect(r.x + m, y, bw, bh), no_label, LAYOUT_BOLD,
                  layout_px(layout, 30), COLOUR_WHITE, COLOUR_PRIMARY, LAYOUT_NONE, ACT_NO, 0, 0);
    layout_button(layout, layout_rect(r.x + 2 * m + bw, y, bw, bh), yes_label, LAYOUT_BOLD,
                  layout_px(layout, 30), COLOUR_TEXT, COLOUR_WHITE, COLOUR_TEXT, ACT_YES, 0, 0);
}

void screen_display_name(const char *given, const char *family, char *out, size_t cap)
{
    /* The core's "Kari N.", with a no-break space before the initial so the
     * initial never stands alone on the next line. */
    char plain[KIOSK_NAME_MAX * 2 + 4];
    kiosk_display_name(given, family, plain, sizeof plain);
    const char *space = family[0] ? strrchr(plain, ' ') : NULL;
    if (space)
        snprintf(out, cap, "%.*s" SCREEN_NBSP "%s", (int)(space - plain), plain, space + 1);
    else
        snprintf(out, cap, "%s", plain);
}

/* The words for each kind of the core's errors (kiosk.h), one row each. */
static const char *const error_words[KIOSK_ERR_COUNT] = {
    [KIOSK_ERR_STORAGE] = N_("the kiosk could not read or write its database"),
    [KIOSK_ERR_STORAGE_FULL] = N_("the kiosk's disk is full"),
    [KIOSK_ERR_STORAGE_BUSY] = N_("the database is busy; try again in a moment"),
    [KIOSK_ERR_STORAGE_READONLY] = N_("the database cannot be written to"),
    [KIOSK_ERR_NO_UNKNOWN_CARD] =
        N_("no unregistered card has been held to the reader lately; hold it there again"),
    [KIOSK_ERR_CARD_TAKEN] = N_("the card already belongs to a volunteer"),
    [KIOSK_ERR_BAD_CARD] = N_("the card was not read properly; try again"),
    [KIOSK_ERR_NO_VOLUNTEER] = N_("the person is no longer in the list of volunteers"),
    [KIOSK_ERR_ACTIVITY_GONE] = N_("the activity is no longer on today"),
    [KIOSK_ERR_ACTIVITY_INVALID] = N_("an activity needs a title and a start and end time"),
    [KIOSK_ERR_REVIEW_GONE] = N_("the visit no longer waits for review"),
    [KIOSK_ERR_END_BEFORE_START] = N_("the end cannot be before the check-in"),
    [KIOSK_ERR_END_IN_FUTURE] = N_("the end cannot be in the future"),
};

const char *screen_error_text(struct ui *ui, enum kiosk_error kind)
{
    /* KIOSK_ERR_OTHER, and a kind added to the core but not here. */
    const char *words = (unsigned)kind < KIOSK_ERR_COUNT ? error_words[kind] : NULL;
    return T(ui->tr,
             words ? words : N_("something went wrong on the kiosk; the details are in its log"));
}
