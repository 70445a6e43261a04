/* The home screen: where to hold the card, the big "check in by name"
 * button, today's activities, how many are here (a number, never names),
 * the reader's state and a discreet way in for staff. */
#include "ui_internal.h"

#include <stdio.h>
#include <string.h>

static enum layout_icon reader_arrow(const struct ui *ui)
{
    if (!strcmp(ui->reader_side, "left"))
        return ICON_ARROW_LEFT;
    if (!strcmp(ui->reader_side, "top"))
        return ICON_ARROW_UP;
    if (!strcmp(ui->reader_side, "bottom"))
        return ICON_ARROW_DOWN;
    return ICON_ARROW_RIGHT;
}

/* The card panel: an arrow towards the reader and the words. */
static void card_panel(struct ui *ui, struct layout *layout, struct layout_rect r)
{
    int broken = ui->reader_state == READER_DISCONNECTED || ui->reader_state == READER_STOPPED;
    uint32_t bg = broken ? COLOUR_WARN : COLOUR_CARD;
    layout_panel(layout, r, bg, COLOUR_LINE);
    int pad = layout_px(layout, 14);
    int icon = r.h - 2 * pad;
    if (icon > layout_px(layout, broken ? 70 : 110))
        icon = layout_px(layout, broken ? 70 : 110);
    enum layout_icon arrow = broken ? ICON_WARNING : reader_arrow(ui);
    /* The arrow sits on the side of the reader, so it points off the panel. */
    int arrow_left = arrow != ICON_ARROW_RIGHT;
    int icon_x = arrow_left ? r.x + pad : r.x + r.w - pad - icon;
    layout_icon(layout, layout_rect(icon_x, r.y + (r.h - icon) / 2, icon, icon), arrow,
                broken ? COLOUR_TEXT : COLOUR_PRIMARY, LAYOUT_NONE);
    int text_x = arrow_left ? icon_x + icon + pad : r.x + pad;
    int text_w = r.w - icon - 3 * pad;
    const char *words =
        broken ? T(ui->tr, "The card reader is not working") : T(ui->tr, "Hold your card here");
    layout_text(layout, layout_rect(text_x, r.y + pad, text_w, r.h - 2 * pad), words, LAYOUT_BOLD,
                layout_px(layout, broken ? 30 : 44), COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT,
                LAYOUT_MIDDLE);
}

static int activity_now(const struct ui *ui, const struct activity *activity)
{
    struct tm now = ui_local(ui_now_us(ui));
    int minute = now.tm_hour * 60 + now.tm_min;
    if (activity->end_min < activity->start_min) /* a night watch past midnight */
        return minute >= activity->start_min || minute < activity->end_min;
    return minute >= activity->start_min && minute < activity->end_min;
}

static int activity_over(const struct ui *ui, const struct activity *activity)
{
    struct tm now = ui_local(ui_now_us(ui));
    int minute = now.tm_hour * 60 + now.tm_min;
    return activity->end_min >= activity->start_min && minute >= activity->end_min;
}

void screen_activity_times(const struct ui *ui, const struct activity *activity, char *out,
                           size_t cap)
{
    struct tm start = {0}, end = {0};
    start.tm_hour = activity->start_min / 60;
    start.tm_min = activity->start_min % 60;
    end.tm_hour = activity->end_min / 60 % 24;
    end.tm_min = activity->end_min % 60;
    char a[16], b[16];
    i18n_time(ui->tr, &start, a, sizeof a);
    i18n_time(ui->tr, &end, b, sizeof b);
    snprintf(out, cap, "%s\xE2\x80\x93%s", a, b);
}

/* Which activities the home screen lists when not all fit in fit rows: the
 * one running now and the next are always among them (at 03.00 the night
 * watch is what matters, though it is last of the day), then the rest in
 * order; fit_with_more rows leave room for the "and 2 more" line. Marks
 * chosen[] and returns how many are left out. */
