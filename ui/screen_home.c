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

/* An activity's row on the home screen: its times (and "now") in bold,
 * then "Title, place" wrapped over as many lines as its words take (WHOLE),
 * or, where rows must be shorter, the title beside the times, cut if need
 * be, and the place below it (TITLE_BESIDE). The place, where to go, is
 * never cut; an activity's title may be, as it is whole where it is chosen. */
enum row_style { ROW_WHOLE = 0, ROW_TITLE_BESIDE };

struct home_rows {
    int text_x, text_w, px, bold_px, line;
    int times_w[UI_ACTIVITIES_MAX];
};

static void activity_first_line(const struct ui *ui, const struct activity *activity, char *out,
                                size_t cap)
{
    char times[48];
    screen_activity_times(ui, activity, times, sizeof times);
    if (activity_now(ui, activity))
        snprintf(out, cap, "%s  \xE2\x96\xB8 %s", times, T(ui->tr, "now"));
    else
        snprintf(out, cap, "%s", times);
}

static void activity_words(const struct activity *activity, char *out, size_t cap)
{
    if (activity->place[0])
        snprintf(out, cap, "%s, %s", activity->title, activity->place);
    else
        snprintf(out, cap, "%s", activity->title);
}

static int row_height(struct ui *ui, struct layout *layout, const struct home_rows *g, int i,
                      enum row_style style)
{
    const struct activity *activity = &ui->activities[i];
    char words[2 * KIOSK_NAME_MAX + 8];
    if (style == ROW_WHOLE) {
        activity_words(activity, words, sizeof words);
        return g->line + layout_measure(layout, words, LAYOUT_REGULAR, g->px, g->text_w);
    }
    return g->line + (activity->place[0] ? layout_measure(layout, activity->place, LAYOUT_REGULAR,
                                                          g->px, g->text_w)
                                         : 0);
}

/* Which activities are listed in height px: the one running now and the
 * next first (at 03.00 the night watch is what matters, though it is last
 * of the day), then the rest in order, while they fit with room left for
 * the "and 2 more" line (more_h) when some are left out. Those already over
 * give way when not all fit. Marks chosen[] and returns how many are left
 * out, or -1 if the first two do not fit at all. */
static int pick_activities(struct ui *ui, struct layout *layout, const struct home_rows *g,
                           enum row_style style, int height, int more_h, int gap, int *chosen)
{
    int total = 0, candidates = 0;
    for (int i = 0; i < ui->activity_count; i++)
        total += row_height(ui, layout, g, i, style) + gap;
    int skip_over = total > height;
    for (int i = 0; i < ui->activity_count; i++) {
        chosen[i] = 0;
        if (!(skip_over && activity_over(ui, &ui->activities[i])))
            candidates++;
    }
    int used = 0, taken = 0, next_taken = 0, forced = 0;
    for (int pass = 0; pass < 3; pass++)
        for (int i = 0; i < ui->activity_count; i++) {
            const struct activity *activity = &ui->activities[i];
            if (chosen[i] || (skip_over && activity_over(ui, activity)))
                continue;
            int now = activity_now(ui, activity);
            if ((pass == 0 && !now) ||
                (pass == 1 && (now || next_taken || activity_over(ui, activity))))
                continue;
            int need = row_height(ui, layout, g, i, style) + gap;
            int left_out = candidates - taken - 1;
            if (used + need + (left_out > 0 ? more_h : 0) > height) {
                if (pass < 2)
                    forced = 1; /* now or next does not fit */
                continue;
            }
            next_taken |= pass == 1;
            chosen[i] = 1;
            used += need;
            taken++;
        }
    return forced ? -1 : candidates - taken;
}

/* How many are here, in words: "10 frivillige er her nå". Bold on one
 * line, or regular when bold is too wide, or on two lines when even that is
 * (never cut). Returns the height it takes at width. */
struct count_line {
    char text[128];
    enum layout_face face;
    int px, h;
};

static void count_measure(struct ui *ui, struct layout *layout, int width, struct count_line *c)
{
    const struct layout_metrics *metrics = layout->metrics;
    char number[16];
    snprintf(number, sizeof number, "%d", ui->present_count);
    i18n_fill(c->text, sizeof c->text,
              TN(ui->tr, "{n} volunteer here now", "{n} volunteers here now", ui->present_count),
              "n", number, I18N_END);
    c->face = LAYOUT_BOLD;
    c->px = layout_read_px(layout, LAYOUT_REGULAR, 30);
    c->h = layout_px(layout, 40);
    if (metrics->text_width(metrics->ctx, LAYOUT_BOLD, c->px, c->text) > width) {
        c->face = LAYOUT_REGULAR;
        c->px = layout_read_px(layout, LAYOUT_REGULAR, 28);
        if (metrics->text_width(metrics->ctx, c->face, c->px, c->text) > width)
            c->h = layout_measure(layout, c->text, c->face, c->px, width);
    }
}

