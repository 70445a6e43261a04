/* Check in by name: the on-screen keyboard, matches after two letters as
 * large rows ("Kari N."), then a question before anything is recorded, and
 * the choice of activity when more than one is on today. The same keyboard
 * serves staff (find a person, type an activity's title). */
#include "ui_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MIN_LETTERS 2

static int letters(const char *text)
{
    int count = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if ((*p & 0xC0u) != 0x80u && *p != ' ')
            count++;
    return count;
}

struct present_set {
    int64_t ids[UI_LIST_MAX];
    int count;
};

static void collect_present(void *user, const struct presence *p)
{
    struct present_set *set = user;
    if (set->count < UI_LIST_MAX)
        set->ids[set->count++] = p->volunteer_id;
}

static int is_present(const struct present_set *set, int64_t id)
{
    for (int i = 0; i < set->count; i++)
        if (set->ids[i] == id)
            return 1;
    return 0;
}

/* Two people shown alike ("Kari N." twice) get the family name up to the
 * first letter that differs ("Kari No." and "Kari Ni."); never the whole
 * family name on the public screen. */
static void disambiguate(struct ui_match *matches, const struct volunteer *people, int count)
{
    char shown[UI_MATCHES_MAX][sizeof matches[0].display];
    for (int i = 0; i < count; i++) {
        snprintf(shown[i], sizeof shown[i], "%s", matches[i].display);
        for (int j = 0; j < count; j++) {
            if (i == j || strcmp(matches[i].display, matches[j].display))
                continue;
            const char *family = people[i].family_name, *other = people[j].family_name;
            size_t length = strlen(family), take = 0;
            while (take < length && family[take] == other[take])
                take++;
            if (take + 1 >= length) /* the same family name, or all but its end */
                continue;
            take++;
            while (take < length && ((unsigned char)family[take] & 0xC0u) == 0x80u)
                take++;
            snprintf(shown[i], sizeof shown[i], "%s" SCREEN_NBSP "%.*s.", people[i].given_name,
                     (int)take, family);
        }
    }
    for (int i = 0; i < count; i++)
        memcpy(matches[i].display, shown[i], sizeof matches[i].display); /* same size */
}

/* A name too long for its row loses letters from the given name, never the
 * family initial that tells two Karis apart: "Bjørg Åshild Mar… K.". */
static void fit_public_name(const struct layout *layout, const char *display, int width, char *out,
                            size_t cap)
{
    const struct layout_metrics *metrics = layout->metrics;
    int px = layout_px(layout, LAYOUT_MIN_TEXT_PX);
    snprintf(out, cap, "%s", display);
    const char *last_space = strrchr(display, ' ');
    if (!last_space || metrics->text_width(metrics->ctx, LAYOUT_BOLD, px, display) <= width)
        return;
    size_t given = (size_t)(last_space - display);
    while (given > 1) {
        do
            given--;
        while (given > 0 && ((unsigned char)display[given] & 0xC0u) == 0x80u);
        while (given > 1 && display[given - 1] == ' ')
            given--;
        snprintf(out, cap, "%.*s\xE2\x80\xA6%s", (int)given, display, last_space);
        if (metrics->text_width(metrics->ctx, LAYOUT_BOLD, px, out) <= width)
            return;
    }
}

/* --- matches, looked up by the worker --- */

struct search_job {
    struct ui_job job;
    unsigned ticket;
    enum name_mode mode;
    char query[UI_QUERY_MAX];
    struct ui_match matches[UI_MATCHES_MAX];
    int match_count, match_total;
};

