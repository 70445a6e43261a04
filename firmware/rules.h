/* The check-in rules as pure decisions: they take the state and a tap and
 * return what should happen; kiosk.c carries it out through the store. No
 * database, no clock, no I/O here, so each rule is a plain unit test. */
#ifndef TILSTEDE_RULES_H
#define TILSTEDE_RULES_H

#include <stdint.h>

#include "config.h"
#include "kiosk.h"

struct rules_tap {
    int64_t now_us;              /* wall clock */
    int64_t now_mono_us;
    const char *boot_id;
    int clock_unsynced;          /* the wall clock is not known to be right */
    const char *today;           /* local date, YYYY-MM-DD */

    int card_known;              /* 0 for a name or staff toggle: no card */
    int card_revoked;
    int by_card;                 /* the tap came from a card */
    int active;                  /* the volunteer */
    const char *confidentiality_signed; /* YYYY-MM-DD or "" */
    const char *police_valid_until;     /* YYYY-MM-DD or "" */

    int has_open_visit;
    /* The volunteer's last check-in or check-out here, to recognise the same
     * card held or tapped again (cards only): when, on which boot, which way. */
    int has_last;
    int64_t last_mono_us;
    int64_t last_wall_us;
    const char *last_boot_id;
    int last_clock_unsynced;
    int last_was_checkin;
};

struct rules_decision {
    enum tap_outcome outcome;
    enum refuse_reason reason;
    unsigned notices; /* NOTICE_* for the compliance checks */
};

void rules_decide(const struct config *cfg, const struct rules_tap *tap,
                  struct rules_decision *out);

/* The compliance notices for a volunteer on a day: a missing confidentiality
 * agreement, a police certificate that expired before today. */
unsigned rules_compliance(const char *confidentiality_signed, const char *police_valid_until,
                          const char *today);

/* When an open visit that started at start_us must be closed: the first
 * configured end of day after the start, or start + the maximum length,
 * whichever comes first. */
int64_t rules_autoclose_deadline(const struct config *cfg, int64_t start_us);

/* The same for a visit of an activity that ends at activity_end_us (0: none
 * or unknown): never before the activity's end, so a night watch past
 * day_end stays open all night; the day's end is then the first after the
 * activity's end, and max_visit_hours from the check-in stays the safety
 * net (it cannot end the visit before the activity does). wall_known = 0
 * when start_us is on a clock not yet known to be right: then only
 * max_visit_hours applies, as a day's end on such a clock means nothing.
 * All three times are on one clock. */
int64_t rules_visit_deadline(const struct config *cfg, int64_t start_us, int64_t activity_end_us,
                             int wall_known);

/* The end an auto-closed visit is credited with. activity_end_us is the
 * scheduled end of its activity, or 0 when it has none. Never before the
 * start nor after the deadline. */
int64_t rules_autoclose_credit(const struct config *cfg, int64_t start_us, int64_t deadline_us,
                               int64_t activity_end_us);

/* The highest milestone (10, 50, 100, 250 hours this year) at or below
 * hours, or 0. */
int rules_milestone_reached(double hours);

/* The milestone to tell at a check-out that finds the year's hours at
 * hours_after, when the highest one already counted is seen: the highest
 * mark reached above seen, or 0. (The first visit is told by the caller.) */
int rules_milestone_due(int seen, double hours_after);

/* The milestone crossed when hours this year went from before to after, or
 * 0: rules_milestone_due with what hours_before had reached. */
int rules_milestone(double hours_before, double hours_after);

#endif