static int pick_activities(const struct ui *ui, int fit, int fit_with_more, int *chosen)
{
    int candidates = 0;
    /* With more activities than room, the ones already over give way. */
    int skip_over = ui->activity_count > fit;
    for (int i = 0; i < ui->activity_count; i++) {
        chosen[i] = 0;
        if (!(skip_over && activity_over(ui, &ui->activities[i])))
            candidates++;
    }
    int rows = candidates <= fit ? fit : fit_with_more < 2 ? fit : fit_with_more;
    int taken = 0, next_taken = 0;
    for (int pass = 0; pass < 3; pass++)
        for (int i = 0; i < ui->activity_count && taken < rows; i++) {
            const struct activity *activity = &ui->activities[i];
            if (chosen[i] || (skip_over && activity_over(ui, activity)))
                continue;
            int now = activity_now(ui, activity);
            if ((pass == 0 && !now) ||
                (pass == 1 && (now || next_taken || activity_over(ui, activity))))
                continue;
            next_taken |= pass == 1;
            chosen[i] = 1;
            taken++;
        }
    return candidates - taken;
}

static void activities_panel(struct ui *ui, struct layout *layout, struct layout_rect r)
{
    layout_panel(layout, r, COLOUR_WHITE, COLOUR_LINE);
    int pad = layout_px(layout, 12);
    int line = layout_px(layout, 38);
    int header_y = r.y + pad, y = header_y + line + pad / 2;

    char count[128], number[16];
    snprintf(number, sizeof number, "%d", ui->present_count);
    i18n_fill(count, sizeof count,
              TN(ui->tr, "{n} volunteer here now", "{n} volunteers here now", ui->present_count),
              "n", number, I18N_END);
    /* The count on one line, or on two when the words need them
     * ("10 volunteers here now" at 800x480): never cut. */
    int count_w = r.w - 2 * pad, count_px = layout_px(layout, 30);
    int count_h = layout_px(layout, 40);
    enum layout_face count_face = LAYOUT_BOLD;
    if (layout->metrics->text_width(layout->metrics->ctx, LAYOUT_BOLD, layout_px(layout, 28),
                                    count) > count_w) {
        /* Regular is narrower; two lines only when even that is too wide. */
        count_face = LAYOUT_REGULAR;
        count_px = layout_px(layout, 28);
        if (layout->metrics->text_width(layout->metrics->ctx, count_face, count_px, count) >
            count_w)
            count_h = layout_measure(layout, count, count_face, count_px, count_w);
    }
    int bottom = r.y + r.h - pad - count_h;

    int row_h = 2 * layout_px(layout, 34) + pad / 2;
    int fit = (bottom - y) / (row_h + pad / 2);
    int chosen[UI_ACTIVITIES_MAX];
    int hidden = pick_activities(ui, fit, (bottom - y - line) / (row_h + pad / 2), chosen);
    int rows = 0;
    for (int i = 0; i < ui->activity_count; i++)
        rows += chosen[i];
    char more[96] = "";
    if (hidden) {
        snprintf(number, sizeof number, "%d", hidden);
        i18n_fill(more, sizeof more, TN(ui->tr, "and {n} more", "and {n} more", hidden), "n",
                  number, I18N_END);
    }
    /* "and 2 more" goes below the list, or, with no room there, at the end
     * of the heading: it is never left out. */
    int more_below = hidden && y + rows * (row_h + pad / 2) + line <= bottom;
    int more_w = 0;
    if (hidden && !more_below)
        more_w = layout->metrics->text_width(layout->metrics->ctx, LAYOUT_REGULAR,
                                             layout_px(layout, 28), more) +
                 pad;
    /* Beside "and 2 more" the heading is the short one. */
    layout_text(layout, layout_rect(r.x + pad, header_y, r.w - 2 * pad - more_w, line),
                more_w ? T(ui->tr, "Today") : T(ui->tr, "Today's activities"), LAYOUT_BOLD,
                layout_px(layout, 30), COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT, LAYOUT_SINGLE_LINE);
    if (more_w)
        layout_text(layout, layout_rect(r.x + r.w - pad - more_w, header_y, more_w, line), more,
                    LAYOUT_REGULAR, layout_px(layout, 28), COLOUR_MUTED, LAYOUT_NONE, ALIGN_RIGHT,
                    LAYOUT_SINGLE_LINE | LAYOUT_MIDDLE);
    for (int i = 0; i < ui->activity_count; i++) {
        const struct activity *activity = &ui->activities[i];
        if (!chosen[i])
            continue;
        int now = activity_now(ui, activity);
        if (now)
            layout_panel(layout, layout_rect(r.x + pad / 2, y, r.w - pad, row_h), COLOUR_NOW,
                         LAYOUT_NONE);
        char times[48], first[96], second[2 * KIOSK_NAME_MAX + 16];
        screen_activity_times(ui, activity, times, sizeof times);
        if (now)
            snprintf(first, sizeof first, "%s  \xE2\x96\xB8 %s", times, T(ui->tr, "now"));
        else
            snprintf(first, sizeof first, "%s", times);
        /* "Title, place" on one line; when it does not fit, on two where
         * the panel has room below, else the place is shortened (the line
         * is the activity's; the title stays whole, as the choice shows it). */
        int second_w = r.w - 2 * pad, px = layout_px(layout, 28);
        if (activity->place[0])
            snprintf(second, sizeof second, "%s, %s", activity->title, activity->place);
        else
            snprintf(second, sizeof second, "%s", activity->title);
        int extra = 0, after = 0;
        for (int k = i + 1; k < ui->activity_count; k++)
            after += chosen[k];
        int spare = bottom - (y + (after + 1) * (row_h + pad / 2)) - (more_below ? line : 0);
        if (layout->metrics->text_width(layout->metrics->ctx, LAYOUT_REGULAR, px, second) >
            second_w) {
            int two = layout_measure(layout, second, LAYOUT_REGULAR, px, second_w);
            int one = row_h - row_h / 2;
            if (two - one <= spare)
                extra = two - one;
        }
        if (now && extra)
            layout_panel(layout, layout_rect(r.x + pad / 2, y + row_h, r.w - pad, extra),
                         COLOUR_NOW, LAYOUT_NONE);
        int half = row_h / 2;
        layout_text(layout, layout_rect(r.x + pad, y, r.w - 2 * pad, half), first, LAYOUT_BOLD,
                    layout_px(layout, 28), COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT,
                    LAYOUT_SINGLE_LINE | LAYOUT_MIDDLE);
        layout_text(layout, layout_rect(r.x + pad, y + half, second_w, row_h - half + extra),
                    second, LAYOUT_REGULAR, px, COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT,
                    extra ? 0u : LAYOUT_SINGLE_LINE | LAYOUT_TITLE_CUT | LAYOUT_MIDDLE);
        y += extra;
        y += row_h + pad / 2;
    }
    if (ui->activity_count == 0) {
        layout_text(layout, layout_rect(r.x + pad, y, r.w - 2 * pad, line),
                    T(ui->tr, "No activities today"), LAYOUT_REGULAR, layout_px(layout, 28),
                    COLOUR_MUTED, LAYOUT_NONE, ALIGN_LEFT, LAYOUT_SINGLE_LINE);
    } else if (more_below) {
        layout_text(layout, layout_rect(r.x + pad, y, r.w - 2 * pad, line), more, LAYOUT_REGULAR,
                    layout_px(layout, 28), COLOUR_MUTED, LAYOUT_NONE, ALIGN_LEFT,
                    LAYOUT_SINGLE_LINE);
    }
    layout_text(layout, layout_rect(r.x + pad, bottom, count_w, count_h), count, count_face,
                count_px, COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT, LAYOUT_MIDDLE);
}