static void search_run(struct kiosk *kiosk, struct ui_job *job)
{
    struct search_job *j = (struct search_job *)job;
    int64_t ids[UI_MATCHES_MAX];
    int total = kiosk_search(kiosk, j->query, ids, UI_MATCHES_MAX);
    if (total <= 0)
        return;
    struct present_set *present = calloc(1, sizeof *present);
    if (present && j->mode == NAME_STAFF_MANUAL)
        kiosk_present(kiosk, collect_present, present);
    struct volunteer people[UI_MATCHES_MAX];
    int shown = total < UI_MATCHES_MAX ? total : UI_MATCHES_MAX;
    for (int i = 0; i < shown; i++) {
        struct ui_match *match = &j->matches[j->match_count];
        if (kiosk_volunteer(kiosk, ids[i], &people[j->match_count]) < 0)
            continue;
        const struct volunteer *v = &people[j->match_count];
        match->id = ids[i];
        match->present = present ? is_present(present, ids[i]) : 0;
        if (j->mode == NAME_CHECKIN)
            screen_display_name(v->given_name, v->family_name, match->display,
                                sizeof match->display);
        else /* staff see full names */
            snprintf(match->display, sizeof match->display, "%s %s", v->given_name, v->family_name);
        j->match_count++;
    }
    if (j->mode == NAME_CHECKIN)
        disambiguate(j->matches, people, j->match_count);
    j->match_total = total;
    free(present);
}

static void search_done(struct ui *ui, struct ui_job *job)
{
    const struct search_job *j = (const struct search_job *)job;
    if (j->ticket != ui->search_ticket || ui->screen != UI_NAME)
        return; /* typed on since, or left the screen */
    memcpy(ui->matches, j->matches, sizeof ui->matches);
    ui->match_count = j->match_count;
    ui->match_total = j->match_total;
    ui->dirty = 1;
}

static void search(struct ui *ui)
{
    ui->search_ticket++; /* whatever is on its way is for an older query */
    if (ui->name_mode == NAME_TEXT_ENTRY || letters(ui->query) < NAME_MIN_LETTERS) {
        ui->match_count = ui->match_total = 0;
        return;
    }
    /* The matches of the shorter query stay until these come: they are a
     * superset, and a list that flickers empty at each letter is worse. */
    struct search_job *j = calloc(1, sizeof *j);
    if (!j)
        return;
    j->job.run = search_run;
    j->job.done = search_done;
    j->ticket = ui->search_ticket;
    j->mode = ui->name_mode;
    snprintf(j->query, sizeof j->query, "%s", ui->query);
    ui_submit(ui, &j->job);
}

/* The choice made: is the person here now (check out or in?), and what is
 * on today to choose from. */
struct choose_job {
    struct ui_job job;
    unsigned ticket;
    int64_t volunteer_id;
    int64_t now_us;
    int present;
    struct activity activities[UI_ACTIVITIES_MAX];
    int activity_count;
};

static void choose_run(struct kiosk *kiosk, struct ui_job *job)
{
    struct choose_job *j = (struct choose_job *)job;
    struct present_set *set = calloc(1, sizeof *set);
    if (set) {
        kiosk_present(kiosk, collect_present, set);
        j->present = is_present(set, j->volunteer_id);
        free(set);
    }
    int count = kiosk_activities(kiosk, j->now_us, j->activities, UI_ACTIVITIES_MAX);
    j->activity_count = count > 0 ? count : 0;
}

static void choose_done(struct ui *ui, struct ui_job *job)
{
    const struct choose_job *j = (const struct choose_job *)job;
    if (j->ticket != ui->search_ticket || ui->screen != UI_NAME || ui->chosen.id != j->volunteer_id)
        return;
    ui->chosen.present = j->present;
    memcpy(ui->activities, j->activities, sizeof ui->activities);
    ui->activity_count = j->activity_count;
    ui_go(ui, UI_NAME_CONFIRM);
}

static void choose(struct ui *ui, const struct ui_match *match)
{
    ui->chosen = *match;
    if (ui->name_mode == NAME_STAFF_MANUAL) {
        ui_go(ui, UI_NAME_CONFIRM); /* by hand too, asked before it is recorded */
        return;
    }
    if (ui->name_mode != NAME_CHECKIN) {
        ui_go_with(ui, ui->name_opener, OPEN_NAME_CHOSEN); /* whose card it is */
        return;
    }
    struct choose_job *j = calloc(1, sizeof *j);
    if (!j)
        return;
    j->job.run = choose_run;
    j->job.done = choose_done;
    j->ticket = ui->search_ticket;
    j->volunteer_id = match->id;
    j->now_us = ui_now_us(ui);
    ui_submit(ui, &j->job);
}

