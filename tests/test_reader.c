/* The card reader: UID helpers, the simulated driver, and the libnfc
 * driver end to end through a simulated PN532 on a pty (pn532_sim). */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "pn532_sim.h"
#include "reader.h"

#define MAX_TAPS           16
#define MAX_STATES         64
#define CONNECT_TIMEOUT_MS 5000
#define TAP_TIMEOUT_MS     2000

static const uint8_t card_a[7] = {0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6};
static const uint8_t card_b[4] = {0xDE, 0xAD, 0xBE, 0xEF};
static const uint8_t card_long[10] = {0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99};

static long long now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec pause = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&pause, NULL);
}

/* ---- what the callbacks saw ---- */

struct recorder {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct {
        uint8_t uid[READER_UID_MAX];
        size_t uid_len;
        long long at_ms;
    } taps[MAX_TAPS];
    size_t tap_count;
    enum reader_state states[MAX_STATES];
    size_t state_count;
    enum reader_state state;
    char detail[256];
};

static void recorder_init(struct recorder *rec)
{
    pthread_condattr_t attr;
    memset(rec, 0, sizeof *rec);
    pthread_mutex_init(&rec->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&rec->changed, &attr);
    pthread_condattr_destroy(&attr);
    rec->state = READER_STARTING;
}

static void recorder_fini(struct recorder *rec)
{
    pthread_cond_destroy(&rec->changed);
    pthread_mutex_destroy(&rec->lock);
}

static void on_tap(void *user, const uint8_t *uid, size_t uid_len)
{
    struct recorder *rec = user;
    pthread_mutex_lock(&rec->lock);
    if (rec->tap_count < MAX_TAPS && uid_len <= READER_UID_MAX) {
        memcpy(rec->taps[rec->tap_count].uid, uid, uid_len);
        rec->taps[rec->tap_count].uid_len = uid_len;
        rec->taps[rec->tap_count].at_ms = now_ms();
    }
    rec->tap_count++;
    pthread_cond_broadcast(&rec->changed);
    pthread_mutex_unlock(&rec->lock);
}

static void on_state(void *user, enum reader_state state, const char *detail)
{
    struct recorder *rec = user;
    pthread_mutex_lock(&rec->lock);
    if (rec->state_count < MAX_STATES)
        rec->states[rec->state_count] = state;
    rec->state_count++;
    rec->state = state;
    snprintf(rec->detail, sizeof rec->detail, "%s", detail);
    pthread_cond_broadcast(&rec->changed);
    pthread_mutex_unlock(&rec->lock);
}

static struct timespec deadline_in(int ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    return until;
}

static bool wait_for_taps(struct recorder *rec, size_t count, int timeout_ms)
{
    struct timespec until = deadline_in(timeout_ms);
    int rc = 0;
    pthread_mutex_lock(&rec->lock);
    while (rec->tap_count < count && rc == 0)
        rc = pthread_cond_timedwait(&rec->changed, &rec->lock, &until);
    bool reached = rec->tap_count >= count;
    pthread_mutex_unlock(&rec->lock);
    return reached;
}

static bool wait_for_state(struct recorder *rec, enum reader_state state, int timeout_ms)
{
    struct timespec until = deadline_in(timeout_ms);
    int rc = 0;
    pthread_mutex_lock(&rec->lock);
    while (rec->state != state && rc == 0)
        rc = pthread_cond_timedwait(&rec->changed, &rec->lock, &until);
    bool reached = rec->state == state;
    pthread_mutex_unlock(&rec->lock);
    return reached;
}

static size_t tap_count(struct recorder *rec)
{
    pthread_mutex_lock(&rec->lock);
    size_t count = rec->tap_count;
    pthread_mutex_unlock(&rec->lock);
    return count;
}

static void assert_tap(struct recorder *rec, size_t index, const uint8_t *uid, size_t uid_len)
{
    pthread_mutex_lock(&rec->lock);
    assert_true(index < rec->tap_count);
    assert_int_equal(rec->taps[index].uid_len, uid_len);
    assert_memory_equal(rec->taps[index].uid, uid, uid_len);
    pthread_mutex_unlock(&rec->lock);
}

