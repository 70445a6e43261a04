/* The UI's pure parts: translations and Norwegian dates, text fitting and
 * the layout rules, the on-screen keyboard, touch rotation, the font's
 * coverage. No window. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <SDL.h>
#include <SDL_ttf.h>

#include "i18n.h"
#include "layout.h"
#include "osk.h"
#include "test_ui_harness.h"
#include "text.h"

/* Compares with no-break spaces read as spaces. */
#define assert_reads(actual, expected)                                                             \
    do {                                                                                           \
        char flat_[512];                                                                           \
        harness_flatten((actual), flat_, sizeof flat_);                                            \
        assert_string_equal(flat_, (expected));                                                    \
    } while (0)

static struct tm day(int year, int month, int mday, int hour, int minute)
{
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = mday;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_isdst = -1;
    mktime(&tm);
    return tm;
}

static struct i18n *open_lang(const char *lang)
{
    struct i18n *tr;
    char err[256];
    int rc = i18n_open(TILSTEDE_TEST_LOCALE, lang, &tr, err, sizeof err);
    if (rc < 0)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, 0);
    return tr;
}

static void test_dates_are_written_the_norwegian_way(void **state)
{
    (void)state;
    struct i18n *nb = open_lang("nb"), *nn = open_lang("nn"), *en = open_lang("en");
    struct tm tm = day(2026, 11, 23, 14, 30);
    char out[128];
    i18n_date(nb, &tm, out, sizeof out);
    assert_reads(out, "mandag 23. november");
    i18n_date(nn, &tm, out, sizeof out);
    assert_reads(out, "måndag 23. november");
    i18n_date(en, &tm, out, sizeof out);
    assert_reads(out, "Monday 23 November");
    i18n_time(nb, &tm, out, sizeof out);
    assert_reads(out, "14.30");
    i18n_time(en, &tm, out, sizeof out);
    assert_reads(out, "14:30");
    struct tm morning = day(2026, 11, 1, 7, 5);
    i18n_time(nb, &morning, out, sizeof out);
    assert_reads(out, "07.05");
    i18n_date(nb, &morning, out, sizeof out);
    assert_reads(out, "søndag 1. november");
    i18n_close(nb);
    i18n_close(nn);
    i18n_close(en);
}

static void test_durations_and_relative_days(void **state)
{
    (void)state;
    struct i18n *nb = open_lang("nb");
    char out[128];
    i18n_duration(nb, 2 * 3600 + 15 * 60, out, sizeof out);
    assert_reads(out, "2 timer og 15 minutter");
    i18n_duration(nb, 3600, out, sizeof out);
    assert_reads(out, "1 time");
    i18n_duration(nb, 60, out, sizeof out);
    assert_reads(out, "1 minutt");
    i18n_duration(nb, 45 * 60 + 10, out, sizeof out);
    assert_reads(out, "45 minutter");
    struct tm now = day(2026, 11, 23, 10, 0), yesterday = day(2026, 11, 22, 23, 0);
    i18n_relative_day(nb, &yesterday, &now, out, sizeof out);
    assert_reads(out, "i går");
    i18n_relative_day(nb, &now, &now, out, sizeof out);
    assert_reads(out, "i dag");
    struct tm earlier = day(2026, 11, 20, 23, 0);
    i18n_relative_day(nb, &earlier, &now, out, sizeof out);
    assert_reads(out, "fredag 20. november");
    /* Across the switch from summer time: still "yesterday". */
    struct tm before = day(2026, 10, 24, 23, 0), after = day(2026, 10, 25, 9, 0);
    i18n_relative_day(nb, &before, &after, out, sizeof out);
    assert_reads(out, "i går");
    i18n_close(nb);
}

static void test_the_issue_sentences_read_as_written(void **state)
{
    (void)state;
    struct i18n *nb = open_lang("nb");
    char out[256];
    assert_string_equal(T(nb, "Hold your card here"), "Hold kortet ditt her");
    assert_string_equal(T(nb, "Check in or out with your name"), "Sjekk inn eller ut med navn");
    assert_string_equal(T(nb, "This card is not registered – ask a member of staff"),
                        "Kortet er ikke registrert – spør en ansatt");
    i18n_fill(out, sizeof out, T(nb, "Welcome, {name}"), "name", "Kari N.", I18N_END);
    assert_reads(out, "Velkommen, Kari N.");
    i18n_fill(out, sizeof out, T(nb, "Goodbye, {name}"), "name", "Kari N.", I18N_END);
    assert_reads(out, "Ha det, Kari N.");
    i18n_fill(out, sizeof out,
              T(nb, "You were checked out automatically {when} at {time} – tell a member of "
                    "staff if that was wrong"),
              "when", "i går", "time", "23.00", I18N_END);
    assert_reads(out, "Du ble sjekket ut automatisk i går kl. 23.00 – si fra til en "
                      "ansatt om det ble feil");
    assert_reads(TN(nb, "{n} volunteer here now", "{n} volunteers here now", 1),
                 "{n} frivillig er her nå");
    assert_reads(TN(nb, "{n} volunteer here now", "{n} volunteers here now", 5),
                 "{n} frivillige er her nå");
    i18n_close(nb);
}

