/* The confirmation after a tap or a name: large, in colour with an icon
 * and words together, for a few seconds or until the next tap. Notices
 * (milestones, an automatic check-out, missing papers) ride along. */
#include "ui_internal.h"

#include <stdio.h>
#include <string.h>

#define NOTICES_MAX 4

struct notice {
    enum layout_icon icon;
    uint32_t colour;
    char text[LAYOUT_TEXT_MAX];
};

static const char *refuse_text(const struct ui *ui, enum refuse_reason reason)
{
    switch (reason) {
    case REFUSE_CARD_REVOKED:
        return T(ui->tr, "This card has been blocked – please ask a member of staff");
    case REFUSE_INACTIVE:
        return T(ui->tr,
                 "You are not registered as an active volunteer – please ask a member of staff");
    case REFUSE_NO_CONFIDENTIALITY:
        return T(ui->tr,
                 "The confidentiality agreement is not signed yet – please ask a member of staff");
    case REFUSE_POLICE_CERT_EXPIRED:
        return T(ui->tr, "Your police certificate has expired – please ask a member of staff");
    default:
        return T(ui->tr, "Please ask a member of staff");
    }
}

static int collect_notices(struct ui *ui, struct notice *notices)
{
    const struct tap_result *r = &ui->result;
    int count = 0;
    char number[24];
    if (r->milestone == 1) {
        notices[count] = (struct notice){ICON_STAR, COLOUR_THANKS, ""};
        snprintf(notices[count++].text, LAYOUT_TEXT_MAX, "%s",
                 T(ui->tr, "Welcome to your first visit!"));
    } else if (r->milestone > 1) {
        notices[count] = (struct notice){ICON_STAR, COLOUR_THANKS, ""};
        snprintf(number, sizeof number, "%d", r->milestone);
        i18n_fill(notices[count++].text, LAYOUT_TEXT_MAX,
                  T(ui->tr, "Thank you! You have given {n} hours this year."), "n", number,
                  I18N_END);
    }
    if (r->notices & NOTICE_LAST_AUTOCLOSED) {
        char when[96], time_text[16];
        struct tm then = ui_local(r->last_autoclose_us), now = ui_local(ui_now_us(ui));
        i18n_relative_day(ui->tr, &then, &now, when, sizeof when);
        i18n_time(ui->tr, &then, time_text, sizeof time_text);
        notices[count] = (struct notice){ICON_WARNING, COLOUR_TEXT, ""};
        i18n_fill(notices[count++].text, LAYOUT_TEXT_MAX,
                  T(ui->tr, "You were checked out automatically {when} at {time} – tell a member "
                            "of staff if that was wrong"),
                  "when", when, "time", time_text, I18N_END);
    }
    if (r->outcome == TAP_CHECKED_IN && (r->notices & NOTICE_NO_CONFIDENTIALITY)) {
        notices[count] = (struct notice){ICON_WARNING, COLOUR_TEXT, ""};
        snprintf(notices[count++].text, LAYOUT_TEXT_MAX, "%s",
                 T(ui->tr, "Please sign the confidentiality agreement – ask a member of staff"));
    }
    if (r->outcome == TAP_CHECKED_IN && (r->notices & NOTICE_POLICE_CERT_EXPIRED) &&
        count < NOTICES_MAX) {
        notices[count] = (struct notice){ICON_WARNING, COLOUR_TEXT, ""};
        snprintf(notices[count++].text, LAYOUT_TEXT_MAX, "%s",
                 T(ui->tr, "Your police certificate has expired – please ask a member of staff"));
    }
    return count;
}

/* What a confirmation says, and how: the words, then the notices. */
struct confirm_words {
    const char *headline, *detail;
    uint32_t fg;
    enum layout_align align;
    const struct notice *notices;
    int notice_count;
};

static enum layout_align portrait_align(const struct ui *ui)
{
    return ui_is_portrait(ui) ? ALIGN_CENTER : ALIGN_LEFT;
}

static int mark_size(const struct layout *layout)
{
    return layout_px(layout, 44);
}

/* How the notices are set: their words' size, the padding in a panel and
 * the gap after it. Tight when the screen is crowded: the least size for
 * reading (still 4 mm capitals) and half the spacing. */
struct notice_style {
    int px, pad, gap;
};