static void count_draw(struct layout *layout, struct layout_rect r, const struct count_line *c)
{
    layout_text(layout, r, c->text, c->face, c->px, COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT,
                LAYOUT_MIDDLE);
}

/* Today's activities; with_count: the count at its foot (upright, where the
 * panel has the screen's width). */
static void activities_panel(struct ui *ui, struct layout *layout, struct layout_rect r,
                             int with_count)
{
    layout_panel(layout, r, COLOUR_WHITE, COLOUR_LINE);
    const struct layout_metrics *metrics = layout->metrics;
    int pad = layout_px(layout, 12), gap = pad / 2;
    struct home_rows g;
    g.px = layout_read_px(layout, LAYOUT_REGULAR, 28);
    g.bold_px = layout_read_px(layout, LAYOUT_REGULAR, 28);
    g.line = metrics->line_height(metrics->ctx, LAYOUT_BOLD, g.bold_px);
    g.text_x = r.x + pad;
    g.text_w = r.w - 2 * pad;
    int heading_h = layout_px(layout, 38);

    struct count_line count;
    count_measure(ui, layout, g.text_w, &count);
    int bottom = r.y + r.h - pad - (with_count ? count.h : 0);
    /* With the count below, "and 2 more" can end its line (measured with
     * the most that can be left out). */
    char widest[96], number[16];
    snprintf(number, sizeof number, "%d", ui->activity_count);
    i18n_fill(widest, sizeof widest, TN(ui->tr, "and {n} more", "and {n} more", ui->activity_count),
              "n", number, I18N_END);
    int beside_w = metrics->text_width(metrics->ctx, LAYOUT_REGULAR, g.px, widest) + pad;
    int beside =
        with_count && count.h <= layout_px(layout, 40) &&
        metrics->text_width(metrics->ctx, count.face, count.px, count.text) + beside_w <= g.text_w;

    /* The heading ("Today's activities", and "and 2 more" beside it) when
     * there is room for it; the rows whole, else with the title beside the
     * times; without the heading, "and 2 more" is a line of its own. */
    int chosen[UI_ACTIVITIES_MAX];
    int heading = 1, hidden = -1;
    enum row_style style = ROW_WHOLE;
    for (int attempt = 0; attempt < 4 && hidden < 0; attempt++) {
        heading = attempt < 2;
        style = attempt % 2 ? ROW_TITLE_BESIDE : ROW_WHOLE;
        int top = r.y + pad + (heading ? heading_h + gap : 0);
        hidden = pick_activities(ui, layout, &g, style, bottom - top,
                                 heading || beside ? 0 : g.line, gap, chosen);
    }
    if (hidden < 0) {
        /* Not even the two: the one running now (or next) alone, the rest
         * counted; its words are still whole. */
        heading = 0;
        style = ROW_TITLE_BESIDE;
        int first = -1;
        for (int i = 0; i < ui->activity_count; i++) {
            chosen[i] = 0;
            if (first < 0 &&
                (activity_now(ui, &ui->activities[i]) || !activity_over(ui, &ui->activities[i])))
                first = i;
        }
        if (first < 0 && ui->activity_count)
            first = ui->activity_count - 1;
        if (first >= 0)
            chosen[first] = 1;
        hidden = ui->activity_count - (first >= 0);
    }

    char more[96] = "";
    if (hidden) {
        snprintf(number, sizeof number, "%d", hidden);
        i18n_fill(more, sizeof more, TN(ui->tr, "and {n} more", "and {n} more", hidden), "n",
                  number, I18N_END);
    }
    int y = r.y + pad;
    if (heading) {
        int more_w =
            hidden ? metrics->text_width(metrics->ctx, LAYOUT_REGULAR, g.px, more) + pad : 0;
        /* Beside "and 2 more" the heading is the short one. */
        layout_text(layout, layout_rect(g.text_x, y, g.text_w - more_w, heading_h),
                    more_w ? T(ui->tr, "Today") : T(ui->tr, "Today's activities"), LAYOUT_BOLD,
                    layout_read_px(layout, LAYOUT_REGULAR, 30), COLOUR_TEXT, LAYOUT_NONE,
                    ALIGN_LEFT, LAYOUT_SINGLE_LINE);
        if (more_w)
            layout_text(layout, layout_rect(r.x + r.w - pad - more_w, y, more_w, heading_h), more,
                        LAYOUT_REGULAR, g.px, COLOUR_MUTED, LAYOUT_NONE, ALIGN_RIGHT,
                        LAYOUT_SINGLE_LINE | LAYOUT_MIDDLE);
        y += heading_h + gap;
    }
    for (int i = 0; i < ui->activity_count; i++) {
        const struct activity *activity = &ui->activities[i];
        if (!chosen[i])
            continue;
        int row_h = row_height(ui, layout, &g, i, style);
        if (activity_now(ui, activity))
            layout_panel(layout, layout_rect(r.x + pad / 2, y, r.w - pad, row_h), COLOUR_NOW,
                         LAYOUT_NONE);
        char first[96], words[2 * KIOSK_NAME_MAX + 8];
        activity_first_line(ui, activity, first, sizeof first);
        if (style == ROW_WHOLE) {
            layout_text(layout, layout_rect(g.text_x, y, g.text_w, g.line), first, LAYOUT_BOLD,
                        g.bold_px, COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT, LAYOUT_SINGLE_LINE);
            activity_words(activity, words, sizeof words);
            layout_text(layout, layout_rect(g.text_x, y + g.line, g.text_w, row_h - g.line), words,
                        LAYOUT_REGULAR, g.px, COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT, 0);
        } else {
            int first_w = metrics->text_width(metrics->ctx, LAYOUT_BOLD, g.bold_px, first);
            int space = metrics->text_width(metrics->ctx, LAYOUT_REGULAR, g.px, "  ");
            if (first_w > g.text_w)
                first_w = g.text_w;
            layout_text(layout, layout_rect(g.text_x, y, first_w, g.line), first, LAYOUT_BOLD,
                        g.bold_px, COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT, LAYOUT_SINGLE_LINE);
            if (g.text_w - first_w - space > 0)
                layout_text(
                    layout,
                    layout_rect(g.text_x + first_w + space, y, g.text_w - first_w - space, g.line),
                    activity->title, LAYOUT_REGULAR, g.px, COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT,
                    LAYOUT_SINGLE_LINE | LAYOUT_TITLE_CUT);
            if (activity->place[0])
                layout_text(layout, layout_rect(g.text_x, y + g.line, g.text_w, row_h - g.line),
                            activity->place, LAYOUT_REGULAR, g.px, COLOUR_TEXT, LAYOUT_NONE,
                            ALIGN_LEFT, 0);
        }
        y += row_h + gap;
    }
    if (ui->activity_count == 0)
        layout_text(layout, layout_rect(g.text_x, y, g.text_w, g.line),
                    T(ui->tr, "No activities today"), LAYOUT_REGULAR, g.px, COLOUR_MUTED,
                    LAYOUT_NONE, ALIGN_LEFT, LAYOUT_SINGLE_LINE);
    else if (hidden && !heading && !beside)
        layout_text(layout, layout_rect(g.text_x, y, g.text_w, g.line), more, LAYOUT_REGULAR, g.px,
                    COLOUR_MUTED, LAYOUT_NONE, ALIGN_LEFT, LAYOUT_SINGLE_LINE);
    if (!with_count)
        return;
    int more_here = hidden && !heading && beside;
    count_draw(layout,
               layout_rect(g.text_x, bottom, g.text_w - (more_here ? beside_w : 0), count.h),
               &count);
    if (more_here)
        layout_text(layout, layout_rect(r.x + r.w - pad - beside_w, bottom, beside_w, count.h),
                    more, LAYOUT_REGULAR, g.px, COLOUR_MUTED, LAYOUT_NONE, ALIGN_RIGHT,
                    LAYOUT_SINGLE_LINE | LAYOUT_MIDDLE);
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
                words, LAYOUT_REGULAR, layout_read_px(layout, LAYOUT_REGULAR, 28),
                ui->recovery_on && warn ? COLOUR_ERROR : COLOUR_MUTED, LAYOUT_NONE, ALIGN_LEFT,
                LAYOUT_MIDDLE);
    layout->text_flags = 0; /* the discreet way in for staff, not for reading */
    layout_button(layout, layout_rect(r.x + r.w - staff_w, r.y, staff_w, r.h), T(ui->tr, "Staff"),
                  LAYOUT_REGULAR, layout_read_px(layout, LAYOUT_REGULAR, 28), COLOUR_MUTED,
                  COLOUR_PAGE, COLOUR_LINE, ACT_STAFF_OPEN, 0, 0);
    layout->text_flags = LAYOUT_READ;
}

