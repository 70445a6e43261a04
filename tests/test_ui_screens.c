/* Every screen at every size: screenshots under the build directory and the
 * layout rules (text fits its box, targets large enough, nothing overlaps,
 * contrast) checked by code on what is drawn. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "demo.h"
#include "outbox.h"
#include "store.h"
#include "test_ui_harness.h"
#include "ui_internal.h"

static int problems;

static void shot(struct harness *h, const char *size, const char *screen)
{
    char name[160];
    snprintf(name, sizeof name, "%s_%s", size, screen);
    problems += harness_check(h, name);
    assert_int_equal(harness_shot(h, name), 0);
}

static struct tap_result sample(enum tap_outcome outcome, const char *given, const char *family)
{
    struct tap_result r;
    memset(&r, 0, sizeof r);
    r.outcome = outcome;
    snprintf(r.given_name, sizeof r.given_name, "%s", given);
    snprintf(r.family_name, sizeof r.family_name, "%s", family);
    r.at_us = HARNESS_START_US;
    return r;
}

/* What the uploader leaves for staff: the first two events refused by
 * the central, and the token refused (401) at refused_us. */
static void central_refusals(struct harness *h, int64_t refused_us)
{
    struct store *store = NULL;
    struct outbox *outbox = NULL;
    char err[512];
    assert_int_equal(store_open(h->config.database, &store, err, sizeof err), 0);
    assert_int_equal(outbox_open(store, &outbox, err, sizeof err), 0);
    struct outbox_refusal refusals[2] = {{.status = 400, .code = "invalid_request"},
                                         {.status = 200, .code = "invalid_event"}};
    struct event events[2];
    assert_int_equal(outbox_next_batch(outbox, &h->clock.source, events, 2), 2);
    for (int i = 0; i < 2; i++) {
        snprintf(refusals[i].event_id, sizeof refusals[i].event_id, "%s", events[i].event_id);
        snprintf(refusals[i].reason, sizeof refusals[i].reason, "volunteer: not known");
    }
    assert_int_equal(outbox_refuse(outbox, refusals, 2, refused_us), 2);
    char when[24];
    snprintf(when, sizeof when, "%lld", (long long)refused_us);
    assert_int_equal(outbox_state_set(outbox, OUTBOX_TOKEN_REFUSED, "0123abcd"), 0);
    assert_int_equal(outbox_state_set(outbox, OUTBOX_TOKEN_REFUSED_AT, when), 0);
    outbox_close(outbox);
    store_close(store);
}

