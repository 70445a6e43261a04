/* Staff mode, behind the PIN: who is here (the fire roll call), check in
 * or out by hand, enroll the last unknown card, review visits closed
 * automatically, missing papers, today's activities, language. It closes
 * by itself after a minute without a touch (ui_touch_idle). */
#include "ui_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAFF_ROW_HEIGHT 84 /* base px: two lines of 28 px text */
#define TIME_STEP_MIN    15

static void full_name(const char *given, const char *family, char *out, size_t cap)
{
    snprintf(out, cap, "%s %s", given, family);
}

/* --- what the staff screens show, read (and written) by the worker --- */

enum staff_write {
    WRITE_NONE = 0,
    WRITE_ENROLL,          /* the last unknown card to volunteer_id */
    WRITE_ACTIVITY_SAVE,   /* activity */
    WRITE_ACTIVITY_REMOVE, /* activity.id */
    WRITE_CORRECT_END,     /* event_key's visit ends at end_us */
    WRITE_RECOVERY_SEEN,   /* staff have read about the restore */
    WRITE_REFUSED_SEEN,    /* staff have seen the refused events */
};

struct compliance_item {
    struct volunteer volunteer;
    unsigned notices;
};

/* A staff screen's data: an optional write first, then what the screen
 * (and the menu's counts) show. The rows are made on the UI thread, in its
 * language. */
struct staff_job {
    struct ui_job job;
    unsigned ticket;
    enum ui_screen screen;
    int64_t now_us;

    enum staff_write write;
    int64_t volunteer_id;
    struct activity activity;
    char event_key[EVENT_ID_LEN + 1];
    int64_t end_us;
    char name[KIOSK_NAME_MAX * 2]; /* whom or what the message names */
    int write_rc;
    enum kiosk_error write_error;
    char write_message[512]; /* the core's English, for the log */

    struct ui_home_data home; /* the menu's counts, the activities */
    int review_count, compliance_count, has_unknown;
    int64_t unknown_at_us;
    int refused_unseen;
    int64_t token_refused_us;
    int item_count;
    union {
        struct review_item review[UI_LIST_MAX];
        struct compliance_item compliance[UI_LIST_MAX];
    } items;
};

static void take_review(void *user, const struct review_item *r)
{
    struct staff_job *j = user;
    if (j->item_count < UI_LIST_MAX)
        j->items.review[j->item_count] = *r;
    j->item_count++;
}

static void take_compliance(void *user, const struct volunteer *v, unsigned notices)
{
    struct staff_job *j = user;
    if (j->item_count < UI_LIST_MAX) {
        j->items.compliance[j->item_count].volunteer = *v;
        j->items.compliance[j->item_count].notices = notices;
    }
    j->item_count++;
}

static int staff_write_run(struct kiosk *kiosk, struct staff_job *j)
{
    switch (j->write) {
    case WRITE_ENROLL:
        return kiosk_enroll_last_unknown(kiosk, j->volunteer_id);
    case WRITE_ACTIVITY_SAVE:
        return kiosk_activity_save(kiosk, &j->activity);
    case WRITE_ACTIVITY_REMOVE:
        return kiosk_activity_remove(kiosk, j->activity.id);
    case WRITE_CORRECT_END:
        return kiosk_correct_end(kiosk, j->event_key, j->end_us);
    case WRITE_RECOVERY_SEEN:
        return kiosk_recovery_acknowledge(kiosk);
    case WRITE_REFUSED_SEEN:
        return kiosk_refused_acknowledge(kiosk);
    default:
        return 0;
    }
}

static void staff_run(struct kiosk *kiosk, struct ui_job *job)
{
    struct staff_job *j = (struct staff_job *)job;
    if (j->write && (j->write_rc = staff_write_run(kiosk, j)) < 0) {
        j->write_error = kiosk_errkind(kiosk);
        snprintf(j->write_message, sizeof j->write_message, "%s", kiosk_errmsg(kiosk));
    }
    ui_home_read(kiosk, j->now_us, &j->home);
    switch (j->screen) {
    case UI_STAFF:
        kiosk_review_list(kiosk, take_review, j);
        j->review_count = j->item_count;
        j->item_count = 0;
        kiosk_compliance_today(kiosk, take_compliance, j);
        j->compliance_count = j->item_count;
        j->item_count = 0;
        j->has_unknown = kiosk_last_unknown_card(kiosk, &j->unknown_at_us) == 1;
        if (kiosk_upload_notices(kiosk, &j->refused_unseen, &j->token_refused_us) < 0)
            j->refused_unseen = 0, j->token_refused_us = 0;
        break;
    case UI_STAFF_REVIEW:
        kiosk_review_list(kiosk, take_review, j);
        break;
    case UI_STAFF_COMPLIANCE:
        kiosk_compliance_today(kiosk, take_compliance, j);
        break;
    default:
        break;
    }
    if (j->item_count > UI_LIST_MAX)
        j->item_count = UI_LIST_MAX;
}

static struct ui_row *row_add(struct ui *ui)
{
    if (!ui->rows || ui->row_count >= UI_LIST_MAX)
        return NULL;
    struct ui_row *row = &ui->rows[ui->row_count++];
    memset(row, 0, sizeof *row);
    return row;
}

static void row_review(struct ui *ui, const struct review_item *r)
{
    struct ui_row *row = row_add(ui);
    if (!row)
        return;
    char day[96], start[16], end[16];
    struct tm then = ui_local(r->start_us), now = ui_local(ui_now_us(ui));
    row->id = r->volunteer_id;
    snprintf(row->key, sizeof row->key, "%s", r->autoclose_event);
    row->start_us = r->start_us;
    row->end_us = r->credited_end_us;
    full_name(r->given_name, r->family_name, row->title, sizeof row->title);
    i18n_relative_day(ui->tr, &then, &now, day, sizeof day);
    ui_time_text(ui, r->start_us, start, sizeof start);
    ui_time_text(ui, r->credited_end_us, end, sizeof end);
    if (r->credited_end_us <= r->start_us) /* credited nothing: say so, not "left at" */
        i18n_fill(row->detail, sizeof row->detail,
                  T(ui->tr, "came {day} at {start}, no end time yet"), "day", day, "start", start,
                  I18N_END);
    else
        i18n_fill(row->detail, sizeof row->detail,
                  T(ui->tr, "came {day} at {start}, closed automatically at {end}"), "day", day,
                  "start", start, "end", end, I18N_END);
}

static void row_compliance(struct ui *ui, const struct compliance_item *c)
{
    struct ui_row *row = row_add(ui);
    if (!row)
        return;
    row->id = c->volunteer.id;
    full_name(c->volunteer.given_name, c->volunteer.family_name, row->title, sizeof row->title);
    const char *missing = T(ui->tr, "No signed confidentiality agreement");
    const char *expired = T(ui->tr, "Police certificate expired");
    if ((c->notices & NOTICE_NO_CONFIDENTIALITY) && (c->notices & NOTICE_POLICE_CERT_EXPIRED))
        snprintf(row->detail, sizeof row->detail, "%s; %s", missing, expired);
    else
        snprintf(row->detail, sizeof row->detail, "%s",
                 c->notices & NOTICE_NO_CONFIDENTIALITY ? missing : expired);
}

