/* The check-in rules (see rules.h and issue 3, "The check-in rules"). */
#include "rules.h"

#include <string.h>
#include <time.h>

#define US_PER_S INT64_C(1000000)

/* Was the last event so recent that this tap is the same tap again? On the
 * same boot the monotonic clock decides, because the wall clock may have
 * been stepped by NTP in between; across a reboot only the wall clock is
 * left, and only when both taps read it synchronised: no decision compares
 * times from two different clock epochs (README, "The kiosk's clock"). */
static int within_repeat_window(const struct config *cfg, const struct rules_tap *tap)
{
    /* Only a card repeats by accident (held on, tapped twice); a name is
     * chosen and confirmed on screen, so it always toggles. */
    if (!tap->by_card || !tap->has_last || cfg->repeat_window_s <= 0)
        return 0;
    int64_t window = (int64_t)cfg->repeat_window_s * US_PER_S;
    int64_t since;
    if (tap->last_boot_id && tap->boot_id && !strcmp(tap->last_boot_id, tap->boot_id))
        since = tap->now_mono_us - tap->last_mono_us;
    else if (!tap->clock_unsynced && !tap->last_clock_unsynced)
        since = tap->now_us - tap->last_wall_us;
    else
        return 0; /* two clocks with nothing in common: a new tap (a boot takes longer) */
    return since >= 0 && since < window;
}

unsigned rules_compliance(const char *confidentiality_signed, const char *police_valid_until,
                          const char *today)
{
    unsigned notices = 0;
    if (!confidentiality_signed || !confidentiality_signed[0])
        notices |= NOTICE_NO_CONFIDENTIALITY;
    /* Dates are YYYY-MM-DD, so text order is date order. A blank date means
     * the task needs no certificate. */
    if (police_valid_until && police_valid_until[0] && today &&
        strcmp(police_valid_until, today) < 0)
        notices |= NOTICE_POLICE_CERT_EXPIRED;
    return notices;
}

void rules_decide(const struct config *cfg, const struct rules_tap *tap, struct rules_decision *out)
{
    memset(out, 0, sizeof *out);
    if (tap->by_card && !tap->card_known) {
        out->outcome = TAP_UNKNOWN_CARD;
        return;
    }
    if (tap->by_card && tap->card_revoked) {
        out->outcome = TAP_REFUSED;
        out->reason = REFUSE_CARD_REVOKED;
        return;
    }
    /* One made inactive while here (a full roster answer that left them
     * out) still leaves: the hours given are counted. */
    if (!tap->active && !tap->has_open_visit) {
        out->outcome = TAP_REFUSED;
        out->reason = REFUSE_INACTIVE;
        return;
    }
    if (within_repeat_window(cfg, tap)) {
        out->outcome = tap->last_was_checkin ? TAP_ALREADY_IN : TAP_ALREADY_OUT;
        return;
    }
    if (tap->has_open_visit) {
        /* Leaving is never refused: the hours given must be counted. */
        out->outcome = TAP_CHECKED_OUT;
        return;
    }
    out->notices = rules_compliance(tap->confidentiality_signed, tap->police_valid_until, tap->today);
    if (out->notices && cfg->compliance == COMPLIANCE_REFUSE) {
        out->outcome = TAP_REFUSED;
        out->reason = (out->notices & NOTICE_NO_CONFIDENTIALITY) ? REFUSE_NO_CONFIDENTIALITY
                                                                 : REFUSE_POLICE_CERT_EXPIRED;
        return;
    }
    out->outcome = TAP_CHECKED_IN;
}

/* The first configured end of day strictly after t. */
static int64_t next_day_end(const struct config *cfg, int64_t t_us)
{
    time_t t = (time_t)(t_us / US_PER_S);
    struct tm tm;
    localtime_r(&t, &tm);
    tm.tm_hour = cfg->day_end_min / 60;
    tm.tm_min = cfg->day_end_min % 60;
    tm.tm_sec = 0;
    tm.tm_isdst = -1; /* let mktime find summer or winter time */
    time_t end = mktime(&tm);
    if ((int64_t)end * US_PER_S <= t_us) {
        tm.tm_mday += 1;
        tm.tm_hour = cfg->day_end_min / 60;
        tm.tm_min = cfg->day_end_min % 60;
        tm.tm_isdst = -1;
        end = mktime(&tm);
    }
    return (int64_t)end * US_PER_S;
}

int64_t rules_visit_deadline(const struct config *cfg, int64_t start_us, int64_t activity_end_us,
                             int wall_known)
{
    int64_t deadline = start_us + (int64_t)cfg->max_visit_s * US_PER_S;
    if (!wall_known)
        return deadline; /* no day's end on a clock that may say 1970 */
    if (activity_end_us <= start_us)
        activity_end_us = 0; /* checked in after its activity ended */
    if (cfg->day_end_min >= 0) {
        int64_t end = next_day_end(cfg, activity_end_us ? activity_end_us : start_us);
        if (end < deadline)
            deadline = end;
    }
    if (activity_end_us > deadline)
        deadline = activity_end_us;
    return deadline;
}

int64_t rules_autoclose_deadline(const struct config *cfg, int64_t start_us)
{
    return rules_visit_deadline(cfg, start_us, 0, 1);
}

int64_t rules_autoclose_credit(const struct config *cfg, int64_t start_us, int64_t deadline_us,
                               int64_t activity_end_us)
{
    int64_t end = start_us;
    switch (cfg->autoclose_credit) {
    case CREDIT_NONE:
        break;
    case CREDIT_FIXED:
        end = start_us + (int64_t)cfg->autoclose_fixed_s * US_PER_S;
        break;
    case CREDIT_SCHEDULED:
        if (activity_end_us > 0)
            end = activity_end_us;
        break;
    }
    if (end < start_us)
        end = start_us;
    if (end > deadline_us)
        end = deadline_us;
    return end;
}

int rules_milestone_reached(double hours)
{
    static const int marks[] = {250, 100, 50, 10};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (hours >= marks[i])
            return marks[i];
    return 0;
}

int rules_milestone_due(int seen, double hours_after)
{
    int reached = rules_milestone_reached(hours_after);
    return reached > seen ? reached : 0;
}

int rules_milestone(double hours_before, double hours_after)
{
    return rules_milestone_due(rules_milestone_reached(hours_before), hours_after);
}
