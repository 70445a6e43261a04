/* `tilstedectl provision` against a real tilstede-central on loopback: the
 * site, the central and the token land in the kiosk's files, the roster in
 * its database, and the checklist names what is missing; a wrong token, a
 * different token already there, or plain http to another host change
 * nothing. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cardhash.h"
#include "central_fixture.h"
#include "config.h"
#include "ctl_provision.h"
#include "store.h"

#define NO_READER   "pn532_uart:/dev/tilstede-test-no-such-reader"
#define ACTIVITY_ID "7d4e8f10-2b3c-4d5e-8f60-718293a4b5c6"
#define OUTPUT_MAX  65536

struct env {
    struct fixture *central;
    char dir[256];
    char config_path[320];
    char token_file[320];
    char card_key[320];
    char database[320];
    char output[OUTPUT_MAX];
};

static void write_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

/* The whole file, NUL-terminated, into out (cap bytes), or "" when absent. */
static void read_file(const char *path, char *out, size_t cap)
{
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    size_t len = fread(out, 1, cap - 1, f);
    out[len] = '\0';
    fclose(f);
}

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof *e);
    e->central = fixture_start(NULL);
    const char *tmp = getenv("TILSTEDE_TEST_TMP");
    snprintf(e->dir, sizeof e->dir, "%s/provision-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    assert_non_null(mkdtemp(e->dir));
    snprintf(e->config_path, sizeof e->config_path, "%s/tilstede.conf", e->dir);
    snprintf(e->token_file, sizeof e->token_file, "%s/device.token", e->dir);
    snprintf(e->card_key, sizeof e->card_key, "%s/card.key", e->dir);
    snprintf(e->database, sizeof e->database, "%s/tilstede.db", e->dir);
    char text[2048];
    snprintf(text, sizeof text,
             "# a freshly installed kiosk\n"
             "[site]\nid = site\nname = Tilstede\n\n"
             "[reader]\nconnection = " NO_READER "\n\n"
             "[store]\ndatabase = %s\ncard_key = %s\n\n"
             "[sync]\ncentral_url =\ntoken_file = %s\n",
             e->database, e->card_key, e->token_file);
    write_file(e->config_path, text, 0644);

    /* The municipality's roster and one of site A's activities. */
    struct central_volunteer volunteers[2] = {
        {.external_id = "F-1042", .given_name = "Kari", .family_name = "Nordmann", .active = 1},
        {.external_id = "F-1043", .given_name = "Ola", .family_name = "Hansen", .active = 1},
    };
    struct central_activity activity = {.id = ACTIVITY_ID,
                                        .site = FIXTURE_SITE_A,
                                        .date = "2030-03-04",
                                        .start = "10:00",
                                        .end = "12:00",
                                        .title = "Sangstund",
                                        .place = "Peisestua"};
    size_t changed = 0;
    char err[256];
    assert_int_equal(
        central_store_roster_replace(e->central->store, volunteers, 2, &changed, err, sizeof err),
        0);
    assert_int_equal(central_store_activity_add(e->central->store, &activity, err, sizeof err), 0);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    fixture_stop(e->central);
    char command[400];
    snprintf(command, sizeof command, "rm -rf '%s'", e->dir);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", e->dir);
    free(e);
    return 0;
}

/* Runs provision as `tilstedectl --config FILE --json provision ARGS...`
 * would, with stdout captured into e->output. Returns the exit code. */
static int provision(struct env *e, const char *central, const char *token, const char *extra)
{
    struct config cfg;
    char err[600];
    config_defaults(&cfg);
    assert_int_equal(config_load(&cfg, e->config_path, err, sizeof err), 0);
    char *argv[8];
    int argc = 0;
    argv[argc++] = "--central";
    argv[argc++] = (char *)central;
    argv[argc++] = "--token";
    argv[argc++] = (char *)token;
    if (extra)
        argv[argc++] = (char *)extra;
    argv[argc] = NULL;

    char capture[400];
    snprintf(capture, sizeof capture, "%s/stdout", e->dir);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    int fd = open(capture, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, STDOUT_FILENO);
    close(fd);
    int code = ctl_provision(&cfg, 1, argc, argv);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    read_file(capture, e->output, sizeof e->output);
    unlink(capture);
    return code;
}