static struct notice_style notice_style(const struct layout *layout, int tight)
{
    int m = screen_margin(layout);
    struct notice_style style = {layout_read_px(layout, LAYOUT_REGULAR, 30), m, m};
    if (tight)
        style = (struct notice_style){layout_read_px(layout, LAYOUT_REGULAR, LAYOUT_MIN_TEXT_PX),
                                      m / 2, m / 2};
    return style;
}

/* The notices' heights at width (each panel: its words beside the mark),
 * and their sum with the gap after each. */
static int notices_measure(struct layout *layout, const struct confirm_words *words, int width,
                           struct notice_style style, int *heights)
{
    int m = screen_margin(layout), mark = mark_size(layout), total = 0;
    for (int i = 0; i < words->notice_count; i++) {
        int need = layout_measure(layout, words->notices[i].text, LAYOUT_REGULAR, style.px,
                                  width - 3 * m - mark);
        heights[i] = (need > mark ? need : mark) + style.pad;
        total += heights[i] + style.gap;
    }
    return total;
}

static void notices_place(struct layout *layout, const struct confirm_words *words, int x, int y,
                          int width, struct notice_style style, const int *heights)
{
    int m = screen_margin(layout), mark = mark_size(layout);
    for (int i = 0; i < words->notice_count; i++) {
        const struct notice *notice = &words->notices[i];
        layout_panel(layout, layout_rect(x, y, width, heights[i]), COLOUR_WHITE, LAYOUT_NONE);
        layout_icon(layout, layout_rect(x + m, y + (heights[i] - mark) / 2, mark, mark),
                    notice->icon, notice->colour, LAYOUT_NONE);
        layout_text(layout,
                    layout_rect(x + 2 * m + mark, y + style.pad / 2, width - 3 * m - mark,
                                heights[i] - style.pad),
                    notice->text, LAYOUT_REGULAR, style.px, COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT,
                    LAYOUT_MIDDLE);
        y += heights[i] + style.gap;
    }
}

static int detail_px(const struct layout *layout)
{
    return layout_read_px(layout, LAYOUT_REGULAR, 36);
}

static int detail_measure(struct layout *layout, const struct confirm_words *words, int width)
{
    return words->detail[0]
               ? layout_measure(layout, words->detail, LAYOUT_REGULAR, detail_px(layout), width)
               : 0;
}

/* The headline and the detail from y in a column of width, room high
 * with the gap before the notices: the headline takes what the detail
 * leaves (its letters shrink to fit), and the spare height is shared out
 * above and below. Returns where the notices begin. */
static int words_place(struct layout *layout, const struct confirm_words *words, int x, int y,
                       int width, int room)
{
    int m = screen_margin(layout);
    int detail_h = detail_measure(layout, words, width);
    int headline_room = room - detail_h, min_headline = layout_px(layout, 40);
    if (headline_room < min_headline) { /* the detail gives way first */
        detail_h -= min_headline - headline_room;
        headline_room = min_headline;
    }
    int headline_need =
        layout_measure(layout, words->headline, LAYOUT_BOLD, layout_px(layout, 56), width);
    int headline_h = headline_need < headline_room ? headline_need : headline_room;
    y += (headline_room - headline_h) / 2;
    layout_text(layout, layout_rect(x, y, width, headline_h), words->headline, LAYOUT_BOLD,
                layout_px(layout, 56), words->fg, LAYOUT_NONE, words->align, LAYOUT_MIDDLE);
    y += headline_h;
    if (words->detail[0] && detail_h > 0) {
        layout_text(layout, layout_rect(x, y, width, detail_h), words->detail, LAYOUT_REGULAR,
                    detail_px(layout), words->fg, LAYOUT_NONE, words->align, 0);
        y += detail_h;
    }
    return y + m;
}

/* Whether a text from box first on was cut or overflows its box. */
static int words_cut(const struct layout *layout, int first)
{
    for (int i = first; i < layout->count; i++) {
        const struct layout_box *box = &layout->box[i];
        if (box->kind == LAYOUT_TEXT &&
            ((box->flags & LAYOUT_TRUNCATED) || box->text_h > box->h))
            return 1;
    }
    return 0;
}

static void ok_button(struct ui *ui, struct layout *layout, struct layout_rect r)
{
    layout_button(layout, r, T(ui->tr, "OK"), LAYOUT_BOLD, layout_px(layout, 34), COLOUR_TEXT,
                  COLOUR_WHITE, COLOUR_LINE, ACT_DISMISS, 0, 0);
}

