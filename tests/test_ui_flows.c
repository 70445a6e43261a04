/* The kiosk's flows, driven as a volunteer or staff would: cards on the
 * reader (posted from another thread), presses on the screen (mouse and
 * touch, also rotated), keys; and the timers that bring it home. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "demo.h"
#include "store.h"
#include "test_ui_harness.h"
#include "ui_internal.h"

#define KARI    demo_card_uid[0]
#define OLA     demo_card_uid[1]
#define UNKNOWN demo_card_uid[4]

static int setup(void **state)
{
    static struct harness h;
    if (harness_open(&h, 800, 480, 0, "nb") < 0)
        return -1;
    *state = &h;
    return 0;
}

static int teardown(void **state)
{
    harness_close(*state);
    return 0;
}

/* Pumps until the screen is `screen` or ms have passed. */
static int wait_for(struct harness *h, enum ui_screen screen, int ms)
{
    for (int waited = 0; waited < ms && ui_current(h->ui) != screen; waited += 20)
        harness_pump(h, 20);
    return ui_current(h->ui) == screen;
}

static void staff_login(struct harness *h)
{
    assert_int_equal(harness_press(h, ACT_STAFF_OPEN, 0, 1), 0);
    assert_int_equal(ui_current(h->ui), UI_PIN);
    for (const char *p = HARNESS_PIN; *p; p++)
        assert_int_equal(harness_press(h, ACT_PIN_DIGIT, *p - '0', 0), 0);
    harness_press(h, ACT_PIN_OK, 0, 1);
    assert_int_equal(ui_current(h->ui), UI_STAFF);
}

static void test_card_tap_welcomes_then_goes_home_by_itself(void **state)
{
    struct harness *h = *state;
    h->options.confirm_ms = 300;
    assert_int_equal(harness_reopen_ui(h, 800, 480, 0, "nb"), 0);
    harness_card(h, KARI, DEMO_UID_LEN);
    assert_int_equal(ui_current(h->ui), UI_CONFIRM);
    assert_true(harness_shows(h, "Velkommen, Kari N."));
    assert_true(harness_shows(h, "kl. 10.15"));
    /* A first visit is thanked for (when the core says it is one). */
    if (ui_layout(h->ui) && h->ui->result.milestone == 1)
        assert_true(harness_shows(h, "første besøk"));
    assert_true(wait_for(h, UI_HOME, 12000));
    assert_true(harness_shows(h, "1 frivillig er her nå"));
}

static void test_next_tap_works_while_a_confirmation_shows(void **state)
{
    struct harness *h = *state;
    harness_card(h, KARI, DEMO_UID_LEN);
    assert_true(harness_shows(h, "Velkommen, Kari N."));
    harness_card(h, OLA, DEMO_UID_LEN);
    assert_int_equal(ui_current(h->ui), UI_CONFIRM);
    assert_true(harness_shows(h, "Velkommen, Ola H."));
    /* And on the name screen too. */
    harness_press(h, ACT_DISMISS, 0, 1);
    harness_press(h, ACT_NAME_START, 0, 1);
    harness_type(h, "li");
    clock_fake_advance(&h->clock, INT64_C(600) * 1000000);
    harness_card(h, KARI, DEMO_UID_LEN);
    assert_int_equal(ui_current(h->ui), UI_CONFIRM);
    assert_true(harness_shows(h, "Ha det, Kari N."));
    assert_true(harness_shows(h, "10 minutter"));
}

static void test_name_check_in_shows_matches_after_two_letters_and_asks_first(void **state)
{
    struct harness *h = *state;
    assert_int_equal(harness_press(h, ACT_NAME_START, 0, 1), 0);
    assert_int_equal(ui_current(h->ui), UI_NAME);
    harness_type(h, "k");
    assert_null(layout_find(ui_layout(h->ui), ACT_CHOOSE, 0, 1));
    assert_true(harness_shows(h, "minst to bokstaver"));
    harness_type(h, "a");
    assert_non_null(layout_find(ui_layout(h->ui), ACT_CHOOSE, 0, 1));
    assert_true(harness_shows(h, "Kari N."));
    assert_false(harness_shows(h, "Nordmann")); /* given name and initial only */
    harness_press_text(h, "Kari N.");
    assert_int_equal(ui_current(h->ui), UI_NAME_CONFIRM);
    /* Four activities today, three still to come: the volunteer picks. */
    assert_true(harness_shows(h, "Kari N., hva skal du være med på"));
    assert_int_equal(harness_press_text(h, "Frokostklubb"), 0);
    assert_int_equal(ui_current(h->ui), UI_CONFIRM);
    assert_true(harness_shows(h, "Velkommen, Kari N."));
    assert_true(harness_shows(h, "Frokostklubb"));

    /* Going out by name asks "check out?" first; "no" records nothing. */
    harness_press(h, ACT_DISMISS, 0, 1);
    clock_fake_advance(&h->clock, INT64_C(20) * 60 * 1000000);
    harness_press(h, ACT_NAME_START, 0, 1);
    harness_type(h, "kari");
    harness_press_text(h, "Kari N.");
    assert_true(harness_shows(h, "Vil du sjekke ut, Kari N.?"));
    harness_press(h, ACT_NO, 0, 1);
    assert_int_equal(ui_current(h->ui), UI_NAME);
    harness_press_text(h, "Kari N.");
    harness_press(h, ACT_YES, 0, 1);
    assert_true(harness_shows(h, "Ha det, Kari N."));
}

static void test_real_keyboard_types_names_and_escape_goes_home(void **state)
{
    struct harness *h = *state;
    harness_press(h, ACT_NAME_START, 0, 1);
    SDL_Event event;
    SDL_zero(event);
    event.type = SDL_TEXTINPUT;
    snprintf(event.text.text, sizeof event.text.text, "%s", "ÅS");
    SDL_PushEvent(&event);
    harness_pump(h, 0);
    assert_true(harness_shows(h, "Åse Ø."));
    SDL_zero(event);
    event.type = SDL_KEYDOWN;
    event.key.keysym.sym = SDLK_ESCAPE;
    SDL_PushEvent(&event);
    harness_pump(h, 0);
    assert_int_equal(ui_current(h->ui), UI_HOME);
}

static void test_unknown_card_is_noticed_and_staff_enroll_it(void **state)
{
    struct harness *h = *state;
    harness_card(h, UNKNOWN, DEMO_UID_LEN);
    assert_true(harness_shows(h, "Kortet er ikke registrert – spør en ansatt"));
    harness_press(h, ACT_DISMISS, 0, 1);
    staff_login(h);
    const struct layout_box *enroll = layout_find(ui_layout(h->ui), ACT_STAFF_ENROLL, 0, 1);
    assert_non_null(enroll);
    if (enroll->flags & LAYOUT_DISABLED) {
        /* The core did not remember the card: reported, not the screen's fault. */
        print_message("kiosk_last_unknown_card() did not report the unknown card\n");
        fail();
    }
    harness_press(h, ACT_STAFF_ENROLL, 0, 1);
    harness_type(h, "astrid");
    assert_true(harness_shows(h, "Astrid Berg")); /* staff see full names */
    harness_press_text(h, "Astrid Berg");
    assert_int_equal(ui_current(h->ui), UI_STAFF);
    assert_true(harness_shows(h, "Kortet tilhører nå Astrid Berg"));
    /* Enrolled, the card cannot be enrolled again: the button says so. */
    enroll = layout_find(ui_layout(h->ui), ACT_STAFF_ENROLL, 0, 1);
    assert_non_null(enroll);
    assert_true(enroll->flags & LAYOUT_DISABLED);
    harness_press(h, ACT_STAFF_CLOSE, 0, 1);
    harness_card(h, UNKNOWN, DEMO_UID_LEN);
    assert_true(harness_shows(h, "Velkommen, Astrid B."));
}

