/* tilstedectl as a person or a script uses it: the real binary, its output
 * and its exit codes, on a temporary database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include "config.h"
#include "kiosk.h"
#include "store.h"
#include "pn532_sim.h"
#include "testutil.h"

struct fixture {
    char dir[256];
    char conf[300];
    char db[300];
};

struct run {
    int status;
    char out[65536];
    char err[16384];
};

/* Runs tilstedectl with the fixture's config; stdin_text may be NULL. */
static pid_t start_ctl(struct fixture *fx, const char *stdin_text, const char *const *args,
                       char *out_path, char *err_path)
{
    char in_path[400];
    static int counter;
    int n = counter++;
    snprintf(in_path, sizeof in_path, "%s/in%d", fx->dir, n);
    snprintf(out_path, 400, "%s/out%d", fx->dir, n);
    snprintf(err_path, 400, "%s/err%d", fx->dir, n);
    FILE *in = fopen(in_path, "w");
    fputs(stdin_text ? stdin_text : "", in);
    fclose(in);
    const char *argv[32] = {TILSTEDECTL, "--config", fx->conf};
    int argc = 3;
    for (int i = 0; args[i]; i++)
        argv[argc++] = args[i];
    argv[argc] = NULL;
    pid_t pid = test_spawn(argv, in_path, out_path, err_path);
    assert_true(pid > 0);
    return pid;
}

static void finish_ctl(pid_t pid, const char *out_path, const char *err_path, struct run *r)
{
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    r->status = WEXITSTATUS(status);
    test_slurp(out_path, r->out, sizeof r->out);
    test_slurp(err_path, r->err, sizeof r->err);
}

static struct run *ctl(struct fixture *fx, const char *stdin_text, ...)
{
    static struct run r;
    const char *args[24];
    va_list ap;
    va_start(ap, stdin_text);
    int n = 0;
    while ((args[n] = va_arg(ap, const char *)) && n < 23)
        n++;
    args[n] = NULL;
    va_end(ap);
    char out[400], err[400];
    finish_ctl(start_ctl(fx, stdin_text, args, out, err), out, err, &r);
    return &r;
}

