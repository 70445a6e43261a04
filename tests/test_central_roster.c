/* GET /v1/roster: the cursor sends only what changed, activities stay with
 * their site, and a card enrolled at one kiosk reaches the others. */
/* cmocka.h needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "central_fixture.h"

static json_t *roster(struct fixture *f, const char *token, const char *cursor)
{
    return fixture_roster(f, token, cursor);
}

static size_t count(json_t *doc, const char *list)
{
    return json_array_size(json_object_get(doc, list));
}

static void add_activity(struct fixture *f, const char *site, const char *title, char *id_out)
{
    struct central_activity a;
    memset(&a, 0, sizeof a);
    event_new_id(a.id);
    snprintf(a.site, sizeof a.site, "%s", site);
    snprintf(a.date, sizeof a.date, "2026-11-23");
    snprintf(a.start, sizeof a.start, "10:00");
    snprintf(a.end, sizeof a.end, "12:00");
    snprintf(a.title, sizeof a.title, "%s", title);
    snprintf(a.place, sizeof a.place, "Peisestua");
    char err[256];
    assert_int_equal(central_store_activity_add(f->store, &a, err, sizeof err), 0);
    if (id_out)
        strcpy(id_out, a.id);
}

static void import(struct fixture *f, const struct central_volunteer *list, size_t n)
{
    size_t changed;
    char err[256];
    assert_int_equal(central_store_roster_replace(f->store, list, n, &changed, err, sizeof err), 0);
}

static void test_roster_cursor_sends_only_changes_after_it(void **state)
{
    struct fixture *f = *state;
    struct central_volunteer people[2] = {
        {"F-1", "Kari", "Nordmann", 1, "2026-01-10", "", 0, 0},
        {"F-2", "Ola", "Hansen", 1, "", "2027-05-01", 0, 0},
    };
    import(f, people, 2);
    add_activity(f, FIXTURE_SITE_A, "Sangstund", NULL);
    add_activity(f, FIXTURE_SITE_B, "Trim", NULL);

    json_t *first = roster(f, f->token_a1, NULL);
    assert_true(json_is_true(json_object_get(first, "full")));
    assert_int_equal(count(first, "volunteers"), 2);
    assert_int_equal(count(first, "activities"), 1); /* only this site's */
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(first, "activities"), 0), "title")),
                        "Sangstund");
    json_t *kari = json_array_get(json_object_get(first, "volunteers"), 0);
    assert_string_equal(json_string_value(json_object_get(kari, "confidentiality_signed")),
                        "2026-01-10");
    assert_true(json_is_null(json_object_get(kari, "police_valid_until")));
    const char *cursor1 = json_string_value(json_object_get(first, "cursor"));

    /* Nothing changed: nothing sent, the cursor stays. */
    json_t *same = roster(f, f->token_a1, cursor1);
    assert_false(json_is_true(json_object_get(same, "full")));
    assert_int_equal(count(same, "volunteers") + count(same, "cards") + count(same, "activities"),
                     0);

    /* One volunteer changes, one activity is added here and one elsewhere. */
    people[1].active = 0;
    import(f, people, 2);
    char new_id[EVENT_ID_LEN + 1];
    add_activity(f, FIXTURE_SITE_A, "Vaffelkafé", new_id);
    add_activity(f, FIXTURE_SITE_B, "Bingo", NULL);
    json_t *next = roster(f, f->token_a1, cursor1);
    assert_false(json_is_true(json_object_get(next, "full")));
    assert_int_equal(count(next, "volunteers"), 1);
    json_t *ola = json_array_get(json_object_get(next, "volunteers"), 0);
    assert_string_equal(json_string_value(json_object_get(ola, "external_id")), "F-2");
    assert_true(json_is_false(json_object_get(ola, "active")));
    assert_int_equal(count(next, "activities"), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(next, "activities"), 0), "id")),
                        new_id);
    const char *cursor2 = json_string_value(json_object_get(next, "cursor"));
    assert_true(atoll(cursor2) > atoll(cursor1));

    /* A volunteer left out of the next import is retired, not deleted. */
    import(f, people, 1);
    json_t *after = roster(f, f->token_a1, cursor2);
    assert_int_equal(count(after, "volunteers"), 0); /* F-2 was already inactive */

    /* A cursor this server never gave (another database) means: start over. */
    json_t *reset = roster(f, f->token_a1, "999999");
    assert_true(json_is_true(json_object_get(reset, "full")));
    assert_int_equal(count(reset, "volunteers"), 2);

    struct reply reply;
    assert_int_equal(
        fixture_request(f, "GET", "/v1/roster?since=abc", f->token_a1, NULL, 0, &reply), 0);
    assert_int_equal(reply.status, 400);
    reply_free(&reply);
    json_decref(first);
    json_decref(same);
    json_decref(next);
    json_decref(after);
    json_decref(reset);
}