/* The unknown card staff enroll is forgotten by the core after a while:
 * the alarm says when (ACT_ALARM). */
static void enroll_alarm(struct ui *ui)
{
    if (ui->name_mode == NAME_STAFF_ENROLL && ui->staff_open && ui->has_unknown)
        ui->alarm_us = ui->unknown_at_us + (int64_t)ui->config->unknown_card_memory_s * 1000000;
}

static int name_idle_ms(const struct ui *ui)
{
    return ui->staff_open ? ui->options.staff_idle_ms : ui->options.name_idle_ms;
}

/* Opened for a purpose (move->arg, an enum name_mode) by the screen it
 * answers to; a text to edit is in ui->query already. After a card's
 * confirmation it comes back only for the unknown card staff enroll. */
static int name_enter(struct ui *ui, const struct ui_move *move)
{
    ui->idle_ms = name_idle_ms(ui);
    if (move->from == UI_NAME_CONFIRM || move->from == UI_NAME) {
        enroll_alarm(ui);
        return 0; /* the search as it was */
    }
    if (move->from == UI_CONFIRM) {
        /* An unknown card held while staff are enrolling is the card they
         * enroll: it is remembered again, and what they typed stays. Any
         * other card ends on the screen that opened this one. */
        if (ui->name_mode == NAME_STAFF_ENROLL && ui->result.outcome == TAP_UNKNOWN_CARD) {
            ui->has_unknown = 1;
            ui->unknown_at_us = ui->result.at_us;
            enroll_alarm(ui);
            return 0;
        }
        ui_go(ui, ui->name_opener);
        return UI_ENTER_LATER;
    }
    ui->name_opener = move->from;
    ui->name_mode = (enum name_mode)move->arg;
    if (ui->name_mode != NAME_TEXT_ENTRY)
        ui->query[0] = '\0';
    ui->match_count = ui->match_total = 0;
    ui->search_ticket++;
    enroll_alarm(ui);
    return 0;
}

static void typed(struct ui *ui, int64_t key)
{
    if (key == '\n') {
        if (ui->name_mode == NAME_TEXT_ENTRY)
            ui_go_with(ui, ui->name_opener, OPEN_TEXT_DONE);
        else if (ui->match_count == 1)
            choose(ui, &ui->matches[0]);
        ui->dirty = 1;
        return;
    }
    if (osk_apply(ui->query, sizeof ui->query, key)) {
        /* Staff type titles: a capital first letter, as people write them. */
        if (ui->name_mode == NAME_TEXT_ENTRY && ui->query[0] >= 'a' && ui->query[0] <= 'z' &&
            ui->query[1] == '\0')
            ui->query[0] = (char)(ui->query[0] - 'a' + 'A');
        search(ui);
        ui->dirty = 1;
    }
}

static const char *prompt(struct ui *ui)
{
    switch (ui->name_mode) {
    case NAME_STAFF_MANUAL:
        return T(ui->tr, "Check in or out by hand");
    case NAME_STAFF_ENROLL:
        return T(ui->tr, "Whose card is it?");
    case NAME_TEXT_ENTRY:
        return ui->text_field ? T(ui->tr, "Place") : T(ui->tr, "Activity");
    default:
        return T(ui->tr, "Type your name");
    }
}

/* A match for staff checking in or out by hand: the full name, and a
 * coloured chip saying whether the person is here ("her" / "ikke her"),
 * neither ever cut. The row is the target; the words lie on it. */