static void home_build(struct ui *ui, struct layout *layout)
{
    /* Read by everyone, from a step back: 4 mm capitals (LAYOUT_READ). */
    layout->text_flags = LAYOUT_READ;
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
                    LAYOUT_REGULAR, layout_read_px(layout, LAYOUT_REGULAR, 30), COLOUR_TEXT,
                    LAYOUT_NONE, ALIGN_LEFT, LAYOUT_SINGLE_LINE | LAYOUT_MIDDLE);
        layout_text(layout, layout_rect(w - clock_w - m, m + line + m / 2, clock_w, line), clock,
                    LAYOUT_BOLD, layout_px(layout, 36), COLOUR_TEXT, LAYOUT_NONE, ALIGN_RIGHT,
                    LAYOUT_SINGLE_LINE | LAYOUT_MIDDLE);
    } else {
        /* Two lines as close as their faces allow: the room goes to the
         * activities below. */
        int clock_w = layout_px(layout, 170);
        header = layout_px(layout, 80);
        layout_text(layout, layout_rect(m, m, w - clock_w - 3 * m, layout_px(layout, 40)),
                    ui->config->site_name, LAYOUT_BOLD, layout_px(layout, 32), COLOUR_TEXT,
                    LAYOUT_NONE, ALIGN_LEFT, LAYOUT_SINGLE_LINE);
        layout_text(
            layout,
            layout_rect(m, m + layout_px(layout, 42), w - clock_w - 3 * m, layout_px(layout, 38)),
            date, LAYOUT_REGULAR, layout_read_px(layout, LAYOUT_REGULAR, 30), COLOUR_TEXT,
            LAYOUT_NONE, ALIGN_LEFT, LAYOUT_SINGLE_LINE);
        layout_text(layout, layout_rect(w - clock_w - m, m, clock_w, header), clock, LAYOUT_BOLD,
                    layout_px(layout, 60), COLOUR_TEXT, LAYOUT_NONE, ALIGN_RIGHT,
                    LAYOUT_SINGLE_LINE | LAYOUT_MIDDLE);
    }

    int top = m + header + m, bottom = h - m - status_h - m;
    status_bar(ui, layout, layout_rect(m, h - m - status_h, w - 2 * m, status_h));

    if (portrait) {
        int card_h = layout_px(layout, 136), button_h = layout_px(layout, 110);
        card_panel(ui, layout, layout_rect(m, top, w - 2 * m, card_h));
        layout_button(layout, layout_rect(m, top + card_h + m, w - 2 * m, button_h),
                      T(ui->tr, "Check in or out with your name"), LAYOUT_BOLD,
                      layout_px(layout, 36), COLOUR_WHITE, COLOUR_PRIMARY, LAYOUT_NONE,
                      ACT_NAME_START, 0, 0);
        int y = top + card_h + m + button_h + m;
        activities_panel(ui, layout, layout_rect(m, y, w - 2 * m, bottom - y), 1);
    } else {
        /* The list of activities takes the wider column and its full
         * height: its places are never cut, and wrap less there. The count
         * of who is here goes under the name button when it fits one line
         * there, else at the foot of the list. */
        int column = (w - 3 * m) * 42 / 100, list_w = w - 3 * m - column;
        int button_h = layout_px(layout, 100);
        struct count_line count;
        count_measure(ui, layout, column, &count);
        int count_here = count.h <= layout_px(layout, 40);
        int card_h = bottom - top - button_h - m - (count_here ? count.h + m : 0);
        int card_x = m, list_x = 2 * m + column;
        if (!strcmp(ui->reader_side, "right")) { /* the card panel on the reader's side */
            card_x = 2 * m + list_w;
            list_x = m;
        }
        card_panel(ui, layout, layout_rect(card_x, top, column, card_h));
        layout_button(layout, layout_rect(card_x, top + card_h + m, column, button_h),
                      T(ui->tr, "Check in or out with your name"), LAYOUT_BOLD,
                      layout_px(layout, 36), COLOUR_WHITE, COLOUR_PRIMARY, LAYOUT_NONE,
                      ACT_NAME_START, 0, 0);
        if (count_here)
            count_draw(layout, layout_rect(card_x, bottom - count.h, column, count.h), &count);
        activities_panel(ui, layout, layout_rect(list_x, top, list_w, bottom - top), !count_here);
    }
}

static void home_action(struct ui *ui, const struct layout_box *box)
{
    switch (box ? box->action : ACT_NONE) {
    case ACT_NAME_START:
        ui_go_with(ui, UI_NAME, NAME_CHECKIN);
        break;
    case ACT_STAFF_OPEN:
        ui_go(ui, UI_PIN);
        break;
    default:
        break;
    }
}

/* Home ends staff mode, whatever led here, and reads its count again. */
static int home_enter(struct ui *ui, const struct ui_move *move)
{
    (void)move;
    ui->staff_open = 0;
    ui->home_stale = 1;
    ui->idle_ms = 0; /* it waits as long as it takes */
    return 0;
}

const struct ui_screen_ops screen_home = {
    .name = "home", .build = home_build, .action = home_action, .enter = home_enter};