static bool saw_state(struct recorder *rec, enum reader_state state)
{
    pthread_mutex_lock(&rec->lock);
    bool seen = false;
    for (size_t i = 0; i < rec->state_count && i < MAX_STATES; i++)
        seen = seen || rec->states[i] == state;
    pthread_mutex_unlock(&rec->lock);
    return seen;
}

/* ---- UID helpers and state names ---- */

static void test_uid_hex_is_lowercase_without_separators(void **state)
{
    (void)state;
    char hex[2 * READER_UID_MAX + 1];
    reader_uid_hex(card_a, sizeof card_a, hex);
    assert_string_equal(hex, "04a1b2c3d4e5f6");
    reader_uid_hex(card_a, 0, hex);
    assert_string_equal(hex, "");
}

static void test_uid_parse_accepts_colons_spaces_and_upper_case(void **state)
{
    (void)state;
    uint8_t uid[READER_UID_MAX];
    assert_int_equal(reader_uid_parse("04a1b2c3d4e5f6", uid, sizeof uid), 7);
    assert_memory_equal(uid, card_a, 7);
    assert_int_equal(reader_uid_parse("DE:AD:BE:EF", uid, sizeof uid), 4);
    assert_memory_equal(uid, card_b, 4);
    assert_int_equal(reader_uid_parse(" de ad be ef ", uid, sizeof uid), 4);
    assert_memory_equal(uid, card_b, 4);
}

static void test_uid_parse_rejects_odd_digits_non_hex_split_bytes_and_overflow(void **state)
{
    (void)state;
    uint8_t uid[READER_UID_MAX];
    assert_int_equal(reader_uid_parse("", uid, sizeof uid), -1);
    assert_int_equal(reader_uid_parse(" : ", uid, sizeof uid), -1);
    assert_int_equal(reader_uid_parse("04a", uid, sizeof uid), -1);
    assert_int_equal(reader_uid_parse("04g1", uid, sizeof uid), -1);
    assert_int_equal(reader_uid_parse("0 4a1", uid, sizeof uid), -1);
    assert_int_equal(reader_uid_parse("0x04a1", uid, sizeof uid), -1);
    assert_int_equal(reader_uid_parse("deadbeef", uid, 3), -1);
    assert_int_equal(reader_uid_parse("00112233445566778899aa", uid, sizeof uid), -1);
    assert_int_equal(reader_uid_parse(NULL, uid, sizeof uid), -1);
}

static void test_uid_hex_and_parse_round_trip_every_length(void **state)
{
    (void)state;
    char hex[2 * READER_UID_MAX + 1];
    uint8_t uid[READER_UID_MAX];
    for (size_t len = 1; len <= READER_UID_MAX; len++) {
        reader_uid_hex(card_long, len, hex);
        assert_int_equal(reader_uid_parse(hex, uid, sizeof uid), (int)len);
        assert_memory_equal(uid, card_long, len);
    }
}

static void test_state_names_are_words(void **state)
{
    (void)state;
    assert_string_equal(reader_state_name(READER_STARTING), "starting");
    assert_string_equal(reader_state_name(READER_CONNECTED), "connected");
    assert_string_equal(reader_state_name(READER_DISCONNECTED), "disconnected");
    assert_string_equal(reader_state_name(READER_STOPPED), "stopped");
    assert_string_equal(reader_state_name((enum reader_state)42), "unknown");
}

static void test_open_rejects_empty_connection_string(void **state)
{
    (void)state;
    struct reader_callbacks cb = {0};
    struct reader *reader = (struct reader *)&cb; /* must be reset to NULL */
    char err[256] = "";
    assert_int_equal(reader_open("", &cb, &reader, err, sizeof err), -EINVAL);
    assert_null(reader);
    assert_non_null(strstr(err, "reader_connection"));
}