static void row_activity(struct ui *ui, const struct activity *a)
{
    struct ui_row *row = row_add(ui);
    if (!row)
        return;
    char times[48];
    screen_activity_times(ui, a, times, sizeof times);
    row->id = a->id;
    snprintf(row->title, sizeof row->title, "%s", a->title);
    if (a->place[0])
        snprintf(row->detail, sizeof row->detail, "%s, %s", times, a->place);
    else
        snprintf(row->detail, sizeof row->detail, "%s", times);
}

/* The write's outcome in words, in the screen's language. */
static void staff_write_message(struct ui *ui, const struct staff_job *j)
{
    char text[256], time_text[16];
    int failed = j->write_rc < 0;
    const char *error = screen_error_text(ui, j->write_error);
    if (failed)
        fprintf(stderr, "tilstede: staff: %s\n", j->write_message);
    switch (j->write) {
    case WRITE_ENROLL:
        if (failed)
            i18n_fill(text, sizeof text, T(ui->tr, "The card was not registered: {error}"), "error",
                      error, I18N_END);
        else
            i18n_fill(text, sizeof text, T(ui->tr, "The card now belongs to {name}"), "name",
                      j->name, I18N_END);
        break;
    case WRITE_ACTIVITY_SAVE:
        if (failed)
            i18n_fill(text, sizeof text, T(ui->tr, "Not saved: {error}"), "error", error, I18N_END);
        else
            i18n_fill(text, sizeof text, T(ui->tr, "Saved: {title}"), "title", j->name, I18N_END);
        break;
    case WRITE_ACTIVITY_REMOVE:
        if (failed)
            i18n_fill(text, sizeof text, T(ui->tr, "Not removed: {error}"), "error", error,
                      I18N_END);
        else
            i18n_fill(text, sizeof text, T(ui->tr, "Removed: {title}"), "title", j->name,
                      I18N_END);
        break;
    case WRITE_CORRECT_END:
        if (failed) {
            i18n_fill(text, sizeof text, T(ui->tr, "Not saved: {error}"), "error", error, I18N_END);
        } else {
            ui_time_text(ui, j->end_us, time_text, sizeof time_text);
            i18n_fill(text, sizeof text, T(ui->tr, "{name}: end time set to {time}"), "name",
                      j->name, "time", time_text, I18N_END);
        }
        break;
    default:
        return;
    }
    ui_staff_message(ui, !failed, text);
    if (!failed && (j->write == WRITE_ENROLL || j->write == WRITE_CORRECT_END))
        ui_recorded(ui); /* for the uploader */
    if (!failed && (j->write == WRITE_ACTIVITY_SAVE || j->write == WRITE_ACTIVITY_REMOVE))
        ui->home_stale = 1;
}

/* The core remembers an unknown card for unknown_card_memory_s (5 minutes)
 * and then cannot enroll it. Staff choosing a name when that ran out were
 * left with a failed write; they are told on the menu instead, as it
 * happens (the menu's alarm, or the name screen's that brings them back),
 * and the button waits for the card again. */
static int64_t unknown_expiry_us(const struct ui *ui)
{
    return ui->unknown_at_us + (int64_t)ui->config->unknown_card_memory_s * 1000000;
}

static void unknown_forgotten(struct ui *ui)
{
    char text[256], duration[64];
    i18n_duration(ui->tr, ui->config->unknown_card_memory_s, duration, sizeof duration);
    i18n_fill(text, sizeof text,
              T(ui->tr, "The card was forgotten after {duration}: hold it to the reader again."),
              "duration", duration, I18N_END);
    ui_staff_message(ui, 0, text);
    ui->has_unknown = 0;
    ui->dirty = 1;
}

static void staff_done(struct ui *ui, struct ui_job *job)
{
    const struct staff_job *j = (const struct staff_job *)job;
    /* Staff closed meanwhile (idle, a tap's confirmation went home), or
     * asked for another screen since: this one is not wanted any more. */
    if (j->ticket != ui->staff_ticket || !ui->staff_open)
        return;
    staff_write_message(ui, j);
    ui_home_apply(ui, &j->home);
    if (!ui->rows)
        ui->rows = calloc(UI_LIST_MAX, sizeof *ui->rows);
    ui->row_count = 0;
    ui->page = 0;
    ui->roll_leave_asked = 0;
    ui->remove_asked = 0;
    switch (j->screen) {
    case UI_STAFF:
        ui->review_count = j->review_count;
        ui->compliance_count = j->compliance_count;
        ui->has_unknown = j->has_unknown;
        ui->unknown_at_us = j->unknown_at_us;
        ui->refused_unseen = j->refused_unseen;
        ui->token_refused_us = j->token_refused_us;
        ui->alarm_us = ui->has_unknown ? unknown_expiry_us(ui) : 0;
        break;
    case UI_STAFF_REVIEW:
        for (int i = 0; i < j->item_count; i++)
            row_review(ui, &j->items.review[i]);
        break;
    case UI_STAFF_COMPLIANCE:
        for (int i = 0; i < j->item_count; i++)
            row_compliance(ui, &j->items.compliance[i]);
        break;
    case UI_STAFF_ACTIVITIES:
        for (int i = 0; i < ui->activity_count; i++)
            row_activity(ui, &ui->activities[i]);
        break;
    default:
        break;
    }
    ui_show(ui, j->screen);
}

static struct staff_job *staff_job_new(struct ui *ui, enum ui_screen screen)
{
    struct staff_job *j = calloc(1, sizeof *j);
    if (!j) {
        fprintf(stderr, "tilstede: out of memory for a staff screen\n");
        return NULL;
    }
    j->job.run = staff_run;
    j->job.done = staff_done;
    j->screen = screen;
    j->now_us = ui_now_us(ui);
    return j;
}

static void staff_submit(struct ui *ui, struct staff_job *j)
{
    j->ticket = ++ui->staff_ticket;
    ui_submit(ui, &j->job);
}

/* Reads what a staff screen shows, once, on the worker, and shows it when
 * the data is there: redraws (a pressed button, the clock) touch no disk. */
static void staff_load(struct ui *ui, enum ui_screen screen)
{
    struct staff_job *j = staff_job_new(ui, screen);
    if (j)
        staff_submit(ui, j);
}

/* --- the menu --- */

static void info_line(struct layout *layout, struct layout_rect r, int ok, const char *text)
{
    int m = screen_margin(layout), mark = layout_px(layout, 40);
    layout_panel(layout, r, ok ? 0xE3F1E7u : 0xF8E1E1u, LAYOUT_NONE);
    layout_icon(layout, layout_rect(r.x + m, r.y + (r.h - mark) / 2, mark, mark),
                ok ? ICON_CHECK : ICON_WARNING, ok ? COLOUR_IN : COLOUR_ERROR, LAYOUT_NONE);
    layout_text(layout, layout_rect(r.x + 2 * m + mark, r.y, r.w - 3 * m - mark, r.h), text,
                LAYOUT_REGULAR, layout_px(layout, 28), COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT,
                LAYOUT_MIDDLE);
}

/* The height an info line of width needs: one line, or as many as its
 * words take (a message is never cut). */
static int info_height(struct layout *layout, int width, const char *text)
{
    int m = screen_margin(layout), mark = layout_px(layout, 40), least = layout_px(layout, 64);
    int need =
        layout_measure(layout, text, LAYOUT_REGULAR, layout_px(layout, 28), width - 3 * m - mark) +
        m;
    return need > least ? need : least;
}

