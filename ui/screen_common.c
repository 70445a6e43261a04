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