/* Five wrong PINs make the pad wait, not lock for minutes: the roll call is
 * within reach, the waiting pad looks it, and guessing on gets slower. */
static void test_pin_pad_waits_after_five_wrong_tries_and_shows_it(void **state)
{
    struct harness *h = *state;
    h->options.pin_lock_ms = 400;
    assert_int_equal(harness_reopen_ui(h, 800, 480, 0, "nb"), 0);
    harness_press(h, ACT_STAFF_OPEN, 0, 1);
    for (int i = 0; i < 5; i++) {
        harness_press(h, ACT_PIN_DIGIT, 9, 0);
        harness_press(h, ACT_PIN_OK, 0, 1);
    }
    assert_true(harness_shows(h, "For mange mislykkede forsøk"));
    assert_true(harness_shows(h, "vent 1 sekund"));
    /* The waiting pad looks it: every key grey and disabled. */
    const struct layout_box *key = layout_find(ui_layout(h->ui), ACT_PIN_OK, 0, 1);
    assert_non_null(key);
    assert_true(key->flags & LAYOUT_DISABLED);
    assert_int_equal(key->bg, COLOUR_PAGE);
    harness_shot(h, "pin_waiting_800x480");
    /* Waiting: even the right PIN does nothing, and leaving does not reset it. */
    harness_press(h, ACT_BACK, 0, 1);
    harness_press(h, ACT_STAFF_OPEN, 0, 1);
    assert_true(harness_shows(h, "For mange mislykkede forsøk"));
    for (const char *p = HARNESS_PIN; *p; p++)
        harness_press(h, ACT_PIN_DIGIT, *p - '0', 0);
    harness_press(h, ACT_PIN_OK, 0, 1);
    assert_int_equal(ui_current(h->ui), UI_PIN);
    for (int waited = 0; waited < 3000 && harness_shows(h, "For mange"); waited += 50)
        harness_pump(h, 50);
    assert_false(harness_shows(h, "For mange"));
    assert_true(harness_shows(h, "Prøv igjen"));
    key = layout_find(ui_layout(h->ui), ACT_PIN_OK, 0, 1);
    assert_false(key->flags & LAYOUT_DISABLED);
    assert_int_equal(key->bg, COLOUR_PRIMARY);
    /* Another wrong PIN waits twice as long; the waits stop growing at four times. */
    harness_press(h, ACT_PIN_DIGIT, 9, 0);
    harness_press(h, ACT_PIN_OK, 0, 1);
    uint64_t left = h->ui->pin_locked_until_ms - SDL_GetTicks64();
    assert_true(left > 400 && left <= 800);
    assert_int_equal(screen_pin_wait_ms(h->ui, 4), 0);
    assert_int_equal(screen_pin_wait_ms(h->ui, 5), 400);
    assert_int_equal(screen_pin_wait_ms(h->ui, 7), 1600);
    assert_int_equal(screen_pin_wait_ms(h->ui, 50), 1600);
    for (int waited = 0; waited < 3000 && harness_shows(h, "For mange"); waited += 50)
        harness_pump(h, 50);
    /* After the wait, the right PIN opens staff mode. */
    for (const char *p = HARNESS_PIN; *p; p++)
        harness_press(h, ACT_PIN_DIGIT, *p - '0', 0);
    harness_press(h, ACT_PIN_OK, 0, 1);
    assert_int_equal(ui_current(h->ui), UI_STAFF);
    assert_int_equal(h->ui->pin_wrong, 0);
}

static void test_staff_mode_and_name_screen_go_home_when_left_alone(void **state)
{
    struct harness *h = *state;
    h->options.staff_idle_ms = 300;
    h->options.name_idle_ms = 200;
    assert_int_equal(harness_reopen_ui(h, 800, 480, 0, "nb"), 0);
    staff_login(h);
    harness_press(h, ACT_STAFF_MENU, UI_STAFF_PRESENT, 0);
    assert_true(wait_for(h, UI_HOME, 5000));
    /* Staff mode is closed: the staff button asks for the PIN again. */
    harness_press(h, ACT_STAFF_OPEN, 0, 1);
    assert_int_equal(ui_current(h->ui), UI_PIN);
    assert_true(wait_for(h, UI_HOME, 5000));
    harness_press(h, ACT_NAME_START, 0, 1);
    harness_type(h, "ka");
    assert_true(wait_for(h, UI_HOME, 5000));
}

static void test_roll_call_and_check_out_by_hand(void **state)
{
    struct harness *h = *state;
    harness_card(h, KARI, DEMO_UID_LEN);
    harness_card(h, OLA, DEMO_UID_LEN);
    harness_press(h, ACT_DISMISS, 0, 1);
    clock_fake_advance(&h->clock, INT64_C(10) * 60 * 1000000);
    staff_login(h);
    assert_true(harness_shows(h, "Hvem er her (2)"));
    harness_press(h, ACT_STAFF_MENU, UI_STAFF_PRESENT, 0);
    assert_true(harness_shows(h, "0 av 2 telt"));
    assert_true(harness_shows(h, "Kari Nordmann")); /* full names for the roll call */
    assert_true(harness_shows(h, "Ola Hansen"));
    assert_true(harness_shows(h, "10.15"));
    harness_press(h, ACT_BACK, 0, 1);
    harness_press(h, ACT_STAFF_MANUAL, 0, 1);
    harness_type(h, "ola");
    assert_true(harness_shows(h, "Ola Hansen"));
    assert_true(harness_shows(h, "her")); /* the chip beside the name */
    /* By hand too, nothing is recorded on one tap: staff are asked first. */
    harness_press_text(h, "Ola Hansen");
    assert_int_equal(ui_current(h->ui), UI_NAME_CONFIRM);
    assert_true(harness_shows(h, "Sjekke ut Ola Hansen nå?"));
    harness_press(h, ACT_NO, 0, 1);
    assert_int_equal(ui_current(h->ui), UI_NAME);
    assert_int_equal(kiosk_present_count(h->kiosk), 2);
    harness_press_text(h, "Ola Hansen");
    harness_press(h, ACT_YES, 0, 1);
    assert_true(harness_shows(h, "Ola Hansen er sjekket ut kl. 10.25"));
    assert_true(harness_shows(h, "Hvem er her (1)"));
    harness_press(h, ACT_STAFF_MANUAL, 0, 1);
    harness_type(h, "åse");
    harness_press_text(h, "Åse Ødegård");
    assert_true(harness_shows(h, "Sjekke inn Åse Ødegård nå?"));
    harness_press(h, ACT_YES, 0, 1);
    assert_true(harness_shows(h, "Åse Ødegård er sjekket inn kl. 10.25"));
    /* Åse has no signed agreement: she is on the compliance list now. */
    assert_true(harness_shows(h, "Mangler papirer i dag (1)"));
    harness_press(h, ACT_STAFF_MENU, UI_STAFF_COMPLIANCE, 0);
    assert_true(harness_shows(h, "Åse Ødegård"));
    assert_true(harness_shows(h, "taushetserklæring"));
}

/* Thirty people on site, one of them with a long double-barrelled name:
 * each gets a line (the long name two), sorted by given name as shown. */
