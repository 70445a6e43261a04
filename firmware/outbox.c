/* Upload bookkeeping over the kiosk's store (outbox.h). Its own prepared
 * statements on the store's connection; the transactions are the store's. */
#include "outbox.h"

#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

#define US_PER_S INT64_C(1000000)
/* Marks visits to rebuild: set in the transaction that mends times, cleared
 * after the rebuild, so a crash in between rebuilds on the next run. */
#define STATE_VISITS_STALE "visits_stale"

enum query {
    Q_BATCH,
    Q_MARK,
    Q_COUNT_STATE,
    Q_STATE_GET,
    Q_STATE_SET,
    Q_STATE_DELETE,
    Q_CARD_UPSERT,
    Q_UNSYNCED,
    Q_MEND,
    Q_FETCHED_INSERT,
    Q_PENDING_SPAN,
    Q_PENDING_MOVE,
    Q_REFUSE,
    Q_REFUSED_UNSEEN,
    Q_REFUSED_LIST,
    Q_REFUSED_ACK,
    Q_RETRY_ONE,
    Q_RETRY_ALL,
    Q_REFUSAL_DELETE,
    Q_REFUSALS_DELETE,
    Q_LAST_SEQ,
    Q_DATA_VERSION,
    Q_ANSWER_CLEAR,
    Q_ANSWER_ADD,
    Q_LEFT_OUT_VOLUNTEERS,
    Q_LEFT_OUT_CARDS,
    Q_LEFT_OUT_ACTIVITIES,
    Q_FROM_RECEIVER,
    Q_COUNT
};

/* The keys a full roster answer holds, per kind, in a temporary table of
 * the connection: what is not there was left out (PROTOCOL.md, section 7). */
enum answer_kind { ANSWER_VOLUNTEER, ANSWER_CARD, ANSWER_ACTIVITY };
static const char answer_table[] = "CREATE TEMP TABLE IF NOT EXISTS roster_answer ("
                                   "kind INTEGER NOT NULL, key TEXT NOT NULL, "
                                   "PRIMARY KEY (kind, key)) WITHOUT ROWID";