static void message_line(struct ui *ui, struct layout *layout, struct layout_rect r)
{
    if (ui->staff_message[0])
        info_line(layout, r, ui->staff_message_ok, ui->staff_message);
}

/* PROTOCOL.md: 401 means "needs a new token"; nothing goes until then, so
 * this, not "no contact", is what staff must hear. */
static void token_refused_text(struct ui *ui, char *text, size_t cap)
{
    char day[96], time_text[32];
    if (ui->token_refused_us <= 1) { /* refused before the time was kept */
        snprintf(text, cap, "%s", T(ui->tr, "New key needed (refused by the central)"));
        return;
    }
    struct tm then = ui_local(ui->token_refused_us), now = ui_local(ui_now_us(ui));
    i18n_relative_day(ui->tr, &then, &now, day, sizeof day);
    ui_time_text(ui, ui->token_refused_us, time_text, sizeof time_text);
    i18n_fill(text, cap, T(ui->tr, "New key needed (refused {day} {time})"), "day", day, "time",
              time_text, I18N_END);
}

/* Staff see what the volunteers' status line leaves out: how many events
 * wait for the central. Returns whether all is well (the line's colour). */
static int upload_text(struct ui *ui, char *text, size_t cap)
{
    char count[16], time_text[32];
    snprintf(count, sizeof count, "%d", ui->upload.waiting);
    if (ui->token_refused_us) { /* alone: with the count it is cut at 800x480 */
        token_refused_text(ui, text, cap);
        return 0;
    }
    if (ui->upload.online && ui->upload.last_success_us) {
        ui_time_text(ui, ui->upload.last_success_us, time_text, sizeof time_text);
        i18n_fill(text, cap, T(ui->tr, "Sent to the central {time}; {count} waiting"), "time",
                  time_text, "count", count, I18N_END);
    } else {
        i18n_fill(text, cap, T(ui->tr, "No contact with the central; {count} waiting"), "count",
                  count, I18N_END);
    }
    return ui->upload.online;
}

/* A warning with a "Seen" button at its end. */
static void seen_line(struct ui *ui, struct layout *layout, struct layout_rect r, const char *text,
                      int action)
{
    int m = screen_margin(layout), ok_w = layout_px(layout, 150);
    /* Upright the line is too narrow beside the button: the button goes
     * under the text (recovery_line_height). */
    struct layout_rect text_r = layout_rect(r.x, r.y, r.w - ok_w - m, r.h),
                       ok_r = layout_rect(r.x + r.w - ok_w, r.y, ok_w, r.h);
    if (ui_is_portrait(ui)) {
        int ok_h = layout_px(layout, LAYOUT_MIN_TARGET_PX);
        text_r = layout_rect(r.x, r.y, r.w, r.h - ok_h - m / 2);
        ok_r = layout_rect(r.x + r.w - ok_w, r.y + r.h - ok_h, ok_w, ok_h);
    }
    info_line(layout, text_r, 0, text);
    layout_button(layout, ok_r, T(ui->tr, "Seen"), LAYOUT_BOLD, layout_px(layout, 30),
                  COLOUR_WHITE, COLOUR_PRIMARY, LAYOUT_NONE, action, 0, 0);
}

/* The database was damaged and a backup restored: what may be missing,
 * and a button to say it has been seen. */
static void recovery_line(struct ui *ui, struct layout *layout, struct layout_rect r)
{
    char restored[180], fetch[180], text[LAYOUT_TEXT_MAX], day[96], time_text[16], count[16];
    struct tm then = ui_local(ui->recovery.backup_us), now = ui_local(ui_now_us(ui));
    i18n_relative_day(ui->tr, &then, &now, day, sizeof day);
    ui_time_text(ui, ui->recovery.backup_us, time_text, sizeof time_text);
    i18n_fill(restored, sizeof restored,
              T(ui->tr, "Restored: backup of {day} {time}"), "day",
              day, "time", time_text, I18N_END);
    /* What came back since: the central's copy, or nothing to fetch from. */
    switch (ui->recovery.fetch_state) {
    case KIOSK_FETCH_PENDING:
        snprintf(fetch, sizeof fetch, "%s", T(ui->tr, "Fetching from the central …"));
        break;
    case KIOSK_FETCH_DONE:
        snprintf(count, sizeof count, "%d", ui->recovery.fetched_events);
        i18n_fill(fetch, sizeof fetch,
                  i18n_plural(ui->tr, "{n} event fetched from the central",
                              "{n} events fetched from the central",
                              ui->recovery.fetched_events),
                  "n", count, I18N_END);
        break;
    default:
        snprintf(fetch, sizeof fetch, "%s", T(ui->tr, "Events after it may be missing"));
    }
    snprintf(text, sizeof text, "%s. %s", restored, fetch);
    seen_line(ui, layout, r, text, ACT_RECOVERY_SEEN);
}

/* Events the central refused, not yet seen by staff: kept on the kiosk,
 * never sent again; "Seen" acknowledges them (tilstedectl sync --refused
 * lists them with the central's reasons). */
static void refused_line(struct ui *ui, struct layout *layout, struct layout_rect r)
{
    char text[LAYOUT_TEXT_MAX], refused[160], token[160], count[16];
    snprintf(count, sizeof count, "%d", ui->refused_unseen);
    i18n_fill(refused, sizeof refused,
              i18n_plural(ui->tr, "{n} event refused by the central, kept here",
                          "{n} events refused by the central, kept here", ui->refused_unseen),
              "n", count, I18N_END);
    /* A refused token too: both in the one line, the menu has room for one. */
    if (ui->token_refused_us) {
        token_refused_text(ui, token, sizeof token);
        snprintf(text, sizeof text, "%s. %s", token, refused);
    } else {
        snprintf(text, sizeof text, "%s", refused);
    }
    seen_line(ui, layout, r, text, ACT_REFUSED_SEEN);
}


/* Two lines of text beside the button, or three above it when upright. */
static int recovery_line_height(struct ui *ui, struct layout *layout)
{
    return ui_is_portrait(ui) ? layout_px(layout, 104 + LAYOUT_MIN_TARGET_PX) + screen_margin(layout) / 2
                              : layout_px(layout, 70);
}

/* Whether each label fits a menu button of cell_w x cell_h. */
static int menu_labels_fit(struct layout *layout, const char *const *labels, int count, int cell_w,
                           int cell_h)
{
    int width = cell_w - 2 * layout_px(layout, 12);
    for (int i = 0; i < count; i++)
        if (layout_measure(layout, labels[i], LAYOUT_BOLD, layout_px(layout, 28), width) > cell_h)
            return 0;
    return 1;
}

/* The menu's grid in height px: the preferred number of columns, then the
 * other, with a margin between rows and then half of one, whichever first
 * keeps every label whole (else the last tried). */
static void menu_grid(struct layout *layout, const char *const *labels, int count, int preferred,
                      int height, int *columns, int *gap, int *cell_w, int *cell_h)
{
    int m = screen_margin(layout);
    const int tries[4][2] = {
        {preferred, m}, {preferred, m / 2}, {3 - preferred, m}, {3 - preferred, m / 2}};
    for (int t = 0; t < 4; t++) {
        *columns = tries[t][0];
        *gap = tries[t][1];
        int rows = (count + *columns - 1) / *columns;
        *cell_w = (layout->w - 2 * m - (*columns - 1) * m) / *columns;
        *cell_h = (height - (rows - 1) * *gap) / rows;
        if (*cell_h > layout_px(layout, 110))
            *cell_h = layout_px(layout, 110);
        if (*cell_h >= layout_px(layout, LAYOUT_MIN_TARGET_PX) &&
            menu_labels_fit(layout, labels, count, *cell_w, *cell_h))
            return;
    }
}

