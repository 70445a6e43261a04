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

void screen_confirm_build(struct ui *ui, struct layout *layout)
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
    struct notice notices[NOTICES_MAX];
    int notice_count = collect_notices(ui, notices);
    int m = screen_margin(layout), w = layout->w, h = layout->h;
    layout->background = bg;
    int portrait = ui_is_portrait(ui);
    int icon_size = layout_px(layout, portrait ? 120 : 140);
    int ok_h = layout_px(layout, 72);
    int text_x, text_w, y, bottom;
    enum layout_align align = portrait ? ALIGN_CENTER : ALIGN_LEFT;
    if (portrait) {
        /* Icon on top, words under it, OK across the bottom. */
        layout_icon(layout, layout_rect((w - icon_size) / 2, 2 * m, icon_size, icon_size), icon, fg,
                    LAYOUT_NONE);
        text_x = 2 * m;
        text_w = w - 4 * m;
        y = 3 * m + icon_size;
        bottom = h - 2 * m - ok_h - m;
        layout_button(layout, layout_rect(2 * m, h - 2 * m - ok_h, w - 4 * m, ok_h),
                      T(ui->tr, "OK"), LAYOUT_BOLD, layout_px(layout, 34), COLOUR_TEXT,
                      COLOUR_WHITE, COLOUR_LINE, ACT_DISMISS, 0, 0);
    } else {
        /* Icon and OK in a column on the left, the words use the height. */
        layout_icon(layout, layout_rect(2 * m, 2 * m, icon_size, icon_size), icon, fg, LAYOUT_NONE);
        layout_button(layout, layout_rect(2 * m, h - 2 * m - ok_h, icon_size, ok_h),
                      T(ui->tr, "OK"), LAYOUT_BOLD, layout_px(layout, 34), COLOUR_TEXT,
                      COLOUR_WHITE, COLOUR_LINE, ACT_DISMISS, 0, 0);
        text_x = 4 * m + icon_size;
        text_w = w - text_x - 2 * m;
        y = 2 * m;
        bottom = h - 2 * m;
    }
    /* Notices take the height their words need; the headline the rest. */
    int mark = layout_px(layout, 44);
    int notice_px = layout_read_px(layout, LAYOUT_REGULAR, 30);
    int notice_h[NOTICES_MAX], notices_total = 0;
    for (int i = 0; i < notice_count; i++) {
        int need = layout_measure(layout, notices[i].text, LAYOUT_REGULAR, notice_px,
                                  text_w - 3 * m - mark);
        notice_h[i] = (need > mark ? need : mark) + m;
        notices_total += notice_h[i] + m;
    }
    int detail_h = detail[0] ? layout_measure(layout, detail, LAYOUT_REGULAR,
                                              layout_read_px(layout, LAYOUT_REGULAR, 36), text_w)
                             : 0;
    int room = bottom - y - notices_total - detail_h;
    int min_headline = layout_px(layout, 40);
    if (room < min_headline) { /* the detail gives way first */
        detail_h -= min_headline - room;
        room = min_headline;
    }
    int headline_need =
        layout_measure(layout, headline, LAYOUT_BOLD, layout_px(layout, 56), text_w);
    int headline_h = headline_need < room ? headline_need : room;
    /* What is left over is shared out above and below the words. */
    int spare = room - headline_h;
    y += spare / 2;
    layout_text(layout, layout_rect(text_x, y, text_w, headline_h), headline, LAYOUT_BOLD,
                layout_px(layout, 56), fg, LAYOUT_NONE, align, LAYOUT_MIDDLE);
    y += headline_h;
    if (detail[0] && detail_h > 0) {
        layout_text(layout, layout_rect(text_x, y, text_w, detail_h), detail, LAYOUT_REGULAR,
                    layout_read_px(layout, LAYOUT_REGULAR, 36), fg, LAYOUT_NONE, align, 0);
        y += detail_h;
    }
    y += m;
    for (int i = 0; i < notice_count; i++) {
        layout_panel(layout, layout_rect(text_x, y, text_w, notice_h[i]), COLOUR_WHITE,
                     LAYOUT_NONE);
        layout_icon(layout, layout_rect(text_x + m, y + (notice_h[i] - mark) / 2, mark, mark),
                    notices[i].icon, notices[i].colour, LAYOUT_NONE);
        layout_text(
            layout,
            layout_rect(text_x + 2 * m + mark, y + m / 2, text_w - 3 * m - mark, notice_h[i] - m),
            notices[i].text, LAYOUT_REGULAR, notice_px, COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT,
            LAYOUT_MIDDLE);
        y += notice_h[i] + m;
    }
}

void screen_confirm_action(struct ui *ui, const struct layout_box *box)
{
    (void)box; /* the OK button or anywhere else: done */
    ui_confirm_done(ui);
}