static const char *const roll_people[30][2] = {
    {"Ingeborg Marie", "Kristiansen-Bjørnstad"},
    {"Anne", "Larsen"},
    {"Bente", "Olsen"},
    {"Berit", "Pedersen"},
    {"Eva", "Nilsen"},
    {"Frode", "Kristiansen"},
    {"Geir", "Jensen"},
    {"Hilde", "Karlsen"},
    {"Inger", "Johnsen"},
    {"Jorunn", "Pettersen"},
    {"Kjell", "Eriksen"},
    {"Laila", "Berg"},
    {"Magne", "Haugen"},
    {"Nina", "Hagen"},
    {"Odd", "Johannessen"},
    {"Randi", "Andreassen"},
    {"Sigrid", "Jacobsen"},
    {"Terje", "Dahl"},
    {"Unni", "Jørgensen"},
    {"Vidar", "Halvorsen"},
    {"Wenche", "Henriksen"},
    {"Øystein", "Lund"},
    {"Åsmund", "Sørensen"},
    {"Ragnhild", "Moen"},
    {"Torill", "Iversen"},
    {"Svein", "Strand"},
    {"Marianne", "Solberg"},
    {"Håkon", "Bakken"},
    {"Turid", "Rasmussen"},
    {"Æsa", "Kristoffersen"},
};

static void check_in_thirty(struct harness *h)
{
    struct store *store;
    char err[256];
    assert_int_equal(store_open(h->config.database, &store, err, sizeof err), 0);
    for (int i = 0; i < 30; i++) {
        struct volunteer v = {0};
        int change;
        snprintf(v.external_id, sizeof v.external_id, "R%03d", i);
        snprintf(v.given_name, sizeof v.given_name, "%s", roll_people[i][0]);
        snprintf(v.family_name, sizeof v.family_name, "%s", roll_people[i][1]);
        v.active = 1;
        snprintf(v.confidentiality_signed, sizeof v.confidentiality_signed, "2024-01-01");
        assert_int_equal(store_volunteer_upsert(store, &v, 0, &change), 0);
    }
    for (int i = 0; i < 30; i++) {
        char id[16];
        struct volunteer v;
        struct tap_result result;
        snprintf(id, sizeof id, "R%03d", i);
        assert_int_equal(store_volunteer_by_external_id(store, id, &v), 0);
        assert_true(kiosk_staff_set(h->kiosk, v.id, 1, 0, &result) >= 0);
    }
    store_close(store);
}

static int roll_rows_shown(struct harness *h)
{
    const struct layout *layout = ui_layout(h->ui);
    int rows = 0;
    for (int i = 0; i < layout->count; i++)
        rows += layout->box[i].action == ACT_ROLL_TICK;
    return rows;
}

static int roll_pages(struct harness *h, const char *shot)
{
    int pages = 1, seen = roll_rows_shown(h);
    char name[96];
    snprintf(name, sizeof name, "%s_p1", shot);
    assert_int_equal(harness_check(h, name), 0);
    harness_shot(h, name);
    const struct layout_box *next;
    while ((next = layout_find(ui_layout(h->ui), ACT_PAGE, 1, 0)) &&
           !(next->flags & LAYOUT_DISABLED) && pages < 20) {
        harness_press(h, ACT_PAGE, 1, 0);
        pages++;
        seen += roll_rows_shown(h);
        snprintf(name, sizeof name, "%s_p%d", shot, pages);
        assert_int_equal(harness_check(h, name), 0);
        harness_shot(h, name);
    }
    assert_int_equal(seen, 30);
    while (layout_find(ui_layout(h->ui), ACT_PAGE, -1, 0) && h->ui->page > 0)
        harness_press(h, ACT_PAGE, -1, 0);
    return pages;
}

static void test_roll_call_of_thirty_fits_two_pages_and_ticks_them_off(void **state)
{
    struct harness *h = *state;
    check_in_thirty(h);
    static const struct {
        int w, hgt;
        const char *lang;
        int max_pages;
    } sizes[] = {{800, 480, "nb", 2},  {800, 480, "nn", 2},  {800, 480, "en", 2},
                 {1280, 800, "nb", 2}, {1280, 800, "nn", 2}, {1280, 800, "en", 2},
                 {480, 800, "nb", 3},  {480, 800, "nn", 3},  {480, 800, "en", 3}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char shot[64];
        assert_int_equal(harness_reopen_ui(h, sizes[i].w, sizes[i].hgt, 0, sizes[i].lang), 0);
        staff_login(h);
        harness_press(h, ACT_STAFF_MENU, UI_STAFF_PRESENT, 0);
        assert_int_equal(ui_current(h->ui), UI_STAFF_PRESENT);
        snprintf(shot, sizeof shot, "roll_30_%dx%d_%s", sizes[i].w, sizes[i].hgt, sizes[i].lang);
        int pages = roll_pages(h, shot);
        print_message("%s: %d pages\n", shot, pages);
        assert_true(pages <= sizes[i].max_pages);
        /* Every name whole (the layout rules above), the long one too. */
        assert_true(harness_shows(h, "Anne Larsen"));
        harness_press(h, ACT_BACK, 0, 1);
        harness_press(h, ACT_STAFF_CLOSE, 0, 1);
    }

    /* Ticking at 800x480: a tap ticks, a second tap unticks; the count says so. */
    assert_int_equal(harness_reopen_ui(h, 800, 480, 0, "nb"), 0);
    staff_login(h);
    harness_press(h, ACT_STAFF_MENU, UI_STAFF_PRESENT, 0);
    assert_true(harness_shows(h, "0 av 30 telt"));
    /* Sorted by given name in Norwegian order: Anne first, Æsa, Øystein, Åsmund last. */
    assert_string_equal(h->ui->rows[0].title, "Anne Larsen");
    assert_string_equal(h->ui->rows[27].title, "Æsa Kristoffersen");
    assert_string_equal(h->ui->rows[28].title, "Øystein Lund");
    assert_string_equal(h->ui->rows[29].title, "Åsmund Sørensen");
    harness_press(h, ACT_ROLL_TICK, 0, 0);
    assert_true(harness_shows(h, "1 av 30 telt"));
    assert_true(h->ui->rows[0].ticked);
    harness_press(h, ACT_ROLL_TICK, 0, 0);
    assert_true(harness_shows(h, "0 av 30 telt"));
    harness_press(h, ACT_ROLL_TICK, 1, 0);
    harness_press(h, ACT_ROLL_TICK, 2, 0);
    harness_press(h, ACT_PAGE, 1, 0);
    int last = 29;
    assert_int_equal(harness_press(h, ACT_ROLL_TICK, last, 0), 0);
    assert_true(harness_shows(h, "3 av 30 telt"));
    harness_shot(h, "roll_30_800x480_nb_ticked");
    harness_press(h, ACT_PAGE, -1, 0);
    assert_true(harness_shows(h, "3 av 30 telt"));
    /* A card tapped meanwhile comes back to the list, ticks and all. */
    harness_card(h, KARI, DEMO_UID_LEN);
    assert_int_equal(ui_current(h->ui), UI_CONFIRM);
    harness_press(h, ACT_DISMISS, 0, 1);
    assert_int_equal(ui_current(h->ui), UI_STAFF_PRESENT);
    assert_true(harness_shows(h, "3 av 30 telt"));
    /* Leaving with ticks asks first; "stay" keeps them. */
    harness_press(h, ACT_BACK, 0, 1);
    assert_int_equal(ui_current(h->ui), UI_STAFF_PRESENT);
    assert_true(harness_shows(h, "3 personer er krysset av"));
    assert_int_equal(harness_check(h, "roll_leave_question"), 0);
    harness_shot(h, "roll_30_800x480_nb_leave");
    harness_press(h, ACT_NO, 0, 1);
    assert_true(harness_shows(h, "3 av 30 telt"));
    harness_press(h, ACT_BACK, 0, 1);
    harness_press(h, ACT_YES, 0, 1);
    assert_int_equal(ui_current(h->ui), UI_STAFF);
    /* Open again: a new count (31 with Kari). */
    harness_press(h, ACT_STAFF_MENU, UI_STAFF_PRESENT, 0);
    assert_true(harness_shows(h, "0 av 31 telt"));
    /* Without ticks, Back goes straight back. */
    harness_press(h, ACT_BACK, 0, 1);
    assert_int_equal(ui_current(h->ui), UI_STAFF);
}