static const char *const sql[Q_COUNT] = {
    [Q_BATCH] = "SELECT " EVENT_COLUMNS " FROM event WHERE uploaded = 0 ORDER BY seq LIMIT ?1",
    [Q_MARK] = "UPDATE event SET uploaded = ?2 WHERE event_id = ?1 AND uploaded = 0",
    [Q_COUNT_STATE] = "SELECT count(*) FROM event WHERE uploaded = ?1",
    [Q_STATE_GET] = "SELECT value FROM sync_state WHERE key = ?1",
    [Q_STATE_SET] = "INSERT INTO sync_state (key, value) VALUES (?1, ?2) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [Q_STATE_DELETE] = "DELETE FROM sync_state WHERE key = ?1",
    /* The central decides who owns a card and whether it is revoked; a card
     * with no known owner here is skipped (its volunteer arrives first in
     * the same answer when the roster is consistent). */
    [Q_CARD_UPSERT] =
        "INSERT INTO card (uid_hash, volunteer_id, enrolled_us, revoked_us) "
        "SELECT ?1, id, ?3, CASE WHEN ?4 THEN ?3 END FROM volunteer WHERE external_id = ?2 "
        "ON CONFLICT (uid_hash) DO UPDATE SET volunteer_id = excluded.volunteer_id, "
        "revoked_us = CASE WHEN ?4 THEN coalesce(card.revoked_us, ?3) END "
        "WHERE card.volunteer_id IS NOT excluded.volunteer_id "
        "OR (card.revoked_us IS NULL) = (?4 <> 0)",
    [Q_UNSYNCED] = "SELECT seq, at_us, recorded_us, mono_us FROM event "
                   "WHERE clock_synced = 0 AND uploaded = 0 AND boot_id = ?1 ORDER BY seq",
    [Q_MEND] = "UPDATE event SET at_us = ?2, recorded_us = ?3, clock_synced = 1 "
               "WHERE seq = ?1 AND clock_synced = 0",
    [Q_FETCHED_INSERT] = "INSERT INTO event (" EVENT_COLUMNS ", uploaded) VALUES "
                         "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 1) "
                         "ON CONFLICT (event_id) DO NOTHING",
    /* A row only when an event the central holds comes after one that waits:
     * the first waiting event and the last event of the log. */
    [Q_PENDING_SPAN] = "SELECT p.first, (SELECT max(seq) FROM event) FROM "
                       "(SELECT min(seq) AS first FROM event WHERE uploaded = 0) p "
                       "WHERE EXISTS (SELECT 1 FROM event WHERE uploaded = 1 AND seq > p.first)",
    /* seq is the log's order, not part of what an event says, which the
     * append-only triggers still guard; the shift keeps the waiting events'
     * own order. */
    [Q_PENDING_MOVE] = "UPDATE event SET seq = seq + ?1 WHERE uploaded = 0",
    /* After Q_MARK set the event aside: why, kept beside it. */
    [Q_REFUSE] = "INSERT INTO refused_event (event_id, refused_us, status, code, reason) "
                 "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (event_id) DO UPDATE SET "
                 "refused_us = excluded.refused_us, status = excluded.status, "
                 "code = excluded.code, reason = excluded.reason, seen = 0",
    /* Through the event: a refusal of an event since erased is no more. */
    [Q_REFUSED_UNSEEN] = "SELECT count(*) FROM refused_event r JOIN event e USING (event_id) "
                         "WHERE r.seen = 0 AND e.uploaded = 2",
    [Q_REFUSED_LIST] = "SELECT r.event_id, r.status, r.code, r.reason, r.refused_us, r.seen, "
                       "e.kind, coalesce(e.volunteer, ''), e.at_us FROM refused_event r "
                       "JOIN event e USING (event_id) WHERE e.uploaded = 2 ORDER BY e.seq",
    [Q_REFUSED_ACK] = "UPDATE refused_event SET seen = 1 WHERE seen = 0",
    /* Back in the outbox, at its place in the log (seq): the central's
     * idempotency by event id makes a resend harmless. */
    [Q_RETRY_ONE] = "UPDATE event SET uploaded = 0 WHERE event_id = ?1 AND uploaded = 2",
    [Q_RETRY_ALL] = "UPDATE event SET uploaded = 0 WHERE uploaded = 2",
    [Q_REFUSAL_DELETE] = "DELETE FROM refused_event WHERE event_id = ?1",
    /* Every refusal, with those of events since erased. */
    [Q_REFUSALS_DELETE] = "DELETE FROM refused_event",
    [Q_LAST_SEQ] = "SELECT ifnull(max(seq), 0) FROM event",
    /* Changes when another connection (another process, another thread of
     * the kiosk) commits; this connection's own commits leave it. */
    [Q_DATA_VERSION] = "PRAGMA data_version",
    [Q_ANSWER_CLEAR] = "DELETE FROM temp.roster_answer",
    [Q_ANSWER_ADD] = "INSERT OR IGNORE INTO temp.roster_answer (kind, key) VALUES (?1, ?2)",
    /* A full answer's left-out rows: only those the receiver sent before
     * (roster_from_receiver); the kiosk's own imports stay. A volunteer is
     * never deleted (the
     * events and visits name them): inactive, so one still checked in can
     * check out. */
    [Q_LEFT_OUT_VOLUNTEERS] =
        "UPDATE volunteer SET active = 0, updated_us = ?1 WHERE active = 1 AND external_id NOT IN "
        "(SELECT key FROM temp.roster_answer WHERE kind = 0) AND external_id IN "
        "(SELECT key FROM roster_from_receiver WHERE kind = 0)",
    /* A card is the receiver's when it sent the card or its owner; one
     * enrolled here for the kiosk's own volunteer stays. A card enrolled
     * here whose card_enrolled event the central has not had yet is not
     * left out by it, only not yet heard of. */
    [Q_LEFT_OUT_CARDS] =
        "UPDATE card SET revoked_us = ?1 WHERE revoked_us IS NULL AND uid_hash NOT IN "
        "(SELECT key FROM temp.roster_answer WHERE kind = 1) AND (uid_hash IN "
        "(SELECT key FROM roster_from_receiver WHERE kind = 1) OR volunteer_id IN "
        "(SELECT v.id FROM volunteer v JOIN roster_from_receiver r ON r.kind = 0 "
        "AND r.key = v.external_id)) AND uid_hash NOT IN "
        "(SELECT card_hash FROM event WHERE kind = 'card_enrolled' AND uploaded = 0 "
        "AND card_hash IS NOT NULL)",
    /* Removed, not deleted: events and visits may name it. */
    [Q_LEFT_OUT_ACTIVITIES] =
        "UPDATE activity SET removed = 1 WHERE removed = 0 AND uuid NOT IN "
        "(SELECT key FROM temp.roster_answer WHERE kind = 2) AND uuid IN "
        "(SELECT key FROM roster_from_receiver WHERE kind = 2)",
    /* A row the receiver sent: from now on a full answer that leaves it
     * out takes it away (schema v008). */
    [Q_FROM_RECEIVER] = "INSERT OR IGNORE INTO roster_from_receiver (kind, key) VALUES (?1, ?2)",
};