/* ---- the simulated driver ---- */

static void test_sim_reader_connects_and_delivers_injected_taps_in_order(void **state)
{
    (void)state;
    struct recorder rec;
    recorder_init(&rec);
    struct reader_callbacks cb = {.tap = on_tap, .state = on_state, .user = &rec};
    struct reader *reader = NULL;
    char err[256];

    assert_int_equal(reader_open("sim", &cb, &reader, err, sizeof err), 0);
    assert_true(wait_for_state(&rec, READER_CONNECTED, CONNECT_TIMEOUT_MS));
    assert_int_equal(reader_state(reader), READER_CONNECTED);
    assert_int_equal(reader_inject(reader, card_a, sizeof card_a), 0);
    assert_int_equal(reader_inject(reader, card_b, sizeof card_b), 0);
    assert_true(wait_for_taps(&rec, 2, TAP_TIMEOUT_MS));
    assert_tap(&rec, 0, card_a, sizeof card_a);
    assert_tap(&rec, 1, card_b, sizeof card_b);
    reader_close(reader);
    assert_int_equal(rec.state, READER_STOPPED);
    assert_int_equal(tap_count(&rec), 2);
    recorder_fini(&rec);
}

static void test_sim_reader_takes_options_after_colon(void **state)
{
    (void)state;
    struct recorder rec;
    recorder_init(&rec);
    struct reader_callbacks cb = {.tap = on_tap, .state = on_state, .user = &rec};
    struct reader *reader = NULL;
    char err[256];

    assert_int_equal(reader_open("sim:demo", &cb, &reader, err, sizeof err), 0);
    assert_int_equal(reader_inject(reader, card_b, sizeof card_b), 0);
    assert_true(wait_for_taps(&rec, 1, TAP_TIMEOUT_MS));
    reader_close(reader);
    recorder_fini(&rec);
}

static void test_sim_inject_rejects_empty_and_oversized_uids(void **state)
{
    (void)state;
    struct recorder rec;
    recorder_init(&rec);
    struct reader_callbacks cb = {.tap = on_tap, .state = on_state, .user = &rec};
    struct reader *reader = NULL;
    uint8_t too_long[READER_UID_MAX + 1] = {0};
    char err[256];

    assert_int_equal(reader_open("sim", &cb, &reader, err, sizeof err), 0);
    assert_int_equal(reader_inject(reader, card_a, 0), -EINVAL);
    assert_int_equal(reader_inject(reader, too_long, sizeof too_long), -EINVAL);
    reader_close(reader);
    assert_int_equal(tap_count(&rec), 0);
    recorder_fini(&rec);
}

/* ---- the libnfc driver through the PN532 simulator ---- */

struct rig {
    struct pn532_sim *sim;
    struct reader *reader;
    struct recorder rec;
};

static int rig_teardown(void **state)
{
    struct rig *rig = *state;
    if (!rig)
        return 0;
    reader_close(rig->reader);
    pn532_sim_stop(rig->sim);
    recorder_fini(&rig->rec);
    free(rig);
    return 0;
}

static int rig_setup(void **state)
{
    struct rig *rig = calloc(1, sizeof *rig);
    char err[256];
    if (!rig)
        return -1;
    *state = rig;
    recorder_init(&rig->rec);
    rig->sim = pn532_sim_start(NULL);
    if (!rig->sim)
        goto fail;
    struct reader_callbacks cb = {.tap = on_tap, .state = on_state, .user = &rig->rec};
    if (reader_open(pn532_sim_connstring(rig->sim), &cb, &rig->reader, err, sizeof err) < 0) {
        print_error("reader_open: %s\n", err);
        goto fail;
    }
    if (!wait_for_state(&rig->rec, READER_CONNECTED, CONNECT_TIMEOUT_MS) ||
        pn532_sim_wait_for_poll(rig->sim, CONNECT_TIMEOUT_MS) < 0) {
        print_error("the reader did not come up: %s\n", rig->rec.detail);
        goto fail;
    }
    return 0;
fail:
    rig_teardown(state);
    *state = NULL;
    return -1;
}