/* Counting takes a while: with ticks the roll call does not close after
 * staff mode's minute (UI_ROLL_IDLE_MS), without ticks it does. */
static void test_roll_call_with_ticks_outlasts_the_staff_idle_minute(void **state)
{
    struct harness *h = *state;
    h->options.staff_idle_ms = 300;
    assert_int_equal(harness_reopen_ui(h, 800, 480, 0, "nb"), 0);
    harness_card(h, KARI, DEMO_UID_LEN);
    harness_press(h, ACT_DISMISS, 0, 1);
    staff_login(h);
    harness_press(h, ACT_STAFF_MENU, UI_STAFF_PRESENT, 0);
    harness_press(h, ACT_ROLL_TICK, 0, 0);
    assert_true(harness_shows(h, "1 av 1 telt"));
    for (int waited = 0; waited < 900; waited += 50)
        harness_pump(h, 50);
    assert_int_equal(ui_current(h->ui), UI_STAFF_PRESENT);
    harness_press(h, ACT_ROLL_TICK, 0, 0); /* no ticks left: the minute holds again */
    assert_true(wait_for(h, UI_HOME, 5000));
}

static void test_visit_closed_automatically_is_noticed_and_corrected(void **state)
{
    struct harness *h = *state;
    harness_card(h, OLA, DEMO_UID_LEN);
    harness_press(h, ACT_DISMISS, 0, 1);
    /* The harness closes visits after an hour; the sweep runs each minute. */
    clock_fake_advance(&h->clock, INT64_C(2) * 3600 * 1000000);
    harness_pump(h, 0);
    harness_pump(h, 0);
    staff_login(h);
    assert_true(harness_shows(h, "Avsluttet automatisk (1)"));
    harness_press(h, ACT_STAFF_MENU, UI_STAFF_REVIEW, 0);
    assert_true(harness_shows(h, "Ola Hansen"));
    harness_press(h, ACT_REVIEW_ITEM, 0, 0);
    assert_int_equal(ui_current(h->ui), UI_STAFF_REVIEW_EDIT);
    assert_true(harness_shows(h, "Når gikk Ola Hansen?"));
    harness_press(h, ACT_TIME_ADJUST, 15, 0);
    harness_press(h, ACT_SAVE, 0, 1);
    assert_int_equal(ui_current(h->ui), UI_STAFF);
    assert_true(harness_shows(h, "Ola Hansen: sluttid satt til"));
    assert_true(harness_shows(h, "Avsluttet automatisk (0)"));
    harness_press(h, ACT_STAFF_CLOSE, 0, 1);
    /* The volunteer is told the next time, kindly. */
    harness_card(h, OLA, DEMO_UID_LEN);
    assert_true(harness_shows(h, "Velkommen, Ola H."));
    assert_true(harness_shows(h, "Du ble sjekket ut automatisk i dag kl. 11.15"));
}

/* Ola comes, and after_us later (past the harness's hour) staff open the
 * review editor of the visit the sweep closed. */
static void review_closed_visit(struct harness *h, int64_t after_us)
{
    harness_card(h, OLA, DEMO_UID_LEN);
    harness_press(h, ACT_DISMISS, 0, 1);
    clock_fake_advance(&h->clock, after_us);
    harness_pump(h, 0);
    harness_pump(h, 0);
    staff_login(h);
    harness_press(h, ACT_STAFF_MENU, UI_STAFF_REVIEW, 0);
    assert_int_equal(harness_press(h, ACT_REVIEW_ITEM, 0, 0), 0);
    assert_int_equal(ui_current(h->ui), UI_STAFF_REVIEW_EDIT);
}

/* A visit closed with no end time: the editor proposes an end that can be
 * saved (not after now), says the right day, and saving it works. */
static void test_review_editor_proposes_an_end_that_can_be_saved(void **state)
{
    struct harness *h = *state;
    /* Closed after the harness's hour; at 11.25 "two hours after coming"
     * (12.15) would be in the future. */
    review_closed_visit(h, INT64_C(70) * 60 * 1000000);
    assert_true(h->ui->edit_end_us <= ui_now_us(h->ui));
    assert_true(h->ui->edit_end_us > h->ui->rows[0].start_us);
    char expected[64];
    struct tm end = ui_local(h->ui->edit_end_us);
    snprintf(expected, sizeof expected, "Gikk i dag kl. %02d.%02d", end.tm_hour, end.tm_min);
    assert_true(harness_shows(h, expected));
    harness_press(h, ACT_SAVE, 0, 1);
    assert_int_equal(ui_current(h->ui), UI_STAFF);
    assert_true(harness_shows(h, "Ola Hansen: sluttid satt til"));
    assert_false(harness_shows(h, "Ikke lagret"));
}

static void test_staff_add_change_and_remove_an_activity(void **state)
{
    struct harness *h = *state;
    staff_login(h);
    harness_press(h, ACT_STAFF_MENU, UI_STAFF_ACTIVITIES, 0);
    harness_press(h, ACT_ACTIVITY_ADD, 0, 1);
    assert_int_equal(ui_current(h->ui), UI_STAFF_ACTIVITY_EDIT);
    harness_press(h, ACT_FIELD, 0, 0);
    harness_type(h, "bingo");
    harness_press(h, ACT_TEXT_DONE, 0, 1);
    harness_press(h, ACT_FIELD, 1, 0);
    harness_type(h, "kantina");
    harness_press(h, ACT_TEXT_DONE, 0, 1);
    harness_press(h, ACT_START_ADJUST, 15, 0);
    harness_press(h, ACT_END_ADJUST, 15, 0);
    harness_press(h, ACT_END_ADJUST, 15, 0);
    harness_press(h, ACT_SAVE, 0, 1);
    assert_int_equal(ui_current(h->ui), UI_STAFF_ACTIVITIES);
    assert_true(harness_shows(h, "Lagret: Bingo"));
    assert_true(harness_shows(h, "11.15–12.30, Kantina"));
    int bingo = -1;
    for (int i = 0; i < h->ui->row_count; i++)
        if (!strcmp(h->ui->rows[i].title, "Bingo"))
            bingo = i;
    assert_true(bingo >= 0);
    harness_press(h, ACT_ACTIVITY_EDIT, bingo, 0);
    harness_press(h, ACT_START_ADJUST, -15, 0);
    harness_press(h, ACT_SAVE, 0, 1);
    assert_true(harness_shows(h, "11.00–12.30, Kantina"));
    /* "Fjern" asks first, and "Behold den" keeps it. */
    const struct layout_box *remove = layout_find(ui_layout(h->ui), ACT_ACTIVITY_REMOVE, bingo, 0);
    assert_non_null(remove);
    assert_int_equal(remove->bg, COLOUR_WHITE); /* not a red button beside "Endre" */
    harness_press(h, ACT_ACTIVITY_REMOVE, bingo, 0);
    assert_true(harness_shows(h, "Fjerne aktiviteten Bingo, 11.00–12.30, Kantina?"));
    assert_int_equal(harness_check(h, "remove_question"), 0);
    harness_shot(h, "remove_question_800x480");
    harness_press(h, ACT_NO, 0, 1);
    assert_true(harness_shows(h, "11.00–12.30, Kantina"));
    harness_press(h, ACT_ACTIVITY_REMOVE, bingo, 0);
    harness_press(h, ACT_YES, 0, 1);
    assert_true(harness_shows(h, "Fjernet: Bingo"));
    assert_false(harness_shows(h, "Kantina"));
}