static void all_screens(int w, int hgt, int rotation, const char *lang, int full)
{
    struct harness h;
    char size[64];
    snprintf(size, sizeof size, "%dx%d%s%s%s%s", w, hgt, rotation ? "_r" : "",
             rotation ? (rotation == 90    ? "90"
                         : rotation == 180 ? "180"
                                           : "270")
                      : "",
             strcmp(lang, "nb") ? "_" : "", strcmp(lang, "nb") ? lang : "");
    assert_int_equal(harness_open(&h, w, hgt, rotation, lang), 0);
    shot(&h, size, "home_empty");

    harness_card(&h, demo_card_uid[0], DEMO_UID_LEN);
    assert_int_equal(ui_current(h.ui), UI_CONFIRM);
    shot(&h, size, "confirm_in");
    harness_card(&h, demo_card_uid[1], DEMO_UID_LEN);
    harness_press(&h, ACT_DISMISS, 0, 1);
    assert_int_equal(ui_current(h.ui), UI_HOME);
    shot(&h, size, "home");
    if (!full) {
        harness_close(&h);
        return;
    }
    /* Ten here: the count in words ("10 volunteers here now") whole. */
    static const char *const eight[] = {"D003", "D004", "D005", "D006",
                                        "D007", "D009", "D010", "D012"};
    for (size_t i = 0; i < sizeof eight / sizeof eight[0]; i++) {
        struct volunteer v;
        struct tap_result result;
        assert_int_equal(kiosk_volunteer_by_external_id(h.kiosk, eight[i], &v), 0);
        assert_true(kiosk_staff_set(h.kiosk, v.id, 1, 0, &result) >= 0);
    }
    ui_go(h.ui, UI_HOME);
    harness_pump(&h, 0);
    shot(&h, size, "home_ten");
    ui_post_reader_state(h.ui, READER_DISCONNECTED);
    harness_pump(&h, 0);
    shot(&h, size, "home_reader_down");
    ui_post_reader_state(h.ui, READER_CONNECTED);
    harness_pump(&h, 0);
    /* The status line with a central: offline, then sent. */
    struct ui_upload_status upload = {.configured = 1, .online = 0, .waiting = 1234};
    ui_post_upload_status(h.ui, &upload);
    harness_pump(&h, 0);
    shot(&h, size, "home_offline");
    upload.online = 1;
    upload.last_success_us = ui_now_us(h.ui);
    ui_post_upload_status(h.ui, &upload);
    harness_pump(&h, 0);
    shot(&h, size, "home_sent");

    harness_card(&h, demo_card_uid[4], DEMO_UID_LEN);
    shot(&h, size, "confirm_unknown");

    struct tap_result r = sample(TAP_REFUSED, "Åse", "Ødegård");
    r.reason = REFUSE_NO_CONFIDENTIALITY;
    ui_show_result(h.ui, &r);
    shot(&h, size, "confirm_refused");
    r = sample(TAP_FAILED, "", "");
    snprintf(r.message, sizeof r.message, "database is locked (SQLITE_BUSY) after 5000 ms");
    r.error = KIOSK_ERR_STORAGE_BUSY; /* the message is for the log; the screen says this */
    ui_show_result(h.ui, &r);
    shot(&h, size, "confirm_failed");
    r = sample(TAP_CHECKED_IN, "Maria Kristina Alexandra Wilhelmine Anna", "Kristoffersen-Bråthen");
    r.milestone = 100;
    r.notices = NOTICE_LAST_AUTOCLOSED;
    r.last_autoclose_us = HARNESS_START_US - INT64_C(11) * 3600 * 1000000;
    ui_show_result(h.ui, &r);
    shot(&h, size, "confirm_long_name_notices");
    r = sample(TAP_ALREADY_IN, "Kari", "Nordmann");
    r.visit_start_us = HARNESS_START_US;
    ui_show_result(h.ui, &r);
    shot(&h, size, "confirm_already_in");
    harness_press(&h, ACT_DISMISS, 0, 1);

    /* Check in by name. */
    assert_int_equal(harness_press(&h, ACT_NAME_START, 0, 1), 0);
    assert_int_equal(ui_current(h.ui), UI_NAME);
    shot(&h, size, "name_empty");
    harness_type(&h, "bj");
    shot(&h, size, "name_long");
    /* A long search: the field shows the end, what is being typed now. */
    harness_type(&h, "rg kristoffersen bråthen");
    shot(&h, size, "name_typed_long");
    for (int i = 0; i < 24; i++)
        harness_press(&h, ACT_KEY, OSK_BACKSPACE, 0);
    harness_press(&h, ACT_KEY, OSK_BACKSPACE, 0);
    harness_press(&h, ACT_KEY, OSK_BACKSPACE, 0);
    harness_type(&h, "a");
    harness_type(&h, "s");
    shot(&h, size, "name_results");
    harness_press(&h, ACT_KEY, OSK_BACKSPACE, 0);
    harness_press(&h, ACT_KEY, OSK_BACKSPACE, 0);
    harness_type(&h, "kari");
    harness_press(&h, ACT_CHOOSE, 0, 0);
    assert_int_equal(ui_current(h.ui), UI_NAME_CONFIRM);
    shot(&h, size, "name_confirm_out");
    harness_press(&h, ACT_NO, 0, 1);
    for (int i = 0; i < 4; i++)
        harness_press(&h, ACT_KEY, OSK_BACKSPACE, 0);
    harness_type(&h, "liv");
    harness_press(&h, ACT_CHOOSE, 0, 0);
    shot(&h, size, "name_activity_choice");
    harness_press(&h, ACT_NO, 0, 1);
    harness_press(&h, ACT_BACK, 0, 1);

    /* A database restored from last night's backup: the status line says so. */
    assert_int_equal(kiosk_recovery_record(h.kiosk, HARNESS_START_US - INT64_C(7) * 3600 * 1000000, 0),
                     0);
    ui_go(h.ui, UI_HOME);
    harness_pump(&h, 0);
    shot(&h, size, "home_restored");

    /* Staff. */
    assert_int_equal(harness_press(&h, ACT_STAFF_OPEN, 0, 1), 0);
    shot(&h, size, "pin");
    harness_press(&h, ACT_PIN_DIGIT, 1, 0);
    harness_press(&h, ACT_PIN_OK, 0, 1);
    shot(&h, size, "pin_wrong");
    /* Five wrong: the pad waits, greyed, and counts the seconds. */
    for (int i = 0; i < 4; i++) {
        harness_press(&h, ACT_PIN_DIGIT, 1, 0);
        harness_press(&h, ACT_PIN_OK, 0, 1);
    }
    shot(&h, size, "pin_waiting");
    h.ui->pin_locked_until_ms = SDL_GetTicks64(); /* the wait is over */
    harness_pump(&h, 0);
    shot(&h, size, "pin_after_wait");
    for (const char *p = HARNESS_PIN; *p; p++)
        harness_press(&h, ACT_PIN_DIGIT, *p - '0', 0);
    harness_press(&h, ACT_PIN_OK, 0, 1);
    assert_int_equal(ui_current(h.ui), UI_STAFF);
    shot(&h, size, "staff_menu");
    ui_post_reader_state(h.ui, READER_CONNECTED);
    ui_go(h.ui, UI_STAFF);
    harness_pump(&h, 0);
    shot(&h, size, "staff_menu_restored");
    assert_int_equal(harness_press(&h, ACT_RECOVERY_SEEN, 0, 1), 0);
    struct ui_upload_status offline = {.configured = 1, .online = 0, .waiting = 1234};
    ui_post_upload_status(h.ui, &offline);
    harness_pump(&h, 0);
    shot(&h, size, "staff_menu_offline");
    /* The central refused two events and then the kiosk's token. */
    central_refusals(&h, ui_now_us(h.ui));
    ui_go(h.ui, UI_STAFF);
    harness_pump(&h, 0);
    assert_true(harness_shows(&h, strcmp(lang, "en") ? "2 hend" : "2 events refused"));
    assert_true(harness_shows(&h, strcmp(lang, "en") ? "Ny nøkkel" : "New key needed"));
    shot(&h, size, "staff_menu_refused");
    assert_int_equal(harness_press(&h, ACT_REFUSED_SEEN, 0, 1), 0);
    harness_pump(&h, 0);
    assert_int_equal(harness_press(&h, ACT_REFUSED_SEEN, 0, 1), -1); /* seen: gone */
    assert_true(harness_shows(&h, strcmp(lang, "en") ? "Ny nøkkel" : "New key needed"));
    shot(&h, size, "staff_menu_token_refused");
    harness_press(&h, ACT_STAFF_MENU, UI_STAFF_PRESENT, 0);
    shot(&h, size, "staff_present");
    harness_press(&h, ACT_BACK, 0, 1);
    harness_press(&h, ACT_STAFF_MENU, UI_STAFF_COMPLIANCE, 0);
    shot(&h, size, "staff_compliance");
    harness_press(&h, ACT_BACK, 0, 1);
    harness_press(&h, ACT_STAFF_MENU, UI_STAFF_ACTIVITIES, 0);
    shot(&h, size, "staff_activities");
    harness_press(&h, ACT_ACTIVITY_REMOVE, 2, 0);
    shot(&h, size, "staff_activity_remove");
    harness_press(&h, ACT_NO, 0, 1);
    harness_press(&h, ACT_ACTIVITY_EDIT, 0, 0);
    shot(&h, size, "staff_activity_edit");
    harness_press(&h, ACT_FIELD, 1, 0);
    shot(&h, size, "staff_text_entry");
    harness_press(&h, ACT_TEXT_DONE, 0, 1);
    harness_press(&h, ACT_BACK, 0, 1);
    harness_press(&h, ACT_BACK, 0, 1);
    harness_press(&h, ACT_STAFF_MANUAL, 0, 1);
    harness_type(&h, "ol");
    shot(&h, size, "staff_manual");
    for (int i = 0; i < 2; i++)
        harness_press(&h, ACT_KEY, OSK_BACKSPACE, 0);
    harness_type(&h, "so");
    shot(&h, size, "staff_manual_status"); /* "Solveig Haugen (ikke her)" */
    harness_press_text(&h, "Solveig Haugen");
    shot(&h, size, "staff_manual_confirm");
    harness_press(&h, ACT_NO, 0, 1);
    harness_press(&h, ACT_BACK, 0, 1);
    /* The unknown card enrolled, then (if the button lets staff) again. */
    if (harness_press(&h, ACT_STAFF_ENROLL, 0, 1) == 0 && ui_current(h.ui) == UI_NAME) {
        harness_type(&h, "astrid");
        harness_press_text(&h, "Astrid Berg");
        shot(&h, size, "staff_enrolled");
        const struct layout_box *again = layout_find(ui_layout(h.ui), ACT_STAFF_ENROLL, 0, 1);
        if (again && !(again->flags & LAYOUT_DISABLED) &&
            harness_press(&h, ACT_STAFF_ENROLL, 0, 1) == 0 && ui_current(h.ui) == UI_NAME) {
            harness_type(&h, "astrid");
            harness_press_text(&h, "Astrid Berg");
            shot(&h, size, "staff_enrolled_twice");
        }
    }
    harness_press(&h, ACT_STAFF_MENU, UI_STAFF_LANGUAGE, 0);
    shot(&h, size, "staff_language");
    harness_press(&h, ACT_BACK, 0, 1);

    /* Two hours later the sweep has closed both visits (the longest visit
     * is an hour here): the review list, and the notice on the next tap. */
    clock_fake_advance(&h.clock, INT64_C(2) * 3600 * 1000000);
    harness_pump(&h, 0);
    harness_press(&h, ACT_STAFF_MENU, UI_STAFF_REVIEW, 0);
    shot(&h, size, "staff_review");
    if (harness_press(&h, ACT_REVIEW_ITEM, 0, 0) == 0)
        shot(&h, size, "staff_review_edit");
    harness_press(&h, ACT_BACK, 0, 1);
    harness_press(&h, ACT_BACK, 0, 1);
    harness_press(&h, ACT_STAFF_CLOSE, 0, 1);
    assert_int_equal(ui_current(h.ui), UI_HOME);
    harness_card(&h, demo_card_uid[0], DEMO_UID_LEN);
    shot(&h, size, "confirm_in_after_autoclose");
    clock_fake_advance(&h.clock, INT64_C(35) * 60 * 1000000);
    harness_card(&h, demo_card_uid[0], DEMO_UID_LEN);
    shot(&h, size, "confirm_out");
    harness_close(&h);
}