static void match_with_status(struct ui *ui, struct layout *layout, struct layout_rect r, int i)
{
    const struct ui_match *match = &ui->matches[i];
    int pad = layout_px(layout, 12), chip_px = layout_px(layout, 28);
    const char *status = match->present ? T(ui->tr, "here") : T(ui->tr, "not here");
    int chip_w =
        layout->metrics->text_width(layout->metrics->ctx, LAYOUT_BOLD, chip_px, status) + 2 * pad;
    int chip_h = layout_px(layout, 44);
    struct layout_box *target = layout_panel(layout, r, COLOUR_WHITE, COLOUR_PRIMARY);
    target->action = ACT_CHOOSE;
    target->arg = i;
    struct layout_rect chip =
        layout_rect(r.x + r.w - pad - chip_w, r.y + (r.h - chip_h) / 2, chip_w, chip_h);
    layout_panel(layout, chip, match->present ? COLOUR_IN : COLOUR_PAGE,
                 match->present ? LAYOUT_NONE : COLOUR_LINE);
    layout_text(layout, chip, status, LAYOUT_BOLD, chip_px,
                match->present ? COLOUR_WHITE : COLOUR_TEXT, LAYOUT_NONE, ALIGN_CENTER,
                LAYOUT_MIDDLE | LAYOUT_SINGLE_LINE);
    layout_text(layout, layout_rect(r.x + pad, r.y, r.w - 3 * pad - chip_w, r.h), match->display,
                LAYOUT_BOLD, layout_px(layout, 34), COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT,
                LAYOUT_MIDDLE);
}