struct outbox {
    struct store *store;
    sqlite3 *db;
    sqlite3_stmt *st[Q_COUNT];
    char message[512];
    /* What outbox_recorded_since saw last: the database's data_version
     * (changed by a commit on any other connection) and the newest seq. */
    int64_t data_version;
    int64_t last_seq;
};

static int fail(struct outbox *o, int rc, const char *what)
{
    snprintf(o->message, sizeof o->message, "%s: %s", what, sqlite3_errmsg(o->db));
    return rc;
}

static sqlite3_stmt *q(struct outbox *o, enum query which)
{
    sqlite3_stmt *st = o->st[which];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

static int step_done(struct outbox *o, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : fail(o, -EIO, what);
}

/* The end of a transaction begun with store_begin: committed when rc is 0,
 * else (or when the commit fails) rolled back. Returns count or the error. */
static int transaction_end(struct outbox *o, int rc, const char *committing, int count)
{
    if (!rc && (rc = store_commit(o->store)))
        fail(o, rc, committing);
    if (rc)
        store_rollback(o->store);
    return rc ? rc : count;
}

static int state_delete(struct outbox *o, const char *key)
{
    sqlite3_stmt *st = q(o, Q_STATE_DELETE);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    return step_done(o, st, "clearing sync_state");
}

int outbox_open(struct store *store, struct outbox **out, char *err, size_t errlen)
{
    int rc = 0;
    struct outbox *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(err, errlen, "outbox: out of memory");
        return -ENOMEM;
    }
    o->store = store;
    o->db = store_db(store);
    o->last_seq = -1; /* the first outbox_recorded_since only takes the mark */
    if (sqlite3_exec(o->db, answer_table, NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "outbox: making the roster answer's table: %s",
                 sqlite3_errmsg(o->db));
        rc = -EIO;
        goto out;
    }
    for (int i = 0; i < Q_COUNT; i++) {
        if (sqlite3_prepare_v3(o->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &o->st[i], NULL) !=
            SQLITE_OK) {
            snprintf(err, errlen,
                     "outbox: preparing query %d: %s (is the database at schema version 3?)", i,
                     sqlite3_errmsg(o->db));
            rc = -EIO;
            goto out;
        }
    }
    /* A clock correction, or a fetch back after a restore, interrupted
     * before its visits were derived again. */
    char stale[8];
    if (outbox_state_get(o, STATE_VISITS_STALE, stale, sizeof stale) == 0) {
        if (store_rebuild_visits(store) || state_delete(o, STATE_VISITS_STALE)) {
            snprintf(err, errlen, "outbox: rebuilding visits after a clock correction: %s",
                     store_errmsg(store));
            rc = -EIO;
            goto out;
        }
    }
out:
    if (rc) {
        outbox_close(o);
        o = NULL;
    }
    *out = o;
    return rc;
}