static void test_every_screen_at_800x480(void **state)
{
    (void)state;
    all_screens(800, 480, 0, "nb", 1);
}
static void test_every_screen_at_1024x600(void **state)
{
    (void)state;
    all_screens(1024, 600, 0, "nb", 1);
}
static void test_every_screen_at_1280x800(void **state)
{
    (void)state;
    all_screens(1280, 800, 0, "nb", 1);
}
static void test_every_screen_at_1920x1080(void **state)
{
    (void)state;
    all_screens(1920, 1080, 0, "nb", 1);
}
static void test_every_screen_at_480x800(void **state)
{
    (void)state;
    all_screens(480, 800, 0, "nb", 1);
}
static void test_every_screen_at_800x1280(void **state)
{
    (void)state;
    all_screens(800, 1280, 0, "nb", 1);
}
static void test_every_screen_in_nynorsk_and_english_at_800x480(void **state)
{
    (void)state;
    all_screens(800, 480, 0, "nn", 1);
    all_screens(800, 480, 0, "en", 1);
}
static void test_every_screen_in_nynorsk_and_english_at_1280x800(void **state)
{
    (void)state;
    all_screens(1280, 800, 0, "nn", 1);
    all_screens(1280, 800, 0, "en", 1);
}
static void test_every_screen_in_nynorsk_and_english_at_480x800(void **state)
{
    (void)state;
    all_screens(480, 800, 0, "nn", 1);
    all_screens(480, 800, 0, "en", 1);
}
static void test_rotated_screens(void **state)
{
    (void)state;
    all_screens(800, 480, 90, "nb", 0);
    all_screens(800, 480, 180, "nb", 0);
    all_screens(480, 800, 270, "nb", 0);
}