/* The wordings people found stilted or wrong, in bokmål and nynorsk alike. */
static void test_the_words_read_naturally_in_bokmal_and_nynorsk(void **state)
{
    (void)state;
    struct i18n *nb = open_lang("nb"), *nn = open_lang("nn");
    char out[256];
    i18n_duration(nb, 20, out, sizeof out);
    assert_reads(out, "under ett minutt");
    i18n_duration(nn, 20, out, sizeof out);
    assert_reads(out, "under eitt minutt");
    i18n_fill(out, sizeof out, T(nb, "Check out {name}?"), "name", "Åse Ø.", I18N_END);
    assert_reads(out, "Vil du sjekke ut, Åse Ø.?");
    i18n_fill(out, sizeof out, T(nn, "Check out {name}?"), "name", "Åse Ø.", I18N_END);
    assert_reads(out, "Vil du sjekke ut, Åse Ø.?");
    /* Nothing is recorded yet when the activity is asked for: no welcome. */
    i18n_fill(out, sizeof out, T(nb, "What will you be doing today, {name}?"), "name", "Per Æ.",
              I18N_END);
    assert_reads(out, "Per Æ., hva skal du være med på i dag?");
    assert_reads(T(nb, "Welcome to your first visit!"), "Velkommen til ditt første besøk!");
    assert_reads(T(nn, "Welcome to your first visit!"), "Velkomen til ditt første besøk!");
    assert_non_null(strstr(TN(nb, "Too many wrong tries. The pad is locked: wait {n} second.",
                              "Too many wrong tries. The pad is locked: wait {n} seconds.", 30),
                           "mislykkede"));
    assert_non_null(strstr(TN(nn, "Too many wrong tries. The pad is locked: wait {n} second.",
                              "Too many wrong tries. The pad is locked: wait {n} seconds.", 30),
                           "mislukka"));
    assert_reads(T(nn, "Check in or out with your name"), "Sjekk inn eller ut med namn");
    i18n_close(nn);
    i18n_close(nb);
}

static void test_fill_never_overflows_nor_cuts_a_letter(void **state)
{
    (void)state;
    char out[8];
    size_t want = i18n_fill(out, sizeof out, "{a} og {b}", "a", "ææææ", "b", "x", I18N_END);
    assert_true(want > sizeof out);
    assert_reads(out, "æææ"); /* 6 bytes; the 4th æ would not fit whole */
    i18n_fill(out, sizeof out, "{x}{y}", "x", "1", I18N_END);
    assert_reads(out, "1{y}");
}

static void test_a_missing_catalogue_is_an_error_but_english_works_without(void **state)
{
    (void)state;
    struct i18n *tr;
    char err[256];
    assert_true(i18n_open("/nonexistent", "nb", &tr, err, sizeof err) < 0);
    assert_non_null(strstr(err, "tilstede.mo"));
    assert_int_equal(i18n_open("/nonexistent", "en", &tr, err, sizeof err), 0);
    assert_string_equal(T(tr, "Hold your card here"), "Hold your card here");
    i18n_close(tr);
    assert_true(i18n_open(TILSTEDE_TEST_LOCALE, "sv", &tr, err, sizeof err) < 0);
}

/* Writes bytes as DIR/nb/LC_MESSAGES/tilstede.mo and opens it as nb. */
static int open_damaged(const char *dir, const void *bytes, size_t size, char *err, size_t errlen)
{
    char path[512];
    snprintf(path, sizeof path, "%s/nb", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/nb/LC_MESSAGES", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/nb/LC_MESSAGES/tilstede.mo", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, size, f), size);
    fclose(f);
    struct i18n *tr = NULL;
    int rc = i18n_open(dir, "nb", &tr, err, errlen);
    assert_true(rc < 0 || tr != NULL);
    i18n_close(tr);
    return rc;
}

/* A damaged catalogue on the SD card is an error naming the file and what
 * is wrong, never a read outside it. */
