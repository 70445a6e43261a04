/* A card through the real libnfc path (pn532_uart on a simulated PN532)
 * to the confirmation on screen; the reader unplugged and back, as the
 * home screen tells it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "demo.h"
#include "pn532_sim.h"
#include "reader.h"
#include "test_ui_harness.h"
#include "ui_internal.h"

static struct harness h;

static void on_tap(void *user, const uint8_t *uid, size_t len)
{
    ui_post_tap(user, uid, len);
}
static void on_state(void *user, enum reader_state state, const char *detail)
{
    (void)detail;
    ui_post_reader_state(user, state);
}

static int wait_until(int (*done)(void), int ms)
{
    for (int waited = 0; waited < ms; waited += 20) {
        harness_pump(&h, 20);
        if (done())
            return 1;
    }
    return done();
}

static int connected(void)
{
    return h.ui->reader_state == READER_CONNECTED;
}
static int disconnected(void)
{
    return h.ui->reader_state == READER_DISCONNECTED;
}
static int welcomed(void)
{
    return ui_current(h.ui) == UI_CONFIRM && harness_shows(&h, "Velkommen, Kari N.");
}

static void test_card_on_the_real_reader_path_shows_welcome(void **state)
{
    (void)state;
    assert_int_equal(harness_open(&h, 800, 480, 0, "nb"), 0);
    ui_post_reader_state(h.ui, READER_STARTING);
    struct pn532_sim *sim = pn532_sim_start(NULL);
    assert_non_null(sim);
    struct reader *reader;
    char err[256];
    struct reader_callbacks callbacks = {on_tap, on_state, h.ui};
    assert_int_equal(reader_open(pn532_sim_connstring(sim), &callbacks, &reader, err, sizeof err),
                     0);
    assert_true(wait_until(connected, 15000));
    assert_true(harness_shows(&h, "Kortleseren er klar"));
    assert_int_equal(pn532_sim_wait_for_poll(sim, 10000), 0);

    assert_int_equal(pn532_sim_card_present(sim, demo_card_uid[0], DEMO_UID_LEN), 0);
    assert_true(wait_until(welcomed, 10000));
    int64_t posted, presented, committed;
    ui_tap_latency(h.ui, &posted, &presented, &committed);
    assert_true(presented >= committed && committed >= posted && posted > 0);
    print_message("reader event -> frame presented: %lld us (commit %lld us)\n",
                  (long long)(presented - posted), (long long)(committed - posted));
    pn532_sim_card_removed(sim);
    harness_press(&h, ACT_DISMISS, 0, 1);

    /* Unplugged: the home screen says so, and names still work. */
    assert_int_equal(pn532_sim_unplug(sim), 0);
    assert_true(wait_until(disconnected, 20000));
    assert_true(harness_shows(&h, "Kortleseren virker ikke"));
    assert_non_null(layout_find(ui_layout(h.ui), ACT_NAME_START, 0, 1));
    assert_int_equal(pn532_sim_plug(sim), 0);
    assert_true(wait_until(connected, 20000));
    assert_true(harness_shows(&h, "Hold kortet ditt her"));

    reader_close(reader);
    pn532_sim_stop(sim);
    harness_close(&h);
}

int main(void)
{
    harness_environment();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_card_on_the_real_reader_path_shows_welcome),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