/* Long Norwegian titles and places on the home screen, at the 7" panel,
 * 1280x800 and upright, in three languages: the activity running now and
 * the next are listed with their places whole (a place is where to go; it
 * is never cut), and what does not fit is counted. */
static void test_home_shows_long_places_whole(void **state)
{
    (void)state;
    static const struct {
        int w, h;
    } sizes[] = {{800, 480}, {1280, 800}, {480, 800}, {800, 1280}};
    static const char *const langs[] = {"nb", "nn", "en"};
    static const struct {
        int start_min, end_min;
        const char *title, *place;
    } long_ones[] = {
        {9 * 60, 11 * 60, "Formiddagstrim med fysioterapeut",
         "Treningssalen i underetasjen, Helsehuset"},
        {10 * 60 + 30, 12 * 60, "Høytlesning og kaffe",
         "Biblioteket ved Bjørnstjerne Bjørnsons plass"},
        {13 * 60, 14 * 60 + 30, "Allsang", "Store selskapslokale, Sjukeheimsvegen 12"},
    };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (size_t l = 0; l < 3; l++) {
            struct harness h;
            assert_int_equal(harness_open(&h, sizes[s].w, sizes[s].h, 0, langs[l]), 0);
            struct activity today[UI_ACTIVITIES_MAX];
            int count = kiosk_activities(h.kiosk, HARNESS_START_US, today, UI_ACTIVITIES_MAX);
            assert_true(count >= 3);
            for (int i = 0; i < 3; i++) {
                today[i].start_min = long_ones[i].start_min;
                today[i].end_min = long_ones[i].end_min;
                snprintf(today[i].title, sizeof today[i].title, "%s", long_ones[i].title);
                snprintf(today[i].place, sizeof today[i].place, "%s", long_ones[i].place);
                assert_int_equal(kiosk_activity_save(h.kiosk, &today[i]), 0);
            }
            ui_go(h.ui, UI_HOME);
            harness_pump(&h, 0);
            harness_pump(&h, 0);
            char size[64];
            snprintf(size, sizeof size, "%dx%d%s%s", sizes[s].w, sizes[s].h, l ? "_" : "",
                     l ? langs[l] : "");
            shot(&h, size, "home_long_places");
            /* 10.15: the training runs now, the reading is next. */
            assert_true(harness_shows(&h, long_ones[0].place));
            assert_true(harness_shows(&h, long_ones[1].place));
            const struct layout *layout = ui_layout(h.ui);
            for (int i = 0; i < layout->count; i++) {
                char flat[LAYOUT_TEXT_MAX];
                harness_flatten(layout->box[i].text, flat, sizeof flat);
                if (strstr(flat, "Helsehuset") || strstr(flat, "plass") ||
                    strstr(flat, "Sjukeheimsvegen"))
                    assert_false(layout->box[i].flags & LAYOUT_TRUNCATED);
            }
            harness_close(&h);
        }
}