static void test_a_damaged_catalogue_is_refused_with_its_path(void **state)
{
    (void)state;
    char dir[] = "/tmp/tilstede-mo-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char err[512];

    assert_true(open_damaged(dir, "short", 5, err, sizeof err) < 0);
    assert_non_null(strstr(err, "tilstede.mo"));
    assert_non_null(strstr(err, "too short"));

    unsigned char garbage[64];
    memset(garbage, 'x', sizeof garbage);
    assert_true(open_damaged(dir, garbage, sizeof garbage, err, sizeof err) < 0);
    assert_non_null(strstr(err, "not a .mo catalogue"));

    /* A good header whose one entry points far beyond the file's end. */
    uint32_t words[9] = {0x950412deu, 0, 1, 28, 36, 0, 0, 4, 0x7fffffffu};
    assert_true(open_damaged(dir, words, sizeof words, err, sizeof err) < 0);
    assert_non_null(strstr(err, "points outside the file"));

    char path[512];
    snprintf(path, sizeof path, "%s/nb/LC_MESSAGES/tilstede.mo", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/nb/LC_MESSAGES", dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/nb", dir);
    rmdir(path);
    rmdir(dir);
}

/* A fake font: every character is px/2 wide, lines are px * 1.2. */
static int fake_width(void *ctx, enum layout_face face, int px, const char *text)
{
    (void)ctx;
    (void)face;
    int chars = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if ((*p & 0xC0u) != 0x80u)
            chars++;
    return chars * px / 2;
}
static int fake_line(void *ctx, enum layout_face face, int px)
{
    (void)ctx;
    (void)face;
    return px * 6 / 5;
}
static const struct layout_metrics fake = {fake_width, fake_line, NULL, NULL};

static void test_text_wraps_then_shrinks_then_ellipsizes(void **state)
{
    (void)state;
    static struct layout layout;
    layout_begin(&layout, 800, 480, &fake, 0xFFFFFF);
    /* Fits at the largest size. */
    struct layout_box *box = layout_text(&layout, layout_rect(0, 0, 400, 100), "Kari", LAYOUT_BOLD,
                                         56, 0, LAYOUT_NONE, ALIGN_LEFT, 0);
    assert_int_equal(box->px, 56);
    assert_int_equal(box->lines, 1);
    /* Wraps onto two lines. */
    box = layout_text(&layout, layout_rect(0, 100, 300, 90), "Hold kortet ditt her", LAYOUT_BOLD,
                      36, 0, LAYOUT_NONE, ALIGN_LEFT, 0);
    assert_int_equal(box->lines, 2);
    assert_string_equal(box->text, "Hold kortet ditt\nher");
    assert_false(box->flags & LAYOUT_TRUNCATED);
    /* An activity's title on one line: shortened with an ellipsis, allowed. */
    box = layout_text(&layout, layout_rect(0, 200, 300, 40),
                      "Sangstund med Solsiden kor og kaffe etterpå", LAYOUT_BOLD, 28, 0,
                      LAYOUT_NONE, ALIGN_LEFT, LAYOUT_SINGLE_LINE | LAYOUT_TITLE_CUT);
    assert_true(box->flags & LAYOUT_TRUNCATED);
    assert_non_null(strstr(box->text, "\xE2\x80\xA6"));
    assert_true(box->text_w <= 300);
    assert_int_equal(box->px, 28); /* never below the body size */
    char problems[8][LAYOUT_PROBLEM_LEN];
    assert_int_equal(layout_check(&layout, problems, 8), 0);
    /* A 40-character name cut the same way is a fault. */
    box = layout_text(&layout, layout_rect(0, 250, 300, 40),
                      "Maria Kristina Alexandra Wilhelmine Anna", LAYOUT_BOLD, 28, 0, LAYOUT_NONE,
                      ALIGN_LEFT, LAYOUT_SINGLE_LINE);
    assert_true(box->flags & LAYOUT_TRUNCATED);
    assert_int_equal(layout_check(&layout, problems, 8), 1);
    assert_non_null(strstr(problems[0], "cut short"));
}

/* "1. etasje" (a place), "23. november": an ordinal number stays on the
 * line of the word after it, as if a no-break space stood between them;
 * the data keeps its ordinary space. */