static json_t *find_card(json_t *doc, const char *hash)
{
    size_t i;
    json_t *card;
    json_array_foreach(json_object_get(doc, "cards"), i,
                       card) if (strcmp(json_string_value(json_object_get(card, "card_hash")),
                                        hash) == 0) return card;
    return NULL;
}

static void post(struct fixture *f, const char *token, const struct event *events, size_t n)
{
    char *body = fixture_batch(events, n);
    struct reply reply;
    assert_int_equal(fixture_request(f, "POST", "/v1/events", token, body, strlen(body), &reply),
                     0);
    assert_int_equal(reply.status, 200);
    reply_free(&reply);
    free(body);
}

static void test_card_enrolled_at_kiosk_1_appears_in_kiosk_2_roster(void **state)
{
    struct fixture *f = *state;
    json_t *before = roster(f, f->token_a2, NULL);
    const char *cursor = json_string_value(json_object_get(before, "cursor"));
    char hash[CARD_HASH_HEX + 1];
    memset(hash, 'c', CARD_HASH_HEX);
    hash[CARD_HASH_HEX] = '\0';
    struct event enrolled;
    fixture_event(&enrolled, EVENT_CARD_ENROLLED, "F-1", fixture_utc("2026-11-23T10:00:00Z"));
    enrolled.source = SOURCE_STAFF;
    strcpy(enrolled.card_hash, hash);
    post(f, f->token_a1, &enrolled, 1);

    json_t *other_kiosk = roster(f, f->token_a2, cursor);
    json_t *card = find_card(other_kiosk, hash);
    assert_non_null(card);
    assert_string_equal(json_string_value(json_object_get(card, "volunteer")), "F-1");
    assert_true(json_is_false(json_object_get(card, "revoked")));
    /* Cards are the deployment's, so another site's kiosk has it too. */
    json_t *other_site = roster(f, f->token_b1, NULL);
    assert_non_null(find_card(other_site, hash));

    /* Revoked later at kiosk 2: kiosk 1 learns it. */
    const char *cursor2 = json_string_value(json_object_get(other_kiosk, "cursor"));
    struct event revoked;
    fixture_event(&revoked, EVENT_CARD_REVOKED, NULL, fixture_utc("2026-11-24T10:00:00Z"));
    revoked.source = SOURCE_STAFF;
    strcpy(revoked.card_hash, hash);
    post(f, f->token_a2, &revoked, 1);
    json_t *kiosk1 = roster(f, f->token_a1, cursor2);
    card = find_card(kiosk1, hash);
    assert_non_null(card);
    assert_true(json_is_true(json_object_get(card, "revoked")));
    assert_string_equal(json_string_value(json_object_get(card, "volunteer")), "F-1");

    /* An older enrolment arriving late (a kiosk that was offline) does not
     * undo the newer revocation. */
    const char *cursor3 = json_string_value(json_object_get(kiosk1, "cursor"));
    struct event late;
    fixture_event(&late, EVENT_CARD_ENROLLED, "F-1", fixture_utc("2026-11-23T12:00:00Z"));
    late.source = SOURCE_STAFF;
    strcpy(late.card_hash, hash);
    post(f, f->token_b1, &late, 1);
    json_t *still = roster(f, f->token_a1, NULL);
    assert_true(json_is_true(json_object_get(find_card(still, hash), "revoked")));
    json_t *nothing_new = roster(f, f->token_a1, cursor3);
    assert_null(find_card(nothing_new, hash));

    json_decref(before);
    json_decref(other_kiosk);
    json_decref(other_site);
    json_decref(kiosk1);
    json_decref(still);
    json_decref(nothing_new);
}

