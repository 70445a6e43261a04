/* The kiosk's log (stderr, which systemd sends to the journal) carries no
 * names and no card data: the real `tilstede` runs headless, a card is
 * tapped through the real libnfc driver and the simulated PN532, and the
 * log is searched for the volunteer's name and the card's UID. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <strings.h>
#include <sys/wait.h>

#include "cardhash.h"
#include "demo.h"
#include "kiosk.h"
#include "pn532_sim.h"
#include "testutil.h"

extern char **environ;

static int count_checkins(const char *db_path)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int n = -1;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*) FROM event WHERE kind = 'checkin'", -1, &st,
                           NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
}

static void test_kiosk_log_has_no_names_and_no_card_data(void **state)
{
    (void)state;
    char dir[256], conf[300], db[300], key[300], log[300], err[600];
    test_tmpdir(dir, sizeof dir, "logs");
    snprintf(conf, sizeof conf, "%s/tilstede.conf", dir);
    snprintf(db, sizeof db, "%s/kiosk.db", dir);
    snprintf(key, sizeof key, "%s/card.key", dir);
    snprintf(log, sizeof log, "%s/kiosk.log", dir);

    /* The demo roster and cards, written the way the kiosk writes them. */
    struct config cfg;
    struct kiosk *kiosk;
    config_defaults(&cfg);
    snprintf(cfg.site_id, sizeof cfg.site_id, "logs");
    snprintf(cfg.database, sizeof cfg.database, "%s", db);
    snprintf(cfg.card_key, sizeof cfg.card_key, "%s", key);
    assert_int_equal(kiosk_open(&cfg, clock_system(), &kiosk, err, sizeof err), 0);
    assert_int_equal(demo_populate(kiosk, err, sizeof err), 0);
    kiosk_close(kiosk);

    struct pn532_sim *sim = pn532_sim_start(dir);
    assert_non_null(sim);
    FILE *f = fopen(conf, "w");
    fprintf(f, "[site]\nid = logs\nname = Loggtest\n[reader]\nconnection = %s\n"
               "[store]\ndatabase = %s\ncard_key = %s\n",
            pn532_sim_connstring(sim), db, key);
    fclose(f);

    const char *argv[] = {TILSTEDE, "--config", conf, "--windowed", "800x480", NULL};
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    setenv("SDL_AUDIODRIVER", "dummy", 1);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid;
    assert_int_equal(posix_spawn(&pid, TILSTEDE, &actions, NULL, (char **)argv, environ), 0);
    posix_spawn_file_actions_destroy(&actions);

    /* Kari Nordmann's card, held until the tap is recorded. */
    assert_int_equal(pn532_sim_wait_for_poll(sim, 20000), 0);
    assert_int_equal(pn532_sim_card_present(sim, demo_card_uid[0], DEMO_UID_LEN), 0);
    int checkins = 0;
    for (int i = 0; i < 100 && checkins < 1; i++) {
        usleep(100 * 1000);
        checkins = count_checkins(db);
    }
    pn532_sim_card_removed(sim);
    /* And an unknown card, which the kiosk remembers for enrolling. */
    assert_int_equal(pn532_sim_wait_for_poll(sim, 20000), 0);
    assert_int_equal(pn532_sim_card_present(sim, demo_card_uid[4], DEMO_UID_LEN), 0);
    usleep(800 * 1000);
    pn532_sim_card_removed(sim);
    kill(pid, SIGTERM);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    pn532_sim_stop(sim);
    assert_int_equal(checkins, 1); /* the tap really went through */
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    char text[65536];
    f = fopen(log, "r");
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    print_message("the kiosk's log:\n%s", text);
    assert_true(n > 0); /* it does log: the reader's state */
    unsigned char card_key[CARDHASH_KEY_BYTES];
    char hash[65], hex[2 * DEMO_UID_LEN + 1], colons[3 * DEMO_UID_LEN];
    assert_int_equal(cardhash_load_key(key, 0, card_key, err, sizeof err), 0);
    const char *forbidden[8] = {"Kari", "Nordmann", hex, colons, hash, NULL};
    for (int card = 0; card < DEMO_CARD_COUNT; card += 4) {
        for (int i = 0; i < DEMO_UID_LEN; i++) {
            snprintf(hex + 2 * i, 3, "%02x", demo_card_uid[card][i]);
            snprintf(colons + 3 * i, 4, "%02x%s", demo_card_uid[card][i], i + 1 < DEMO_UID_LEN ? ":" : "");
        }
        cardhash_uid(card_key, demo_card_uid[card], DEMO_UID_LEN, hash);
        for (int k = 0; forbidden[k]; k++)
            if (strcasestr(text, forbidden[k]))
                fail_msg("the kiosk's log holds '%s'", forbidden[k]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kiosk_log_has_no_names_and_no_card_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