static json_t *json_of(const struct run *r)
{
    json_error_t error;
    json_t *value = json_loads(r->out, 0, &error);
    if (!value)
        fail_msg("not JSON (%s): %s", error.text, r->out);
    return value;
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    test_tmpdir(fx->dir, sizeof fx->dir, "ctl");
    snprintf(fx->conf, sizeof fx->conf, "%s/tilstede.conf", fx->dir);
    snprintf(fx->db, sizeof fx->db, "%s/kiosk.db", fx->dir);
    FILE *f = fopen(fx->conf, "w");
    fprintf(f, "[site]\nid = solsiden\nname = Solsiden helsehus\n[reader]\nconnection = sim\n"
               "[store]\ndatabase = %s\ncard_key = %s/card.key\n", fx->db, fx->dir);
    fclose(f);
    assert_int_equal(ctl(fx, NULL, "demo", NULL)->status, 0);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static void test_version_help_and_usage_errors(void **state)
{
    struct fixture *fx = *state;
    struct run *r = ctl(fx, NULL, "--version", NULL);
    assert_int_equal(r->status, 0);
    assert_non_null(strstr(r->out, "tilstedectl " TILSTEDE_VERSION));
    r = ctl(fx, NULL, "--help", NULL);
    assert_int_equal(r->status, 0);
    assert_non_null(strstr(r->out, "Exit codes"));
    r = ctl(fx, NULL, "frobnicate", NULL);
    assert_int_equal(r->status, 2);
    assert_non_null(strstr(r->err, "unknown command 'frobnicate'"));
    r = ctl(fx, NULL, "hours", "--from", "yesterday", "--to", "2026-12-31", NULL);
    assert_int_equal(r->status, 2);
    assert_non_null(strstr(r->err, "'yesterday' is not a date"));
    r = ctl(fx, NULL, "tap", "zz", NULL);
    assert_int_equal(r->status, 2);
}

static void test_bad_config_names_file_and_line(void **state)
{
    struct fixture *fx = *state;
    FILE *f = fopen(fx->conf, "a");
    fprintf(f, "[rules]\nrepeat_window_seconds = -5\n");
    fclose(f);
    struct run *r = ctl(fx, NULL, "present", NULL);
    assert_int_equal(r->status, 2);
    assert_non_null(strstr(r->err, "tilstede.conf:10: [rules] repeat_window_seconds must be"));
}

static void test_tap_outcomes_and_exit_codes(void **state)
{
    struct fixture *fx = *state;
    struct run *r = ctl(fx, NULL, "--json", "tap", "04:DE:30:00:00:00:01", NULL);
    assert_int_equal(r->status, 0);
    json_t *o = json_of(r);
    assert_string_equal(json_string_value(json_object_get(o, "outcome")), "checked_in");
    assert_string_equal(json_string_value(json_object_get(o, "given_name")), "Kari");
    assert_int_equal(json_integer_value(json_object_get(o, "milestone")), 1);
    json_decref(o);
    r = ctl(fx, NULL, "tap", "04de3000000001", NULL);
    assert_int_equal(r->status, 0);
    assert_non_null(strstr(r->out, "already checked in"));
    r = ctl(fx, NULL, "tap", "04de3000000005", NULL);
    assert_int_equal(r->status, 4);
    assert_non_null(strstr(r->out, "unknown card"));
    r = ctl(fx, NULL, "checkin", "D014", NULL);
    assert_int_equal(r->status, 4);
    assert_non_null(strstr(r->out, "no longer active"));
    r = ctl(fx, NULL, "checkin", "Nobody", NULL);
    assert_int_equal(r->status, 3);
    r = ctl(fx, NULL, "checkin", "Å", NULL);
    assert_int_equal(r->status, 3);
    assert_non_null(strstr(r->err, "matches 3 volunteers")); /* Åse, Åberg, Åshild */
    r = ctl(fx, NULL, "checkin", "bjørg", NULL);
    assert_int_equal(r->status, 0);
    r = ctl(fx, NULL, "--json", "present", NULL);
    o = json_of(r);
    assert_int_equal(json_integer_value(json_object_get(o, "count")), 2);
    json_decref(o);
}

/* One check-in or check-out at a known time, written as the kiosk writes it. */
static void add_event(struct fixture *fx, const char *volunteer, enum event_kind kind, int64_t at)
{
    struct store *s;
    char err[600];
    assert_int_equal(store_open(fx->db, &s, err, sizeof err), 0);
    struct event ev = {0};
    snprintf(ev.site, sizeof ev.site, "solsiden");
    snprintf(ev.volunteer, sizeof ev.volunteer, "%s", volunteer);
    snprintf(ev.boot_id, sizeof ev.boot_id, "boot");
    ev.source = SOURCE_CARD;
    ev.clock_synced = 1;
    event_new_id(ev.event_id);
    ev.kind = kind;
    ev.at_us = ev.recorded_us = at;
    assert_int_equal(store_begin(s), 0);
    assert_int_equal(store_append(s, &ev), 0);
    assert_int_equal(store_commit(s), 0);
    store_close(s);
}

/* Visits with known times. */
static void add_visit(struct fixture *fx, const char *volunteer, int64_t start, int64_t end)
{
    add_event(fx, volunteer, EVENT_CHECKIN, start);
    add_event(fx, volunteer, EVENT_CHECKOUT, end);
}

static void test_hours_csv_opens_in_norwegian_excel(void **state)
{
    struct fixture *fx = *state;
    add_visit(fx, "D001", test_local_us(2026, 3, 2, 10, 0), test_local_us(2026, 3, 2, 12, 30));
    add_visit(fx, "D001", test_local_us(2026, 4, 7, 10, 0), test_local_us(2026, 4, 7, 11, 0));
    add_visit(fx, "D003", test_local_us(2026, 4, 8, 9, 0), test_local_us(2026, 4, 8, 10, 15));
    add_visit(fx, "D002", test_local_us(2025, 12, 31, 9, 0), test_local_us(2025, 12, 31, 10, 0));
    struct run *r = ctl(fx, NULL, "hours", "--from", "2026-01-01", "--to", "2026-12-31", "--by",
                        "volunteer", "--csv", NULL);
    assert_int_equal(r->status, 0);
    assert_string_equal(r->out,
                        "\xEF\xBB\xBF" "Frivillig;Timer;Årsverk;Besøk\r\n"
                        "\"Bjørg Åshild Marie-Louise Kristoffersen-Bråthen\";1,25;0,001;1\r\n"
                        "\"Kari Nordmann\";3,50;0,002;2\r\n");
    r = ctl(fx, NULL, "hours", "--from", "1.1.2026", "--to", "31.12.2026", "--by", "month", "--csv", NULL);
    assert_string_equal(r->out, "\xEF\xBB\xBF" "Måned;Timer;Årsverk;Besøk\r\n"
                                "\"2026-03\";2,50;0,001;1\r\n\"2026-04\";2,25;0,001;2\r\n");
    r = ctl(fx, NULL, "--json", "hours", "--from", "01.01.2026", "--to", "31.12.2026", NULL);
    assert_int_equal(r->status, 0);
    json_t *o = json_of(r);
    assert_float_equal(json_real_value(json_object_get(o, "hours")), 4.75, 1e-9);
    assert_float_equal(json_real_value(json_object_get(o, "arsverk")), 4.75 / 1700, 1e-12);
    assert_int_equal(json_integer_value(json_object_get(o, "visits")), 3);
    json_decref(o);
    r = ctl(fx, NULL, "hours", "--from", "2026-01-01", "--to", "2026-12-31", NULL);
    assert_non_null(strstr(r->out, "I alt"));
    assert_non_null(strstr(r->out, "4,8 timer"));
}

static void write_bytes(const char *path, const char *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    fwrite(bytes, 1, len, f);
    fclose(f);
}

/* Excel on Norwegian Windows: Windows-1252, ';', Norwegian headers. */
static void test_import_roster_windows_1252_with_bad_rows(void **state)
{
    struct fixture *fx = *state;
    char path[400];
    snprintf(path, sizeof path, "%s/roster.csv", fx->dir);
    static const char csv[] =
        "Frivillig-ID;Fornavn;Etternavn;Aktiv;Taushetserkl\xe6ring;Politiattest gyldig til\r\n"
        "R100;Bj\xf8rn;S\xe6ther;ja;01.02.2025;31.12.2027\r\n"
        "R101;\xc5se;L\xf8vland;ja;;\r\n"
        ";Uten;Id;ja;;\r\n"
        "R102;Dato;Feil;ja;31.02.2026;\r\n"
        "R103;Marte;\xd8ien;nei;2024-05-05;\r\n";
    write_bytes(path, csv, sizeof csv - 1);
    struct run *r = ctl(fx, NULL, "import-roster", path, NULL);
    assert_int_equal(r->status, 4);
    assert_non_null(strstr(r->out, "Windows-1252"));
    assert_non_null(strstr(r->out, "3 added, 0 updated, 0 unchanged, 2 rejected"));
    char line4[420], line5[420];
    snprintf(line4, sizeof line4, "%s:4:", path);
    snprintf(line5, sizeof line5, "%s:5:", path);
    assert_non_null(strstr(r->err, line4));
    assert_non_null(strstr(r->err, line5));
    r = ctl(fx, NULL, "--json", "checkin", "R100", NULL);
    json_t *o = json_of(r);
    assert_string_equal(json_string_value(json_object_get(o, "given_name")), "Bjørn");
    assert_string_equal(json_string_value(json_object_get(o, "family_name")), "Sæther");
    json_decref(o);
    /* Importing again changes nothing and duplicates nothing. */
    r = ctl(fx, NULL, "import-roster", path, NULL);
    assert_non_null(strstr(r->out, "0 added, 0 updated, 3 unchanged, 2 rejected"));
    /* An inactive volunteer from the file is refused at the door. */
    assert_int_equal(ctl(fx, NULL, "checkin", "R103", NULL)->status, 4);
}

static void test_import_refuses_a_file_that_is_no_roster(void **state)
{
    struct fixture *fx = *state;
    char path[400];
    snprintf(path, sizeof path, "%s/junk.csv", fx->dir);
    write_bytes(path, "PK\x03\x04\x14\x00\x06\x00garbage", 16);
    struct run *r = ctl(fx, NULL, "import-roster", path, NULL);
    assert_int_equal(r->status, 2);
    assert_non_null(strstr(r->err, "nothing imported"));
    snprintf(path, sizeof path, "%s/empty.csv", fx->dir);
    write_bytes(path, "", 0);
    assert_int_equal(ctl(fx, NULL, "import-roster", path, NULL)->status, 2);
    r = ctl(fx, NULL, "import-roster", "/nonexistent.csv", NULL);
    assert_int_equal(r->status, 1);
    assert_non_null(strstr(r->err, "No such file"));
}

static void test_enroll_and_revoke(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(ctl(fx, NULL, "enroll", "D006", "0a0b0c0d", NULL)->status, 0);
    struct run *r = ctl(fx, NULL, "--json", "tap", "0a0b0c0d", NULL);
    json_t *o = json_of(r);
    assert_string_equal(json_string_value(json_object_get(o, "given_name")), "André");
    json_decref(o);
    assert_int_equal(ctl(fx, NULL, "enroll", "D007", "0a0b0c0d", NULL)->status, 4);
    assert_int_equal(ctl(fx, NULL, "revoke-card", "0a0b0c0d", NULL)->status, 0);
    r = ctl(fx, NULL, "tap", "0a0b0c0d", NULL);
    assert_int_equal(r->status, 4);
    assert_non_null(strstr(r->out, "revoked"));
    assert_int_equal(ctl(fx, NULL, "revoke-card", "01020304", NULL)->status, 3);
}

/* The kiosk owns the reader: enroll --next-card waits for the kiosk to
 * record an unknown card (here `tap` plays the kiosk). */
static void test_enroll_next_card_tapped_at_the_kiosk(void **state)
{
    struct fixture *fx = *state;
    const char *args[] = {"enroll", "D008", "--next-card", "--timeout", "20", NULL};
    char out[400], err[400];
    pid_t pid = start_ctl(fx, NULL, args, out, err);
    usleep(500 * 1000);
    assert_int_equal(ctl(fx, NULL, "tap", "11223344", NULL)->status, 4);
    struct run r;
    finish_ctl(pid, out, err, &r);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Solveig Haugen"));
    assert_int_equal(ctl(fx, NULL, "tap", "11223344", NULL)->status, 0);
}

/* With --reader, enroll --next-card reads the card itself: here through
 * the real libnfc driver and a simulated PN532. */
static void test_enroll_next_card_on_own_reader(void **state)
{
    struct fixture *fx = *state;
    struct pn532_sim *sim = pn532_sim_start(fx->dir);
    assert_non_null(sim);
    const char *args[] = {"--reader", pn532_sim_connstring(sim), "enroll", "D009", "--next-card",
                          "--timeout", "20", NULL};
    char out[400], err[400];
    pid_t pid = start_ctl(fx, NULL, args, out, err);
    assert_int_equal(pn532_sim_wait_for_poll(sim, 10000), 0);
    static const uint8_t uid[] = {0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66};
    assert_int_equal(pn532_sim_card_present(sim, uid, sizeof uid), 0);
    struct run r;
    finish_ctl(pid, out, err, &r);
    pn532_sim_stop(sim);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Astrid Berg"));
    struct run *t = ctl(fx, NULL, "--json", "tap", "04112233445566", NULL);
    json_t *o = json_of(t);
    assert_string_equal(json_string_value(json_object_get(o, "given_name")), "Astrid");
    json_decref(o);
}

static void test_set_pin_writes_a_verifiable_hash(void **state)
{
    struct fixture *fx = *state;
    struct run *r = ctl(fx, "12\n12\n", "set-pin", NULL);
    assert_int_equal(r->status, 2);
    assert_non_null(strstr(r->err, "4 to 12 digits"));
    r = ctl(fx, "4711\n4712\n", "set-pin", NULL);
    assert_int_equal(r->status, 2);
    r = ctl(fx, "4711\n4711\n", "set-pin", NULL);
    assert_int_equal(r->status, 0);
    struct config cfg;
    char err[600];
    config_defaults(&cfg);
    assert_int_equal(config_load(&cfg, fx->conf, err, sizeof err), 0);
    assert_int_equal(crypto_pwhash_str_verify(cfg.staff_pin_hash, "4711", 4), 0);
    assert_int_not_equal(crypto_pwhash_str_verify(cfg.staff_pin_hash, "4712", 4), 0);
    /* At the kiosk's cost, not libsodium's interactive 64 MiB. */
    assert_int_equal(crypto_pwhash_str_needs_rehash(cfg.staff_pin_hash, KIOSK_PIN_HASH_OPSLIMIT,
                                                    KIOSK_PIN_HASH_MEMLIMIT_BYTES), 0);
}

static void test_check_and_backup(void **state)
{
    struct fixture *fx = *state;
    char backup[400];
    snprintf(backup, sizeof backup, "%s/backup.db", fx->dir);
    assert_int_equal(ctl(fx, NULL, "check", NULL)->status, 0);
    assert_int_equal(ctl(fx, NULL, "backup", backup, NULL)->status, 0);
    struct run *r = ctl(fx, NULL, "--db", backup, "--json", "status", NULL);
    assert_int_equal(r->status, 0);
    json_t *o = json_of(r);
    assert_int_equal(json_integer_value(json_object_get(o, "volunteers")), 14);
    json_decref(o);
    /* a damaged database: exit 5, and the file is left as it was */
    write_bytes(backup, "this is not a database, just some text of a few bytes..........", 64);
    r = ctl(fx, NULL, "--db", backup, "check", NULL);
    assert_int_equal(r->status, 5);
    assert_non_null(strstr(r->err, "damaged"));
    r = ctl(fx, NULL, "--db", backup, "present", NULL);
    assert_int_equal(r->status, 5);
}

/* After a restore from backup, IT reads it in `tilstedectl status`: when,
 * from which backup, and how far the fetch from the central has got. */
static void test_status_tells_of_a_restore_and_its_fetch(void **state)
{
    struct fixture *fx = *state;
    struct run *r = ctl(fx, NULL, "--json", "status", NULL);
    json_t *o = json_of(r);
    assert_true(json_is_null(json_object_get(o, "restored")));
    json_decref(o);
    assert_null(strstr(ctl(fx, NULL, "status", NULL)->out, "restored"));

    struct store *store;
    char err[600];
    assert_int_equal(store_open(fx->db, &store, err, sizeof err), 0);
    struct kiosk_recovery rec = {.at_us = test_local_us(2026, 11, 23, 7, 5),
                                 .backup_us = test_local_us(2026, 11, 23, 3, 15),
                                 .skipped_backups = 1,
                                 .fetch_state = KIOSK_FETCH_PENDING};
    assert_int_equal(store_recovery_record(store, &rec), 0);
    store_close(store);
    r = ctl(fx, NULL, "status", NULL);
    assert_int_equal(r->status, 0);
    assert_non_null(strstr(r->out, "restored:        2026-11-23 07:05, from the backup of 2026-11-23 03:15\n"));
    assert_non_null(strstr(r->out, "fetched back:    not yet"));

    assert_int_equal(store_open(fx->db, &store, err, sizeof err), 0);
    assert_int_equal(store_begin(store), 0);
    assert_int_equal(store_recovery_progress(store, "c1", 17, 1), 0);
    assert_int_equal(store_commit(store), 0);
    assert_int_equal(store_recovery_acknowledge(store), 0);
    store_close(store);
    r = ctl(fx, NULL, "status", NULL);
    assert_non_null(strstr(r->out, "03:15 (seen by staff)\n"));
    assert_non_null(strstr(r->out, "fetched back:    17 events from the central\n"));
    o = json_of(ctl(fx, NULL, "--json", "status", NULL));
    json_t *restored = json_object_get(o, "restored");
    assert_string_equal(json_string_value(json_object_get(restored, "at")),
                        "2026-11-23T07:05:00+0100");
    assert_string_equal(json_string_value(json_object_get(restored, "backup_taken")),
                        "2026-11-23T03:15:00+0100");
    assert_int_equal(json_integer_value(json_object_get(restored, "skipped_backups")), 1);
    assert_string_equal(json_string_value(json_object_get(restored, "fetch")), "done");
    assert_int_equal(json_integer_value(json_object_get(restored, "fetched_events")), 17);
    assert_true(json_is_true(json_object_get(restored, "seen_by_staff")));
    json_decref(o);
}

static void test_export_and_forget_a_volunteer(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(ctl(fx, NULL, "tap", "04de3000000002", NULL)->status, 0);
    struct run *r = ctl(fx, NULL, "export", "D002", NULL);
    assert_int_equal(r->status, 0);
    json_t *o = json_of(r);
    assert_string_equal(json_string_value(json_object_get(o, "given_name")), "Ola");
    /* his card enrolment and his check-in */
    assert_int_equal(json_array_size(json_object_get(o, "events")), 2);
    json_decref(o);
    assert_int_equal(ctl(fx, NULL, "forget", "D002", NULL)->status, 2);
    r = ctl(fx, NULL, "forget", "D002", "--yes", NULL);
    assert_int_equal(r->status, 0);
    assert_non_null(strstr(r->out, "2 events"));
    assert_int_equal(ctl(fx, NULL, "export", "D002", NULL)->status, 3);
    assert_int_equal(ctl(fx, NULL, "tap", "04de3000000002", NULL)->status, 4); /* unknown now */
    r = ctl(fx, NULL, "prune", NULL);
    assert_int_equal(r->status, 0);
    assert_non_null(strstr(r->out, "deleted 0 uploaded events"));
}

/* Opening the database sweeps too: `sweep` must report the visits closed
 * during the command, whichever of the two sweeps closed them. */
static void test_sweep_reports_the_visits_it_closed(void **state)
{
    struct fixture *fx = *state;
    FILE *f = fopen(fx->conf, "a");
    fprintf(f, "[clock]\ntrust = always\n"); /* the deadlines on the wall clock */
    fclose(f);
    int64_t yesterday = (int64_t)time(NULL) * US_PER_S - 30 * US_PER_H;
    add_event(fx, "D001", EVENT_CHECKIN, yesterday);
    add_event(fx, "D003", EVENT_CHECKIN, yesterday + US_PER_H);
    struct run *r = ctl(fx, NULL, "sweep", NULL);
    assert_int_equal(r->status, 0);
    assert_string_equal(r->out, "2 visits closed automatically\n");
    r = ctl(fx, NULL, "sweep", NULL);
    assert_int_equal(r->status, 0);
    assert_string_equal(r->out, "0 visits closed automatically\n");
    add_event(fx, "D002", EVENT_CHECKIN, yesterday);
    r = ctl(fx, NULL, "sweep", NULL);
    assert_string_equal(r->out, "1 visit closed automatically\n");
    json_t *o = json_of(ctl(fx, NULL, "--json", "review", NULL));
    assert_int_equal(json_array_size(json_object_get(o, "review")), 3);
    json_decref(o);
}

/* text repeated to exactly len bytes (text's characters are all as long). */
static void repeat_to(char *out, const char *text, size_t len)
{
    size_t piece = strlen(text);
    for (size_t i = 0; i < len; i += piece)
        memcpy(out + i, text, len - i < piece ? len - i : piece);
    out[len] = '\0';
}

/* One limit per field, the same in the parser, the store and every buffer
 * (63 bytes of id, as PROTOCOL.md, 127 of a name, 1000 of notes); over it
 * the row is refused naming the field, and nothing is cut. */
static void test_import_keeps_long_fields_whole_or_refuses_them(void **state)
{
    struct fixture *fx = *state;
    char path[400], id_a[80], id_b[80], id_c[80], id_d[80], given[200], notes[1100],
        long_notes[1100], csv[8192];
    repeat_to(id_a, "x", 62);
    strcpy(id_b, id_a);
    strcat(id_a, "A"); /* 63 bytes: the longest id */
    strcat(id_b, "B");
    repeat_to(id_c, "y", 63);
    strcpy(id_d, id_c);
    strcat(id_c, "C"); /* 64 bytes, the first 63 shared with id_d */
    strcat(id_d, "D");
    given[0] = 'a';
    repeat_to(given + 1, "ø", 126); /* 127 bytes */
    repeat_to(notes, "æøå", 1000);  /* 1000 bytes, the last one "ø" whole */
    repeat_to(long_notes, "æøå", 1002);
    snprintf(path, sizeof path, "%s/long.csv", fx->dir);
    snprintf(csv, sizeof csv,
             "ID;Fornavn;Etternavn;Merknad\n%s;Anne;Lang;%s\n%s;%s;Lang;\n%s;Carl;Lang;\n"
             "%s;Dina;Lang;\nR-EVA;Eva;Lang;%s\n",
             id_a, notes, id_b, given, id_c, id_d, long_notes);
    write_bytes(path, csv, strlen(csv));
    struct run *r = ctl(fx, NULL, "import-roster", path, NULL);
    assert_int_equal(r->status, 4);
    assert_non_null(strstr(r->out, "2 added, 0 updated, 0 unchanged, 3 rejected"));
    char line[500];
    snprintf(line, sizeof line, "%s:4: 'ID' is too long (64 bytes", path);
    assert_non_null(strstr(r->err, line));
    snprintf(line, sizeof line, "%s:5: 'ID' is too long (64 bytes", path);
    assert_non_null(strstr(r->err, line));
    snprintf(line, sizeof line, "%s:6: 'Merknad' is too long (1002 bytes", path);
    assert_non_null(strstr(r->err, line));
    assert_non_null(strstr(r->err, "at most 63)"));

    /* Two people, each with a card by the full id. */
    assert_int_equal(ctl(fx, NULL, "enroll", id_a, "0a0b0c0e", NULL)->status, 0);
    assert_int_equal(ctl(fx, NULL, "enroll", id_b, "0a0b0c0f", NULL)->status, 0);
    json_t *o = json_of(ctl(fx, NULL, "--json", "tap", "0a0b0c0e", NULL));
    assert_string_equal(json_string_value(json_object_get(o, "given_name")), "Anne");
    json_decref(o);
    o = json_of(ctl(fx, NULL, "--json", "tap", "0a0b0c0f", NULL));
    assert_string_equal(json_string_value(json_object_get(o, "given_name")), given);
    json_decref(o);

    /* The GDPR export holds the notes whole, as valid JSON. */
    r = ctl(fx, NULL, "--json", "export", id_a, NULL);
    assert_int_equal(r->status, 0);
    o = json_of(r);
    assert_string_equal(json_string_value(json_object_get(o, "external_id")), id_a);
    assert_string_equal(json_string_value(json_object_get(o, "notes")), notes);
    json_decref(o);
}

/* An export that cannot be written (here a stored note that is no UTF-8,
 * put there behind the kiosk's back) fails with a message, never prints
 * nothing with exit 0. */
static void test_export_that_cannot_be_written_fails_loudly(void **state)
{
    struct fixture *fx = *state;
    struct store *s;
    char err[600];
    assert_int_equal(store_open(fx->db, &s, err, sizeof err), 0);
    assert_int_equal(sqlite3_exec(store_db(s),
                                  "UPDATE volunteer SET notes = CAST(X'6162C3' AS TEXT) "
                                  "WHERE external_id = 'D001'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    store_close(s);
    struct run *r = ctl(fx, NULL, "export", "D001", NULL);
    assert_int_equal(r->status, 1);
    assert_string_equal(r->out, "");
    assert_non_null(strstr(r->err, "tilstedectl: "));
    assert_non_null(strstr(r->err, "D001"));
}

/* The kiosk and tilstedectl write the same file at once: two processes
 * tapping 40 cards each lose no tap and report no lock error. */
static void test_two_processes_tap_at_once(void **state)
{
    struct fixture *fx = *state;
    char out[2][400], err[2][400];
    pid_t pids[2][40];
    for (int i = 0; i < 40; i++) {
        for (int p = 0; p < 2; p++) {
            char uid[16];
            snprintf(uid, sizeof uid, "%02x%02x%02x%02x", 0x50 + p, i, 0, 1);
            char volunteer[8];
            snprintf(volunteer, sizeof volunteer, "D%03d", 1 + (p * 6 + i % 6) % 13);
            const char *args[] = {"enroll", volunteer, uid, NULL};
            pids[p][i] = start_ctl(fx, NULL, args, out[p], err[p]);
        }
        for (int p = 0; p < 2; p++) {
            struct run r;
            finish_ctl(pids[p][i], out[p], err[p], &r);
            if (r.status != 0)
                fail_msg("enroll failed: %s", r.err);
        }
    }
    struct run *r = ctl(fx, NULL, "--json", "status", NULL);
    json_t *o = json_of(r);
    /* 4 demo enrolments + 80 here */
    assert_int_equal(json_integer_value(json_object_get(o, "events_waiting")), 84);
    json_decref(o);
}

int main(void)
{
    test_use_oslo_time();
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_version_help_and_usage_errors),
        T(test_bad_config_names_file_and_line),
        T(test_tap_outcomes_and_exit_codes),
        T(test_hours_csv_opens_in_norwegian_excel),
        T(test_import_roster_windows_1252_with_bad_rows),
        T(test_import_refuses_a_file_that_is_no_roster),
        T(test_enroll_and_revoke),
        T(test_enroll_next_card_tapped_at_the_kiosk),
        T(test_enroll_next_card_on_own_reader),
        T(test_set_pin_writes_a_verifiable_hash),
        T(test_check_and_backup),
        T(test_status_tells_of_a_restore_and_its_fetch),
        T(test_export_and_forget_a_volunteer),
        T(test_sweep_reports_the_visits_it_closed),
        T(test_import_keeps_long_fields_whole_or_refuses_them),
        T(test_export_that_cannot_be_written_fails_loudly),
        T(test_two_processes_tap_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