static void status_bar(struct ui *ui, struct layout *layout, struct layout_rect r)
{
    int m = screen_margin(layout);
    int staff_w = layout_px(layout, ui_is_portrait(ui) ? 130 : 150);
    int dot = layout_px(layout, 22);
    uint32_t dot_colour;
    const char *words;
    switch (ui->reader_state) {
    case READER_CONNECTED:
        dot_colour = COLOUR_IN;
        words = T(ui->tr, "Card reader ready");
        break;
    case READER_STARTING:
        dot_colour = COLOUR_MUTED;
        words = T(ui->tr, "Card reader starting");
        break;
    default:
        dot_colour = COLOUR_ERROR;
        words = T(ui->tr, "Card reader not connected");
        break;
    }
    /* Once there is a central: when the last upload went, or "offline".
     * A reader that is not connected says only that: it is what staff must
     * act on, and both would not fit a 7" panel. */
    char line[256];
    if (ui->upload.configured && ui->reader_state == READER_CONNECTED) {
        char upload[128], time_text[32];
        if (ui->upload.online && ui->upload.last_success_us) {
            ui_time_text(ui, ui->upload.last_success_us, time_text, sizeof time_text);
            i18n_fill(upload, sizeof upload, T(ui->tr, "sent {time}"), "time", time_text, I18N_END);
        } else {
            snprintf(upload, sizeof upload, "%s", T(ui->tr, "offline"));
        }
        snprintf(line, sizeof line, "%s · %s", words, upload);
        words = line;
    }
    /* A database restored from a backup: staff must look at today's list.
     * A reader that is not connected still comes first. */
    int warn = ui->reader_state != READER_CONNECTED;
    if (ui->recovery_on && ui->reader_state == READER_CONNECTED) {
        words = T(ui->tr, "Restored from a backup");
        dot_colour = COLOUR_ERROR;
        warn = 1;
    }
    layout_icon(layout, layout_rect(r.x, r.y + (r.h - dot) / 2, dot, dot),
                warn ? ICON_WARNING : ICON_DOT, dot_colour, LAYOUT_NONE);
    layout_text(layout, layout_rect(r.x + dot + m, r.y, r.w - dot - 2 * m - staff_w - m, r.h),
                words, LAYOUT_REGULAR, layout_px(layout, 28),
                ui->recovery_on && warn ? COLOUR_ERROR : COLOUR_MUTED, LAYOUT_NONE, ALIGN_LEFT,
                LAYOUT_MIDDLE);
    layout_button(layout, layout_rect(r.x + r.w - staff_w, r.y, staff_w, r.h), T(ui->tr, "Staff"),
                  LAYOUT_REGULAR, layout_px(layout, 28), COLOUR_MUTED, COLOUR_PAGE, COLOUR_LINE,
                  ACT_STAFF_OPEN, 0, 0);
}