static void test_an_ordinal_number_stays_with_its_word(void **state)
{
    (void)state;
    static struct layout layout;
    layout_begin(&layout, 800, 480, &fake, 0xFFFFFF);
    /* 14 px a character: "Peisestua, 1." is 13 characters, 182 px. */
    struct layout_box *box = layout_text(&layout, layout_rect(0, 0, 190, 200),
                                         "Peisestua, 1. etasje", LAYOUT_REGULAR, 28, 0,
                                         LAYOUT_NONE, ALIGN_LEFT, 0);
    assert_string_equal(box->text, "Peisestua,\n1. etasje");
    assert_false(box->flags & LAYOUT_TRUNCATED);
    assert_int_equal(layout_measure(&layout, "Peisestua, 1. etasje", LAYOUT_REGULAR, 28, 190),
                     2 * fake_line(NULL, LAYOUT_REGULAR, 28));
    /* Not every number with a full stop: "kl. 14.30" breaks as before. */
    box = layout_text(&layout, layout_rect(0, 200, 190, 200), "Sangstund kl. 14.30 i dag",
                      LAYOUT_REGULAR, 28, 0, LAYOUT_NONE, ALIGN_LEFT, 0);
    assert_string_equal(box->text, "Sangstund kl.\n14.30 i dag");
    /* The ordinal and its word fit nowhere whole: they are one word. */
    box = layout_text(&layout, layout_rect(0, 400, 120, 80), "12. etasje", LAYOUT_REGULAR, 28,
                      0, LAYOUT_NONE, ALIGN_LEFT, 0);
    assert_null(strstr(box->text, "12.\n"));
}

static void test_layout_check_finds_each_fault(void **state)
{
    (void)state;
    static struct layout layout;
    char problems[8][LAYOUT_PROBLEM_LEN];
    layout_begin(&layout, 800, 480, &fake, 0xFFFFFF);
    layout_button(&layout, layout_rect(0, 0, 50, 80), "x", LAYOUT_BOLD, 28, 0, 0xFFFFFF, 0, 1, 0,
                  0);
    assert_int_equal(layout_check(&layout, problems, 8), 1);
    assert_non_null(strstr(problems[0], "under 60 px"));

    layout_begin(&layout, 800, 480, &fake, 0xFFFFFF);
    layout_text(&layout, layout_rect(0, 0, 100, 40), "a", LAYOUT_BOLD, 28, 0xCCCCCC, LAYOUT_NONE,
                ALIGN_LEFT, 0);
    assert_int_equal(layout_check(&layout, problems, 8), 1);
    assert_non_null(strstr(problems[0], "contrast"));

    layout_begin(&layout, 800, 480, &fake, 0xFFFFFF);
    layout_text(&layout, layout_rect(0, 0, 100, 40), "a", LAYOUT_BOLD, 28, 0, LAYOUT_NONE,
                ALIGN_LEFT, 0);
    layout_text(&layout, layout_rect(50, 20, 100, 40), "b", LAYOUT_BOLD, 28, 0, LAYOUT_NONE,
                ALIGN_LEFT, 0);
    assert_int_equal(layout_check(&layout, problems, 8), 1);
    assert_non_null(strstr(problems[0], "overlaps"));

    layout_begin(&layout, 800, 480, &fake, 0xFFFFFF);
    layout_text(&layout, layout_rect(0, 0, 100, 40), "a sentence that will not fit", LAYOUT_BOLD,
                28, 0, LAYOUT_NONE, ALIGN_LEFT, 0);
    layout_text(&layout, layout_rect(760, 460, 100, 40), "b", LAYOUT_BOLD, 28, 0, LAYOUT_NONE,
                ALIGN_LEFT, 0);
    assert_int_equal(layout_check(&layout, problems, 8), 2);
    assert_non_null(strstr(problems[0], "cut short"));
    assert_non_null(strstr(problems[1], "off the"));
}

static void test_sizes_scale_from_800x480(void **state)
{
    (void)state;
    assert_true(layout_scale_for(800, 480) == 1.0);
    assert_true(layout_scale_for(480, 800) == 1.0);
    assert_true(layout_scale_for(1280, 800) == 1.6);
    assert_true(layout_scale_for(800, 1280) == 1.6);
    assert_true(layout_scale_for(1920, 1080) == 2.25);
    assert_true(layout_scale_for(1024, 600) == 1.25);
    assert_true(layout_contrast(0xFFFFFF, 0x000000) > 20.9);
}