static const json_t *checklist_item(const json_t *doc, const char *item)
{
    size_t i;
    const json_t *entry;
    json_array_foreach(json_object_get(doc, "checklist"), i,
                       entry) if (strcmp(json_string_value(json_object_get(entry, "item")), item) ==
                                  0) return entry;
    fail_msg("no checklist item %s", item);
    return NULL;
}

static int count_leftovers(const struct env *e)
{
    char pattern[400], command[480], line[64] = "";
    snprintf(pattern, sizeof pattern, "%s/device.token.*", e->dir);
    snprintf(command, sizeof command, "ls %s 2>/dev/null | wc -l", pattern);
    FILE *p = popen(command, "r");
    assert_non_null(p);
    if (!fgets(line, sizeof line, p))
        line[0] = '\0';
    pclose(p);
    return atoi(line);
}

static void test_provision_writes_site_token_and_fetches_roster(void **state)
{
    struct env *e = *state;
    int code = provision(e, e->central->base, e->central->token_a1, NULL);
    json_error_t jerr;
    json_t *doc = json_loads(e->output, 0, &jerr);
    if (code != CTL_PROVISION_OK || !doc)
        fprintf(stderr, "provision said:\n%s\n", e->output);
    assert_int_equal(code, CTL_PROVISION_OK);
    assert_non_null(doc);
    assert_true(json_is_true(json_object_get(doc, "ok")));

    /* The configuration names the site and the central now. */
    struct config cfg;
    char err[600];
    config_defaults(&cfg);
    assert_int_equal(config_load(&cfg, e->config_path, err, sizeof err), 0);
    assert_string_equal(cfg.site_id, FIXTURE_SITE_A);
    assert_string_equal(cfg.site_name, "Lilleby sykehjem");
    assert_string_equal(cfg.central_url, e->central->base);
    char text[4096];
    read_file(e->config_path, text, sizeof text);
    assert_non_null(strstr(text, "# a freshly installed kiosk")); /* the rest kept */

    /* The token, for the kiosk's user alone. */
    struct stat st;
    assert_int_equal(stat(e->token_file, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    read_file(e->token_file, text, sizeof text);
    assert_int_equal(strncmp(text, e->central->token_a1, strlen(e->central->token_a1)), 0);
    assert_int_equal(count_leftovers(e), 0);

    /* The roster is in the kiosk's database. */
    const json_t *roster = json_object_get(doc, "roster");
    assert_int_equal(json_integer_value(json_object_get(roster, "volunteers")), 2);
    assert_int_equal(json_integer_value(json_object_get(roster, "activities")), 1);
    struct store *store;
    assert_int_equal(store_open(e->database, &store, err, sizeof err), 0);
    assert_int_equal(store_volunteer_count(store), 2);
    struct activity activity;
    assert_int_equal(store_activity_by_uuid(store, ACTIVITY_ID, &activity), 0);
    store_close(store);

    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "device"), "name")),
                        "A1");
    /* What is still missing: no reader there, no card key copied. */
    const json_t *reader = checklist_item(doc, "reader");
    assert_true(json_is_false(json_object_get(reader, "ok")));
    assert_non_null(strstr(json_string_value(json_object_get(reader, "text")), "not connected"));
    const json_t *key = checklist_item(doc, "card_key");
    assert_true(json_is_false(json_object_get(key, "ok")));
    const char *key_text = json_string_value(json_object_get(key, "text"));
    assert_non_null(strstr(key_text, e->card_key));
    assert_non_null(strstr(key_text, "copy"));
    assert_true(json_is_false(json_object_get(checklist_item(doc, "staff_pin"), "ok")));
    json_decref(doc);
}