static void name_build(struct ui *ui, struct layout *layout)
{
    int m = screen_margin(layout), w = layout->w, h = layout->h;
    int portrait = ui_is_portrait(ui);
    int bar = layout_px(layout, 72), back_w = screen_back_width(ui, layout);
    layout_button(layout, layout_rect(m, m, back_w, bar), T(ui->tr, "Back"), LAYOUT_BOLD,
                  layout_px(layout, 30), COLOUR_TEXT, COLOUR_WHITE, COLOUR_LINE, ACT_BACK, 0, 0);
    /* The field: what was typed, or what to do. */
    struct layout_rect field = layout_rect(2 * m + back_w, m, w - 3 * m - back_w, bar);
    layout_panel(layout, field, COLOUR_WHITE, COLOUR_TEXT);
    if (ui->query[0]) {
        /* A long search shows its end, where the letters are being typed. */
        char typed[UI_QUERY_MAX + 4], shown[UI_QUERY_MAX + 8];
        snprintf(typed, sizeof typed, "%s_", ui->query);
        layout_shorten_start(layout, LAYOUT_BOLD, layout_px(layout, 38), typed, field.w - 2 * m,
                             shown, sizeof shown);
        layout_text(layout, layout_rect(field.x + m, field.y, field.w - 2 * m, field.h), shown,
                    LAYOUT_BOLD, layout_px(layout, 38), COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT,
                    LAYOUT_SINGLE_LINE | LAYOUT_MIDDLE);
    } else {
        layout_text(layout, layout_rect(field.x + m, field.y, field.w - 2 * m, field.h), prompt(ui),
                    LAYOUT_REGULAR, layout_px(layout, 30), COLOUR_MUTED, LAYOUT_NONE, ALIGN_LEFT,
                    LAYOUT_SINGLE_LINE | LAYOUT_MIDDLE);
    }

    int keyboard_h = osk_height(layout, w - 2 * m, portrait);
    int keyboard_y = h - m - keyboard_h;
    osk_build(layout, layout_rect(m, keyboard_y, w - 2 * m, keyboard_h), portrait, ACT_KEY,
              T(ui->tr, "space"));

    struct layout_rect area = layout_rect(m, 2 * m + bar, w - 2 * m, keyboard_y - 3 * m - bar);
    if (ui->name_mode == NAME_TEXT_ENTRY) {
        int done_w = layout_px(layout, 240), done_h = layout_px(layout, 72);
        layout_button(
            layout,
            layout_rect(area.x + area.w - done_w, area.y + (area.h - done_h) / 2, done_w, done_h),
            T(ui->tr, "Done"), LAYOUT_BOLD, layout_px(layout, 34), COLOUR_WHITE, COLOUR_PRIMARY,
            LAYOUT_NONE, ACT_TEXT_DONE, 0, 0);
        return;
    }
    const char *hint = NULL;
    if (letters(ui->query) < NAME_MIN_LETTERS)
        /* Staff search for somebody else, not for themselves. */
        hint = ui->name_mode == NAME_CHECKIN ? T(ui->tr, "Type at least two letters of your name")
                                             : T(ui->tr, "Type at least two letters of the name");
    else if (ui->match_count == 0)
        hint =
            T(ui->tr, "No one found with that name – check the spelling or ask a member of staff");
    if (hint) {
        layout_text(layout, area, hint, LAYOUT_REGULAR, layout_px(layout, 32), COLOUR_TEXT,
                    LAYOUT_NONE, ALIGN_CENTER, LAYOUT_MIDDLE);
        return;
    }
    /* Staff see full names and whether each is here: one column, wide. */
    int staff = ui->name_mode == NAME_STAFF_MANUAL;
    int columns = portrait || staff ? 1 : 2;
    int row_h = layout_px(layout, 72);
    int rows = (area.h + m) / (row_h + m);
    if (rows < 1)
        rows = 1;
    row_h = (area.h - (rows - 1) * m) / rows;
    int cells = rows * columns;
    int shown = ui->match_count;
    int more = ui->match_total > cells || ui->match_count > cells;
    if (more)
        shown = cells - 1;
    if (shown > ui->match_count)
        shown = ui->match_count;
    int cell_w = (area.w - (columns - 1) * m) / columns;
    for (int i = 0; i < shown; i++) {
        int col = i % columns, row = i / columns;
        char label[KIOSK_NAME_MAX * 2 + 32];
        struct layout_rect r =
            layout_rect(area.x + col * (cell_w + m), area.y + row * (row_h + m), cell_w, row_h);
        if (staff) {
            match_with_status(ui, layout, r, i);
            continue;
        }
        fit_public_name(layout, ui->matches[i].display,
                        (area.w - (columns - 1) * m) / columns - 2 * layout_px(layout, 12), label,
                        sizeof label);
        layout_button(layout, r, label, LAYOUT_BOLD, layout_px(layout, 36), COLOUR_TEXT,
                      COLOUR_WHITE, COLOUR_PRIMARY, ACT_CHOOSE, i, LAYOUT_SINGLE_LINE);
    }
    if (more) {
        int col = shown % columns, row = shown / columns;
        char text[128], number[16];
        snprintf(number, sizeof number, "%d", ui->match_total - shown);
        i18n_fill(text, sizeof text,
                  TN(ui->tr, "and {n} more – type more letters", "and {n} more – type more letters",
                     ui->match_total - shown),
                  "n", number, I18N_END);
        layout_text(
            layout,
            layout_rect(area.x + col * (cell_w + m), area.y + row * (row_h + m), cell_w, row_h),
            text, LAYOUT_REGULAR, layout_px(layout, 28), COLOUR_TEXT, LAYOUT_NONE, ALIGN_CENTER,
            LAYOUT_MIDDLE);
    }
}

static void name_action(struct ui *ui, const struct layout_box *box)
{
    switch (box ? box->action : ACT_NONE) {
    case ACT_BACK:
        ui_go(ui, ui->name_opener);
        break;
    case ACT_KEY:
        typed(ui, box->arg);
        break;
    case ACT_TEXT_DONE:
        ui_go_with(ui, ui->name_opener, OPEN_TEXT_DONE);
        break;
    case ACT_ALARM: /* the unknown card was forgotten: what was typed is for no card */
        if (ui->name_mode == NAME_STAFF_ENROLL)
            ui_go_with(ui, ui->name_opener, OPEN_CARD_FORGOTTEN);
        break;
    case ACT_CHOOSE:
        if (box->arg < 0 || box->arg >= ui->match_count)
            break;
        choose(ui, &ui->matches[box->arg]);
        break;
    default:
        break;
    }
}