/* Reading at 80: every word on the home and confirmation screens has a cap
 * height of at least 4 mm on the panels the kiosk comes with (the 7"
 * 800x480 board panel, 154x86 mm, also upright and at 1024x600; a 10.1"
 * 1280x800, 217x136 mm), computed from the panel's size; only the discreet
 * Staff button is smaller. */
static void expect_cap_height(struct harness *h, const char *label)
{
    const struct layout *layout = ui_layout(h->ui);
    for (int i = 0; i < layout->count; i++) {
        const struct layout_box *box = &layout->box[i];
        if ((box->kind != LAYOUT_TEXT && box->kind != LAYOUT_BUTTON) || !box->text[0] ||
            box->action == ACT_STAFF_OPEN)
            continue;
        double mm = layout_cap_mm(layout, box->face, box->px);
        if (mm < LAYOUT_MIN_CAP_MM) {
            print_message("%s: '%s' (%d px) has a cap height of %.2f mm\n", label, box->text,
                          box->px, mm);
            fail();
        }
    }
    shot(h, label, "read");
}

static void test_body_text_has_4mm_cap_height_on_the_panels(void **state)
{
    (void)state;
    static const struct {
        int w, h, rotation, width_mm, height_mm;
    } panels[] = {
        {800, 480, 0, 154, 86},  {480, 800, 0, 86, 154},   {800, 480, 90, 154, 86},
        {1024, 600, 0, 154, 86}, {1280, 800, 0, 217, 136},
    };
    static const char *const langs[] = {"nb", "nn", "en"};
    for (size_t p = 0; p < sizeof panels / sizeof panels[0]; p++)
        for (size_t l = 0; l < 3; l++) {
            struct harness h;
            char label[96];
            assert_int_equal(
                harness_open(&h, panels[p].w, panels[p].h, panels[p].rotation, langs[l]), 0);
            h.options.panel_width_mm = panels[p].width_mm;
            h.options.panel_height_mm = panels[p].height_mm;
            assert_int_equal(
                harness_reopen_ui(&h, panels[p].w, panels[p].h, panels[p].rotation, langs[l]), 0);
            assert_int_equal(h.ui->layout->px_per_mm > 0, 1);
            snprintf(label, sizeof label, "%dx%d%s_%s_home", panels[p].w, panels[p].h,
                     panels[p].rotation ? "_r90" : "", langs[l]);
            expect_cap_height(&h, label);
            harness_card(&h, demo_card_uid[0], DEMO_UID_LEN);
            snprintf(label, sizeof label, "%dx%d%s_%s_confirm_in", panels[p].w, panels[p].h,
                     panels[p].rotation ? "_r90" : "", langs[l]);
            expect_cap_height(&h, label);
            struct tap_result r = sample(TAP_CHECKED_IN, "Maria Kristina", "Kristoffersen-Bråthen");
            r.milestone = 100;
            r.notices = NOTICE_LAST_AUTOCLOSED;
            r.last_autoclose_us = HARNESS_START_US - INT64_C(11) * 3600 * 1000000;
            ui_show_result(h.ui, &r);
            snprintf(label, sizeof label, "%dx%d%s_%s_confirm_notices", panels[p].w, panels[p].h,
                     panels[p].rotation ? "_r90" : "", langs[l]);
            expect_cap_height(&h, label);
            r = sample(TAP_FAILED, "", "");
            r.error = KIOSK_ERR_STORAGE_FULL;
            ui_show_result(h.ui, &r);
            snprintf(label, sizeof label, "%dx%d%s_%s_confirm_failed", panels[p].w, panels[p].h,
                     panels[p].rotation ? "_r90" : "", langs[l]);
            expect_cap_height(&h, label);
            harness_close(&h);
        }
}

