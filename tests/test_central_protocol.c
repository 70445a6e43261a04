/* The sync protocol's wire format (sync/protocol.c): times, events to and
 * from JSON, and the reasons an event is refused. No network. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

static void test_time_formats_as_rfc3339_utc_with_microseconds(void **state)
{
    (void)state;
    char text[PROTOCOL_TIME_LEN + 1];
    assert_int_equal(protocol_time_format(INT64_C(1795440600000000), text), 0);
    assert_string_equal(text, "2026-11-23T13:30:00.000000Z");
    assert_int_equal(protocol_time_format(INT64_C(1795440600123456), text), 0);
    assert_string_equal(text, "2026-11-23T13:30:00.123456Z");
    assert_int_equal(protocol_time_format(0, text), 0);
    assert_string_equal(text, "1970-01-01T00:00:00.000000Z");
    assert_int_equal(protocol_time_format(-1, text), 0);
    assert_string_equal(text, "1969-12-31T23:59:59.999999Z");
}

static void test_time_parse_round_trips_and_accepts_shorter_fractions(void **state)
{
    (void)state;
    int64_t us;
    assert_int_equal(protocol_time_parse("2026-11-23T13:30:00.000000Z", &us), 0);
    assert_int_equal(us, INT64_C(1795440600000000));
    assert_int_equal(protocol_time_parse("2026-11-23T13:30:00Z", &us), 0);
    assert_int_equal(us, INT64_C(1795440600000000));
    assert_int_equal(protocol_time_parse("2026-11-23T13:30:00.5Z", &us), 0);
    assert_int_equal(us, INT64_C(1795440600500000));
    assert_int_equal(protocol_time_parse("2024-02-29T00:00:00.000001Z", &us), 0);
    char text[PROTOCOL_TIME_LEN + 1];
    for (int64_t t = INT64_C(946684800000000); t < INT64_C(4102444800000000);
         t += INT64_C(86400000000) * 37 + 123457) {
        assert_int_equal(protocol_time_format(t, text), 0);
        assert_int_equal(protocol_time_parse(text, &us), 0);
        assert_int_equal(us, t);
    }
}

static void test_time_parse_refuses_local_times_and_impossible_dates(void **state)
{
    (void)state;
    int64_t us;
    static const char *const bad[] = {
        "2026-11-23T13:30:00.000000+01:00",
        "2026-11-23 13:30:00Z",
        "2026-11-23T13:30:00",
        "2026-02-29T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-11-23T24:00:00Z",
        "2026-11-23T13:30:60Z",
        "2026-11-23T13:30:00.Z",
        "2026-11-23T13:30:00.0000000000Z",
        "yesterday",
        "",
        "2026-11-23T13:30:00ZZ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(protocol_time_parse(bad[i], &us), -EINVAL);
}

static void sample(struct event *ev)
{
    memset(ev, 0, sizeof *ev);
    strcpy(ev->event_id, "3f1c2a44-8f0e-4c4b-9a51-0d6a3c9e7b21");
    ev->kind = EVENT_CARD_ENROLLED;
    strcpy(ev->site, "lilleby");
    strcpy(ev->volunteer, "F-1042");
    ev->at_us = INT64_C(1795440600000000);
    ev->recorded_us = INT64_C(1795440600250000);
    ev->mono_us = 123456789;
    strcpy(ev->boot_id, "9b2d0c8e-1f35-4f0a-8a57-3f0e6a1c2b44");
    ev->clock_synced = 1;
    ev->source = SOURCE_STAFF;
    strcpy(ev->activity, "7d4e8f10-2b3c-4d5e-8f60-718293a4b5c6");
    memset(ev->card_hash, 'a', CARD_HASH_HEX);
    ev->review = 0;
}

static void test_event_survives_json_round_trip(void **state)
{
    (void)state;
    struct event ev, back;
    sample(&ev);
    json_t *doc = protocol_event_to_json(&ev);
    assert_non_null(doc);
    assert_null(json_object_get(doc, "site"));
    assert_string_equal(json_string_value(json_object_get(doc, "at")),
                        "2026-11-23T13:30:00.000000Z");
    char err[256];
    assert_int_equal(protocol_event_from_json(doc, "lilleby", &back, err, sizeof err), 0);
    assert_memory_equal(&ev, &back, sizeof ev);
    json_decref(doc);
}

static void expect_rejected(const char *key, json_t *value, const char *reason_part)
{
    struct event ev, back;
    sample(&ev);
    json_t *doc = protocol_event_to_json(&ev);
    if (value)
        json_object_set_new(doc, key, value);
    else
        json_object_del(doc, key);
    char err[256] = "";
    int rc = protocol_event_from_json(doc, "lilleby", &back, err, sizeof err);
    assert_true(rc < 0);
    if (!strstr(err, reason_part))
        fail_msg("%s: reason \"%s\" lacks \"%s\"", key, err, reason_part);
    json_decref(doc);
}

static void test_each_invalid_field_is_refused_with_its_name(void **state)
{
    (void)state;
    expect_rejected("event_id", json_string("42"), "event_id");
    expect_rejected("event_id", NULL, "event_id");
    expect_rejected("kind", json_string("teleport"), "kind");
    expect_rejected("source", json_string("magic"), "source");
    expect_rejected("volunteer", json_null(), "volunteer");
    expect_rejected("volunteer", json_integer(5), "volunteer");
    expect_rejected("at", json_string("2026-11-23T14:30:00+01:00"), "at");
    expect_rejected("recorded_at", NULL, "recorded_at");
    expect_rejected("monotonic_us", json_integer(-1), "monotonic_us");
    expect_rejected("monotonic_us", json_string("5"), "monotonic_us");
    expect_rejected("boot_id", NULL, "boot_id");
    expect_rejected("clock_synced", json_integer(1), "clock_synced");
    expect_rejected("review", NULL, "review");
    expect_rejected("activity", json_string("yoga"), "activity");
    expect_rejected("card_hash", json_string("ABC"), "card_hash");
    expect_rejected("card_hash", json_null(), "card_hash");
    expect_rejected("corrects", json_string("3f1c2a44-8f0e-4c4b-9a51-0d6a3c9e7b22"), "corrects");
    expect_rejected("site", json_string("elsewhere"), "site");
}

static void test_correction_needs_the_id_it_corrects(void **state)
{
    (void)state;
    struct event ev, back;
    sample(&ev);
    ev.kind = EVENT_CORRECTION;
    ev.card_hash[0] = '\0';
    json_t *doc = protocol_event_to_json(&ev);
    char err[256];
    assert_int_equal(protocol_event_from_json(doc, "lilleby", &back, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "corrects"));
    json_object_set_new(doc, "corrects", json_string("0A1B2C3D-8F0E-4C4B-9A51-0D6A3C9E7B22"));
    assert_int_equal(protocol_event_from_json(doc, "lilleby", &back, err, sizeof err), 0);
    /* Ids are compared as text, so they are kept in one spelling. */
    assert_string_equal(back.corrects, "0a1b2c3d-8f0e-4c4b-9a51-0d6a3c9e7b22");
    json_decref(doc);
}

static void test_own_site_named_explicitly_is_accepted(void **state)
{
    (void)state;
    struct event ev, back;
    sample(&ev);
    json_t *doc = protocol_event_to_json(&ev);
    json_object_set_new(doc, "site", json_string("lilleby"));
    char err[256];
    assert_int_equal(protocol_event_from_json(doc, "lilleby", &back, err, sizeof err), 0);
    assert_int_equal(protocol_event_from_json(doc, "other", &back, err, sizeof err), -EPERM);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_formats_as_rfc3339_utc_with_microseconds),
        cmocka_unit_test(test_time_parse_round_trips_and_accepts_shorter_fractions),
        cmocka_unit_test(test_time_parse_refuses_local_times_and_impossible_dates),
        cmocka_unit_test(test_event_survives_json_round_trip),
        cmocka_unit_test(test_each_invalid_field_is_refused_with_its_name),
        cmocka_unit_test(test_correction_needs_the_id_it_corrects),
        cmocka_unit_test(test_own_site_named_explicitly_is_accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