static void test_wrong_token_fails_and_changes_nothing(void **state)
{
    struct env *e = *state;
    char before[4096], after[4096];
    read_file(e->config_path, before, sizeof before);
    char wrong[CENTRAL_TOKEN_TEXT_MAX];
    unsigned char hash[CENTRAL_TOKEN_HASH_BYTES];
    central_token_new(wrong, hash); /* the right shape, never registered */
    assert_int_equal(provision(e, e->central->base, wrong, NULL), CTL_PROVISION_FAILED);
    json_t *doc = json_loads(e->output, 0, NULL);
    assert_non_null(doc);
    assert_true(json_is_false(json_object_get(doc, "ok")));
    const char *error = json_string_value(json_object_get(doc, "error"));
    assert_non_null(error);
    assert_non_null(strstr(error, "refused the token"));
    assert_non_null(strstr(error, "tilstede-central device add"));
    read_file(e->config_path, after, sizeof after);
    assert_string_equal(before, after);
    assert_int_equal(access(e->token_file, F_OK), -1);
    assert_int_equal(count_leftovers(e), 0);
    json_decref(doc);
}

static void test_plain_http_to_another_host_is_refused(void **state)
{
    struct env *e = *state;
    char before[4096], after[4096];
    read_file(e->config_path, before, sizeof before);
    assert_int_equal(provision(e, "http://192.0.2.10:8080", e->central->token_a1, NULL),
                     CTL_PROVISION_USAGE);
    read_file(e->config_path, after, sizeof after);
    assert_string_equal(before, after);
    assert_int_equal(access(e->token_file, F_OK), -1);
}

static void test_another_token_is_replaced_only_with_force(void **state)
{
    struct env *e = *state;
    char text[4096], before[4096], token[128];
    snprintf(token, sizeof token, "%s\n", e->central->token_b1);
    write_file(e->token_file, token, 0600);
    read_file(e->config_path, before, sizeof before);
    assert_int_equal(provision(e, e->central->base, e->central->token_a1, NULL),
                     CTL_PROVISION_FAILED);
    json_t *doc = json_loads(e->output, 0, NULL);
    assert_non_null(strstr(json_string_value(json_object_get(doc, "error")), "--force"));
    json_decref(doc);
    read_file(e->token_file, text, sizeof text);
    assert_string_equal(text, token);
    read_file(e->config_path, text, sizeof text);
    assert_string_equal(text, before);

    /* With the card key in place, that item is done. */
    unsigned char key[CARDHASH_KEY_BYTES];
    char err[300];
    assert_int_equal(cardhash_load_key(e->card_key, 1, key, err, sizeof err), 0);
    assert_int_equal(provision(e, e->central->base, e->central->token_a1, "--force"),
                     CTL_PROVISION_OK);
    read_file(e->token_file, text, sizeof text);
    assert_int_equal(strncmp(text, e->central->token_a1, strlen(e->central->token_a1)), 0);
    doc = json_loads(e->output, 0, NULL);
    const json_t *item = checklist_item(doc, "card_key");
    assert_true(json_is_true(json_object_get(item, "ok")));
    assert_non_null(strstr(json_string_value(json_object_get(item, "text")), "fingerprint"));
    json_decref(doc);
}

static void test_without_a_configuration_file_is_a_usage_error(void **state)
{
    struct env *e = *state;
    struct config cfg;
    config_defaults(&cfg);
    char *argv[] = {"--central", e->central->base, "--token", e->central->token_a1, NULL};
    assert_int_equal(ctl_provision(&cfg, 0, 4, argv), CTL_PROVISION_USAGE);
}

int main(void)
{
    setenv("TZ", "Europe/Oslo", 1);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_provision_writes_site_token_and_fetches_roster, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_wrong_token_fails_and_changes_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_plain_http_to_another_host_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_another_token_is_replaced_only_with_force, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_without_a_configuration_file_is_a_usage_error, setup,
                                        teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