/* The fullest confirmation: a long Norwegian name, a milestone and two
 * notices (the visit closed automatically, no signed agreement) on the
 * 7" panel in three languages. Every box stays on the screen and inside
 * its margin (the words' column ends 2 margins above the bottom), and no
 * word is cut. */
static void test_confirmation_with_a_milestone_and_two_notices_fits(void **state)
{
    (void)state;
    static const char *const langs[] = {"nb", "nn", "en"};
    static const struct {
        const char *given, *family;
    } names[] = {
        {"Maria Kristina", "Kristoffersen-Bråthen"},
        {"Bjørg-Åshild", "Øvrebø-Kristiansen"},
        {"Per Ivar", "Ødegård"},
    };
    for (size_t l = 0; l < 3; l++)
        for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
            struct harness h;
            assert_int_equal(harness_open(&h, 800, 480, 0, langs[l]), 0);
            struct tap_result r = sample(TAP_CHECKED_IN, names[n].given, names[n].family);
            r.milestone = 100;
            r.notices = NOTICE_LAST_AUTOCLOSED | NOTICE_NO_CONFIDENTIALITY;
            r.last_autoclose_us = HARNESS_START_US - INT64_C(11) * 3600 * 1000000;
            ui_show_result(h.ui, &r);
            char size[64];
            snprintf(size, sizeof size, "800x480_%s_%zu", langs[l], n);
            shot(&h, size, "confirm_milestone_two_notices");
            const struct layout *layout = ui_layout(h.ui);
            int bottom = layout->h - 2 * screen_margin(layout);
            for (int i = 0; i < layout->count; i++) {
                const struct layout_box *box = &layout->box[i];
                if (box->y + box->h > bottom) {
                    print_message("%s: box %d '%s' ends at %d, below %d\n", size, i, box->text,
                                  box->y + box->h, bottom);
                    fail();
                }
            }
            harness_close(&h);
        }
}