void outbox_close(struct outbox *o)
{
    if (!o)
        return;
    for (int i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(o->st[i]);
    free(o);
}

const char *outbox_errmsg(const struct outbox *o) { return o->message; }

int outbox_next_batch(struct outbox *o, const struct clock_source *clock, struct event *events,
                      size_t max)
{
    sqlite3_stmt *st = q(o, Q_BATCH);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)max);
    const char *boot = clock_boot_id(clock);
    int synced = clock_synced(clock);
    int64_t mono_now = clock_mono(clock);
    size_t count = 0;
    int rc;
    while (count < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct event *ev = &events[count];
        if (event_from_row(st, 0, ev)) {
            snprintf(o->message, sizeof o->message,
                     "reading pending event %zu of the batch: not a valid event row", count + 1);
            sqlite3_reset(st);
            return -EINVAL;
        }
        /* Taken in this boot before the clock was known: its time can still
         * be mended once the clock is synchronised, so it waits (and so do
         * the events after it, which keeps the upload order). */
        if (!ev->clock_synced && !synced && strcmp(ev->boot_id, boot) == 0 &&
            mono_now - ev->mono_us < OUTBOX_UNSYNCED_HOLD_US)
            break;
        count++;
    }
    if (count < max && rc != SQLITE_ROW && rc != SQLITE_DONE) {
        fail(o, -EIO, "reading pending events");
        sqlite3_reset(st);
        return -EIO;
    }
    sqlite3_reset(st);
    return (int)count;
}

int outbox_mark(struct outbox *o, const char *const *ids, size_t count, int state)
{
    if (count == 0)
        return 0;
    int rc = store_begin(o->store);
    if (rc)
        return fail(o, rc, "starting to mark events uploaded");
    int changed = 0;
    for (size_t i = 0; i < count; i++) {
        sqlite3_stmt *st = q(o, Q_MARK);
        sqlite3_bind_text(st, 1, ids[i], -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, state);
        if ((rc = step_done(o, st, "marking an event uploaded")))
            goto out;
        changed += sqlite3_changes(o->db);
    }
out:
    return transaction_end(o, rc, "committing the uploaded marks", changed);
}

static int count_state(struct outbox *o, int state)
{
    sqlite3_stmt *st = q(o, Q_COUNT_STATE);
    sqlite3_bind_int(st, 1, state);
    int rc = sqlite3_step(st);
    int count = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : fail(o, -EIO, "counting events");
    sqlite3_reset(st);
    return count;
}

int outbox_pending(struct outbox *o) { return count_state(o, OUTBOX_PENDING); }
int outbox_rejected(struct outbox *o) { return count_state(o, OUTBOX_REJECTED); }

int outbox_refuse(struct outbox *o, const struct outbox_refusal *refusals, size_t count,
                  int64_t now_us)
{
    if (count == 0)
        return 0;
    int rc = store_begin(o->store);
    if (rc)
        return fail(o, rc, "starting to set refused events aside");
    int changed = 0;
    for (size_t i = 0; i < count; i++) {
        const struct outbox_refusal *r = &refusals[i];
        sqlite3_stmt *st = q(o, Q_MARK);
        sqlite3_bind_text(st, 1, r->event_id, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, OUTBOX_REJECTED);
        if ((rc = step_done(o, st, "setting a refused event aside")))
            goto out;
        if (sqlite3_changes(o->db) == 0)
            continue; /* not pending: already marked, nothing to explain */
        changed++;
        st = q(o, Q_REFUSE);
        sqlite3_bind_text(st, 1, r->event_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, now_us);
        sqlite3_bind_int(st, 3, r->status);
        sqlite3_bind_text(st, 4, r->code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, r->reason, -1, SQLITE_STATIC);
        if ((rc = step_done(o, st, "keeping why an event was refused")))
            goto out;
    }
out:
    return transaction_end(o, rc, "committing the refused events", changed);
}

int outbox_refused_unseen(struct outbox *o)
{
    sqlite3_stmt *st = q(o, Q_REFUSED_UNSEEN);
    int rc = sqlite3_step(st);
    int count = rc == SQLITE_ROW ? sqlite3_column_int(st, 0)
                                 : fail(o, -EIO, "counting refused events");
    sqlite3_reset(st);
    return count;
}

static void column_copy(sqlite3_stmt *st, int column, char *out, size_t cap)
{
    const unsigned char *text = sqlite3_column_text(st, column);
    snprintf(out, cap, "%s", text ? (const char *)text : "");
}