/* --- the question before recording --- */

/* Activities a volunteer can pick now: not over yet today. */
static int open_activities(struct ui *ui, int *index, int max)
{
    struct tm now = ui_local(ui_now_us(ui));
    int minute = now.tm_hour * 60 + now.tm_min, count = 0;
    for (int i = 0; i < ui->activity_count && count < max; i++) {
        const struct activity *a = &ui->activities[i];
        if (a->end_min >= a->start_min && minute >= a->end_min)
            continue;
        index[count++] = i;
    }
    return count;
}

static void name_confirm_build(struct ui *ui, struct layout *layout)
{
    int m = screen_margin(layout), w = layout->w, h = layout->h;
    int portrait = ui_is_portrait(ui);
    char question[LAYOUT_TEXT_MAX];
    int open[UI_ACTIVITIES_MAX];
    int staff = ui->name_mode == NAME_STAFF_MANUAL;
    int choices = ui->chosen.present || staff ? 0 : open_activities(ui, open, UI_ACTIVITIES_MAX);
    if (choices > 1) {
        i18n_fill(question, sizeof question, T(ui->tr, "What will you be doing today, {name}?"),
                  "name", ui->chosen.display, I18N_END);
        layout_button(layout,
                      layout_rect(m, m, screen_back_width(ui, layout), layout_px(layout, 64)),
                      T(ui->tr, "Back"), LAYOUT_BOLD, layout_px(layout, 30), COLOUR_TEXT,
                      COLOUR_WHITE, COLOUR_LINE, ACT_NO, 0, 0);
        int top = screen_title_height(layout);
        int question_h = layout_px(layout, 84);
        layout_text(layout, layout_rect(m, top, w - 2 * m, question_h), question, LAYOUT_BOLD,
                    layout_px(layout, 34), COLOUR_TEXT, LAYOUT_NONE, ALIGN_LEFT, LAYOUT_MIDDLE);
        top += question_h + m;
        int columns = portrait ? 1 : 2;
        int items = choices + 1; /* and "something else" */
        int rows = (items + columns - 1) / columns;
        int row_h = (h - m - top - (rows - 1) * m) / rows;
        int max_h = layout_px(layout, 110);
        if (row_h > max_h)
            row_h = max_h;
        int min_h = layout_px(layout, 64);
        if (row_h < min_h) { /* too many: show what fits, the rest are rare */
            row_h = min_h;
            rows = (h - m - top + m) / (row_h + m);
            items = rows * columns;
            choices = items - 1;
        }
        int cell_w = (w - 2 * m - (columns - 1) * m) / columns;
        for (int i = 0; i < items; i++) {
            int col = i % columns, row = i / columns;
            struct layout_rect r =
                layout_rect(m + col * (cell_w + m), top + row * (row_h + m), cell_w, row_h);
            if (i < choices) {
                const struct activity *a = &ui->activities[open[i]];
                char times[48], label[KIOSK_NAME_MAX + 64];
                screen_activity_times(ui, a, times, sizeof times);
                snprintf(label, sizeof label, "%s  %s", a->title, times);
                layout_button(layout, r, label, LAYOUT_BOLD, layout_px(layout, 32), COLOUR_WHITE,
                              COLOUR_PRIMARY, LAYOUT_NONE, ACT_ACTIVITY, a->id, LAYOUT_TITLE_CUT);
            } else {
                layout_button(layout, r, T(ui->tr, "Something else"), LAYOUT_BOLD,
                              layout_px(layout, 32), COLOUR_TEXT, COLOUR_WHITE, COLOUR_PRIMARY,
                              ACT_ACTIVITY, 0, 0);
            }
        }
        return;
    }
    /* Staff ask about somebody else: "Sjekke ut Ola Hansen nå?" */
    const char *ask = staff                ? ui->chosen.present ? T(ui->tr, "Check {name} out now?")
                                                                : T(ui->tr, "Check {name} in now?")
                                     : ui->chosen.present ? T(ui->tr, "Check out {name}?")
                                           : T(ui->tr, "Check in {name}?");
    i18n_fill(question, sizeof question, ask, "name", ui->chosen.display, I18N_END);
    int button_h = layout_px(layout, 120);
    int question_h = h - 3 * m - button_h - m;
    if (portrait)
        question_h = h - 4 * m - 2 * button_h - m;
    layout_text(layout, layout_rect(2 * m, 2 * m, w - 4 * m, question_h - m), question, LAYOUT_BOLD,
                layout_px(layout, 56), COLOUR_TEXT, LAYOUT_NONE, ALIGN_CENTER, LAYOUT_MIDDLE);
    const char *yes = ui->chosen.present ? T(ui->tr, "Yes, check out") : T(ui->tr, "Yes, check in");
    uint32_t yes_bg = ui->chosen.present ? COLOUR_OUT : COLOUR_IN;
    if (portrait) {
        int y = h - 2 * m - 2 * button_h - m;
        layout_button(layout, layout_rect(m, y, w - 2 * m, button_h), yes, LAYOUT_BOLD,
                      layout_px(layout, 38), COLOUR_WHITE, yes_bg, LAYOUT_NONE, ACT_YES,
                      choices == 1 ? ui->activities[open[0]].id : 0, 0);
        layout_button(layout, layout_rect(m, y + button_h + m, w - 2 * m, button_h),
                      T(ui->tr, "No, go back"), LAYOUT_BOLD, layout_px(layout, 38), COLOUR_TEXT,
                      COLOUR_WHITE, COLOUR_LINE, ACT_NO, 0, 0);
    } else {
        int half = (w - 3 * m) / 2, y = h - m - button_h;
        layout_button(layout, layout_rect(m, y, half, button_h), T(ui->tr, "No, go back"),
                      LAYOUT_BOLD, layout_px(layout, 38), COLOUR_TEXT, COLOUR_WHITE, COLOUR_LINE,
                      ACT_NO, 0, 0);
        layout_button(layout, layout_rect(2 * m + half, y, half, button_h), yes, LAYOUT_BOLD,
                      layout_px(layout, 38), COLOUR_WHITE, yes_bg, LAYOUT_NONE, ACT_YES,
                      choices == 1 ? ui->activities[open[0]].id : 0, 0);
    }
}