/* Puts a card down and takes it away again once the tap has come. */
static void tap_card(struct rig *rig, const uint8_t *uid, size_t uid_len, size_t expected_taps)
{
    assert_int_equal(pn532_sim_card_present(rig->sim, uid, uid_len), 0);
    assert_true(wait_for_taps(&rig->rec, expected_taps, TAP_TIMEOUT_MS));
    pn532_sim_card_removed(rig->sim);
    assert_int_equal(pn532_sim_wait_for_poll(rig->sim, TAP_TIMEOUT_MS), 0);
}

static void test_tap_gives_one_event_with_the_right_uid(void **state)
{
    struct rig *rig = *state;
    long long put_down = now_ms();
    assert_int_equal(pn532_sim_card_present(rig->sim, card_a, sizeof card_a), 0);
    assert_true(wait_for_taps(&rig->rec, 1, TAP_TIMEOUT_MS));
    long long latency = rig->rec.taps[0].at_ms - put_down;
    print_message("tap latency through the simulator: %lld ms (requirement: <= 300 ms)\n", latency);
    assert_true(latency < 1000); /* generous: a sanity bound, not a benchmark */
    assert_tap(&rig->rec, 0, card_a, sizeof card_a);
    pn532_sim_card_removed(rig->sim);
    assert_int_equal(pn532_sim_wait_for_poll(rig->sim, TAP_TIMEOUT_MS), 0);
    assert_int_equal(tap_count(&rig->rec), 1);
    assert_int_equal(reader_state(rig->reader), READER_CONNECTED);
}

static void test_card_held_for_seconds_gives_one_tap(void **state)
{
    struct rig *rig = *state;
    assert_int_equal(pn532_sim_card_present(rig->sim, card_a, sizeof card_a), 0);
    assert_true(wait_for_taps(&rig->rec, 1, TAP_TIMEOUT_MS));
    sleep_ms(3000);
    assert_int_equal(tap_count(&rig->rec), 1);
    pn532_sim_card_removed(rig->sim);
    assert_int_equal(pn532_sim_wait_for_poll(rig->sim, TAP_TIMEOUT_MS), 0);
    assert_int_equal(tap_count(&rig->rec), 1);
}

/* A 4-byte MIFARE Classic takes libnfc's other presence check (a
 * re-select by UID instead of a READ): it must hold just as well. */
static void test_classic_card_held_gives_one_tap(void **state)
{
    struct rig *rig = *state;
    assert_int_equal(pn532_sim_card_present(rig->sim, card_b, sizeof card_b), 0);
    assert_true(wait_for_taps(&rig->rec, 1, TAP_TIMEOUT_MS));
    sleep_ms(1500);
    assert_int_equal(tap_count(&rig->rec), 1);
    pn532_sim_card_removed(rig->sim);
    assert_int_equal(pn532_sim_wait_for_poll(rig->sim, TAP_TIMEOUT_MS), 0);
    assert_int_equal(tap_count(&rig->rec), 1);
}

/* libnfc cannot ping every card type; for those the driver keeps polling
 * and a card that stays is still one tap. */
static void test_card_libnfc_cannot_ping_held_gives_one_tap(void **state)
{
    struct rig *rig = *state;
    assert_int_equal(pn532_sim_card_present(rig->sim, card_long, sizeof card_long), 0);
    assert_true(wait_for_taps(&rig->rec, 1, TAP_TIMEOUT_MS));
    assert_tap(&rig->rec, 0, card_long, sizeof card_long);
    sleep_ms(1500);
    assert_int_equal(tap_count(&rig->rec), 1);
    tap_card(rig, card_a, sizeof card_a, 2); /* and the next card still comes */
    assert_tap(&rig->rec, 1, card_a, sizeof card_a);
}