int outbox_refused_list(struct outbox *o, struct outbox_refusal **out)
{
    *out = NULL;
    struct outbox_refusal *rows = NULL;
    size_t count = 0, cap = 0;
    sqlite3_stmt *st = q(o, Q_REFUSED_LIST);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            struct outbox_refusal *grown = realloc(rows, cap * sizeof *rows);
            if (!grown) {
                snprintf(o->message, sizeof o->message, "listing refused events: out of memory");
                sqlite3_reset(st);
                free(rows);
                return -ENOMEM;
            }
            rows = grown;
        }
        struct outbox_refusal *r = &rows[count++];
        memset(r, 0, sizeof *r);
        column_copy(st, 0, r->event_id, sizeof r->event_id);
        r->status = sqlite3_column_int(st, 1);
        column_copy(st, 2, r->code, sizeof r->code);
        column_copy(st, 3, r->reason, sizeof r->reason);
        r->refused_us = sqlite3_column_int64(st, 4);
        r->seen = sqlite3_column_int(st, 5);
        int kind = event_kind_parse((const char *)sqlite3_column_text(st, 6));
        r->kind = kind > 0 ? (enum event_kind)kind : EVENT_CHECKIN;
        column_copy(st, 7, r->volunteer, sizeof r->volunteer);
        r->at_us = sqlite3_column_int64(st, 8);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free(rows);
        return fail(o, -EIO, "listing refused events");
    }
    *out = rows;
    return (int)count;
}

int outbox_refused_ack(struct outbox *o)
{
    int rc = step_done(o, q(o, Q_REFUSED_ACK), "acknowledging refused events");
    return rc ? rc : sqlite3_changes(o->db);
}

int outbox_refused_retry(struct outbox *o, const char *const *event_ids, size_t count)
{
    int rc = store_begin(o->store);
    if (rc)
        return fail(o, rc, "starting to put refused events back");
    int put_back = 0;
    if (count == 0) {
        if ((rc = step_done(o, q(o, Q_RETRY_ALL), "putting the refused events back")))
            goto out;
        put_back = sqlite3_changes(o->db);
        if ((rc = step_done(o, q(o, Q_REFUSALS_DELETE), "removing the refusals")))
            goto out;
    }
    for (size_t i = 0; i < count; i++) {
        sqlite3_stmt *st = q(o, Q_RETRY_ONE);
        sqlite3_bind_text(st, 1, event_ids[i], -1, SQLITE_STATIC);
        if ((rc = step_done(o, st, "putting a refused event back")))
            goto out;
        if (sqlite3_changes(o->db) == 0) {
            /* Named twice, never refused, or no such event: the whole list
             * is refused, so a typo changes nothing. */
            snprintf(o->message, sizeof o->message,
                     "'%s' is not a refused event (tilstedectl sync --refused lists them); "
                     "nothing was put back",
                     event_ids[i]);
            rc = -ENOENT;
            goto out;
        }
        put_back++;
        st = q(o, Q_REFUSAL_DELETE);
        sqlite3_bind_text(st, 1, event_ids[i], -1, SQLITE_STATIC);
        if ((rc = step_done(o, st, "removing a refusal")))
            goto out;
    }
out:
    return transaction_end(o, rc, "committing the events put back", put_back);
}

int outbox_state_get(struct outbox *o, const char *key, char *out, size_t cap)
{
    sqlite3_stmt *st = q(o, Q_STATE_GET);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    out[0] = '\0';
    if (rc == SQLITE_ROW) {
        const unsigned char *text = sqlite3_column_text(st, 0);
        snprintf(out, cap, "%s", text ? (const char *)text : "");
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? 1 : fail(o, -EIO, "reading sync_state");
    }
    sqlite3_reset(st);
    return rc;
}

int outbox_state_set(struct outbox *o, const char *key, const char *value)
{
    sqlite3_stmt *st = q(o, Q_STATE_SET);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    return step_done(o, st, "writing sync_state");
}

int64_t outbox_state_int(struct outbox *o, const char *key)
{
    char text[32];
    if (outbox_state_get(o, key, text, sizeof text) != 0)
        return 0;
    return strtoll(text, NULL, 10);
}

static int answer_add(struct outbox *o, enum answer_kind kind, const char *key)
{
    sqlite3_stmt *st = q(o, Q_ANSWER_ADD);
    sqlite3_bind_int(st, 1, (int)kind);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    return step_done(o, st, "noting a row of the full roster answer");
}

