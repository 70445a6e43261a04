/* The kiosk core (see kiosk.h): a tap or a name becomes a decision of the
 * rules, carried out by the store in one transaction, and only then is it
 * reported as done. */
#include "kiosk.h"

#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cardhash.h"
#include "namesearch.h"
#include "outbox.h"
#include "reader.h"
#include "rules.h"
#include "store.h"
#include "visits.h"

#define US_PER_S INT64_C(1000000)
#define MAX_ACTIVITIES_A_DAY 64
/* A card tapped shortly before an activity starts belongs to it. */
#define ACTIVITY_EARLY_S (30 * 60)

struct kiosk {
    struct config cfg;
    const struct clock_source *clock;
    struct store *store;
    struct namesearch *names;
    int64_t names_version; /* the roster's version the index was built from */
    int swept;             /* visits kiosk_sweep closed on this handle, kiosk_open's included */
    unsigned char card_key[CARDHASH_KEY_BYTES];
    char message[512];
    enum kiosk_error error; /* the kind of message */
};

/* An error of a kind a screen says in its own words (kiosk_errkind), with
 * its English message for the log. */
static int failk(struct kiosk *k, int rc, enum kiosk_error kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int failk(struct kiosk *k, int rc, enum kiosk_error kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(k->message, sizeof k->message, fmt, ap);
    va_end(ap);
    k->error = kind;
    return rc;
}

#define failf(k, rc, ...) failk(k, rc, KIOSK_ERR_OTHER, __VA_ARGS__)

/* The store's errors by their code (store.c's db_fail sets them apart). */
static int store_failed(struct kiosk *k, int rc)
{
    enum kiosk_error kind = rc == -ENOSPC  ? KIOSK_ERR_STORAGE_FULL
                            : rc == -EBUSY ? KIOSK_ERR_STORAGE_BUSY
                            : rc == -EROFS ? KIOSK_ERR_STORAGE_READONLY
                            : rc == -EEXIST ? KIOSK_ERR_CARD_TAKEN /* store_card_add */
                                            : KIOSK_ERR_STORAGE;
    return failk(k, rc < 0 ? rc : -EIO, kind, "%s", store_errmsg(k->store));
}

const struct config *kiosk_config(const struct kiosk *kiosk) { return &kiosk->cfg; }
const char *kiosk_errmsg(const struct kiosk *kiosk) { return kiosk->message; }
enum kiosk_error kiosk_errkind(const struct kiosk *kiosk) { return kiosk->error; }
const struct clock_source *kiosk_clock(const struct kiosk *kiosk) { return kiosk->clock; }

static int add_name(void *user, const struct volunteer *v)
{
    return namesearch_add(user, v->id, v->given_name, v->family_name);
}

int kiosk_reload_roster(struct kiosk *kiosk)
{
    /* The version first: a change while the index is built makes the next
     * search build it again, never keep a stale one. */
    int64_t version = store_roster_version(kiosk->store);
    if (version < 0)
        return store_failed(kiosk, (int)version);
    struct namesearch *names;
    int rc = namesearch_new(&names);
    if (rc)
        return failf(kiosk, rc, "out of memory");
    rc = store_volunteers_each(kiosk->store, 1, add_name, names);
    if (rc < 0) {
        namesearch_free(names);
        return store_failed(kiosk, rc);
    }
    if (rc || (rc = namesearch_finish(names))) {
        namesearch_free(names);
        return failf(kiosk, rc < 0 ? rc : -EINVAL, "cannot index the roster's names");
    }
    namesearch_free(kiosk->names);
    kiosk->names = names;
    kiosk->names_version = version;
    return 0;
}

int kiosk_open(const struct config *cfg, const struct clock_source *clock, struct kiosk **out,
               char *err, size_t errlen)
{
    struct kiosk *k = calloc(1, sizeof *k);
    if (!k) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    k->cfg = *cfg;
    k->clock = clock;
    int rc = -EIO;
    if (cardhash_load_key(cfg->card_key, 1, k->card_key, err, errlen))
        goto fail;
    if ((rc = store_open(cfg->database, &k->store, err, errlen)))
        goto fail;
    if ((rc = kiosk_reload_roster(k)) || (rc = kiosk_sweep(k)) < 0) {
        snprintf(err, errlen, "%s", k->message);
        goto fail;
    }
    *out = k;
    return 0;
fail:
    kiosk_close(k);
    return rc ? rc : -EIO;
}

void kiosk_close(struct kiosk *kiosk)
{
    if (!kiosk)
        return;
    store_close(kiosk->store);
    namesearch_free(kiosk->names);
    sodium_memzero(kiosk->card_key, sizeof kiosk->card_key);
    free(kiosk);
}

void kiosk_display_name(const char *given, const char *family, char *out, size_t cap)
{
    /* The family name's first letter, which in UTF-8 may be several bytes. */
    size_t initial = 0;
    if (family[0]) {
        initial = 1;
        while (family[initial] && ((unsigned char)family[initial] & 0xc0) == 0x80)
            initial++;
    }
    if (initial)
        snprintf(out, cap, "%s %.*s.", given, (int)initial, family);
    else
        snprintf(out, cap, "%s", given);
}

/* The event every recording starts from: now, on this boot, at this site. */
static void event_now(struct kiosk *k, struct event *ev, enum event_kind kind,
                      enum event_source source, const char *volunteer)
{
    memset(ev, 0, sizeof *ev);
    event_new_id(ev->event_id);
    ev->kind = kind;
    ev->source = source;
    snprintf(ev->site, sizeof ev->site, "%s", k->cfg.site_id);
    snprintf(ev->volunteer, sizeof ev->volunteer, "%s", volunteer ? volunteer : "");
    ev->recorded_us = clock_wall(k->clock);
    ev->at_us = ev->recorded_us;
    ev->mono_us = clock_mono(k->clock);
    snprintf(ev->boot_id, sizeof ev->boot_id, "%s", clock_boot_id(k->clock));
    ev->clock_synced = clock_synced(k->clock);
}

static int64_t local_time_us(const char *day, int minutes)
{
    struct tm tm = {0};
    if (sscanf(day, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_hour = minutes / 60;
    tm.tm_min = minutes % 60;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm) * US_PER_S;
}

/* The scheduled end of an activity as a time; a night watch ending before
 * it starts ends the next day. */
static int64_t activity_end_us(struct kiosk *k, const char *uuid)
{
    struct activity a;
    if (!uuid[0] || store_activity_by_uuid(k->store, uuid, &a) != 0)
        return 0;
    /* Through mktime on the day (31:00 is 07:00 the next day), so a night
     * with a summer-time change is an hour shorter or longer. */
    return local_time_us(a.day, a.end_min >= a.start_min ? a.end_min : a.end_min + 24 * 60);
}

struct sweep {
    struct kiosk *k;
    int64_t now_us, now_mono_us;
    int now_synced;
    const char *boot_id;
    const char *only_volunteer; /* NULL: everyone */
    int closed;
};

/* No decision compares times from two different clock epochs (README, "The
 * kiosk's clock"). The synchronised wall clock is one epoch; a clock not
 * yet synchronised is an epoch of its own boot, which only the monotonic
 * clock relates to the next. So a visit's deadline is measured:
 * - both the check-in and now on a synchronised clock: on the wall clock;
 * - else on the check-in's boot: on the monotonic clock, the check-in put
 *   on today's clock as the uploader's correction will put it
 *   (wall now - time since on the monotonic clock); a day's end counts
 *   only once that clock is synchronised;
 * - else (a later boot, one of the two clocks unsynchronised): at least
 *   this boot's uptime has passed since the check-in, so max_visit_hours
 *   is measured by that; the auto-close is then a time on the check-in's
 *   own clock and carries its boot and synchronisation, so that it is
 *   corrected, or left flagged, together with its check-in.
 * The check-out tap closes such a visit meanwhile as usual. */
static int sweep_one(void *user, const struct store_visit *v)
{
    struct sweep *sw = user;
    struct kiosk *k = sw->k;
    if (sw->only_volunteer && strcmp(sw->only_volunteer, v->volunteer))
        return 0;
    struct event in;
    memset(&in, 0, sizeof in);
    int found = store_event_by_id(k->store, v->start_event, &in);
    if (found < 0)
        return found;
    if (found) { /* pruned: only the visit's own time is left, on the wall */
        in.clock_synced = 1;
        snprintf(in.boot_id, sizeof in.boot_id, "%s", "");
    }
    int64_t activity_end = activity_end_us(k, v->activity);
    struct event ev;
    event_now(k, &ev, EVENT_AUTOCLOSE, SOURCE_AUTOMATIC, v->volunteer);
    if (in.clock_synced && sw->now_synced) {
        int64_t deadline = rules_visit_deadline(&k->cfg, v->start_us, activity_end, 1);
        if (sw->now_us < deadline)
            return 0;
        ev.at_us = rules_autoclose_credit(&k->cfg, v->start_us, deadline, activity_end);
    } else if (!strcmp(in.boot_id, sw->boot_id)) {
        int64_t start = sw->now_us - (sw->now_mono_us - in.mono_us);
        if (!sw->now_synced)
            activity_end = 0; /* a schedule is on the true clock, not this one */
        int64_t deadline = rules_visit_deadline(&k->cfg, start, activity_end, sw->now_synced);
        if (sw->now_us < deadline)
            return 0;
        ev.at_us = rules_autoclose_credit(&k->cfg, start, deadline, activity_end);
    } else {
        if (sw->now_mono_us < (int64_t)k->cfg.max_visit_s * US_PER_S)
            return 0;
        if (!in.clock_synced)
            activity_end = 0;
        int64_t deadline = rules_visit_deadline(&k->cfg, v->start_us, activity_end, in.clock_synced);
        ev.at_us = rules_autoclose_credit(&k->cfg, v->start_us, deadline, activity_end);
        ev.recorded_us = ev.at_us;
        ev.mono_us = in.mono_us + (ev.at_us - v->start_us);
        snprintf(ev.boot_id, sizeof ev.boot_id, "%s", in.boot_id);
        ev.clock_synced = in.clock_synced;
    }
    snprintf(ev.activity, sizeof ev.activity, "%s", v->activity);
    ev.review = 1;
    int rc = store_append(k->store, &ev);
    if (rc)
        return rc;
    sw->closed++;
    return 0;
}

/* Auto-closes overdue visits inside the caller's transaction. */
static int sweep_in_transaction(struct kiosk *k, const char *only_volunteer)
{
    struct sweep sw = {k,           clock_wall(k->clock),   clock_mono(k->clock),
                       clock_synced(k->clock), clock_boot_id(k->clock), only_volunteer, 0};
    int rc = store_open_visits_each(k->store, k->cfg.site_id, sweep_one, &sw);
    return rc ? rc : sw.closed;
}

int kiosk_sweep(struct kiosk *kiosk)
{
    int rc = store_begin(kiosk->store);
    if (rc)
        return store_failed(kiosk, rc);
    int closed = sweep_in_transaction(kiosk, NULL);
    if (closed < 0) {
        store_rollback(kiosk->store);
        return store_failed(kiosk, closed);
    }
    if ((rc = store_commit(kiosk->store)))
        return store_failed(kiosk, rc);
    kiosk->swept += closed;
    return closed;
}

int kiosk_swept(const struct kiosk *kiosk)
{
    return kiosk->swept;
}

static void today(struct kiosk *k, char day[11]) { visits_local_day(clock_wall(k->clock), day); }

/* The day before day (YYYY-MM-DD), by the calendar: a day with a
 * summer-time change has 23 or 25 hours. */
static void day_before(const char *day, char out[11])
{
    struct tm tm = {0};
    out[0] = '\0';
    if (sscanf(day, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
        return;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_mday -= 1;
    tm.tm_hour = 12;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    struct tm norm;
    localtime_r(&t, &norm);
    strftime(out, 11, "%Y-%m-%d", &norm);
}

/* The activity a card tap belongs to: the one going on now (or starting
 * within half an hour), when there is exactly one. Yesterday's activities
 * count too while they last: a night watch begun at 22:00 is still going
 * on at 03:00. */
static void current_activity(struct kiosk *k, char uuid[EVENT_ID_LEN + 1])
{
    struct activity list[MAX_ACTIVITIES_A_DAY];
    char days[2][11];
    int64_t now = clock_wall(k->clock);
    uuid[0] = '\0';
    today(k, days[0]);
    day_before(days[0], days[1]);
    int found = 0;
    for (int d = 0; d < 2; d++) {
        int count = store_activities_on_day(k->store, days[d], list, MAX_ACTIVITIES_A_DAY);
        for (int i = 0; i < count; i++) {
            int64_t start =
                local_time_us(days[d], list[i].start_min) - ACTIVITY_EARLY_S * US_PER_S;
            int end_min =
                list[i].end_min >= list[i].start_min ? list[i].end_min : list[i].end_min + 1440;
            int64_t end = local_time_us(days[d], end_min);
            if (now >= start && now < end) {
                found++;
                snprintf(uuid, EVENT_ID_LEN + 1, "%s", list[i].uuid);
            }
        }
    }
    if (found != 1)
        uuid[0] = '\0';
}

static int activity_uuid(struct kiosk *k, int64_t activity_id, char uuid[EVENT_ID_LEN + 1])
{
    uuid[0] = '\0';
    if (activity_id <= 0)
        return 0;
    struct activity list[MAX_ACTIVITIES_A_DAY];
    char day[11];
    today(k, day);
    int count = store_activities_on_day(k->store, day, list, MAX_ACTIVITIES_A_DAY);
    for (int i = 0; i < count; i++)
        if (list[i].id == activity_id) {
            snprintf(uuid, EVENT_ID_LEN + 1, "%s", list[i].uuid);
            return 0;
        }
    return failk(k, -ENOENT, KIOSK_ERR_ACTIVITY_GONE, "activity %lld is not on today", (long long)activity_id);
}

static void year_bounds(struct kiosk *k, char from[11], char to[11])
{
    today(k, to);
    snprintf(from, 11, "%.4s-01-01", to);
}

/* The milestone a check-out tells, counted as a step of its transaction:
 * the year's hours with this visit against the highest milestone counted
 * at the volunteer's earlier check-outs this year (on a kiosk that has
 * counted none yet for them, what the hours before this visit had
 * reached). Hours that came from elsewhere since (a correction made on
 * the central) are thanked for here, not lost between two visits. */
static int count_milestone(struct kiosk *k, const char *volunteer, const char *from,
                           const char *day, int64_t seconds_before, int *due)
{
    char year[5];
    snprintf(year, sizeof year, "%.4s", from);
    int seen = 0, rc = store_milestone_seen(k->store, volunteer, year, &seen);
    if (rc < 0)
        return rc;
    if (rc == 1)
        seen = rules_milestone_reached((double)seconds_before / 3600.0);
    int64_t seconds_after = 0;
    if ((rc = store_volunteer_seconds(k->store, volunteer, from, day, 0, &seconds_after, NULL)))
        return rc;
    double hours_after = (double)seconds_after / 3600.0;
    *due = rules_milestone_due(seen, hours_after);
    int reached = rules_milestone_reached(hours_after);
    return store_milestone_set(k->store, volunteer, year, reached > seen ? reached : seen);
}

/* What a tap means once recorded: hours this year, today's time, and the
 * check-out's milestone counted in its transaction. Reads only: the event
 * is already committed. */
static void describe(struct kiosk *k, const struct volunteer *v, struct tap_result *out,
                     int checkout_milestone)
{
    char from[11], to[11];
    int64_t seconds = 0, visits = 0;
    year_bounds(k, from, to);
    if (store_volunteer_seconds(k->store, v->external_id, from, to, 0, &seconds, &visits) == 0)
        out->hours_this_year = (double)seconds / 3600.0;
    if (store_volunteer_seconds(k->store, v->external_id, to, to, 0, &out->today_s, NULL) != 0)
        out->today_s = 0;
    if (out->outcome == TAP_CHECKED_IN || out->outcome == TAP_ALREADY_IN)
        out->today_s += (clock_wall(k->clock) - out->visit_start_us) / US_PER_S;
    if (out->outcome == TAP_CHECKED_OUT)
        out->milestone = checkout_milestone;
}

/* Decides and records one toggle for a volunteer, in one transaction. */
static int toggle(struct kiosk *k, const struct volunteer *v, int by_card, int card_revoked,
                  const char *activity, enum event_source source, struct tap_result *out)
{
    struct store *s = k->store;
    struct store_visit open_visit, last_closed;
    struct event last, ev;
    char day[11], from[11];
    int rc = store_begin(s);
    if (rc)
        goto failed;
    /* A visit left open since yesterday is closed before anything else, so
     * this tap starts a new visit and the volunteer hears about the old. */
    if ((rc = sweep_in_transaction(k, v->external_id)) < 0)
        goto failed;
    int has_open = store_open_visit(s, k->cfg.site_id, v->external_id, &open_visit);
    int has_last = store_last_toggle(s, k->cfg.site_id, v->external_id, &last);
    if (has_open < 0 || has_last < 0) {
        rc = has_open < 0 ? has_open : has_last;
        goto failed;
    }
    today(k, day);
    struct rules_tap tap = {
        .now_us = clock_wall(k->clock),
        .now_mono_us = clock_mono(k->clock),
        .boot_id = clock_boot_id(k->clock),
        .clock_unsynced = !clock_synced(k->clock),
        .today = day,
        .card_known = 1,
        .card_revoked = card_revoked,
        .by_card = by_card,
        .active = v->active,
        .confidentiality_signed = v->confidentiality_signed,
        .police_valid_until = v->police_valid_until,
        .has_open_visit = has_open == 0,
        .has_last = has_last == 0,
        .last_mono_us = last.mono_us,
        .last_wall_us = last.recorded_us,
        .last_boot_id = last.boot_id,
        .last_clock_unsynced = !last.clock_synced,
        .last_was_checkin = last.kind == EVENT_CHECKIN,
    };
    struct rules_decision decision;
    rules_decide(&k->cfg, &tap, &decision);
    out->outcome = decision.outcome;
    out->reason = decision.reason;
    out->notices = decision.notices;
    out->visit_start_us = has_open == 0 ? open_visit.start_us : 0;
    out->at_us = tap.now_us;

    int64_t seconds_before = -1;
    int milestone = 0;
    if (decision.outcome == TAP_CHECKED_IN || decision.outcome == TAP_CHECKED_OUT) {
        if (decision.outcome == TAP_CHECKED_OUT) {
            year_bounds(k, from, day);
            if ((rc = store_volunteer_seconds(s, v->external_id, from, day, 0, &seconds_before, NULL)))
                goto failed;
        } else if (store_last_closed_visit(s, k->cfg.site_id, v->external_id, &last_closed) == 0 &&
                   last_closed.end_kind == EVENT_AUTOCLOSE) {
            out->notices |= NOTICE_LAST_AUTOCLOSED;
            out->last_autoclose_us = rules_visit_deadline(
                &k->cfg, last_closed.start_us, activity_end_us(k, last_closed.activity), 1);
        }
        event_now(k, &ev, decision.outcome == TAP_CHECKED_IN ? EVENT_CHECKIN : EVENT_CHECKOUT,
                  source, v->external_id);
        if (decision.outcome == TAP_CHECKED_IN)
            snprintf(ev.activity, sizeof ev.activity, "%s", activity);
        else
            snprintf(ev.activity, sizeof ev.activity, "%s", open_visit.activity);
        if ((rc = store_append(s, &ev)))
            goto failed;
        if (decision.outcome == TAP_CHECKED_OUT &&
            (rc = count_milestone(k, v->external_id, from, day, seconds_before, &milestone)))
            goto failed;
        snprintf(out->event_id, sizeof out->event_id, "%s", ev.event_id);
        if (decision.outcome == TAP_CHECKED_IN)
            out->visit_start_us = ev.at_us;
    } else if (decision.outcome == TAP_ALREADY_OUT) {
        out->at_us = last.at_us;
    }
    if ((rc = store_commit(s)))
        goto failed;
    if (decision.outcome == TAP_CHECKED_IN && store_visit_count(s, v->external_id) == 1)
        out->milestone = 1;
    describe(k, v, out, milestone);
    return 0;
failed:
    store_rollback(s);
    /* Nothing of a rolled-back event may reach the caller as if done. */
    out->outcome = TAP_FAILED;
    out->event_id[0] = '\0';
    out->milestone = 0;
    store_failed(k, rc);
    snprintf(out->message, sizeof out->message, "%.*s", (int)sizeof out->message - 1, k->message);
    out->error = k->error;
    return k->message[0] ? (rc < 0 ? rc : -EIO) : -EIO;
}

static void fill_names(struct tap_result *out, const struct volunteer *v)
{
    out->volunteer_id = v->id;
    snprintf(out->given_name, sizeof out->given_name, "%s", v->given_name);
    snprintf(out->family_name, sizeof out->family_name, "%s", v->family_name);
}

static int tap_failed(struct kiosk *k, struct tap_result *out, int rc)
{
    out->outcome = TAP_FAILED;
    snprintf(out->message, sizeof out->message, "%.*s", (int)sizeof out->message - 1, k->message);
    out->error = k->error;
    return rc;
}

int kiosk_tap(struct kiosk *kiosk, const uint8_t *uid, size_t uid_len, struct tap_result *out)
{
    char hash[CARD_HASH_HEX + 1];
    int64_t volunteer_id;
    int revoked;
    memset(out, 0, sizeof *out);
    if (!uid_len || uid_len > READER_UID_MAX)
        return tap_failed(kiosk, out, failk(kiosk, -EINVAL, KIOSK_ERR_BAD_CARD, "a card UID of %zu bytes", uid_len));
    cardhash_uid(kiosk->card_key, uid, uid_len, hash);
    int found = store_card_find(kiosk->store, hash, &volunteer_id, &revoked);
    if (found < 0)
        return tap_failed(kiosk, out, store_failed(kiosk, found));
    if (found == 1) {
        int64_t now = clock_wall(kiosk->clock);
        out->outcome = TAP_UNKNOWN_CARD;
        out->at_us = now;
        /* Remembered so staff can enroll it; if that fails the volunteer is
         * still told the card is unknown, which is true. */
        if (store_begin(kiosk->store) == 0) {
            if (store_unknown_remember(kiosk->store, hash, now,
                                       now - (int64_t)kiosk->cfg.unknown_card_memory_s * US_PER_S) ||
                store_commit(kiosk->store))
                store_rollback(kiosk->store);
        }
        return 0;
    }
    struct volunteer v;
    int rc = store_volunteer(kiosk->store, volunteer_id, &v);
    if (rc)
        return tap_failed(kiosk, out, rc < 0 ? store_failed(kiosk, rc) : failk(kiosk, -ENOENT, KIOSK_ERR_NO_VOLUNTEER, "a card without its volunteer"));
    fill_names(out, &v);
    if (revoked) {
        out->outcome = TAP_REFUSED;
        out->reason = REFUSE_CARD_REVOKED;
        return 0;
    }
    char activity[EVENT_ID_LEN + 1];
    current_activity(kiosk, activity);
    return toggle(kiosk, &v, 1, 0, activity, SOURCE_CARD, out);
}

int kiosk_toggle(struct kiosk *kiosk, int64_t volunteer_id, int64_t activity_id,
                 enum event_source source, struct tap_result *out)
{
    struct volunteer v;
    char activity[EVENT_ID_LEN + 1];
    memset(out, 0, sizeof *out);
    int rc = store_volunteer(kiosk->store, volunteer_id, &v);
    if (rc)
        return tap_failed(kiosk, out, rc < 0 ? store_failed(kiosk, rc)
                                             : failk(kiosk, -ENOENT, KIOSK_ERR_NO_VOLUNTEER, "no volunteer %lld", (long long)volunteer_id));
    fill_names(out, &v);
    if ((rc = activity_uuid(kiosk, activity_id, activity)))
        return tap_failed(kiosk, out, rc);
    return toggle(kiosk, &v, 0, 0, activity, source, out);
}

int kiosk_staff_set(struct kiosk *kiosk, int64_t volunteer_id, int in, int64_t at_us,
                    struct tap_result *out)
{
    struct volunteer v;
    struct store_visit open_visit;
    struct event ev;
    memset(out, 0, sizeof *out);
    int rc = store_volunteer(kiosk->store, volunteer_id, &v);
    if (rc)
        return tap_failed(kiosk, out, rc < 0 ? store_failed(kiosk, rc)
                                             : failk(kiosk, -ENOENT, KIOSK_ERR_NO_VOLUNTEER, "no volunteer %lld", (long long)volunteer_id));
    fill_names(out, &v);
    if ((rc = store_begin(kiosk->store)))
        return tap_failed(kiosk, out, store_failed(kiosk, rc));
    int has_open = store_open_visit(kiosk->store, kiosk->cfg.site_id, v.external_id, &open_visit);
    if (has_open < 0) {
        rc = has_open;
        goto failed;
    }
    if (in && has_open == 0) {
        out->outcome = TAP_ALREADY_IN;
        out->visit_start_us = open_visit.start_us;
        store_rollback(kiosk->store);
        return 0;
    }
    if (!in && has_open != 0) {
        out->outcome = TAP_ALREADY_OUT;
        store_rollback(kiosk->store);
        return 0;
    }
    /* Staff decide: no repeat window and no compliance refusal, but the
     * notices are still given so the person sees them. */
    char day[11];
    today(kiosk, day);
    out->notices = in ? rules_compliance(v.confidentiality_signed, v.police_valid_until, day) : 0;
    event_now(kiosk, &ev, in ? EVENT_CHECKIN : EVENT_CHECKOUT, SOURCE_STAFF, v.external_id);
    if (at_us > 0)
        ev.at_us = at_us;
    if (!in)
        snprintf(ev.activity, sizeof ev.activity, "%s", open_visit.activity);
    if ((rc = store_append(kiosk->store, &ev)) || (rc = store_commit(kiosk->store)))
        goto failed;
    out->outcome = in ? TAP_CHECKED_IN : TAP_CHECKED_OUT;
    out->at_us = ev.at_us;
    out->visit_start_us = in ? ev.at_us : open_visit.start_us;
    snprintf(out->event_id, sizeof out->event_id, "%s", ev.event_id);
    /* No milestone when staff check out by hand: the volunteer is not at
     * the screen, so it stays due for their own next check-out. */
    describe(kiosk, &v, out, 0);
    return 0;
failed:
    store_rollback(kiosk->store);
    return tap_failed(kiosk, out, store_failed(kiosk, rc));
}

int kiosk_volunteer(struct kiosk *kiosk, int64_t id, struct volunteer *out)
{
    int rc = store_volunteer(kiosk->store, id, out);
    return rc < 0 ? store_failed(kiosk, rc) : rc;
}

int kiosk_volunteer_by_external_id(struct kiosk *kiosk, const char *external_id,
                                   struct volunteer *out)
{
    int rc = store_volunteer_by_external_id(kiosk->store, external_id, out);
    return rc < 0 ? store_failed(kiosk, rc) : rc;
}

int kiosk_search(struct kiosk *kiosk, const char *query, int64_t *ids, size_t max)
{
    /* A roster imported or synced since the index was built (by tilstedectl
     * or the uploader, on other connections) is searched too. */
    int64_t version = store_roster_version(kiosk->store);
    if (version < 0)
        return store_failed(kiosk, (int)version);
    int rc;
    if (version != kiosk->names_version && (rc = kiosk_reload_roster(kiosk)) < 0)
        return rc;
    size_t total = 0;
    rc = namesearch_query(kiosk->names, query, ids, max, &total);
    return rc < 0 ? failf(kiosk, rc, "name search failed") : (int)total;
}

int kiosk_present(struct kiosk *kiosk, void (*fn)(void *user, const struct presence *p),
                  void *user)
{
    int rc = store_present_each(kiosk->store, kiosk->cfg.site_id, fn, user);
    return rc < 0 ? store_failed(kiosk, rc) : rc;
}

int kiosk_present_count(struct kiosk *kiosk) { return kiosk_present(kiosk, NULL, NULL); }

int kiosk_activities(struct kiosk *kiosk, int64_t at_us, struct activity *out, size_t max)
{
    char day[11];
    visits_local_day(at_us, day);
    int rc = store_activities_on_day(kiosk->store, day, out, max);
    return rc < 0 ? store_failed(kiosk, rc) : rc;
}

int kiosk_activity_save(struct kiosk *kiosk, struct activity *activity)
{
    int rc = store_activity_save(kiosk->store, activity);
    if (rc == -EINVAL) /* its fields (store_activity_save says which) */
        return failk(kiosk, rc, KIOSK_ERR_ACTIVITY_INVALID, "%s", store_errmsg(kiosk->store));
    return rc ? store_failed(kiosk, rc) : 0;
}

int kiosk_activity_remove(struct kiosk *kiosk, int64_t id)
{
    int rc = store_activity_remove(kiosk->store, id);
    return rc < 0 ? store_failed(kiosk, rc) : rc;
}

int kiosk_last_unknown_card(struct kiosk *kiosk, int64_t *tapped_at_us)
{
    char hash[CARD_HASH_HEX + 1];
    int64_t since = clock_wall(kiosk->clock) - (int64_t)kiosk->cfg.unknown_card_memory_s * US_PER_S;
    int rc = store_unknown_latest(kiosk->store, since, hash, tapped_at_us);
    return rc < 0 ? store_failed(kiosk, rc) : rc == 0;
}

/* Enrolls a card by its hash: the card row and an event for the central,
 * in one transaction. */
static int enroll_hash(struct kiosk *k, int64_t volunteer_id, const char *hash)
{
    struct volunteer v;
    struct event ev;
    int rc = store_volunteer(k->store, volunteer_id, &v);
    if (rc)
        return rc < 0 ? store_failed(k, rc) : failk(k, -ENOENT, KIOSK_ERR_NO_VOLUNTEER, "no volunteer %lld", (long long)volunteer_id);
    if ((rc = store_begin(k->store)))
        return store_failed(k, rc);
    event_now(k, &ev, EVENT_CARD_ENROLLED, SOURCE_STAFF, v.external_id);
    snprintf(ev.card_hash, sizeof ev.card_hash, "%s", hash);
    if ((rc = store_card_add(k->store, hash, volunteer_id, ev.recorded_us)) ||
        (rc = store_append(k->store, &ev)) || (rc = store_commit(k->store))) {
        store_rollback(k->store);
        return store_failed(k, rc);
    }
    return 0;
}

int kiosk_enroll_last_unknown(struct kiosk *kiosk, int64_t volunteer_id)
{
    char hash[CARD_HASH_HEX + 1];
    int64_t tapped;
    int64_t since = clock_wall(kiosk->clock) - (int64_t)kiosk->cfg.unknown_card_memory_s * US_PER_S;
    int rc = store_unknown_latest(kiosk->store, since, hash, &tapped);
    if (rc)
        return rc < 0 ? store_failed(kiosk, rc)
                      : failk(kiosk, -ENOENT, KIOSK_ERR_NO_UNKNOWN_CARD, "no unknown card was tapped in the last %d minutes",
                              kiosk->cfg.unknown_card_memory_s / 60);
    return enroll_hash(kiosk, volunteer_id, hash);
}

int kiosk_enroll_uid(struct kiosk *kiosk, int64_t volunteer_id, const uint8_t *uid, size_t len)
{
    char hash[CARD_HASH_HEX + 1];
    if (!len || len > READER_UID_MAX)
        return failk(kiosk, -EINVAL, KIOSK_ERR_BAD_CARD, "a card UID has 4, 7 or 10 bytes, not %zu", len);
    cardhash_uid(kiosk->card_key, uid, len, hash);
    return enroll_hash(kiosk, volunteer_id, hash);
}

int kiosk_revoke_uid(struct kiosk *kiosk, const uint8_t *uid, size_t len)
{
    char hash[CARD_HASH_HEX + 1];
    int64_t volunteer_id;
    int revoked;
    struct volunteer v;
    struct event ev;
    if (!len || len > READER_UID_MAX)
        return failk(kiosk, -EINVAL, KIOSK_ERR_BAD_CARD, "a card UID has 4, 7 or 10 bytes, not %zu", len);
    cardhash_uid(kiosk->card_key, uid, len, hash);
    int rc = store_card_find(kiosk->store, hash, &volunteer_id, &revoked);
    if (rc)
        return rc < 0 ? store_failed(kiosk, rc) : failf(kiosk, -ENOENT, "the card is not enrolled");
    if (revoked)
        return failf(kiosk, -EALREADY, "the card is already revoked");
    if ((rc = store_volunteer(kiosk->store, volunteer_id, &v)))
        return rc < 0 ? store_failed(kiosk, rc) : failk(kiosk, -ENOENT, KIOSK_ERR_NO_VOLUNTEER, "a card without its volunteer");
    if ((rc = store_begin(kiosk->store)))
        return store_failed(kiosk, rc);
    event_now(kiosk, &ev, EVENT_CARD_REVOKED, SOURCE_STAFF, v.external_id);
    snprintf(ev.card_hash, sizeof ev.card_hash, "%s", hash);
    if ((rc = store_card_revoke(kiosk->store, hash, ev.recorded_us)) < 0 ||
        (rc = store_append(kiosk->store, &ev)) || (rc = store_commit(kiosk->store))) {
        store_rollback(kiosk->store);
        return store_failed(kiosk, rc);
    }
    return 0;
}

int kiosk_review_list(struct kiosk *kiosk, void (*fn)(void *user, const struct review_item *r),
                      void *user)
{
    int rc = store_review_each(kiosk->store, kiosk->cfg.site_id, fn, user);
    return rc < 0 ? store_failed(kiosk, rc) : rc;
}

struct find_review {
    const char *event_id;
    struct review_item found;
    int hit;
};

static void match_review(void *user, const struct review_item *r)
{
    struct find_review *f = user;
    if (!strcmp(r->autoclose_event, f->event_id)) {
        f->found = *r;
        f->hit = 1;
    }
}

int kiosk_correct_end(struct kiosk *kiosk, const char *autoclose_event, int64_t end_us)
{
    struct find_review f = {.event_id = autoclose_event};
    struct volunteer v;
    struct event ev;
    int rc = kiosk_review_list(kiosk, match_review, &f);
    if (rc < 0)
        return rc;
    if (!f.hit)
        return failk(kiosk, -ENOENT, KIOSK_ERR_REVIEW_GONE, "no visit closed automatically with event %s awaits review",
                     autoclose_event);
    if (end_us < f.found.start_us)
        return failk(kiosk, -EINVAL, KIOSK_ERR_END_BEFORE_START, "the end cannot be before the check-in");
    if (end_us > clock_wall(kiosk->clock))
        return failk(kiosk, -EINVAL, KIOSK_ERR_END_IN_FUTURE, "the end cannot be in the future");
    if ((rc = store_volunteer(kiosk->store, f.found.volunteer_id, &v)))
        return rc < 0 ? store_failed(kiosk, rc) : failk(kiosk, -ENOENT, KIOSK_ERR_NO_VOLUNTEER, "volunteer not found");
    if ((rc = store_begin(kiosk->store)))
        return store_failed(kiosk, rc);
    event_now(kiosk, &ev, EVENT_CORRECTION, SOURCE_STAFF, v.external_id);
    ev.at_us = end_us;
    snprintf(ev.corrects, sizeof ev.corrects, "%s", autoclose_event);
    if ((rc = store_append(kiosk->store, &ev)) || (rc = store_commit(kiosk->store))) {
        store_rollback(kiosk->store);
        return store_failed(kiosk, rc);
    }
    return 0;
}

struct compliance_walk {
    const char *day;
    void (*fn)(void *user, const struct volunteer *v, unsigned notices);
    void *user;
    int count;
};

static int compliance_one(void *user, const struct volunteer *v)
{
    struct compliance_walk *w = user;
    unsigned notices = rules_compliance(v->confidentiality_signed, v->police_valid_until, w->day);
    if (notices) {
        w->fn(w->user, v, notices);
        w->count++;
    }
    return 0;
}

int kiosk_compliance_today(struct kiosk *kiosk,
                           void (*fn)(void *user, const struct volunteer *v, unsigned notices),
                           void *user)
{
    char day[11];
    today(kiosk, day);
    struct compliance_walk w = {day, fn, user, 0};
    int rc = store_visitors_on_day(kiosk->store, kiosk->cfg.site_id, day, compliance_one, &w);
    return rc < 0 ? store_failed(kiosk, rc) : w.count;
}

int64_t kiosk_count_statements(struct kiosk *kiosk, int on)
{
    return store_count_statements(kiosk->store, on);
}

int kiosk_check_pin(const struct kiosk *kiosk, const char *pin)
{
    if (!kiosk->cfg.staff_pin_hash[0])
        return -ENOENT;
    return crypto_pwhash_str_verify(kiosk->cfg.staff_pin_hash, pin, strlen(pin)) == 0;
}

int kiosk_hash_pin(const char *pin, char *hash, size_t hashlen)
{
    if (hashlen < crypto_pwhash_STRBYTES)
        return -EINVAL;
    return crypto_pwhash_str(hash, pin, strlen(pin), KIOSK_PIN_HASH_OPSLIMIT,
                             KIOSK_PIN_HASH_MEMLIMIT_BYTES) == 0 ? 0 : -ENOMEM;
}

/* The restore is recorded in the restored database itself, so it outlives
 * restarts; with a central the uploader fetches back what the central holds
 * before it sends anything (see sync/uploader.c). */
int kiosk_recovery_record(struct kiosk *kiosk, int64_t backup_us, int skipped_backups)
{
    struct kiosk_recovery recovery = {
        .at_us = clock_wall(kiosk->clock),
        .backup_us = backup_us,
        .skipped_backups = skipped_backups < 0 ? 0 : skipped_backups,
        .fetch_state = kiosk->cfg.central_url[0] ? KIOSK_FETCH_PENDING : KIOSK_FETCH_NONE,
    };
    int rc = store_recovery_record(kiosk->store, &recovery);
    return rc ? store_failed(kiosk, rc) : 0;
}

const char *kiosk_fetch_state_name(int fetch_state)
{
    switch (fetch_state) {
    case KIOSK_FETCH_PENDING:
        return "pending";
    case KIOSK_FETCH_DONE:
        return "done";
    default:
        return "none";
    }
}

int kiosk_recovery_status(struct kiosk *kiosk, struct kiosk_recovery *out)
{
    int rc = store_recovery_latest(kiosk->store, out, NULL);
    if (rc < 0)
        return store_failed(kiosk, rc);
    return rc == 0 ? 1 : 0;
}

/* Returns 0, also when there is no restore on record (nothing to hide). */
int kiosk_recovery_acknowledge(struct kiosk *kiosk)
{
    int rc = store_recovery_acknowledge(kiosk->store);
    return rc < 0 ? store_failed(kiosk, rc) : 0;
}

/* The upload's bookkeeping is the outbox's, opened for the moment on the
 * kiosk's connection (staff screens only: never on a tap's path). */
static int upload_bookkeeping(struct kiosk *kiosk, int *refused_unseen, int64_t *token_refused_us,
                              int acknowledge)
{
    struct outbox *outbox = NULL;
    char err[512];
    int rc = outbox_open(kiosk->store, &outbox, err, sizeof err);
    if (rc) {
        snprintf(kiosk->message, sizeof kiosk->message, "%s", err);
        return rc;
    }
    if (acknowledge && (rc = outbox_refused_ack(outbox)) < 0)
        goto fail;
    if (refused_unseen && (rc = *refused_unseen = outbox_refused_unseen(outbox)) < 0)
        goto fail;
    if (token_refused_us) {
        char refused[OUTBOX_STATE_MAX];
        *token_refused_us = 0;
        if ((rc = outbox_state_get(outbox, OUTBOX_TOKEN_REFUSED, refused, sizeof refused)) < 0)
            goto fail;
        if (refused[0]) {
            int64_t at = outbox_state_int(outbox, OUTBOX_TOKEN_REFUSED_AT);
            *token_refused_us = at > 0 ? at : 1;
        }
    }
    outbox_close(outbox);
    return 0;
fail:
    snprintf(kiosk->message, sizeof kiosk->message, "%s", outbox_errmsg(outbox));
    outbox_close(outbox);
    return rc;
}

int kiosk_upload_notices(struct kiosk *kiosk, int *refused_unseen, int64_t *token_refused_us)
{
    return upload_bookkeeping(kiosk, refused_unseen, token_refused_us, 0);
}

int kiosk_refused_acknowledge(struct kiosk *kiosk)
{
    return upload_bookkeeping(kiosk, NULL, NULL, 1);
}