static void record(struct ui *ui, int64_t activity_id)
{
    struct tap_result result;
    memset(&result, 0, sizeof result);
    if (kiosk_toggle(ui->kiosk, ui->chosen.id, activity_id, SOURCE_NAME, &result) < 0 &&
        result.outcome != TAP_FAILED) {
        result.outcome = TAP_FAILED;
        snprintf(result.message, sizeof result.message, "%s", kiosk_errmsg(ui->kiosk));
        result.error = kiosk_errkind(ui->kiosk);
    }
    ui_handle_result(ui, &result, activity_id);
}

static void name_confirm_action(struct ui *ui, const struct layout_box *box)
{
    switch (box ? box->action : ACT_NONE) {
    case ACT_YES:
    case ACT_ACTIVITY:
        if (ui->name_mode == NAME_STAFF_MANUAL)
            ui_go_with(ui, ui->name_opener, OPEN_NAME_CHOSEN);
        else
            record(ui, box->arg);
        break;
    case ACT_NO:
    case ACT_BACK:
        ui_go(ui, UI_NAME);
        break;
    default:
        break;
    }
}

static int name_confirm_enter(struct ui *ui, const struct ui_move *move)
{
    (void)move;
    ui->idle_ms = name_idle_ms(ui);
    return 0;
}

const struct ui_screen_ops screen_name = {
    .name = "name", .build = name_build, .action = name_action, .enter = name_enter};
const struct ui_screen_ops screen_name_confirm = {.name = "name_confirm",
                                                  .build = name_confirm_build,
                                                  .action = name_confirm_action,
                                                  .enter = name_confirm_enter};