static void test_staff_switch_language(void **state)
{
    struct harness *h = *state;
    staff_login(h);
    harness_press(h, ACT_STAFF_MENU, UI_STAFF_LANGUAGE, 0);
    harness_press(h, ACT_LANGUAGE, 1, 0);
    assert_true(harness_shows(h, "Norsk nynorsk"));
    harness_press(h, ACT_BACK, 0, 1);
    harness_press(h, ACT_STAFF_CLOSE, 0, 1);
    assert_true(harness_shows(h, "Hald kortet ditt her"));
    assert_true(harness_shows(h, "måndag 23. november"));
    ui_set_language(h->ui, "en");
    harness_pump(h, 0);
    assert_true(harness_shows(h, "Hold your card here"));
    assert_true(harness_shows(h, "Monday 23 November"));
}

static void test_touch_works_on_a_rotated_screen(void **state)
{
    struct harness *h = *state;
    h->use_touch = 1;
    for (int rotation = 0; rotation < 360; rotation += 90) {
        assert_int_equal(harness_reopen_ui(h, 800, 480, rotation, "nb"), 0);
        harness_press(h, ACT_NAME_START, 0, 1);
        assert_int_equal(ui_current(h->ui), UI_NAME);
        harness_type(h, "ka");
        assert_true(harness_shows(h, "Kari N."));
        harness_press(h, ACT_BACK, 0, 1);
        assert_int_equal(ui_current(h->ui), UI_HOME);
    }
    h->use_touch = 0;
}

static void test_a_finger_sliding_off_a_button_does_not_press_it(void **state)
{
    struct harness *h = *state;
    const struct layout_box *box = layout_find(ui_layout(h->ui), ACT_NAME_START, 0, 1);
    SDL_Event event;
    SDL_zero(event);
    event.type = SDL_MOUSEBUTTONDOWN;
    event.button.button = SDL_BUTTON_LEFT;
    event.button.x = box->x + 10;
    event.button.y = box->y + 10;
    SDL_PushEvent(&event);
    harness_pump(h, 0);
    event.type = SDL_MOUSEBUTTONUP;
    event.button.x = 2;
    event.button.y = 2;
    SDL_PushEvent(&event);
    harness_pump(h, 0);
    assert_int_equal(ui_current(h->ui), UI_HOME);
}

static void test_reader_state_is_shown(void **state)
{
    struct harness *h = *state;
    assert_true(harness_shows(h, "Kortleseren er klar"));
    ui_post_reader_state(h->ui, READER_DISCONNECTED);
    harness_pump(h, 0);
    assert_true(harness_shows(h, "Kortleseren virker ikke"));
    assert_true(harness_shows(h, "Kortleseren er ikke tilkoblet"));
    ui_post_reader_state(h->ui, READER_CONNECTED);
    harness_pump(h, 0);
    assert_true(harness_shows(h, "Hold kortet ditt her"));
}

static void test_idle_screen_draws_nothing(void **state)
{
    struct harness *h = *state;
    harness_pump(h, 50);
    uint64_t frames = ui_frames(h->ui);
    harness_pump(h, 700);
    assert_int_equal(ui_frames(h->ui), frames);
    /* The minute changes: one frame for the clock. */
    clock_fake_advance(&h->clock, INT64_C(60) * 1000000);
    harness_pump(h, 0);
    assert_int_equal(ui_frames(h->ui), frames + 1);
    assert_true(harness_shows(h, "10.16"));
}

/* Pushes two events from another thread, 150 ms from now. */
static void *push_later(void *arg)
{
    SDL_Event *events = arg;
    usleep(150 * 1000);
    SDL_PushEvent(&events[0]);
    SDL_PushEvent(&events[1]);
    return NULL;
}

/* Idle means asleep: the loop wakes for an event or a timer, never on a
 * clock of its own (it looked at input every 40 ms, 25 times a second). A
 * touch from another thread (SDL_PushEvent) is handled while it sleeps. */
static void test_the_idle_loop_sleeps_until_something_happens(void **state)
{
    struct harness *h = *state;
    /* The fake clock stands still: no minute, no timer falls due. */
    harness_pump(h, 50);
    uint64_t wakeups = h->ui->wakeups;
    ui_step(h->ui, 1000);
    assert_true(h->ui->wakeups - wakeups <= 2); /* the step's own end */
    const struct layout_box *button = layout_find(ui_layout(h->ui), ACT_NAME_START, 0, 1);
    assert_non_null(button);
    static SDL_Event touch[2];
    int w, hgt;
    ui_output_size(h->ui, &w, &hgt);
    for (int i = 0; i < 2; i++) {
        touch[i].type = i ? SDL_FINGERUP : SDL_FINGERDOWN;
        touch[i].tfinger.touchId = 1;
        touch[i].tfinger.x = (float)(button->x + button->w / 2) / (float)w;
        touch[i].tfinger.y = (float)(button->y + button->h / 2) / (float)hgt;
    }
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, push_later, touch), 0);
    ui_step(h->ui, 600);
    pthread_join(thread, NULL);
    assert_int_equal(ui_current(h->ui), UI_NAME);
}

static int demo_key_pressed = -1;
static void demo_key(void *user, int index)
{
    (void)user;
    demo_key_pressed = index;
}

static void test_demo_keys_reach_the_simulated_reader(void **state)
{
    struct harness *h = *state;
    h->ui->options.demo_key = demo_key;
    SDL_Event event;
    SDL_zero(event);
    event.type = SDL_KEYDOWN;
    event.key.keysym.sym = SDLK_F5;
    SDL_PushEvent(&event);
    harness_pump(h, 0);
    assert_int_equal(demo_key_pressed, 4);
}


/* The UI thread runs no SQL but the check-in commit: every read a screen
 * needs (and the minute's sweep, staff writes, the PIN) is the worker's,
 * on its own connection. Counted on the UI's connection, statement by
 * statement. */
static void test_the_screen_thread_runs_no_sql_but_the_check_in(void **state)
{
    struct harness *h = *state;
    kiosk_count_statements(h->kiosk, 1);
    clock_fake_advance(&h->clock, INT64_C(61) * 1000000); /* the minute's sweep */
    harness_pump(h, 0);
    harness_press(h, ACT_NAME_START, 0, 1);
    harness_type(h, "kari");
    assert_true(harness_shows(h, "Kari N."));
    harness_press_text(h, "Kari N.");
    assert_int_equal(ui_current(h->ui), UI_NAME_CONFIRM);
    harness_press(h, ACT_NO, 0, 1);
    harness_press(h, ACT_BACK, 0, 1);
    staff_login(h);
    static const enum ui_screen lists[] = {UI_STAFF_PRESENT, UI_STAFF_REVIEW,
                                           UI_STAFF_COMPLIANCE, UI_STAFF_ACTIVITIES};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        assert_int_equal(harness_press(h, ACT_STAFF_MENU, lists[i], 0), 0);
        assert_int_equal(ui_current(h->ui), lists[i]);
        harness_press(h, ACT_BACK, 0, 1);
        assert_int_equal(ui_current(h->ui), UI_STAFF);
    }
    harness_press(h, ACT_STAFF_CLOSE, 0, 1);
    assert_int_equal(kiosk_count_statements(h->kiosk, 1), 0);
    /* The check-in itself is this thread's: counted, so the count works. */
    harness_card(h, KARI, DEMO_UID_LEN);
    assert_true(harness_shows(h, "Velkommen, Kari N."));
    assert_true(kiosk_count_statements(h->kiosk, 0) > 0);
}

/* A job that holds the worker until the test lets go: a disk that hangs. */
struct stuck_job {
    struct ui_job job;
    pthread_mutex_t *lock;
};

static void stuck_run(struct kiosk *kiosk, struct ui_job *job)
{
    (void)kiosk;
    struct stuck_job *j = (struct stuck_job *)job;
    pthread_mutex_lock(j->lock);
    pthread_mutex_unlock(j->lock);
}