/* The receiver sent this row: it is the receiver's to take away later. */
static int from_receiver(struct outbox *o, enum answer_kind kind, const char *key)
{
    sqlite3_stmt *st = q(o, Q_FROM_RECEIVER);
    sqlite3_bind_int(st, 1, (int)kind);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    return step_done(o, st, "noting a row the receiver sent");
}

/* A full answer is the whole roster: the rows it leaves out are made
 * inactive (volunteers), revoked (cards) or removed (activities). */
static int apply_left_out(struct outbox *o, const struct outbox_roster *r, int64_t now_us,
                          size_t *changed)
{
    int rc = step_done(o, q(o, Q_ANSWER_CLEAR), "clearing the roster answer's table");
    for (size_t i = 0; !rc && i < r->volunteer_count; i++)
        rc = answer_add(o, ANSWER_VOLUNTEER, r->volunteers[i].external_id);
    for (size_t i = 0; !rc && i < r->card_count; i++)
        rc = answer_add(o, ANSWER_CARD, r->cards[i].card_hash);
    for (size_t i = 0; !rc && i < r->activity_count; i++)
        if (!r->activities[i].cancelled)
            rc = answer_add(o, ANSWER_ACTIVITY, r->activities[i].uuid);
    static const enum query left_out[] = {Q_LEFT_OUT_VOLUNTEERS, Q_LEFT_OUT_CARDS,
                                          Q_LEFT_OUT_ACTIVITIES};
    for (size_t i = 0; !rc && i < sizeof left_out / sizeof left_out[0]; i++) {
        sqlite3_stmt *st = q(o, left_out[i]);
        if (left_out[i] != Q_LEFT_OUT_ACTIVITIES)
            sqlite3_bind_int64(st, 1, now_us);
        if (!(rc = step_done(o, st, "applying the rows the full roster answer left out")))
            *changed += (size_t)sqlite3_changes(o->db);
    }
    if (!rc)
        rc = step_done(o, q(o, Q_ANSWER_CLEAR), "clearing the roster answer's table");
    return rc;
}

int outbox_apply_roster(struct outbox *o, const struct outbox_roster *r, int64_t now_us,
                        size_t *changed)
{
    *changed = 0;
    int rc = store_begin(o->store);
    if (rc)
        return fail(o, rc, "starting to apply the roster");
    for (size_t i = 0; i < r->volunteer_count; i++) {
        struct volunteer v = r->volunteers[i], old;
        /* Notes are the kiosk's own; the central does not send them. */
        int found = store_volunteer_by_external_id(o->store, v.external_id, &old);
        if (found < 0) {
            rc = found;
            goto store_error;
        }
        if (found == 0)
            memcpy(v.notes, old.notes, sizeof v.notes);
        else
            v.notes[0] = '\0';
        int change = 0;
        if ((rc = store_volunteer_upsert(o->store, &v, now_us, &change)))
            goto store_error;
        *changed += change != 0;
        if ((rc = from_receiver(o, ANSWER_VOLUNTEER, v.external_id)))
            goto out;
    }
    for (size_t i = 0; i < r->card_count; i++) {
        const struct outbox_card *c = &r->cards[i];
        sqlite3_stmt *st = q(o, Q_CARD_UPSERT);
        sqlite3_bind_text(st, 1, c->card_hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, c->volunteer, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, now_us);
        sqlite3_bind_int(st, 4, c->revoked ? 1 : 0);
        if ((rc = step_done(o, st, "saving a card from the roster")))
            goto out;
        *changed += (size_t)sqlite3_changes(o->db);
        if ((rc = from_receiver(o, ANSWER_CARD, c->card_hash)))
            goto out;
    }
    for (size_t i = 0; i < r->activity_count; i++) {
        struct activity a = r->activities[i], old;
        int found = store_activity_by_uuid(o->store, a.uuid, &old);
        if (found < 0) {
            rc = found;
            goto store_error;
        }
        a.id = found == 0 ? old.id : 0;
        /* A cancelled occurrence of a weekly plan: gone from the home
         * screen; one the kiosk never had is nothing to do. */
        if (a.cancelled) {
            if (a.id && (rc = store_activity_remove(o->store, a.id)))
                goto store_error;
            *changed += a.id != 0;
            continue;
        }
        if ((rc = store_activity_save(o->store, &a)))
            goto store_error;
        *changed += 1;
        if ((rc = from_receiver(o, ANSWER_ACTIVITY, a.uuid)))
            goto out;
    }
    if (r->full && (rc = apply_left_out(o, r, now_us, changed)))
        goto out;
    if (r->cursor && (rc = outbox_state_set(o, OUTBOX_ROSTER_CURSOR, r->cursor)))
        goto out;
    if ((rc = store_commit(o->store)))
        goto store_error;
    return 0;
store_error:
    snprintf(o->message, sizeof o->message, "applying the roster: %s", store_errmsg(o->store));
out:
    store_rollback(o->store);
    *changed = 0;
    return rc < 0 ? rc : -EIO;
}