static int check_problems(void **state)
{
    (void)state;
    if (problems)
        fprintf(stderr, "%d layout problems\n", problems);
    int result = problems;
    problems = 0;
    return result ? -1 : 0;
}

int main(int argc, char **argv)
{
    harness_environment();
    if (argc > 1) /* one test by name (a pattern), while working on a screen */
        cmocka_set_test_filter(argv[1]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_every_screen_at_800x480, check_problems),
        cmocka_unit_test_teardown(test_every_screen_at_1024x600, check_problems),
        cmocka_unit_test_teardown(test_every_screen_at_1280x800, check_problems),
        cmocka_unit_test_teardown(test_every_screen_at_1920x1080, check_problems),
        cmocka_unit_test_teardown(test_every_screen_at_480x800, check_problems),
        cmocka_unit_test_teardown(test_every_screen_at_800x1280, check_problems),
        cmocka_unit_test_teardown(test_every_screen_in_nynorsk_and_english_at_800x480,
                                  check_problems),
        cmocka_unit_test_teardown(test_every_screen_in_nynorsk_and_english_at_1280x800,
                                  check_problems),
        cmocka_unit_test_teardown(test_every_screen_in_nynorsk_and_english_at_480x800,
                                  check_problems),
        cmocka_unit_test_teardown(test_rotated_screens, check_problems),
        cmocka_unit_test_teardown(test_home_shows_long_places_whole, check_problems),
        cmocka_unit_test_teardown(test_body_text_has_4mm_cap_height_on_the_panels, check_problems),
        cmocka_unit_test_teardown(test_confirmation_with_a_milestone_and_two_notices_fits,
                                  check_problems),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