/* Upright: the icon on top, the words under it, OK across the bottom. */
static void confirm_portrait(struct ui *ui, struct layout *layout,
                             const struct confirm_words *words, enum layout_icon icon)
{
    int m = screen_margin(layout), w = layout->w, h = layout->h;
    int icon_size = layout_px(layout, 120), ok_h = layout_px(layout, 72);
    layout_icon(layout, layout_rect((w - icon_size) / 2, 2 * m, icon_size, icon_size), icon,
                words->fg, LAYOUT_NONE);
    ok_button(ui, layout, layout_rect(2 * m, h - 2 * m - ok_h, w - 4 * m, ok_h));
    int x = 2 * m, width = w - 4 * m, y = 3 * m + icon_size, bottom = h - 2 * m - ok_h - m;
    int heights[NOTICES_MAX] = {0};
    struct notice_style style = notice_style(layout, 0);
    int notices_total = notices_measure(layout, words, width, style, heights);
    y = words_place(layout, words, x, y, width, bottom - y - notices_total);
    notices_place(layout, words, x, y, width, style, heights);
}

/* Landscape: the icon and OK in a column on the left, the words use the
 * height beside it. When that cuts words (a long name, a milestone and two
 * notices on the 7" panel), it is taken back: the column narrows beside the
 * words and the notices take the whole width under both. */
static void confirm_landscape(struct ui *ui, struct layout *layout,
                              const struct confirm_words *words, enum layout_icon icon)
{
    int m = screen_margin(layout), w = layout->w, h = layout->h;
    int column = layout_px(layout, 140), ok_h = layout_px(layout, 72);
    int x = 4 * m + column, width = w - x - 2 * m, top = 2 * m, bottom = h - 2 * m;
    int heights[NOTICES_MAX] = {0}, first = layout->count;
    layout_icon(layout, layout_rect(2 * m, top, column, column), icon, words->fg, LAYOUT_NONE);
    ok_button(ui, layout, layout_rect(2 * m, bottom - ok_h, column, ok_h));
    struct notice_style style = notice_style(layout, 0);
    int notices_total = notices_measure(layout, words, width, style, heights);
    int y = words_place(layout, words, x, top, width, bottom - top - notices_total);
    notices_place(layout, words, x, y, width, style, heights);
    if (!words->notice_count || !words_cut(layout, first))
        return;

    layout->count = first;
    column = layout_px(layout, 72);
    ok_h = layout_px(layout, 64);
    x = 4 * m + column;
    width = w - x - 2 * m;
    style = notice_style(layout, 1);
    notices_total = notices_measure(layout, words, w - 4 * m, style, heights);
    /* The words, or the column beside them, and the gap under them; the
     * last notice needs no gap after it. */
    int beside = column + m + ok_h + style.gap;
    int room = bottom - top - notices_total + style.gap;
    int words_need = layout_measure(layout, words->headline, LAYOUT_BOLD, layout_px(layout, 56),
                                    width) +
                     detail_measure(layout, words, width) + m;
    int top_h = words_need > beside ? words_need : beside;
    if (top_h > room)
        top_h = room > beside ? room : beside;
    layout_icon(layout, layout_rect(2 * m, top, column, column), icon, words->fg, LAYOUT_NONE);
    ok_button(ui, layout, layout_rect(2 * m, top + column + m, column, ok_h));
    words_place(layout, words, x, top, width, top_h - m);
    notices_place(layout, words, 2 * m, top + top_h, w - 4 * m, style, heights);
}