/* Adds the events the kiosk lacks and marks those it holds uploaded. */
static int fetched_store(struct outbox *o, const struct event *events, size_t count,
                         size_t *added)
{
    for (size_t i = 0; i < count; i++) {
        sqlite3_stmt *st = q(o, Q_FETCHED_INSERT);
        if (event_bind(st, 1, &events[i]))
            return fail(o, -EIO, "storing an event fetched back");
        int rc = step_done(o, st, "storing an event fetched back");
        if (rc)
            return rc;
        if (sqlite3_changes(o->db)) {
            (*added)++;
            continue;
        }
        st = q(o, Q_MARK);
        sqlite3_bind_text(st, 1, events[i].event_id, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, OUTBOX_UPLOADED);
        if ((rc = step_done(o, st, "marking an event fetched back as uploaded")))
            return rc;
    }
    return 0;
}

/* Moves the events waiting for upload behind the last event of the log,
 * in their own order, when an event the central holds comes after them.
 * Returns 1 when they moved, 0 when they did not need to, < 0 error. */
static int pending_move_last(struct outbox *o)
{
    sqlite3_stmt *st = q(o, Q_PENDING_SPAN);
    int rc = sqlite3_step(st);
    int64_t first = 0, last = 0;
    if (rc == SQLITE_ROW) {
        first = sqlite3_column_int64(st, 0);
        last = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return fail(o, -EIO, "finding the events waiting for upload");
    st = q(o, Q_PENDING_MOVE);
    sqlite3_bind_int64(st, 1, last - first + 1);
    rc = step_done(o, st, "moving the events waiting for upload after those fetched back");
    return rc ? rc : 1;
}

int outbox_fetch_apply(struct outbox *o, const struct event *events, size_t count,
                       const char *cursor, int last, size_t *added)
{
    int moved = 0;
    *added = 0;
    int rc = store_begin(o->store);
    if (rc)
        return fail(o, rc, "starting to store the events fetched back");
    if ((rc = fetched_store(o, events, count, added)))
        goto out;
    if ((moved = pending_move_last(o)) < 0) {
        rc = moved;
        goto out;
    }
    /* The visits are derived again once, after the last page: each replay
     * reads every event, and a replay per page made a large fetch
     * quadratic (bench_uploader). Until then a marker says they are stale,
     * so a fetch cut short by a power cut still ends with them derived
     * again (here, or when the outbox is next opened). */
    char marker[8];
    int stale = *added || moved;
    if (!stale) {
        int found = outbox_state_get(o, STATE_VISITS_STALE, marker, sizeof marker);
        if (found < 0) {
            rc = found;
            goto out;
        }
        stale = found == 0;
    }
    if (stale && !last && (rc = outbox_state_set(o, STATE_VISITS_STALE, "1")))
        goto out;
    if (stale && last && (rc = state_delete(o, STATE_VISITS_STALE)))
        goto out;
    if ((stale && last && (rc = store_replay_visits(o->store))) ||
        (rc = store_recovery_progress(o->store, cursor, (int64_t)*added, last))) {
        snprintf(o->message, sizeof o->message, "storing the events fetched back: %s",
                 store_errmsg(o->store));
        goto out;
    }
    if ((rc = store_commit(o->store)))
        fail(o, rc, "committing the events fetched back");
out:
    if (rc) {
        store_rollback(o->store);
        *added = 0;
    }
    return rc;
}

int outbox_corrections_apply(struct outbox *o, const struct event *events, size_t count,
                             const char *cursor, int last, size_t *added)
{
    (void)last;
    *added = 0;
    int rc = store_begin(o->store);
    if (rc)
        return fail(o, rc, "starting to store the central's corrections");
    for (size_t i = 0; i < count; i++) {
        if (events[i].kind != EVENT_CORRECTION) {
            /* Only corrections come this way; anything else is the
             * central's mistake, and storing it would count it twice. */
            snprintf(o->message, sizeof o->message,
                     "event %zu of the page (%s) is a %s, not a correction; nothing stored",
                     i + 1, events[i].event_id, event_kind_name(events[i].kind));
            rc = -EINVAL;
            goto out;
        }
        int appended = store_append_uploaded(o->store, &events[i]);
        if (appended < 0) {
            rc = appended;
            snprintf(o->message, sizeof o->message, "storing the central's corrections: %s",
                     store_errmsg(o->store));
            goto out;
        }
        *added += appended == 0;
    }
    if ((rc = outbox_state_set(o, OUTBOX_CORRECTIONS_CURSOR, cursor)))
        goto out;
    if ((rc = store_commit(o->store)))
        fail(o, rc, "committing the central's corrections");
out:
    if (rc) {
        store_rollback(o->store);
        *added = 0;
    }
    return rc;
}

int outbox_correct_clock(struct outbox *o, const struct clock_source *clock)
{
    if (!clock_synced(clock))
        return 0;
    int64_t wall = clock_wall(clock), mono = clock_mono(clock);
    int64_t trusted_from = clock_build_epoch() * US_PER_S;
    if (wall < trusted_from)
        return 0; /* a "synchronised" clock before the build date is wrong */
    int64_t offset = wall - mono;
    int corrected = 0;
    int rc = store_begin(o->store);
    if (rc)
        return fail(o, rc, "starting the clock correction");
    sqlite3_stmt *select = q(o, Q_UNSYNCED);
    sqlite3_bind_text(select, 1, clock_boot_id(clock), -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(select)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(select, 0);
        int64_t at = sqlite3_column_int64(select, 1);
        int64_t recorded = sqlite3_column_int64(select, 2);
        int64_t event_mono = sqlite3_column_int64(select, 3);
        int64_t fixed = event_mono + offset;
        if (fixed < trusted_from)
            continue; /* would still be before the build date: leave it flagged */
        /* at_us was read off the same wrong clock (or typed by staff looking
         * at it), so it moves by the same amount. */
        int64_t shift = fixed - recorded;
        sqlite3_stmt *mend = q(o, Q_MEND);
        sqlite3_bind_int64(mend, 1, seq);
        sqlite3_bind_int64(mend, 2, at + shift);
        sqlite3_bind_int64(mend, 3, fixed);
        if (step_done(o, mend, "correcting an event's time")) {
            rc = -EIO;
            sqlite3_reset(select);
            goto out;
        }
        corrected++;
    }
    sqlite3_reset(select);
    if (rc != SQLITE_DONE) {
        rc = fail(o, -EIO, "reading events to correct");
        goto out;
    }
    rc = 0;
    if (corrected && (rc = outbox_state_set(o, STATE_VISITS_STALE, "1")))
        goto out;
    if ((rc = store_commit(o->store))) {
        fail(o, rc, "committing the clock correction");
        goto out;
    }
    if (corrected) {
        if ((rc = store_rebuild_visits(o->store))) {
            snprintf(o->message, sizeof o->message,
                     "rebuilding visits after the clock correction: %s", store_errmsg(o->store));
            return rc;
        }
        if ((rc = state_delete(o, STATE_VISITS_STALE)))
            return rc;
    }
    return corrected;
out:
    store_rollback(o->store);
    return rc < 0 ? rc : -EIO;
}

static int64_t data_version(struct outbox *o)
{
    sqlite3_stmt *st = q(o, Q_DATA_VERSION);
    int64_t version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    return version;
}

int outbox_recorded_since(struct outbox *o)
{
    int64_t version = data_version(o);
    if (version < 0)
        return fail(o, -EIO, "reading the database's data version");
    if (version == o->data_version && o->last_seq >= 0)
        return 0;
    o->data_version = version;
    sqlite3_stmt *st = q(o, Q_LAST_SEQ);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return fail(o, -EIO, "reading the newest event");
    }
    int64_t last = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    int recorded = o->last_seq >= 0 && last > o->last_seq;
    o->last_seq = last;
    return recorded;
}