static void test_touch_points_follow_the_rotation(void **state)
{
    (void)state;
    int x, y;
    /* A portrait picture (480x800) turned 90 degrees onto an 800x480 panel:
     * the picture's top-left corner is at the panel's top-right. */
    layout_unrotate(90, 800, 480, 799, 0, &x, &y);
    assert_int_equal(x, 0);
    assert_int_equal(y, 0);
    layout_unrotate(90, 800, 480, 0, 479, &x, &y);
    assert_int_equal(x, 479);
    assert_int_equal(y, 799);
    layout_unrotate(180, 800, 480, 0, 0, &x, &y);
    assert_int_equal(x, 799);
    assert_int_equal(y, 479);
    layout_unrotate(270, 800, 480, 0, 479, &x, &y);
    assert_int_equal(x, 0);
    assert_int_equal(y, 0);
    layout_unrotate(0, 800, 480, 12, 34, &x, &y);
    assert_int_equal(x, 12);
    assert_int_equal(y, 34);
}

static void test_keyboard_has_norwegian_letters_and_big_keys(void **state)
{
    (void)state;
    static struct layout layout;
    char problems[8][LAYOUT_PROBLEM_LEN];
    for (int portrait = 0; portrait <= 1; portrait++) {
        int w = portrait ? 480 : 800, h = portrait ? 800 : 480;
        layout_begin(&layout, w, h, &fake, 0xFFFFFF);
        int kh = osk_height(&layout, w, portrait);
        osk_build(&layout, layout_rect(0, h - kh, w, kh), portrait, 7, "mellomrom");
        assert_int_equal(layout.count, 31);                /* 29 letters, space, backspace */
        assert_non_null(layout_find(&layout, 7, 0xE6, 0)); /* æ */
        assert_non_null(layout_find(&layout, 7, 0xF8, 0)); /* ø */
        assert_non_null(layout_find(&layout, 7, 0xE5, 0)); /* å */
        int count = layout_check(&layout, problems, 8);
        for (int i = 0; i < count && i < 8; i++)
            fprintf(stderr, "%s\n", problems[i]);
        assert_int_equal(count, 0);
    }
    char text[16] = "";
    assert_int_equal(osk_apply(text, sizeof text, OSK_SPACE), 0); /* no leading space */
    assert_int_equal(osk_apply(text, sizeof text, 0xE5), 1);
    assert_int_equal(osk_apply(text, sizeof text, 's'), 1);
    assert_string_equal(text, "\xC3\xA5s");
    assert_int_equal(osk_apply(text, sizeof text, OSK_BACKSPACE), 1);
    assert_int_equal(osk_apply(text, sizeof text, OSK_BACKSPACE), 1);
    assert_string_equal(text, ""); /* å removed whole */
    assert_int_equal(osk_apply(text, sizeof text, OSK_BACKSPACE), 0);
    char tiny[3] = "";
    assert_int_equal(osk_apply(tiny, sizeof tiny, 'a'), 1);
    assert_int_equal(osk_apply(tiny, sizeof tiny, 0xE6), 0); /* no room for two bytes */
}

static void test_font_covers_norwegian_and_european_letters(void **state)
{
    (void)state;
    assert_int_equal(TTF_Init(), 0);
    struct text *text;
    char err[256];
    assert_int_equal(text_open(TILSTEDE_TEST_ASSETS "/fonts", &text, err, sizeof err), 0);
    assert_true(
        text_covers(text, "ÆØÅæøå ÄÖÜäöüß éèêëáàâíìóòôúùñç ŁłŚśŽžČčĐđ Şş Őő – … ● ⌫ ✓ ▸ −"));
    const struct layout_metrics *metrics = text_metrics(text);
    assert_true(metrics->text_width(metrics->ctx, LAYOUT_REGULAR, 28, "Kari N.") > 50);
    text_close(text);
    TTF_Quit();
}

int main(void)
{
    harness_environment();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates_are_written_the_norwegian_way),
        cmocka_unit_test(test_durations_and_relative_days),
        cmocka_unit_test(test_the_issue_sentences_read_as_written),
        cmocka_unit_test(test_the_words_read_naturally_in_bokmal_and_nynorsk),
        cmocka_unit_test(test_fill_never_overflows_nor_cuts_a_letter),
        cmocka_unit_test(test_a_missing_catalogue_is_an_error_but_english_works_without),
        cmocka_unit_test(test_a_damaged_catalogue_is_refused_with_its_path),
        cmocka_unit_test(test_text_wraps_then_shrinks_then_ellipsizes),
        cmocka_unit_test(test_an_ordinal_number_stays_with_its_word),
        cmocka_unit_test(test_layout_check_finds_each_fault),
        cmocka_unit_test(test_sizes_scale_from_800x480),
        cmocka_unit_test(test_touch_points_follow_the_rotation),
        cmocka_unit_test(test_keyboard_has_norwegian_letters_and_big_keys),
        cmocka_unit_test(test_font_covers_norwegian_and_european_letters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