static void menu_build(struct ui *ui, struct layout *layout)
{
    int m = screen_margin(layout), w = layout->w, h = layout->h;
    screen_title(ui, layout, T(ui->tr, "Staff"), ACT_STAFF_CLOSE, T(ui->tr, "Close"), 0);
    int top = screen_title_height(layout) + m / 2;
    char upload[192];
    int upload_ok = upload_text(ui, upload, sizeof upload);
    if (ui->staff_message[0]) {
        int line = info_height(layout, w - 2 * m, ui->staff_message);
        message_line(ui, layout, layout_rect(m, top, w - 2 * m, line));
        top += line + m;
    } else if (ui->recovery_on) {
        int line = recovery_line_height(ui, layout);
        recovery_line(ui, layout, layout_rect(m, top, w - 2 * m, line));
        top += line + m;
    } else if (ui->refused_unseen > 0) {
        int line = recovery_line_height(ui, layout);
        refused_line(ui, layout, layout_rect(m, top, w - 2 * m, line));
        top += line + m;
    } else if (ui->upload.configured) {
        int line = info_height(layout, w - 2 * m, upload);
        info_line(layout, layout_rect(m, top, w - 2 * m, line), upload_ok, upload);
        top += line + m;
    }
    char present[96], review[96], compliance[96], enroll[128], number[16], time_text[16];
    snprintf(number, sizeof number, "%d", ui->present_count);
    i18n_fill(present, sizeof present, T(ui->tr, "Who is here ({n})"), "n", number, I18N_END);
    snprintf(number, sizeof number, "%d", ui->review_count);
    i18n_fill(review, sizeof review, T(ui->tr, "Closed automatically ({n})"), "n", number,
              I18N_END);
    snprintf(number, sizeof number, "%d", ui->compliance_count);
    i18n_fill(compliance, sizeof compliance, T(ui->tr, "Missing papers today ({n})"), "n", number,
              I18N_END);
    if (ui->has_unknown) {
        ui_time_text(ui, ui->unknown_at_us, time_text, sizeof time_text);
        i18n_fill(enroll, sizeof enroll, T(ui->tr, "Register the card tapped at {time}"), "time",
                  time_text, I18N_END);
    } else {
        snprintf(enroll, sizeof enroll, "%s", T(ui->tr, "Register a card: tap it first"));
    }
    struct {
        const char *label;
        int action;
        int64_t arg;
        unsigned flags;
    } items[] = {
        {present, ACT_STAFF_MENU, UI_STAFF_PRESENT, 0},
        {T(ui->tr, "Check in or out by hand"), ACT_STAFF_MANUAL, 0, 0},
        {enroll, ACT_STAFF_ENROLL, 0, ui->has_unknown ? 0u : LAYOUT_DISABLED},
        {review, ACT_STAFF_MENU, UI_STAFF_REVIEW, 0},
        {compliance, ACT_STAFF_MENU, UI_STAFF_COMPLIANCE, 0},
        {T(ui->tr, "Today's activities"), ACT_STAFF_MENU, UI_STAFF_ACTIVITIES, 0},
        {T(ui->tr, "Language"), ACT_STAFF_MENU, UI_STAFF_LANGUAGE, 0},
    };
    int count = (int)(sizeof items / sizeof items[0]);
    const char *labels[sizeof items / sizeof items[0]];
    for (int i = 0; i < count; i++)
        labels[i] = items[i].label;
    /* Upright one column, else two; narrower or closer where a long
     * message above leaves less room, so every label stays whole. */
    int columns, gap, cell_w, cell_h;
    menu_grid(layout, labels, count, ui_is_portrait(ui) ? 1 : 2, h - top - m, &columns, &gap,
              &cell_w, &cell_h);
    for (int i = 0; i < count; i++) {
        int col = i % columns, row = i / columns;
        int disabled = items[i].flags & LAYOUT_DISABLED;
        layout_button(
            layout, layout_rect(m + col * (cell_w + m), top + row * (cell_h + gap), cell_w, cell_h),
            items[i].label, LAYOUT_BOLD, layout_px(layout, 30),
            disabled ? COLOUR_MUTED : COLOUR_WHITE, disabled ? COLOUR_PAGE : COLOUR_PRIMARY,
            disabled ? COLOUR_LINE : LAYOUT_NONE, items[i].action, items[i].arg, items[i].flags);
    }
}

/* --- lists --- */

/* Where a list's rows go: a row holds its title (bold) and its detail,
 * each on as many lines as its words need; only an activity's title may be
 * cut ("Endre" shows it whole). Activities have their buttons beside the
 * row, or upright under its words. */
struct list_geometry {
    int top, bottom, row_w, text_w, pad, px;
    int buttons_w, buttons_below, button_h;
};

static int list_title_height(struct ui *ui, struct layout *layout, const struct list_geometry *g,
                             const struct ui_row *row)
{
    if (ui->screen == UI_STAFF_ACTIVITIES)
        return layout->metrics->line_height(layout->metrics->ctx, LAYOUT_BOLD, g->px);
    return layout_measure(layout, row->title, LAYOUT_BOLD, g->px, g->text_w);
}

static int list_row_height(struct ui *ui, struct layout *layout, const struct list_geometry *g,
                           const struct ui_row *row)
{
    int need = list_title_height(ui, layout, g, row) + 2 * g->pad;
    if (row->detail[0])
        need += layout_measure(layout, row->detail, LAYOUT_REGULAR, g->px, g->text_w);
    if (g->buttons_below)
        need += g->button_h + g->pad;
    int least = layout_px(layout, STAFF_ROW_HEIGHT);
    return need > least ? need : least;
}

/* The page of each row, packed by height: how many pages, and the first
 * row of `page` in *first and its count in *count. */
static int list_pages(struct ui *ui, struct layout *layout, const struct list_geometry *g, int page,
                      int *first, int *count)
{
    int m = screen_margin(layout), pages = 1, y = g->top;
    *first = 0;
    *count = 0;
    for (int i = 0; i < ui->row_count; i++) {
        int row_h = list_row_height(ui, layout, g, &ui->rows[i]);
        if (y + row_h > g->bottom && y > g->top) {
            pages++;
            y = g->top;
        }
        if (pages - 1 == page) {
            if (!*count)
                *first = i;
            (*count)++;
        }
        y += row_h + m;
    }
    return pages;
}