static void confirm_build(struct ui *ui, struct layout *layout)
{
    const struct tap_result *r = &ui->result;
    char name[KIOSK_NAME_MAX * 2], headline[LAYOUT_TEXT_MAX], detail[LAYOUT_TEXT_MAX] = "";
    char time_text[16], duration[96];
    screen_display_name(r->given_name, r->family_name, name, sizeof name);
    ui_time_text(ui, r->at_us ? r->at_us : ui_now_us(ui), time_text, sizeof time_text);
    uint32_t bg, fg = COLOUR_WHITE;
    enum layout_icon icon;
    switch (r->outcome) {
    case TAP_CHECKED_IN:
        bg = COLOUR_IN;
        icon = ICON_CHECK;
        i18n_fill(headline, sizeof headline, T(ui->tr, "Welcome, {name}"), "name", name, I18N_END);
        i18n_fill(detail, sizeof detail, T(ui->tr, "You are checked in at {time}"), "time",
                  time_text, I18N_END);
        for (int i = 0; i < ui->activity_count && ui->result_activity; i++)
            if (ui->activities[i].id == ui->result_activity) {
                size_t used = strlen(detail);
                snprintf(detail + used, sizeof detail - used, "\n%s", ui->activities[i].title);
            }
        break;
    case TAP_CHECKED_OUT:
        bg = COLOUR_OUT;
        icon = ICON_WAVE;
        i18n_fill(headline, sizeof headline, T(ui->tr, "Goodbye, {name}"), "name", name, I18N_END);
        i18n_duration(ui->tr, r->today_s, duration, sizeof duration);
        /* The time first, as the check-in gives its time: it is what someone
         * leaving without a card looks for. */
        i18n_fill(detail, sizeof detail,
                  T(ui->tr, "You are checked out at {time}\nThank you for today! You were here "
                            "{duration}."),
                  "time", time_text, "duration", duration, I18N_END);
        break;
    case TAP_ALREADY_IN:
        bg = COLOUR_IN;
        icon = ICON_CHECK;
        i18n_fill(headline, sizeof headline, T(ui->tr, "You are already checked in, {name}"),
                  "name", name, I18N_END);
        ui_time_text(ui, r->visit_start_us ? r->visit_start_us : r->at_us, time_text,
                     sizeof time_text);
        i18n_fill(detail, sizeof detail, T(ui->tr, "Since {time}"), "time", time_text, I18N_END);
        break;
    case TAP_ALREADY_OUT:
        bg = COLOUR_OUT;
        icon = ICON_WAVE;
        i18n_fill(headline, sizeof headline, T(ui->tr, "You are already checked out, {name}"),
                  "name", name, I18N_END);
        snprintf(detail, sizeof detail, "%s", T(ui->tr, "Thank you for today!"));
        break;
    case TAP_UNKNOWN_CARD:
        bg = COLOUR_WARN;
        fg = COLOUR_TEXT;
        icon = ICON_WARNING;
        snprintf(headline, sizeof headline, "%s",
                 T(ui->tr, "This card is not registered – ask a member of staff"));
        break;
    case TAP_REFUSED:
        bg = COLOUR_ERROR;
        icon = ICON_CROSS;
        if (name[0])
            i18n_fill(headline, sizeof headline,
                      T(ui->tr, "Sorry, {name}, you cannot check in now"), "name", name, I18N_END);
        else
            snprintf(headline, sizeof headline, "%s", T(ui->tr, "You cannot check in now"));
        snprintf(detail, sizeof detail, "%s", refuse_text(ui, r->reason));
        break;
    default:
        bg = COLOUR_ERROR;
        icon = ICON_CROSS;
        snprintf(headline, sizeof headline, "%s",
                 T(ui->tr, "That was not recorded – please try again or ask a member of staff"));
        /* In words, capitalised as a sentence of its own; the core's
         * English went to the log (ui_handle_result). */
        snprintf(detail, sizeof detail, "%s", screen_error_text(ui, r->error));
        i18n_capitalise(detail);
        break;
    }

    layout->text_flags = LAYOUT_READ; /* 4 mm capitals at least */
    layout->background = bg;
    struct notice notices[NOTICES_MAX];
    struct confirm_words words = {headline, detail, fg, portrait_align(ui), notices,
                                  collect_notices(ui, notices)};
    if (ui_is_portrait(ui))
        confirm_portrait(ui, layout, &words, icon);
    else
        confirm_landscape(ui, layout, &words, icon);
}

static void confirm_action(struct ui *ui, const struct layout_box *box)
{
    if (box && box->action == ACT_KEY)
        return; /* a key typed is not a tap */
    ui_confirm_done(ui); /* the OK button, anywhere else, its time: done */
}

/* Its time is set by ui_handle_result (longer with a notice to read). */
static int confirm_enter(struct ui *ui, const struct ui_move *move)
{
    (void)move;
    ui->idle_ms = UI_IDLE_OWN;
    return 0;
}

const struct ui_screen_ops screen_confirm = {
    .name = "confirm", .build = confirm_build, .action = confirm_action, .enter = confirm_enter};
