/* Configuration: defaults, the documented example, and clear errors that
 * name the file, the line and the key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "config.h"
#include "testutil.h"

static char dir[512];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int load_text(const char *text, struct config *cfg, char *err, size_t errlen)
{
    char path[600];
    snprintf(path, sizeof path, "%s/t.conf", dir);
    write_file(path, text);
    config_defaults(cfg);
    return config_load(cfg, path, err, errlen);
}

static void test_defaults_are_sensible(void **state)
{
    (void)state;
    struct config cfg;
    config_defaults(&cfg);
    assert_int_equal(cfg.repeat_window_s, 30);
    assert_int_equal(cfg.day_end_min, 23 * 60);
    assert_int_equal(cfg.max_visit_s, 10 * 3600);
    assert_int_equal(cfg.unknown_card_memory_s, 300);
    assert_true(cfg.hours_per_arsverk == 1700.0);
    assert_string_equal(cfg.language, "nb");
    assert_int_equal(cfg.batch_size, 500);
}

/* The example in deploy/ documents every key with its default: loading it
 * must give exactly the defaults, so the documentation cannot drift. */
static void test_example_file_loads_and_equals_defaults(void **state)
{
    (void)state;
    struct config from_file, defaults;
    char err[600];
    config_defaults(&from_file);
    config_defaults(&defaults);
    assert_int_equal(config_load(&from_file, TILSTEDE_EXAMPLE_CONFIG, err, sizeof err), 0);
    memset(from_file.path, 0, sizeof from_file.path); /* where the values came from */
    from_file.card_key_named = 0;
    assert_memory_equal(&from_file, &defaults, sizeof defaults);
}

static void test_values_are_read(void **state)
{
    (void)state;
    struct config cfg;
    char err[600];
    assert_int_equal(load_text("[site]\nid = solsiden\nname = Solsiden helsehus\nlanguage = nn\n"
                               "[rules]\nday_end = off\nmax_visit_hours = 2,5\nautoclose_credit = scheduled\n"
                               "compliance = refuse\nreport_rounding_minutes = 15\n"
                               "[display]\nrotation = 270\n",
                               &cfg, err, sizeof err), 0);
    assert_string_equal(cfg.site_id, "solsiden");
    assert_string_equal(cfg.site_name, "Solsiden helsehus");
    assert_string_equal(cfg.language, "nn");
    assert_int_equal(cfg.day_end_min, -1);
    assert_int_equal(cfg.max_visit_s, 9000);
    assert_int_equal(cfg.autoclose_credit, CREDIT_SCHEDULED);
    assert_int_equal(cfg.compliance, COMPLIANCE_REFUSE);
    assert_int_equal(cfg.report_rounding_min, 15);
    assert_int_equal(cfg.rotation, 270);
}

static void test_unknown_key_names_file_line_and_suggestion(void **state)
{
    (void)state;
    struct config cfg;
    char err[600];
    assert_int_equal(load_text("[site]\nid = a\n\n[reader]\nconection = acr122_usb\n", &cfg, err, sizeof err), -1);
    assert_non_null(strstr(err, "t.conf:5:"));
    assert_non_null(strstr(err, "unknown key 'conection' in [reader]"));
    assert_non_null(strstr(err, "did you mean 'connection'"));
}