static void list_row(struct ui *ui, struct layout *layout, const struct list_geometry *g, int index,
                     int y, int row_action)
{
    int m = screen_margin(layout);
    const struct ui_row *row = &ui->rows[index];
    int row_h = list_row_height(ui, layout, g, row);
    struct layout_rect r = layout_rect(m, y, g->row_w, row_h);
    struct layout_box *panel =
        layout_panel(layout, r, COLOUR_WHITE, row_action ? COLOUR_PRIMARY : COLOUR_LINE);
    panel->action = row_action; /* the row is the target; its words lie on it */
    panel->arg = index;
    int title_h = list_title_height(ui, layout, g, row);
    int activity = ui->screen == UI_STAFF_ACTIVITIES;
    layout_text(layout, layout_rect(r.x + m, y + g->pad, g->text_w, title_h), row->title,
                LAYOUT_BOLD, g->px, COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT,
                activity ? LAYOUT_SINGLE_LINE | LAYOUT_TITLE_CUT : 0u);
    int words_h = row_h - 2 * g->pad - (g->buttons_below ? g->button_h + g->pad : 0);
    if (row->detail[0])
        layout_text(layout,
                    layout_rect(r.x + m, y + g->pad + title_h, g->text_w, words_h - title_h),
                    row->detail, LAYOUT_REGULAR, g->px, COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT, 0);
    if (!activity)
        return;
    struct layout_rect change, remove;
    if (g->buttons_below) {
        int bw = (r.w - 3 * m) / 2, by = y + row_h - g->pad - g->button_h;
        change = layout_rect(r.x + m, by, bw, g->button_h);
        remove = layout_rect(r.x + 2 * m + bw, by, bw, g->button_h);
    } else {
        int bw = (g->buttons_w - m) / 2;
        change = layout_rect(r.x + r.w + m, y, bw, row_h);
        remove = layout_rect(r.x + r.w + 2 * m + bw, y, bw, row_h);
    }
    layout_button(layout, change, T(ui->tr, "Change"), LAYOUT_BOLD, layout_px(layout, 28),
                  COLOUR_TEXT, COLOUR_WHITE, COLOUR_PRIMARY, ACT_ACTIVITY_EDIT, index, 0);
    /* Not a red button beside "Endre": it asks first (remove_question). */
    layout_button(layout, remove, T(ui->tr, "Remove"), LAYOUT_BOLD, layout_px(layout, 28),
                  COLOUR_ERROR, COLOUR_WHITE, COLOUR_ERROR, ACT_ACTIVITY_REMOVE, index, 0);
}

static void list_build(struct ui *ui, struct layout *layout, const char *title, const char *empty,
                       int row_action)
{
    int m = screen_margin(layout), w = layout->w, h = layout->h;
    int portrait = ui_is_portrait(ui), activities = ui->screen == UI_STAFF_ACTIVITIES;
    /* "Add" beside the title, or upright (no room there) at the bottom. */
    int add_w = activities && !portrait ? layout_px(layout, 170) : 0;
    int bar = layout_px(layout, 64);
    screen_title(ui, layout, title, ACT_BACK, T(ui->tr, "Back"), add_w);
    int bottom = h - m;
    if (activities) {
        struct layout_rect add = portrait ? layout_rect(m, h - m - bar, w - 2 * m, bar)
                                          : layout_rect(w - m - add_w, m, add_w, bar);
        layout_button(layout, add, T(ui->tr, "Add"), LAYOUT_BOLD, layout_px(layout, 30),
                      COLOUR_WHITE, COLOUR_PRIMARY, LAYOUT_NONE, ACT_ACTIVITY_ADD, 0, 0);
        if (portrait)
            bottom -= bar + m;
    }
    int top = screen_title_height(layout) + m / 2;
    if (activities && ui->remove_asked > 0 && ui->remove_asked <= ui->row_count) {
        const struct ui_row *row = &ui->rows[ui->remove_asked - 1];
        char text[LAYOUT_TEXT_MAX];
        i18n_fill(text, sizeof text, T(ui->tr, "Remove the activity {title}, {details}?"), "title",
                  row->title, "details", row->detail, I18N_END);
        screen_question(layout, text, T(ui->tr, "Remove"), T(ui->tr, "Keep it"));
        return;
    }
    if (ui->staff_message[0] && activities) {
        int line = info_height(layout, w - 2 * m, ui->staff_message);
        message_line(ui, layout, layout_rect(m, top, w - 2 * m, line));
        top += line + m;
    }
    if (ui->row_count == 0) {
        layout_text(layout, layout_rect(m, top, w - 2 * m, layout_px(layout, 80)), empty,
                    LAYOUT_REGULAR, layout_px(layout, 30), COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT,
                    LAYOUT_MIDDLE);
        return;
    }
    struct list_geometry g;
    memset(&g, 0, sizeof g);
    g.top = top;
    g.bottom = bottom;
    g.pad = layout_px(layout, 8);
    g.px = layout_px(layout, 28);
    g.button_h = layout_px(layout, LAYOUT_MIN_TARGET_PX);
    g.buttons_below = activities && portrait;
    g.buttons_w = activities && !portrait ? layout_px(layout, 340) : 0;
    g.row_w = w - 2 * m - (g.buttons_w ? g.buttons_w + m : 0);
    g.text_w = g.row_w - 2 * m;
    int pager_h = layout_px(layout, 72), first, count;
    int pages = list_pages(ui, layout, &g, -1, &first, &count);
    if (pages > 1) {
        g.bottom = bottom - pager_h - m;
        pages = list_pages(ui, layout, &g, -1, &first, &count);
    }
    if (ui->page >= pages)
        ui->page = pages - 1;
    list_pages(ui, layout, &g, ui->page, &first, &count);
    for (int i = first, y = top; i < first + count; i++) {
        list_row(ui, layout, &g, i, y, row_action);
        y += list_row_height(ui, layout, &g, &ui->rows[i]) + m;
    }
    if (pages > 1) {
        int y = g.bottom + m;
        int bw = portrait ? (w - 3 * m) / 2 : layout_px(layout, 190);
        int x_right = w - m - bw;
        int x_left = x_right - m - bw;
        char page[64], a[16], b[16];
        snprintf(a, sizeof a, "%d", ui->page + 1);
        snprintf(b, sizeof b, "%d", pages);
        i18n_fill(page, sizeof page, T(ui->tr, "page {page} of {pages}"), "page", a, "pages", b,
                  I18N_END);
        /* "page 1 of 3" only where there is room for it: the buttons say enough. */
        if (x_left - 2 * m >= layout_px(layout, 200))
            layout_text(layout, layout_rect(m, y, x_left - 2 * m, pager_h), page, LAYOUT_REGULAR,
                        layout_px(layout, 28), COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT,
                        LAYOUT_MIDDLE | LAYOUT_SINGLE_LINE);
        layout_button(layout, layout_rect(x_left, y, bw, pager_h), T(ui->tr, "Previous"),
                      LAYOUT_BOLD, layout_px(layout, 28), COLOUR_TEXT, COLOUR_WHITE, COLOUR_LINE,
                      ACT_PAGE, -1, ui->page > 0 ? 0u : LAYOUT_DISABLED);
        layout_button(layout, layout_rect(x_right, y, bw, pager_h), T(ui->tr, "Next"), LAYOUT_BOLD,
                      layout_px(layout, 28), COLOUR_TEXT, COLOUR_WHITE, COLOUR_LINE, ACT_PAGE, 1,
                      ui->page + 1 < pages ? 0u : LAYOUT_DISABLED);
    }
}

/* --- review edit --- */