static void test_taps_work_while_the_worker_is_stuck(void **state)
{
    struct harness *h = *state;
    static pthread_mutex_t disk = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&disk);
    struct stuck_job *stuck = calloc(1, sizeof *stuck);
    stuck->job.run = stuck_run;
    stuck->lock = &disk;
    ui_submit(h->ui, &stuck->job);
    h->no_settle = 1;

    /* The PIN waits its turn on the worker, and the pad says so. */
    harness_press(h, ACT_STAFF_OPEN, 0, 1);
    for (const char *p = HARNESS_PIN; *p; p++)
        harness_press(h, ACT_PIN_DIGIT, *p - '0', 0);
    harness_press(h, ACT_PIN_OK, 0, 1);
    harness_pump(h, 50);
    assert_int_equal(ui_current(h->ui), UI_PIN);
    assert_true(harness_shows(h, "Kontrollerer PIN"));
    /* A card is recorded and welcomed all the same. */
    uint64_t frames = ui_frames(h->ui);
    harness_card(h, KARI, DEMO_UID_LEN);
    assert_int_equal(ui_current(h->ui), UI_CONFIRM);
    assert_true(harness_shows(h, "Velkommen, Kari N."));
    assert_true(ui_frames(h->ui) > frames);

    pthread_mutex_unlock(&disk);
    h->no_settle = 0;
    harness_pump(h, 0);
    /* The PIN's answer came after the screen had moved on: it opens
     * nothing behind the volunteer's back. */
    assert_int_equal(ui_current(h->ui), UI_CONFIRM);
    harness_press(h, ACT_DISMISS, 0, 1);
    assert_int_equal(ui_current(h->ui), UI_HOME);
    assert_true(harness_shows(h, "1 frivillig er her nå"));
}

/* The picture painted bit by bit (only what changed) equals the picture
 * painted whole, pixel for pixel. */
static void assert_same_as_painted_whole(struct harness *h, const char *what)
{
    int w, hgt;
    char err[256];
    ui_output_size(h->ui, &w, &hgt);
    size_t size = (size_t)w * (size_t)hgt * 3;
    unsigned char *parts = malloc(size), *whole = malloc(size);
    assert_non_null(parts);
    assert_non_null(whole);
    assert_int_equal(ui_capture(h->ui, parts, err, sizeof err), 0);
    assert_int_equal(ui_damage(h->ui), 0); /* nothing changed since the last frame */
    ui_repaint_all(h->ui);
    assert_int_equal(ui_capture(h->ui, whole, err, sizeof err), 0);
    assert_int_equal(ui_damage(h->ui), (int64_t)w * hgt);
    size_t differ = 0;
    for (size_t i = 0; i < size; i++)
        differ += parts[i] != whole[i];
    if (differ)
        print_message("%s: %zu bytes differ from the picture painted whole\n", what, differ);
    assert_int_equal(differ, 0);
    free(parts);
    free(whole);
}

static void test_only_what_changed_is_repainted(void **state)
{
    struct harness *h = *state;
    for (int rotation = 0; rotation <= 90; rotation += 90) {
        assert_int_equal(harness_reopen_ui(h, 800, 480, rotation, "nb"), 0);
        int64_t all = 800 * 480;
        harness_pump(h, 0);
        /* The minute: the clock's box, a few percent of the screen. */
        clock_fake_advance(&h->clock, INT64_C(60) * 1000000);
        harness_pump(h, 0);
        assert_true(harness_shows(h, "10.1"));
        int64_t clock = ui_damage(h->ui);
        print_message("rotation %d: the minute repainted %.1f %% of the screen\n", rotation,
                      100.0 * (double)clock / (double)all);
        assert_true(clock > 0);
        assert_true(clock * 20 < all);
        assert_same_as_painted_whole(h, "the minute");
        /* The upload's status line. */
        struct ui_upload_status status = {.configured = 1, .online = 1,
                                          .last_success_us = HARNESS_START_US + 60000000};
        ui_post_upload_status(h->ui, &status);
        harness_pump(h, 0);
        assert_true(ui_damage(h->ui) > 0);
        assert_true(ui_damage(h->ui) * 4 < all);
        assert_same_as_painted_whole(h, "the status line");
        /* A finger on the name button: that button darker, nothing else. */
        const struct layout_box *button = layout_find(ui_layout(h->ui), ACT_NAME_START, 0, 1);
        assert_non_null(button);
        int64_t area = (int64_t)button->w * button->h;
        SDL_Event down;
        SDL_zero(down);
        down.type = SDL_MOUSEBUTTONDOWN;
        down.button.button = SDL_BUTTON_LEFT;
        down.button.state = SDL_PRESSED;
        int x = button->x + button->w / 2, y = button->y + button->h / 2;
        down.button.x = rotation ? ui_layout(h->ui)->h - 1 - y : x;
        down.button.y = rotation ? x : y;
        SDL_PushEvent(&down);
        harness_pump(h, 0);
        assert_int_equal(ui_damage(h->ui), area);
        assert_same_as_painted_whole(h, "a pressed button");
        /* Another screen: all of it. */
        SDL_Event up = down;
        up.type = SDL_MOUSEBUTTONUP;
        up.button.state = SDL_RELEASED;
        SDL_PushEvent(&up);
        harness_pump(h, 0);
        assert_int_equal(ui_current(h->ui), UI_NAME);
        assert_int_equal(ui_damage(h->ui), all);
        harness_type(h, "ka");
        assert_same_as_painted_whole(h, "typing on the name screen");
    }
}

/* A database restored from a backup at start: the screen says so until
 * staff have seen it, also across a restart of the program. */
static void test_a_restore_shows_until_staff_have_seen_it(void **state)
{
    struct harness *h = *state;
    assert_int_equal(kiosk_recovery_record(h->kiosk, HARNESS_START_US - INT64_C(7) * 3600 * 1000000,
                                           0),
                     0);
    assert_int_equal(harness_reopen_ui(h, 800, 480, 0, "nb"), 0);
    assert_true(harness_shows(h, "Gjenopprettet fra sikkerhetskopi"));
    staff_login(h);
    assert_true(harness_shows(h, "Gjenopprettet fra kopi i dag kl. 03.15"));
    assert_int_equal(harness_press(h, ACT_RECOVERY_SEEN, 0, 1), 0);
    assert_int_equal(ui_current(h->ui), UI_STAFF);
    assert_false(harness_shows(h, "Gjenopprettet"));
    harness_press(h, ACT_STAFF_CLOSE, 0, 1);
    assert_false(harness_shows(h, "Gjenopprettet"));
    assert_int_equal(harness_reopen_ui(h, 800, 480, 0, "nb"), 0);
    assert_false(harness_shows(h, "Gjenopprettet"));
    assert_true(harness_shows(h, "Kortleseren er klar"));
}

/* Records a restore with the given fetch state straight in the store, as
 * main and the uploader (another connection) would. */
static void restore_with_fetch(struct harness *h, int fetch_state, int64_t fetched)
{
    struct store *store;
    char err[600];
    assert_int_equal(store_open(h->config.database, &store, err, sizeof err), 0);
    struct kiosk_recovery r = {.at_us = HARNESS_START_US,
                               .backup_us = HARNESS_START_US - INT64_C(7) * 3600 * 1000000,
                               .fetch_state = fetch_state};
    assert_int_equal(store_recovery_record(store, &r), 0);
    if (fetched >= 0) {
        assert_int_equal(store_begin(store), 0);
        assert_int_equal(store_recovery_progress(store, "c1", fetched, 1), 0);
        assert_int_equal(store_commit(store), 0);
    }
    store_close(store);
}

/* The staff menu says whole, at the smallest size and in every language,
 * what the fetch from the central has brought back. */