static void test_card_removed_and_tapped_again_gives_second_tap(void **state)
{
    struct rig *rig = *state;
    tap_card(rig, card_a, sizeof card_a, 1);
    tap_card(rig, card_a, sizeof card_a, 2);
    assert_int_equal(tap_count(&rig->rec), 2);
    assert_tap(&rig->rec, 1, card_a, sizeof card_a);
}

static void test_two_different_cards_give_two_taps_with_their_uids(void **state)
{
    struct rig *rig = *state;
    tap_card(rig, card_b, sizeof card_b, 1);
    tap_card(rig, card_a, sizeof card_a, 2);
    assert_int_equal(tap_count(&rig->rec), 2);
    assert_tap(&rig->rec, 0, card_b, sizeof card_b);
    assert_tap(&rig->rec, 1, card_a, sizeof card_a);
}

static void test_unplug_reports_disconnected_and_plugging_back_reconnects(void **state)
{
    struct rig *rig = *state;
    assert_int_equal(pn532_sim_unplug(rig->sim), 0);
    assert_true(wait_for_state(&rig->rec, READER_DISCONNECTED, 3000));
    assert_int_equal(reader_state(rig->reader), READER_DISCONNECTED);
    pthread_mutex_lock(&rig->rec.lock);
    print_message("while unplugged: %s\n", rig->rec.detail);
    assert_non_null(strstr(rig->rec.detail, "reader not connected"));
    pthread_mutex_unlock(&rig->rec.lock);

    sleep_ms(2500); /* a reopen attempt or two while it is away */
    assert_int_equal(reader_state(rig->reader), READER_DISCONNECTED);

    long long plugged = now_ms();
    assert_int_equal(pn532_sim_plug(rig->sim), 0);
    assert_true(wait_for_state(&rig->rec, READER_CONNECTED, 5000));
    print_message("reconnected %lld ms after plugging back\n", now_ms() - plugged);
    assert_int_equal(pn532_sim_wait_for_poll(rig->sim, TAP_TIMEOUT_MS), 0);
    tap_card(rig, card_a, sizeof card_a, 1);
    assert_tap(&rig->rec, 0, card_a, sizeof card_a);
}

static void test_unplug_while_card_held_then_plug_back_gives_new_tap(void **state)
{
    struct rig *rig = *state;
    assert_int_equal(pn532_sim_card_present(rig->sim, card_a, sizeof card_a), 0);
    assert_true(wait_for_taps(&rig->rec, 1, TAP_TIMEOUT_MS));
    assert_int_equal(pn532_sim_unplug(rig->sim), 0);
    pn532_sim_card_removed(rig->sim);
    assert_true(wait_for_state(&rig->rec, READER_DISCONNECTED, 3000));
    assert_int_equal(pn532_sim_plug(rig->sim), 0);
    assert_true(wait_for_state(&rig->rec, READER_CONNECTED, 5000));
    assert_int_equal(pn532_sim_wait_for_poll(rig->sim, TAP_TIMEOUT_MS), 0);
    assert_int_equal(tap_count(&rig->rec), 1);
    tap_card(rig, card_b, sizeof card_b, 2);
    assert_tap(&rig->rec, 1, card_b, sizeof card_b);
}

/* Noise, then a start code with a broken length checksum, then a frame
 * cut short (the start of a tap answer): what a loose cable or a chip
 * being reset may send. */
static const uint8_t garbage[] = {
    0x55, 0x13, 0xF0, 0x00, 0xFF, 0x42, 0x00, 0x00, 0xFF, 0x05, 0x07,
    0xD5, 0x61, 0x01, 0x10, 0x00, 0x00, 0xFF, 0x0C, 0xF4, 0xD5, 0x61,
    0x01, 0x10, 0x09, 0x01, 0x00, 0x44, 0x00, 0x07, 0x04, 0xA1, 0xB2,
};