void screen_home_build(struct ui *ui, struct layout *layout)
{
    int m = screen_margin(layout);
    int w = layout->w, h = layout->h;
    int portrait = ui_is_portrait(ui);
    int64_t now_us = ui_now_us(ui);
    struct tm now = ui_local(now_us);
    char date[96], clock[16];
    i18n_date(ui->tr, &now, date, sizeof date);
    i18n_time(ui->tr, &now, clock, sizeof clock);

    /* Header: site and date on the left, the clock on the right; in
     * portrait the site has the first line to itself. */
    int header = layout_px(layout, 92), status_h = layout_px(layout, portrait ? 72 : 62);
    if (portrait) {
        int clock_w = layout_px(layout, 120), line = layout_px(layout, 46);
        header = 2 * line + m / 2;
        layout_text(layout, layout_rect(m, m, w - 2 * m, line), ui->config->site_name, LAYOUT_BOLD,
                    layout_px(layout, 32), COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT,
                    LAYOUT_SINGLE_LINE | LAYOUT_MIDDLE);
        layout_text(layout, layout_rect(m, m + line + m / 2, w - clock_w - 3 * m, line), date,
                    LAYOUT_REGULAR, layout_px(layout, 30), COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT,
                    LAYOUT_SINGLE_LINE | LAYOUT_MIDDLE);
        layout_text(layout, layout_rect(w - clock_w - m, m + line + m / 2, clock_w, line), clock,
                    LAYOUT_BOLD, layout_px(layout, 36), COLOUR_TEXT, LAYOUT_NONE, ALIGN_RIGHT,
                    LAYOUT_SINGLE_LINE | LAYOUT_MIDDLE);
    } else {
        int clock_w = layout_px(layout, 170);
        layout_text(layout, layout_rect(m, m, w - clock_w - 3 * m, layout_px(layout, 44)),
                    ui->config->site_name, LAYOUT_BOLD, layout_px(layout, 32), COLOUR_TEXT,
                    LAYOUT_NONE, ALIGN_LEFT, LAYOUT_SINGLE_LINE);
        layout_text(
            layout,
            layout_rect(m, m + layout_px(layout, 46), w - clock_w - 3 * m, layout_px(layout, 42)),
            date, LAYOUT_REGULAR, layout_px(layout, 30), COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT,
            LAYOUT_SINGLE_LINE);
        layout_text(layout, layout_rect(w - clock_w - m, m, clock_w, header), clock, LAYOUT_BOLD,
                    layout_px(layout, 60), COLOUR_TEXT, LAYOUT_NONE, ALIGN_RIGHT,
                    LAYOUT_SINGLE_LINE | LAYOUT_MIDDLE);
    }

    int top = m + header + m, bottom = h - m - status_h - m;
    status_bar(ui, layout, layout_rect(m, h - m - status_h, w - 2 * m, status_h));

    if (portrait) {
        int card_h = layout_px(layout, 170), button_h = layout_px(layout, 110);
        card_panel(ui, layout, layout_rect(m, top, w - 2 * m, card_h));
        layout_button(layout, layout_rect(m, top + card_h + m, w - 2 * m, button_h),
                      T(ui->tr, "Check in or out with your name"), LAYOUT_BOLD,
                      layout_px(layout, 36), COLOUR_WHITE, COLOUR_PRIMARY, LAYOUT_NONE,
                      ACT_NAME_START, 0, 0);
        int y = top + card_h + m + button_h + m;
        activities_panel(ui, layout, layout_rect(m, y, w - 2 * m, bottom - y));
    } else {
        int column = (w - 3 * m) / 2;
        int button_h = layout_px(layout, 120);
        int card_h = bottom - top - button_h - m;
        /* The card panel goes on the reader's side of the screen. */
        int card_x = !strcmp(ui->reader_side, "left") ? m : m;
        int list_x = card_x == m ? 2 * m + column : m;
        if (!strcmp(ui->reader_side, "right")) {
            card_x = 2 * m + column;
            list_x = m;
        }
        card_panel(ui, layout, layout_rect(card_x, top, column, card_h));
        layout_button(layout, layout_rect(card_x, top + card_h + m, column, button_h),
                      T(ui->tr, "Check in or out with your name"), LAYOUT_BOLD,
                      layout_px(layout, 36), COLOUR_WHITE, COLOUR_PRIMARY, LAYOUT_NONE,
                      ACT_NAME_START, 0, 0);
        activities_panel(ui, layout, layout_rect(list_x, top, column, bottom - top));
    }
}

void screen_home_action(struct ui *ui, const struct layout_box *box)
{
    switch (box->action) {
    case ACT_NAME_START:
        screen_name_open(ui, NAME_CHECKIN);
        break;
    case ACT_STAFF_OPEN:
        ui->pin[0] = '\0';
        if (!ui->pin_locked_until_ms)
            ui->pin_message[0] = '\0';
        ui_go(ui, UI_PIN);
        break;
    default:
        break;
    }
}