static void review_edit_build(struct ui *ui, struct layout *layout)
{
    int m = screen_margin(layout), w = layout->w, h = layout->h;
    const struct ui_row *row = &ui->rows[ui->edit_index];
    char title[LAYOUT_TEXT_MAX], start[16], day[96], when[LAYOUT_TEXT_MAX];
    i18n_fill(title, sizeof title, T(ui->tr, "When did {name} leave?"), "name", row->title,
              I18N_END);
    screen_title(ui, layout, title, ACT_BACK, T(ui->tr, "Back"), 0);
    int top = screen_title_height(layout) + m;
    struct tm came = ui_local(row->start_us), now = ui_local(ui_now_us(ui));
    struct tm left = ui_local(ui->edit_end_us);
    ui_time_text(ui, row->start_us, start, sizeof start);
    i18n_relative_day(ui->tr, &came, &now, day, sizeof day);
    i18n_fill(when, sizeof when, T(ui->tr, "Came {day} at {time}"), "day", day, "time", start,
              I18N_END);
    int line = layout_px(layout, 48);
    layout_text(layout, layout_rect(m, top, w - 2 * m, line), when, LAYOUT_REGULAR,
                layout_px(layout, 30), COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT,
                LAYOUT_SINGLE_LINE | LAYOUT_MIDDLE);
    top += line + m;
    char left_day[96], left_time[16], value[160];
    i18n_relative_day(ui->tr, &left, &now, left_day, sizeof left_day);
    i18n_time(ui->tr, &left, left_time, sizeof left_time);
    i18n_fill(value, sizeof value, T(ui->tr, "Left {day} at {time}"), "day", left_day, "time",
              left_time, I18N_END);
    int value_h = layout_px(layout, 80);
    layout_panel(layout, layout_rect(m, top, w - 2 * m, value_h), COLOUR_WHITE, COLOUR_TEXT);
    layout_text(layout, layout_rect(2 * m, top, w - 4 * m, value_h), value, LAYOUT_BOLD,
                layout_px(layout, 40), COLOUR_TEXT, LAYOUT_NONE, ALIGN_CENTER,
                LAYOUT_SINGLE_LINE | LAYOUT_MIDDLE);
    top += value_h + m;
    static const int steps[4] = {-60, -TIME_STEP_MIN, TIME_STEP_MIN, 60};
    const char *labels[4] = {T(ui->tr, "−1 hour"), T(ui->tr, "−15 min"), T(ui->tr, "+15 min"),
                             T(ui->tr, "+1 hour")};
    int portrait = ui_is_portrait(ui);
    int columns = portrait ? 2 : 4;
    int bw = (w - 2 * m - (columns - 1) * m) / columns, bh = layout_px(layout, 80);
    for (int i = 0; i < 4; i++) {
        int col = i % columns, row_index = i / columns;
        layout_button(layout, layout_rect(m + col * (bw + m), top + row_index * (bh + m), bw, bh),
                      labels[i], LAYOUT_BOLD, layout_px(layout, 30), COLOUR_TEXT, COLOUR_WHITE,
                      COLOUR_PRIMARY, ACT_TIME_ADJUST, steps[i], 0);
    }
    int save_w = layout_px(layout, 260), save_h = layout_px(layout, 80);
    layout_button(layout, layout_rect(w - m - save_w, h - m - save_h, save_w, save_h),
                  T(ui->tr, "Save"), LAYOUT_BOLD, layout_px(layout, 34), COLOUR_WHITE, COLOUR_IN,
                  LAYOUT_NONE, ACT_SAVE, 0, 0);
}

/* --- activity edit --- */

static void activity_edit_build(struct ui *ui, struct layout *layout)
{
    int m = screen_margin(layout), w = layout->w, h = layout->h;
    struct activity *a = &ui->edit_activity;
    screen_title(ui, layout, a->id ? T(ui->tr, "Change activity") : T(ui->tr, "New activity"),
                 ACT_BACK, T(ui->tr, "Back"), 0);
    int top = screen_title_height(layout) + m / 2;
    int save_w = layout_px(layout, 220), save_h = layout_px(layout, 72);
    int label_w = layout_px(layout, 190);
    int row_h = (h - top - m - save_h - m - 3 * m) / 4;
    if (row_h > layout_px(layout, 90))
        row_h = layout_px(layout, 90);
    const char *labels[4] = {T(ui->tr, "Activity"), T(ui->tr, "Place"), T(ui->tr, "Starts"),
                             T(ui->tr, "Ends")};
    /* In portrait each label sits above its control: the controls need the width. */
    int portrait = ui_is_portrait(ui);
    int label_h = portrait ? layout_px(layout, 40) : 0;
    if (portrait) {
        row_h = (h - top - m - save_h - m - 4 * label_h - 3 * m) / 4;
        if (row_h > layout_px(layout, 90))
            row_h = layout_px(layout, 90);
    }
    for (int i = 0; i < 4; i++) {
        int y = top + i * (row_h + label_h + m);
        if (portrait)
            layout_text(layout, layout_rect(m, y, w - 2 * m, label_h), labels[i], LAYOUT_BOLD,
                        layout_px(layout, 28), COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT,
                        LAYOUT_MIDDLE | LAYOUT_SINGLE_LINE);
        else
            layout_text(layout, layout_rect(m, y, label_w, row_h), labels[i], LAYOUT_BOLD,
                        layout_px(layout, 28), COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT,
                        LAYOUT_MIDDLE | LAYOUT_SINGLE_LINE);
        y += label_h;
        int x = portrait ? m : 2 * m + label_w, rest = w - x - m;
        if (i < 2) {
            const char *value = i == 0 ? a->title : a->place;
            layout_button(layout, layout_rect(x, y, rest, row_h),
                          value[0] ? value : T(ui->tr, "(tap to write)"), LAYOUT_REGULAR,
                          layout_px(layout, 30), COLOUR_TEXT, COLOUR_WHITE, COLOUR_TEXT, ACT_FIELD,
                          i, LAYOUT_SINGLE_LINE | (i == 0 ? LAYOUT_TITLE_CUT : 0u));
        } else {
            int minutes = i == 2 ? a->start_min : a->end_min;
            struct tm tm = {0};
            tm.tm_hour = minutes / 60 % 24;
            tm.tm_min = minutes % 60;
            char value[16];
            i18n_time(ui->tr, &tm, value, sizeof value);
            int bw = layout_px(layout, 120);
            int action = i == 2 ? ACT_START_ADJUST : ACT_END_ADJUST;
            layout_button(layout, layout_rect(x, y, bw, row_h), "\xE2\x88\x92", LAYOUT_BOLD,
                          layout_px(layout, 40), COLOUR_TEXT, COLOUR_WHITE, COLOUR_PRIMARY, action,
                          -TIME_STEP_MIN, 0);
            layout_text(layout, layout_rect(x + bw + m, y, rest - 2 * bw - 2 * m, row_h), value,
                        LAYOUT_BOLD, layout_px(layout, 36), COLOUR_TEXT, LAYOUT_NONE, ALIGN_CENTER,
                        LAYOUT_MIDDLE | LAYOUT_SINGLE_LINE);
            layout_button(layout, layout_rect(x + rest - bw, y, bw, row_h), "+", LAYOUT_BOLD,
                          layout_px(layout, 40), COLOUR_TEXT, COLOUR_WHITE, COLOUR_PRIMARY, action,
                          TIME_STEP_MIN, 0);
        }
    }
    if (ui->staff_message[0] && !ui->staff_message_ok) {
        int msg_w = w - 3 * m - save_w;
        message_line(ui, layout, layout_rect(m, h - m - save_h, msg_w, save_h));
    }
    layout_button(layout, layout_rect(w - m - save_w, h - m - save_h, save_w, save_h),
                  T(ui->tr, "Save"), LAYOUT_BOLD, layout_px(layout, 34), COLOUR_WHITE, COLOUR_IN,
                  LAYOUT_NONE, ACT_SAVE, 0, a->title[0] ? 0u : LAYOUT_DISABLED);
}