static void test_garbage_burst_gives_no_tap_and_reader_stays_connected(void **state)
{
    struct rig *rig = *state;
    assert_int_equal(pn532_sim_send_garbage(rig->sim, garbage, sizeof garbage), 0);
    sleep_ms(200);
    assert_int_equal(pn532_sim_wait_for_poll(rig->sim, TAP_TIMEOUT_MS), 0);
    assert_int_equal(tap_count(&rig->rec), 0);
    assert_int_equal(reader_state(rig->reader), READER_CONNECTED);
    tap_card(rig, card_a, sizeof card_a, 1);
    assert_tap(&rig->rec, 0, card_a, sizeof card_a);
    assert_false(saw_state(&rig->rec, READER_DISCONNECTED));
}

/* Noise that goes on looks like a failing reader: the driver may reopen
 * it, but it never reports a card that was not there and it comes back. */
static void test_sustained_garbage_gives_no_tap_and_reader_recovers(void **state)
{
    struct rig *rig = *state;
    for (int burst = 0; burst < 6; burst++) {
        assert_int_equal(pn532_sim_send_garbage(rig->sim, garbage, sizeof garbage), 0);
        sleep_ms(100);
    }
    sleep_ms(500); /* let the driver finish deciding what that was */
    assert_true(wait_for_state(&rig->rec, READER_CONNECTED, 5000));
    assert_int_equal(pn532_sim_wait_for_poll(rig->sim, TAP_TIMEOUT_MS), 0);
    assert_int_equal(tap_count(&rig->rec), 0);
    tap_card(rig, card_a, sizeof card_a, 1);
    assert_tap(&rig->rec, 0, card_a, sizeof card_a);
    assert_int_equal(tap_count(&rig->rec), 1);
}

static void assert_closes_quickly(struct rig *rig, const char *what)
{
    long long start = now_ms();
    reader_close(rig->reader);
    long long took = now_ms() - start;
    rig->reader = NULL;
    print_message("close %s took %lld ms\n", what, took);
    assert_true(took < 2000);
    assert_int_equal(rig->rec.state, READER_STOPPED);
}

static void test_close_while_polling_returns_quickly(void **state)
{
    struct rig *rig = *state;
    sleep_ms(100); /* well inside a blocked InAutoPoll */
    assert_closes_quickly(rig, "while polling");
}

static void test_close_while_card_held_returns_quickly(void **state)
{
    struct rig *rig = *state;
    assert_int_equal(pn532_sim_card_present(rig->sim, card_a, sizeof card_a), 0);
    assert_true(wait_for_taps(&rig->rec, 1, TAP_TIMEOUT_MS));
    assert_closes_quickly(rig, "while a card is held");
}

static void test_close_while_disconnected_returns_quickly(void **state)
{
    struct rig *rig = *state;
    assert_int_equal(pn532_sim_unplug(rig->sim), 0);
    assert_true(wait_for_state(&rig->rec, READER_DISCONNECTED, 3000));
    assert_closes_quickly(rig, "while waiting to reopen");
}

static int open_descriptors(void)
{
    DIR *dir = opendir("/proc/self/fd");
    int count = 0;
    if (!dir)
        return -1;
    while (readdir(dir))
        count++;
    closedir(dir);
    return count;
}

/* libnfc's abort swaps a pipe under the driver; aborting when nothing is
 * blocked would leak its other end. A kiosk reopens the reader for days. */
static void test_open_and_close_leave_no_descriptors_behind(void **state)
{
    struct rig *rig = *state;
    char err[256];
    struct reader_callbacks cb = {.tap = on_tap, .state = on_state, .user = &rig->rec};

    reader_close(rig->reader); /* the rig's own reader: start counting from none */
    rig->reader = NULL;
    int before = open_descriptors();
    for (int round = 0; round < 3; round++) {
        assert_int_equal(
            reader_open(pn532_sim_connstring(rig->sim), &cb, &rig->reader, err, sizeof err), 0);
        assert_true(wait_for_state(&rig->rec, READER_CONNECTED, CONNECT_TIMEOUT_MS));
        assert_int_equal(pn532_sim_wait_for_poll(rig->sim, CONNECT_TIMEOUT_MS), 0);
        if (round == 1) { /* close while a card is held, not polling */
            assert_int_equal(pn532_sim_card_present(rig->sim, card_a, sizeof card_a), 0);
            assert_true(wait_for_taps(&rig->rec, 1, TAP_TIMEOUT_MS));
        } else {
            sleep_ms(100); /* inside the blocked InAutoPoll, past its ACK */
        }
        reader_close(rig->reader);
        rig->reader = NULL;
        pn532_sim_card_removed(rig->sim);
    }
    assert_int_equal(open_descriptors(), before);
}