static void test_the_staff_menu_tells_what_the_fetch_brought_back(void **state)
{
    struct harness *h = *state;
    static const struct {
        const char *lang, *pending, *none, *one, *many;
    } says[] = {
        {"nb", "Gjenopprettet fra kopi i dag kl. 03.15. Henter fra sentralen …",
         "Hendelser etter kopien kan mangle", "1 hendelse hentet fra sentralen",
         "1234 hendelser hentet fra sentralen"},
        {"nn", "Gjenoppretta frå kopi i dag kl. 03.15. Hentar frå sentralen …",
         "Hendingar etter kopien kan mangle", "1 hending henta frå sentralen",
         "1234 hendingar henta frå sentralen"},
        {"en", "Restored: backup of today 03:15. Fetching from the central …",
         "Events after it may be missing", "1 event fetched from the central",
         "1234 events fetched from the central"},
    };
    for (size_t i = 0; i < sizeof says / sizeof says[0]; i++) {
        const struct {
            int state;
            int64_t fetched;
            const char *text;
        } cases[] = {{KIOSK_FETCH_PENDING, -1, says[i].pending},
                     {KIOSK_FETCH_NONE, -1, says[i].none},
                     {KIOSK_FETCH_PENDING, 1, says[i].one},
                     {KIOSK_FETCH_PENDING, 1234, says[i].many}};
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            restore_with_fetch(h, cases[c].state, cases[c].fetched);
            assert_int_equal(harness_reopen_ui(h, 800, 480, 0, says[i].lang), 0);
            staff_login(h);
            if (!harness_shows(h, cases[c].text))
                fail_msg("%s: the staff menu does not show \"%s\" whole", says[i].lang,
                         cases[c].text);
        }
    }
}

/* The uploader fetches back while staff look at the menu: when it tells
 * the screen of its run, the count appears without leaving the menu. */
static void test_the_fetch_count_appears_when_the_uploader_reports(void **state)
{
    struct harness *h = *state;
    restore_with_fetch(h, KIOSK_FETCH_PENDING, -1);
    assert_int_equal(harness_reopen_ui(h, 800, 480, 0, "nb"), 0);
    struct ui_upload_status status = {.configured = 1, .online = 0, .waiting = 3};
    ui_post_upload_status(h->ui, &status);
    staff_login(h);
    assert_true(harness_shows(h, "Henter fra sentralen"));

    struct store *store;
    char err[600];
    assert_int_equal(store_open(h->config.database, &store, err, sizeof err), 0);
    assert_int_equal(store_begin(store), 0);
    assert_int_equal(store_recovery_progress(store, "c9", 42, 1), 0);
    assert_int_equal(store_commit(store), 0);
    store_close(store);
    harness_pump(h, 0);
    assert_false(harness_shows(h, "42 hendelser")); /* nothing told the screen yet */
    status.online = 1;
    status.last_success_us = HARNESS_START_US;
    ui_post_upload_status(h->ui, &status);
    harness_pump(h, 0);
    assert_int_equal(ui_current(h->ui), UI_STAFF);
    assert_true(harness_shows(h, "42 hendelser hentet fra sentralen"));
}

/* Someone leaving without a card finds the way out on the home screen, and
 * the goodbye gives the time as the welcome does; "Kari N." is kept on one
 * line by a no-break space. */
static void test_check_out_is_offered_by_name_and_says_the_time(void **state)
{
    struct harness *h = *state;
    assert_true(harness_shows(h, "Sjekk inn eller ut med navn"));
    harness_card(h, KARI, DEMO_UID_LEN);
    assert_non_null(layout_find_text(ui_layout(h->ui), "Kari\xC2\xA0N."));
    clock_fake_advance(&h->clock, INT64_C(15) * 60 * 1000000);
    harness_card(h, KARI, DEMO_UID_LEN);
    assert_true(harness_shows(h, "Du er sjekket ut kl. 10.30"));
    assert_non_null(layout_find_text(ui_layout(h->ui), "Ha det, Kari\xC2\xA0N."));
}

/* Staff look for somebody else: the hint does not say "your name". */
static void test_staff_search_hint_is_not_about_your_name(void **state)
{
    struct harness *h = *state;
    staff_login(h);
    harness_press(h, ACT_STAFF_MANUAL, 0, 1);
    assert_true(harness_shows(h, "Skriv minst to bokstaver av navnet"));
    assert_false(harness_shows(h, "navnet ditt"));
}

/* At 03.00 the night watch (last of the day's four) is running: it and the
 * next are listed, and what does not fit is counted. */
static void test_home_lists_the_activity_running_now_and_counts_the_rest(void **state)
{
    struct harness *h = *state;
    clock_fake_advance(&h->clock, -(INT64_C(7) * 3600 + 15 * 60) * 1000000); /* 03.00 */
    harness_pump(h, 100);
    harness_pump(h, 100);
    assert_int_equal(ui_current(h->ui), UI_HOME);
    assert_true(harness_shows(h, "Nattevakt"));
    assert_true(harness_shows(h, "Frokostklubb"));
    assert_true(harness_shows(h, "og 2 til"));
}

/* The core forgets an unknown card after 5 minutes. Staff choosing the
 * name just then are told on the menu, in their language, as it happens,
 * not left with a failed write (or sent home); holding the card again
 * makes it enrollable, and the name typed stays. */
static void test_unknown_card_forgotten_while_staff_enroll_is_said(void **state)
{
    struct harness *h = *state;
    harness_card(h, UNKNOWN, DEMO_UID_LEN);
    harness_press(h, ACT_DISMISS, 0, 1);
    clock_fake_advance(&h->clock, INT64_C(270) * 1000000); /* 10.19.30 */
    staff_login(h);
    assert_int_equal(harness_press(h, ACT_STAFF_ENROLL, 0, 1), 0);
    harness_type(h, "astrid");
    assert_true(harness_shows(h, "Astrid Berg"));
    clock_fake_advance(&h->clock, INT64_C(31) * 1000000); /* 5 minutes and 1 s after the tap */
    harness_pump(h, 50);
    assert_int_equal(ui_current(h->ui), UI_STAFF);
    assert_true(harness_shows(h, "Kortet er glemt"));
    assert_true(harness_shows(h, "etter 5 minutter: hold det mot leseren igjen"));
    const struct layout_box *enroll = layout_find(ui_layout(h->ui), ACT_STAFF_ENROLL, 0, 1);
    assert_non_null(enroll);
    assert_true(enroll->flags & LAYOUT_DISABLED);
    assert_int_equal(harness_check(h, "forgotten card"), 0);
    harness_shot(h, "staff_card_forgotten_800x480");

    /* Held again from the menu: the confirmation, then the menu read again. */
    harness_card(h, UNKNOWN, DEMO_UID_LEN);
    assert_int_equal(ui_current(h->ui), UI_CONFIRM);
    harness_press(h, ACT_DISMISS, 0, 1);
    assert_true(wait_for(h, UI_STAFF, 2000));
    assert_false(harness_shows(h, "Kortet er glemt"));
    enroll = layout_find(ui_layout(h->ui), ACT_STAFF_ENROLL, 0, 1);
    assert_non_null(enroll);
    assert_false(enroll->flags & LAYOUT_DISABLED);

    /* Held while the name screen is open: back to it, the name still there. */
    harness_press(h, ACT_STAFF_ENROLL, 0, 1);
    harness_type(h, "astrid");
    clock_fake_advance(&h->clock, INT64_C(250) * 1000000);
    harness_card(h, UNKNOWN, DEMO_UID_LEN);
    harness_press(h, ACT_DISMISS, 0, 1);
    assert_int_equal(ui_current(h->ui), UI_NAME);
    clock_fake_advance(&h->clock, INT64_C(100) * 1000000); /* past the first hold's 5 minutes */
    harness_pump(h, 50);
    assert_int_equal(ui_current(h->ui), UI_NAME);
    harness_press_text(h, "Astrid Berg");
    assert_int_equal(ui_current(h->ui), UI_STAFF);
    assert_true(harness_shows(h, "Kortet tilhører nå Astrid Berg"));
}