/* --- language --- */

static void language_build(struct ui *ui, struct layout *layout)
{
    int m = screen_margin(layout), w = layout->w;
    static const char *const names[3] = {"Norsk bokmål", "Norsk nynorsk", "English"};
    screen_title(ui, layout, T(ui->tr, "Language"), ACT_BACK, T(ui->tr, "Back"), 0);
    int top = screen_title_height(layout) + m;
    int bh = layout_px(layout, 90);
    if (ui->staff_message[0]) { /* a choice not saved: said under the buttons */
        int line = info_height(layout, w - 2 * m, ui->staff_message);
        int room = (layout->h - top - line - 4 * m) / 3;
        if (room < bh)
            bh = room > layout_px(layout, LAYOUT_MIN_TARGET_PX)
                     ? room
                     : layout_px(layout, LAYOUT_MIN_TARGET_PX);
        message_line(ui, layout, layout_rect(m, top + 3 * (bh + m), w - 2 * m, line));
    }
    for (int i = 0; i < 3; i++) {
        int selected = !strcmp(i18n_lang(ui->tr), ui_languages[i]);
        char label[64];
        snprintf(label, sizeof label, "%s%s", selected ? "\xE2\x9C\x93 " : "", names[i]);
        layout_button(layout, layout_rect(m, top + i * (bh + m), w - 2 * m, bh), label, LAYOUT_BOLD,
                      layout_px(layout, 34), COLOUR_TEXT, COLOUR_WHITE,
                      selected ? COLOUR_IN : COLOUR_LINE, ACT_LANGUAGE, i,
                      selected ? LAYOUT_SELECTED : 0);
    }
}

static void review_build(struct ui *ui, struct layout *layout)
{
    list_build(ui, layout, T(ui->tr, "Closed automatically"), T(ui->tr, "Nothing to review."),
               ACT_REVIEW_ITEM);
}

static void compliance_build(struct ui *ui, struct layout *layout)
{
    list_build(ui, layout, T(ui->tr, "Missing papers today"),
               T(ui->tr, "Everyone who came today has their papers in order."), 0);
}

static void activities_build(struct ui *ui, struct layout *layout)
{
    list_build(ui, layout, T(ui->tr, "Today's activities"), T(ui->tr, "No activities today."), 0);
}

/* --- actions --- */

/* The name screen's answer (ui->chosen): checked in or out by hand (asked
 * there first), or the unknown card enrolled to them (a write, then the
 * menu). */
static void name_chosen(struct ui *ui, const struct ui_match *match)
{
    char text[256], time_text[16];
    if (ui->name_mode == NAME_STAFF_MANUAL) {
        struct tap_result result;
        memset(&result, 0, sizeof result);
        int in = !match->present;
        if (kiosk_staff_set(ui->kiosk, match->id, in, 0, &result) < 0) {
            fprintf(stderr, "tilstede: staff: %s\n", kiosk_errmsg(ui->kiosk));
            i18n_fill(text, sizeof text, T(ui->tr, "Not recorded: {error}"), "error",
                      screen_error_text(ui, kiosk_errkind(ui->kiosk)), I18N_END);
            ui_staff_message(ui, 0, text);
        } else {
            ui_time_text(ui, result.at_us ? result.at_us : ui_now_us(ui), time_text,
                         sizeof time_text);
            i18n_fill(text, sizeof text,
                      in ? T(ui->tr, "{name} is checked in at {time}")
                         : T(ui->tr, "{name} is checked out at {time}"),
                      "name", match->display, "time", time_text, I18N_END);
            ui_staff_message(ui, 1, text);
            ui_recorded(ui);
        }
    } else if (ui->name_mode == NAME_STAFF_ENROLL) {
        struct staff_job *j = staff_job_new(ui, UI_STAFF);
        if (!j)
            return;
        j->write = WRITE_ENROLL;
        j->volunteer_id = match->id;
        snprintf(j->name, sizeof j->name, "%s", match->display);
        staff_submit(ui, j);
        return;
    }
    staff_load(ui, UI_STAFF);
}

static int clamp_minutes(int minutes)
{
    return ((minutes % 1440) + 1440) % 1440;
}

static void save_activity(struct ui *ui)
{
    const struct activity *a = &ui->edit_activity;
    if (!a->title[0])
        return;
    struct staff_job *j = staff_job_new(ui, UI_STAFF_ACTIVITIES);
    if (!j)
        return;
    j->write = WRITE_ACTIVITY_SAVE;
    j->activity = *a;
    snprintf(j->name, sizeof j->name, "%s", a->title);
    staff_submit(ui, j);
}

static void save_review(struct ui *ui)
{
    const struct ui_row *row = &ui->rows[ui->edit_index];
    struct staff_job *j = staff_job_new(ui, UI_STAFF);
    if (!j)
        return;
    j->write = WRITE_CORRECT_END;
    snprintf(j->event_key, sizeof j->event_key, "%s", row->key);
    j->end_us = ui->edit_end_us;
    snprintf(j->name, sizeof j->name, "%s", row->title);
    staff_submit(ui, j);
}

static void new_activity(struct ui *ui)
{
    struct activity *a = &ui->edit_activity;
    memset(a, 0, sizeof *a);
    struct tm now = ui_local(ui_now_us(ui));
    /* strftime: the compiler cannot bound a year printed with %04d to 4 digits. */
    strftime(a->day, sizeof a->day, "%Y-%m-%d", &now);
    a->start_min = clamp_minutes((now.tm_hour + 1) * 60);
    a->end_min = clamp_minutes(a->start_min + 60);
}

/* A visit's corrected end: after its start, and not after now. */
static int64_t review_end_clamp(const struct ui *ui, const struct ui_row *row, int64_t end)
{
    int64_t now = ui_now_us(ui);
    if (end > now)
        end = now;
    if (end <= row->start_us)
        end = row->start_us + 60 * INT64_C(1000000);
    return end;
}

static void choose_language(struct ui *ui, int index)
{
    if (index < 0 || index > 2 || ui_set_language(ui, ui_languages[index]) < 0)
        return;
    const struct config *config = ui->config;
    if (config->path[0]) {
        /* Kept across restarts; a read-only config just keeps it until then. */
        char err[256];
        if (config_update_file(config->path, "site", "language", ui_languages[index], err,
                               sizeof err) < 0) {
            fprintf(stderr, "tilstede: %s\n", err);
            ui_staff_message(ui, 0,
                             T(ui->tr, "The language is used until the kiosk restarts: its "
                                       "settings file could not be saved (see the log)."));
        }
    }
    ui->dirty = 1;
}

/* The answer to "remove the activity?": only its two buttons count. */
static void remove_answer(struct ui *ui, const struct layout_box *box)
{
    int index = ui->remove_asked - 1;
    if (box->action == ACT_NO || box->action == ACT_BACK)
        ui->remove_asked = 0;
    if (box->action != ACT_YES)
        return;
    ui->remove_asked = 0;
    if (index < 0 || index >= ui->activity_count)
        return;
    struct staff_job *j = staff_job_new(ui, UI_STAFF_ACTIVITIES);
    if (!j)
        return;
    j->write = WRITE_ACTIVITY_REMOVE;
    j->activity = ui->activities[index];
    snprintf(j->name, sizeof j->name, "%s", j->activity.title);
    staff_submit(ui, j);
}