static void test_missing_reader_reports_disconnected_and_cannot_inject(void **state)
{
    (void)state;
    struct recorder rec;
    recorder_init(&rec);
    struct reader_callbacks cb = {.tap = on_tap, .state = on_state, .user = &rec};
    struct reader *reader = NULL;
    char err[256];

    assert_int_equal(
        reader_open("pn532_uart:/nonexistent/tilstede-reader", &cb, &reader, err, sizeof err), 0);
    assert_true(wait_for_state(&rec, READER_DISCONNECTED, CONNECT_TIMEOUT_MS));
    pthread_mutex_lock(&rec.lock);
    print_message("missing reader: %s\n", rec.detail);
    assert_non_null(strstr(rec.detail, "reader not connected"));
    assert_non_null(strstr(rec.detail, "/nonexistent/tilstede-reader"));
    pthread_mutex_unlock(&rec.lock);
    assert_int_equal(reader_inject(reader, card_a, sizeof card_a), -ENOTSUP);
    reader_close(reader);
    recorder_fini(&rec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uid_hex_is_lowercase_without_separators),
        cmocka_unit_test(test_uid_parse_accepts_colons_spaces_and_upper_case),
        cmocka_unit_test(test_uid_parse_rejects_odd_digits_non_hex_split_bytes_and_overflow),
        cmocka_unit_test(test_uid_hex_and_parse_round_trip_every_length),
        cmocka_unit_test(test_state_names_are_words),
        cmocka_unit_test(test_open_rejects_empty_connection_string),
        cmocka_unit_test(test_sim_reader_connects_and_delivers_injected_taps_in_order),
        cmocka_unit_test(test_sim_reader_takes_options_after_colon),
        cmocka_unit_test(test_sim_inject_rejects_empty_and_oversized_uids),
        cmocka_unit_test(test_missing_reader_reports_disconnected_and_cannot_inject),
        cmocka_unit_test_setup_teardown(test_tap_gives_one_event_with_the_right_uid, rig_setup,
                                        rig_teardown),
        cmocka_unit_test_setup_teardown(test_card_held_for_seconds_gives_one_tap, rig_setup,
                                        rig_teardown),
        cmocka_unit_test_setup_teardown(test_classic_card_held_gives_one_tap, rig_setup,
                                        rig_teardown),
        cmocka_unit_test_setup_teardown(test_card_libnfc_cannot_ping_held_gives_one_tap, rig_setup,
                                        rig_teardown),
        cmocka_unit_test_setup_teardown(test_card_removed_and_tapped_again_gives_second_tap,
                                        rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(test_two_different_cards_give_two_taps_with_their_uids,
                                        rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(
            test_unplug_reports_disconnected_and_plugging_back_reconnects, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(test_unplug_while_card_held_then_plug_back_gives_new_tap,
                                        rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(test_garbage_burst_gives_no_tap_and_reader_stays_connected,
                                        rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(test_sustained_garbage_gives_no_tap_and_reader_recovers,
                                        rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(test_close_while_polling_returns_quickly, rig_setup,
                                        rig_teardown),
        cmocka_unit_test_setup_teardown(test_close_while_card_held_returns_quickly, rig_setup,
                                        rig_teardown),
        cmocka_unit_test_setup_teardown(test_close_while_disconnected_returns_quickly, rig_setup,
                                        rig_teardown),
        cmocka_unit_test_setup_teardown(test_open_and_close_leave_no_descriptors_behind, rig_setup,
                                        rig_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