/* No English on a Norwegian screen: the core's reasons (kiosk_errmsg,
 * English, for the log) reach people as the catalogues' words. Walks the
 * error paths in nb and nn: a tap not recorded, of every kind of error; a
 * card enrolled elsewhere (tilstedectl) while staff enroll it here; an end
 * in the future after the clock went back; a visit corrected elsewhere while
 * staff correct it here; a language that cannot be saved in the settings. */
static void expect_no_english(struct harness *h, const char *lang, const char *what,
                              const char *core_message)
{
    char found[600];
    if (harness_english(h, core_message, found, sizeof found)) {
        print_message("%s, %s: English on the screen: %s\n", lang, what, found);
        fail();
    }
}

static void test_no_english_on_error_paths_in_nb_and_nn(void **state)
{
    struct harness *h = *state;
    static const char *const langs[] = {"nb", "nn"};
    for (int l = 0; l < 2; l++) {
        const char *lang = langs[l];
        char what[64];
        assert_int_equal(harness_reopen_ui(h, 800, 480, 0, lang), 0);

        /* A tap that was not recorded, for each kind the core has. */
        for (int kind = KIOSK_ERR_OTHER; kind < KIOSK_ERR_COUNT; kind++) {
            struct tap_result r;
            memset(&r, 0, sizeof r);
            r.outcome = TAP_FAILED;
            r.error = (enum kiosk_error)kind;
            snprintf(r.message, sizeof r.message, "recording an event: database is locked");
            ui_show_result(h->ui, &r);
            harness_pump(h, 0);
            assert_true(harness_shows(h, screen_error_text(h->ui, r.error) + 1));
            snprintf(what, sizeof what, "a failed tap of kind %d", kind);
            expect_no_english(h, lang, what, "database is locked");
        }
        harness_press(h, ACT_DISMISS, 0, 1);

        /* Enrolled from tilstedectl while staff choose the name here. */
        uint8_t card[DEMO_UID_LEN] = {0x04, 0x5A, 0x6B, 0x7C, 0x8D, 0x9E, (uint8_t)l};
        harness_card(h, card, sizeof card);
        harness_press(h, ACT_DISMISS, 0, 1);
        staff_login(h);
        struct volunteer marit;
        assert_int_equal(kiosk_volunteer_by_external_id(h->kiosk, "D013", &marit), 0);
        assert_int_equal(kiosk_enroll_uid(h->kiosk, marit.id, card, sizeof card), 0);
        assert_int_equal(harness_press(h, ACT_STAFF_ENROLL, 0, 1), 0);
        harness_type(h, "astrid");
        harness_press_text(h, "Astrid Berg");
        assert_int_equal(ui_current(h->ui), UI_STAFF);
        assert_true(
            harness_shows(h, l ? "Kortet vart ikkje registrert" : "Kortet ble ikke registrert"));
        expect_no_english(h, lang, "a card enrolled meanwhile", "no unknown card");
        harness_press(h, ACT_STAFF_CLOSE, 0, 1);

        /* A visit closed automatically (the harness's hour), corrected. */
        review_closed_visit(h, INT64_C(2) * 3600 * 1000000);
        /* The clock put back 90 minutes (a wrong clock corrected): the
         * proposed end is now in the future, and the core says so. */
        clock_fake_advance(&h->clock, -INT64_C(90) * 60 * 1000000);
        harness_press(h, ACT_SAVE, 0, 1);
        assert_true(harness_shows(h, l ? "fram i tid" : "fram i tid"));
        expect_no_english(h, lang, "an end in the future", "the end cannot be in the future");
        clock_fake_advance(&h->clock, INT64_C(90) * 60 * 1000000);
        /* Corrected by someone else meanwhile. */
        harness_press(h, ACT_STAFF_MENU, UI_STAFF_REVIEW, 0);
        assert_int_equal(harness_press(h, ACT_REVIEW_ITEM, 0, 0), 0);
        assert_int_equal(
            kiosk_correct_end(h->kiosk, h->ui->rows[h->ui->edit_index].key, h->ui->edit_end_us), 0);
        harness_press(h, ACT_SAVE, 0, 1);
        assert_true(harness_shows(h, l ? "ventar ikkje lenger" : "venter ikke lenger"));
        expect_no_english(h, lang, "a visit corrected meanwhile", "awaits review");

        /* The language chosen, the settings file not writable. */
        struct config *config = (struct config *)kiosk_config(h->kiosk);
        char saved_path[sizeof config->path];
        snprintf(saved_path, sizeof saved_path, "%s", config->path);
        snprintf(config->path, sizeof config->path, "%s", "/nonexistent/tilstede.conf");
        harness_press(h, ACT_STAFF_MENU, UI_STAFF_LANGUAGE, 0);
        harness_press(h, ACT_LANGUAGE, l, 0);
        snprintf(config->path, sizeof config->path, "%s", saved_path);
        assert_true(harness_shows(h, l ? "innstillingsfila" : "innstillingsfila"));
        expect_no_english(h, lang, "a language not saved", "nonexistent");
        assert_int_equal(harness_check(h, "language not saved"), 0);
        harness_shot(h, l ? "language_not_saved_800x480_nn" : "language_not_saved_800x480");
        harness_press(h, ACT_BACK, 0, 1);
        harness_press(h, ACT_STAFF_CLOSE, 0, 1);
    }
}

#define FLOW(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    harness_environment();
    const struct CMUnitTest tests[] = {
        FLOW(test_card_tap_welcomes_then_goes_home_by_itself),
        FLOW(test_next_tap_works_while_a_confirmation_shows),
        FLOW(test_name_check_in_shows_matches_after_two_letters_and_asks_first),
        FLOW(test_real_keyboard_types_names_and_escape_goes_home),
        FLOW(test_unknown_card_is_noticed_and_staff_enroll_it),
        FLOW(test_unknown_card_forgotten_while_staff_enroll_is_said),
        FLOW(test_no_english_on_error_paths_in_nb_and_nn),
        FLOW(test_pin_pad_waits_after_five_wrong_tries_and_shows_it),
        FLOW(test_staff_mode_and_name_screen_go_home_when_left_alone),
        FLOW(test_roll_call_and_check_out_by_hand),
        FLOW(test_roll_call_of_thirty_fits_two_pages_and_ticks_them_off),
        FLOW(test_roll_call_with_ticks_outlasts_the_staff_idle_minute),
        FLOW(test_visit_closed_automatically_is_noticed_and_corrected),
        FLOW(test_review_editor_proposes_an_end_that_can_be_saved),
        FLOW(test_staff_add_change_and_remove_an_activity),
        FLOW(test_staff_switch_language),
        FLOW(test_touch_works_on_a_rotated_screen),
        FLOW(test_a_finger_sliding_off_a_button_does_not_press_it),
        FLOW(test_reader_state_is_shown),
        FLOW(test_idle_screen_draws_nothing),
        FLOW(test_the_idle_loop_sleeps_until_something_happens),
        FLOW(test_demo_keys_reach_the_simulated_reader),
        FLOW(test_the_screen_thread_runs_no_sql_but_the_check_in),
        FLOW(test_taps_work_while_the_worker_is_stuck),
        FLOW(test_only_what_changed_is_repainted),
        FLOW(test_a_restore_shows_until_staff_have_seen_it),
        FLOW(test_the_staff_menu_tells_what_the_fetch_brought_back),
        FLOW(test_the_fetch_count_appears_when_the_uploader_reports),
        FLOW(test_check_out_is_offered_by_name_and_says_the_time),
        FLOW(test_staff_search_hint_is_not_about_your_name),
        FLOW(test_home_lists_the_activity_running_now_and_counts_the_rest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