static void test_roster_csv_import_reaches_the_kiosks(void **state)
{
    struct fixture *f = *state;
    char path[400];
    snprintf(path, sizeof path, "%s/roster.csv", f->dir);
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    /* Excel's "CSV (semikolonseparert)": Windows-1252, ';', CRLF. */
    fputs("Frivillig-ID;Fornavn;Etternavn;Aktiv;Taushetserkl\xe6ring;Politiattest gyldig til\r\n"
          "F-10;Bj\xf8rg;\xc5sheim;ja;23.11.2026;\r\n"
          "F-11;Per;Olsen;ja;;01.02.2027\r\n",
          file);
    fclose(file);
    char *words[] = {"roster", "import", path};
    struct central_admin_args args = {.words = words, .word_count = 3, .db = f->db};
    FILE *out = fopen("/dev/null", "w");
    assert_int_equal(central_admin_run(&args, out, stderr), CENTRAL_EXIT_OK);
    fclose(out);
    json_t *doc = roster(f, f->token_a1, NULL);
    assert_int_equal(count(doc, "volunteers"), 2);
    json_t *bjorg = json_array_get(json_object_get(doc, "volunteers"), 0);
    assert_string_equal(json_string_value(json_object_get(bjorg, "given_name")), "Bj\xc3\xb8rg");
    assert_string_equal(json_string_value(json_object_get(bjorg, "family_name")), "\xc3\x85sheim");
    assert_string_equal(json_string_value(json_object_get(bjorg, "confidentiality_signed")),
                        "2026-11-23");
    json_decref(doc);

    /* The next export says "ja" for an agreement without a date, and has no
     * police certificate column: the date stored for F-11 stays. */
    file = fopen(path, "wb");
    assert_non_null(file);
    fputs("Frivillig-ID;Fornavn;Etternavn;Taushetserkl\xe6ring\r\n"
          "F-10;Bj\xf8rg;\xc5sheim;ja\r\n"
          "F-11;Per;Olsen;\r\n",
          file);
    fclose(file);
    out = fopen("/dev/null", "w");
    assert_int_equal(central_admin_run(&args, out, stderr), CENTRAL_EXIT_OK);
    fclose(out);
    doc = roster(f, f->token_a1, NULL);
    bjorg = json_array_get(json_object_get(doc, "volunteers"), 0);
    assert_true(json_is_null(json_object_get(bjorg, "confidentiality_signed")));
    assert_true(json_is_true(json_object_get(bjorg, "confidentiality_signed_undated")));
    assert_true(json_is_true(json_object_get(bjorg, "active")));
    json_t *per = json_array_get(json_object_get(doc, "volunteers"), 1);
    assert_string_equal(json_string_value(json_object_get(per, "police_valid_until")),
                        "2027-02-01");
    assert_true(json_is_false(json_object_get(per, "confidentiality_signed_undated")));
    json_decref(doc);
    remove(path);
}

int main(void)
{
    setenv("TZ", "Europe/Oslo", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_roster_cursor_sends_only_changes_after_it,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_card_enrolled_at_kiosk_1_appears_in_kiosk_2_roster,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_roster_csv_import_reaches_the_kiosks, fixture_setup,
                                        fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