/* The staff screens' targets (one switch: several share them). */
static void staff_action(struct ui *ui, const struct layout_box *box)
{
    if (!box)
        return;
    if (ui->screen == UI_STAFF_ACTIVITIES && ui->remove_asked) {
        remove_answer(ui, box);
        return;
    }
    switch (box->action) {
    case ACT_STAFF_CLOSE:
        ui_go(ui, UI_HOME);
        break;
    case ACT_BACK:
        if (ui->screen == UI_STAFF_REVIEW_EDIT)
            ui_go(ui, UI_STAFF_REVIEW);
        else if (ui->screen == UI_STAFF_ACTIVITY_EDIT)
            ui_go(ui, UI_STAFF_ACTIVITIES);
        else if (ui->screen == UI_STAFF)
            ui_go(ui, UI_HOME);
        else
            ui_go(ui, UI_STAFF);
        break;
    case ACT_STAFF_MENU:
        ui->staff_message[0] = '\0';
        ui_go(ui, (enum ui_screen)box->arg);
        break;
    case ACT_STAFF_MANUAL:
        ui->staff_message[0] = '\0';
        ui_go_with(ui, UI_NAME, NAME_STAFF_MANUAL);
        break;
    case ACT_STAFF_ENROLL:
        ui->staff_message[0] = '\0';
        ui_go_with(ui, UI_NAME, NAME_STAFF_ENROLL);
        break;
    case ACT_ALARM:
        if (ui->screen == UI_STAFF && ui->has_unknown)
            unknown_forgotten(ui);
        break;
    case ACT_PAGE:
        ui->page += (int)box->arg;
        if (ui->page < 0)
            ui->page = 0;
        break;
    case ACT_REVIEW_ITEM:
        if (box->arg < 0 || box->arg >= ui->row_count)
            break;
        ui->edit_index = box->arg;
        /* Start from the credited end, or two hours after coming; never
         * after now (the core refuses an end in the future) nor before the
         * visit began. */
        ui->edit_end_us = ui->rows[box->arg].end_us > ui->rows[box->arg].start_us
                              ? ui->rows[box->arg].end_us
                              : ui->rows[box->arg].start_us + 2 * 3600 * INT64_C(1000000);
        ui->edit_end_us = review_end_clamp(ui, &ui->rows[box->arg], ui->edit_end_us);
        ui_go(ui, UI_STAFF_REVIEW_EDIT);
        break;
    case ACT_TIME_ADJUST:
        ui->edit_end_us = review_end_clamp(ui, &ui->rows[ui->edit_index],
                                           ui->edit_end_us + box->arg * 60 * INT64_C(1000000));
        break;
    case ACT_SAVE:
        if (ui->screen == UI_STAFF_REVIEW_EDIT)
            save_review(ui);
        else
            save_activity(ui);
        break;
    case ACT_ACTIVITY_ADD:
        ui->staff_message[0] = '\0';
        new_activity(ui);
        ui_go(ui, UI_STAFF_ACTIVITY_EDIT);
        break;
    case ACT_ACTIVITY_EDIT:
        if (box->arg < 0 || box->arg >= ui->activity_count)
            break;
        ui->staff_message[0] = '\0';
        ui->edit_activity = ui->activities[box->arg];
        ui_go(ui, UI_STAFF_ACTIVITY_EDIT);
        break;
    case ACT_ACTIVITY_REMOVE:
        if (box->arg >= 0 && box->arg < ui->activity_count)
            ui->remove_asked = (int)box->arg + 1; /* asked first: remove_question */
        break;
    case ACT_FIELD: /* typed on the name screen's keyboard, from what is there */
        ui->text_field = (int)box->arg;
        snprintf(ui->query, sizeof ui->query, "%s",
                 ui->text_field ? ui->edit_activity.place : ui->edit_activity.title);
        ui_go_with(ui, UI_NAME, NAME_TEXT_ENTRY);
        break;
    case ACT_START_ADJUST:
        ui->edit_activity.start_min = clamp_minutes(ui->edit_activity.start_min + (int)box->arg);
        break;
    case ACT_END_ADJUST:
        ui->edit_activity.end_min = clamp_minutes(ui->edit_activity.end_min + (int)box->arg);
        break;
    case ACT_LANGUAGE:
        choose_language(ui, (int)box->arg);
        break;
    case ACT_RECOVERY_SEEN:
    case ACT_REFUSED_SEEN: {
        struct staff_job *j = staff_job_new(ui, UI_STAFF);
        if (j) {
            j->write = box->action == ACT_RECOVERY_SEEN ? WRITE_RECOVERY_SEEN : WRITE_REFUSED_SEEN;
            staff_submit(ui, j);
        }
        break;
    }
    default:
        break;
    }
}

/* --- opening --- */

/* The menu reads its counts anew each time; it also takes the name
 * screen's answers. */
static int menu_enter(struct ui *ui, const struct ui_move *move)
{
    if (move->arg == OPEN_NAME_CHOSEN) {
        name_chosen(ui, &ui->chosen);
        return UI_ENTER_LATER;
    }
    if (move->arg == OPEN_CARD_FORGOTTEN)
        unknown_forgotten(ui); /* the menu says it; what was typed is for no card */
    staff_load(ui, UI_STAFF);
    return UI_ENTER_LATER;
}

/* A list is read anew each time; a card's confirmation ends on the menu,
 * whose counts it may have changed. */
static int list_enter(struct ui *ui, const struct ui_move *move)
{
    staff_load(ui, move->from == UI_CONFIRM ? UI_STAFF : move->to);
    return UI_ENTER_LATER;
}

/* The editors show what their list left in struct ui; the activity's
 * takes the name screen's typing. */
static int edit_enter(struct ui *ui, const struct ui_move *move)
{
    if (move->from == UI_CONFIRM) {
        staff_load(ui, UI_STAFF);
        return UI_ENTER_LATER;
    }
    if (move->to == UI_STAFF_ACTIVITY_EDIT && move->arg == OPEN_TEXT_DONE) {
        char *field = ui->text_field ? ui->edit_activity.place : ui->edit_activity.title;
        snprintf(field, KIOSK_NAME_MAX, "%s", ui->query);
    }
    return 0;
}

const struct ui_screen_ops screen_staff_menu = {
    .name = "staff", .build = menu_build, .action = staff_action, .enter = menu_enter};
const struct ui_screen_ops screen_review = {.name = "staff_review",
                                            .build = review_build,
                                            .action = staff_action,
                                            .enter = list_enter};
const struct ui_screen_ops screen_review_edit = {.name = "staff_review_edit",
                                                 .build = review_edit_build,
                                                 .action = staff_action,
                                                 .enter = edit_enter};
const struct ui_screen_ops screen_compliance = {.name = "staff_compliance",
                                                .build = compliance_build,
                                                .action = staff_action,
                                                .enter = list_enter};
const struct ui_screen_ops screen_activities = {.name = "staff_activities",
                                                .build = activities_build,
                                                .action = staff_action,
                                                .enter = list_enter};
const struct ui_screen_ops screen_activity_edit = {.name = "staff_activity_edit",
                                                   .build = activity_edit_build,
                                                   .action = staff_action,
                                                   .enter = edit_enter};
const struct ui_screen_ops screen_language = {.name = "staff_language",
                                              .build = language_build,
                                              .action = staff_action,
                                              .enter = list_enter};