static void test_bad_values_are_refused_with_reason(void **state)
{
    (void)state;
    static const struct {
        const char *text, *expect;
    } cases[] = {
        {"[rules]\nrepeat_window_seconds = soon\n", "t.conf:2: [rules] repeat_window_seconds must be a whole number"},
        {"[rules]\nday_end = 25:00\n", "must be a time like 23:00, or off"},
        {"[rules]\ncompliance = maybe\n", "must be one of 'notice', 'refuse', not 'maybe'"},
        {"[display]\nrotation = 45\n", "must be 0, 90, 180 or 270"},
        {"[rules]\nreport_rounding_minutes = 7\n", "must be 0, 5, 10 or 15"},
        {"[site]\nlanguage = sv\n", "'nb', 'nn', 'en'"},
        {"[rules]\nmax_visit_hours = 100\n", "from 1 to 48"},
        {"[site]\nthis line has no equals sign\n", "t.conf:2: not an INI line"},
        {"[nosuchsection]\nid = 1\n", "unknown key 'id' in [nosuchsection]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct config cfg;
        char err[600] = "";
        assert_int_equal(load_text(cases[i].text, &cfg, err, sizeof err), -1);
        if (!strstr(err, cases[i].expect))
            fail_msg("case %zu: '%s' does not contain '%s'", i, err, cases[i].expect);
    }
}

static void test_missing_file_is_an_error(void **state)
{
    (void)state;
    struct config cfg;
    char err[600];
    config_defaults(&cfg);
    assert_int_equal(config_load(&cfg, "/nonexistent/tilstede.conf", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/tilstede.conf: cannot read"));
}

static void test_update_file_keeps_comments_and_other_keys(void **state)
{
    (void)state;
    char path[600], err[600], text[2048];
    snprintf(path, sizeof path, "%s/u.conf", dir);
    write_file(path, "# my kiosk\n[site]\nid = a\n\n[staff]\n# the PIN\npin_hash = old\n\n[sync]\nbatch_size = 100\n");
    assert_int_equal(config_update_file(path, "staff", "pin_hash", "$argon2id$new", err, sizeof err), 0);
    assert_int_equal(config_update_file(path, "display", "rotation", "90", err, sizeof err), 0);
    FILE *f = fopen(path, "r");
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    assert_non_null(strstr(text, "# my kiosk\n"));
    assert_non_null(strstr(text, "# the PIN\npin_hash = $argon2id$new\n"));
    assert_null(strstr(text, "pin_hash = old"));
    assert_non_null(strstr(text, "batch_size = 100"));
    assert_non_null(strstr(text, "[display]\nrotation = 90\n"));
    struct config cfg;
    config_defaults(&cfg);
    assert_int_equal(config_load(&cfg, path, err, sizeof err), 0);
    assert_string_equal(cfg.staff_pin_hash, "$argon2id$new");
    assert_int_equal(cfg.rotation, 90);
    assert_int_equal(cfg.batch_size, 100);
}

/* Debian's inih reads at most 200 bytes of a line and the rest as a line of
 * its own. A long line must never set another key, nor be cut silently: it
 * is read whole up to CONFIG_LINE_MAX, and past that an error names the
 * file, the line and the key. */
static void test_a_long_line_is_read_whole_and_sets_no_other_key(void **state)
{
    (void)state;
    struct config cfg;
    char err[600] = "", text[2048], name[400], path[700];

    /* "name = " and 192 bytes fill inih's 199; "id = other-site" followed. */
    memset(name, 'n', 192);
    snprintf(name + 192, sizeof name - 192, "id = other-site");
    snprintf(text, sizeof text, "[site]\nname = %s\n", name);
    if (load_text(text, &cfg, err, sizeof err))
        fail_msg("%s", err);
    assert_string_equal(cfg.site_id, "site"); /* the default, untouched */
    assert_string_equal(cfg.site_name, name);

    /* A long value and then '#...': all of it is the value ('#' starts only
     * a comment line), never a value cut where the reader's buffer ended. */
    memset(name, 'v', 190);
    snprintf(name + 190, sizeof name - 190, " # Solsiden, andre etasje");
    snprintf(text, sizeof text, "[site]\nname = %s\n", name);
    if (load_text(text, &cfg, err, sizeof err))
        fail_msg("%s", err);
    assert_string_equal(cfg.site_name, name);
    /* Over the value's own limit: the value's error, with its line. */
    memset(name, 'v', 300);
    name[300] = '\0';
    snprintf(text, sizeof text, "[site]\nid = a\nname = %s\n", name);
    assert_int_equal(load_text(text, &cfg, err, sizeof err), -1);
    assert_non_null(strstr(err, "t.conf:3: [site] name is longer than 255 bytes"));

    /* A database path of 250 bytes is taken whole (config.h allows 511). */
    memset(path, 'p', 250);
    path[0] = '/';
    path[250] = '\0';
    snprintf(text, sizeof text, "[store]\ndatabase = %s\n[site]\nid = solsiden\n", path);
    if (load_text(text, &cfg, err, sizeof err))
        fail_msg("%s", err);
    assert_string_equal(cfg.database, path);
    assert_string_equal(cfg.site_id, "solsiden");
    /* So is one of 511; the longest line the file holds is CONFIG_LINE_MAX. */
    memset(path, 'p', CONFIG_PATH_MAX - 1);
    path[0] = '/';
    path[CONFIG_PATH_MAX - 1] = '\0';
    snprintf(text, sizeof text, "[store]\ndatabase = %s\n", path);
    if (load_text(text, &cfg, err, sizeof err))
        fail_msg("%s", err);
    assert_string_equal(cfg.database, path);
    assert_true(strlen("unknown_card_memory_seconds = ") + CONFIG_PATH_MAX - 1 <= CONFIG_LINE_MAX);

    /* A line longer than that: the file, the line and the key, and nothing
     * after it set. */
    memset(text, 0, sizeof text);
    int len = snprintf(text, sizeof text, "[site]\nid = a\n[store]\n  database = /");
    memset(text + len, 'q', CONFIG_LINE_MAX);
    snprintf(text + len + CONFIG_LINE_MAX, sizeof text - (size_t)len - CONFIG_LINE_MAX,
             "\n[site]\nid = other-site\n");
    assert_int_equal(load_text(text, &cfg, err, sizeof err), -1);
    char expect[200];
    snprintf(expect, sizeof expect,
             "t.conf:4: [store] database: the line is %d bytes, longer than the %d a line "
             "of the configuration may hold",
             CONFIG_LINE_MAX + 14, CONFIG_LINE_MAX);
    if (!strstr(err, expect))
        fail_msg("'%s' does not contain '%s'", err, expect);

    /* A comment, however long, is a comment: its end is no line of its own. */
    memset(name, 'c', 300);
    snprintf(name + 197, sizeof name - 197, "id = other-site"); /* "# " and 197: inih's 199 */
    snprintf(text, sizeof text, "[site]\n# %s\n; %s\nname = Solsiden\n", name, name);
    if (load_text(text, &cfg, err, sizeof err))
        fail_msg("%s", err);
    assert_string_equal(cfg.site_id, "site");
    assert_string_equal(cfg.site_name, "Solsiden");
}

/* --db alone is enough on a scratch database: a card key no configuration
 * names lives beside the database given (tests/test_scratch_db.sh runs the
 * programs). */
static void test_db_option_keeps_an_unnamed_card_key_beside_it(void **state)
{
    (void)state;
    static const struct {
        const char *db, *key;
    } cases[] = {
        {"/tmp/scratch/kiosk.db", "/tmp/scratch/card.key"},
        {"kiosk.db", "card.key"},
        {"/kiosk.db", "/card.key"},
        {"../a b/æøå.db", "../a b/card.key"},
    };
    struct config cfg;
    char err[600];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        config_defaults(&cfg);
        assert_int_equal(config_use_database(&cfg, cases[i].db, err, sizeof err), 0);
        assert_string_equal(cfg.database, cases[i].db);
        assert_string_equal(cfg.card_key, cases[i].key);
    }
    assert_int_equal(load_text("[store]\ncard_key = /srv/key\n", &cfg, err, sizeof err), 0);
    assert_int_equal(config_use_database(&cfg, "/tmp/x/kiosk.db", err, sizeof err), 0);
    assert_string_equal(cfg.card_key, "/srv/key");
    /* A database path that leaves no room for the key beside it. */
    char db[CONFIG_PATH_MAX];
    memset(db, 'd', sizeof db - 1);
    db[0] = '/';
    db[sizeof db - 1] = '\0';
    db[sizeof db - 6] = '/';
    config_defaults(&cfg);
    assert_int_equal(config_use_database(&cfg, db, err, sizeof err), -1);
    assert_non_null(strstr(err, "card_key"));
}

int main(void)
{
    test_tmpdir(dir, sizeof dir, "config");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_are_sensible),
        cmocka_unit_test(test_example_file_loads_and_equals_defaults),
        cmocka_unit_test(test_values_are_read),
        cmocka_unit_test(test_unknown_key_names_file_line_and_suggestion),
        cmocka_unit_test(test_bad_values_are_refused_with_reason),
        cmocka_unit_test(test_missing_file_is_an_error),
        cmocka_unit_test(test_update_file_keeps_comments_and_other_keys),
        cmocka_unit_test(test_a_long_line_is_read_whole_and_sets_no_other_key),
        cmocka_unit_test(test_db_option_keeps_an_unnamed_card_key_beside_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
