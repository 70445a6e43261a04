/* The monthly mail's own run (see mail_schedule.h): a pure decision of
 * whether the run is due at a local time, and a thread that asks it every
 * CENTRAL_MAIL_CHECK_MS and runs the month when it is. */
#include "mail_schedule.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "store.h"

/* ---- the calendar ---- */

/* Days since 1970-01-01 of a date in the proleptic Gregorian calendar. */
static long days_from_civil(int year, int month, int day)
{
    year -= month <= 2;
    long era = (year >= 0 ? year : year - 399) / 400;
    long yoe = year - era * 400;
    long doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Easter Sunday (the anonymous Gregorian algorithm), as days since 1970. */
static long easter(int year)
{
    int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
    int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
    return days_from_civil(year, month, day);
}

static int is_holiday(int year, int month, int day)
{
    static const int fixed[][2] = {{1, 1}, {5, 1}, {5, 17}, {12, 25}, {12, 26}};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (fixed[i][0] == month && fixed[i][1] == day)
            return 1;
    /* Maundy Thursday, Good Friday, Easter Sunday and Monday, Ascension,
     * Whit Sunday and Monday. */
    static const int from_easter[] = {-3, -2, 0, 1, 39, 49, 50};
    long date = days_from_civil(year, month, day), sunday = easter(year);
    for (size_t i = 0; i < sizeof from_easter / sizeof from_easter[0]; i++)
        if (date == sunday + from_easter[i])
            return 1;
    return 0;
}

int central_mail_first_working_day(int year, int month)
{
    for (int day = 1;; day++) {
        long weekday = (days_from_civil(year, month, day) + 4) % 7; /* 1970-01-01: Thursday */
        if (weekday != 0 && weekday != 6 && !is_holiday(year, month, day))
            return day;
    }
}

int central_mail_due(const struct tm *local, int hour, int minute,
                     char month[CENTRAL_MAIL_MONTH_LEN + 1])
{
    int year = local->tm_year + 1900, this_month = local->tm_mon + 1;
    int first = central_mail_first_working_day(year, this_month);
    int day = local->tm_mday;
    if (day < first || day >= first + CENTRAL_MAIL_CATCH_UP_DAYS)
        return 0;
    if (day == first && local->tm_hour * 60 + local->tm_min < hour * 60 + minute)
        return 0;
    int report_year = this_month == 1 ? year - 1 : year;
    int report_month = this_month == 1 ? 12 : this_month - 1;
    char text[32];
    snprintf(text, sizeof text, "%04d-%02d", report_year, report_month);
    snprintf(month, CENTRAL_MAIL_MONTH_LEN + 1, "%.7s", text);
    return 1;
}

/* ---- the thread ---- */

struct central_mail_schedule {
    struct central_mail_schedule_config config;
    struct central_store *store;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stopping;
};

static int64_t real_now_us(void *ctx)
{
    (void)ctx;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* One look at the clock; 1 when the run cannot work at all (stop trying). */
static int run_if_due(struct central_mail_schedule *s)
{
    int64_t now = s->config.clock(s->config.clock_ctx);
    time_t seconds = (time_t)(now / 1000000);
    struct tm local;
    localtime_r(&seconds, &local);
    char month[CENTRAL_MAIL_MONTH_LEN + 1];
    if (!central_mail_due(&local, s->config.hour, s->config.minute, month))
        return 0;
    struct central_mail_run run = {.month = month, .now_us = now};
    char err[512] = "";
    int rc = central_mail_month(s->store, &s->config.mail, &run, err, sizeof err);
    if (run.sent && !s->config.quiet)
        fprintf(stderr, "tilstede-central: monthly mail %s: %zu sent\n", month, run.sent);
    if (rc && !s->config.quiet)
        fprintf(stderr, "tilstede-central: monthly mail %s: %s\n", month, err);
    return rc == -ENOTSUP || rc == -EINVAL;
}

static void *schedule_thread(void *arg)
{
    struct central_mail_schedule *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        pthread_mutex_unlock(&s->lock);
        int give_up = run_if_due(s);
        pthread_mutex_lock(&s->lock);
        if (give_up) {
            if (!s->config.quiet)
                fputs("tilstede-central: the monthly mail stops until the next start\n", stderr);
            break;
        }
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += s->config.check_ms / 1000;
        until.tv_nsec += (long)(s->config.check_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!s->stopping && pthread_cond_timedwait(&s->wake, &s->lock, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

int central_mail_schedule_start(const struct central_mail_schedule_config *config,
                                struct central_mail_schedule **out, char *err, size_t errlen)
{
    *out = NULL;
    struct central_mail_schedule *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    s->config = *config;
    if (!s->config.clock)
        s->config.clock = real_now_us;
    if (!s->config.check_ms)
        s->config.check_ms = CENTRAL_MAIL_CHECK_MS;
    int rc = central_store_open(config->db, &s->store, err, errlen);
    if (rc) {
        free(s);
        return rc;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&s->wake, &attr);
    pthread_condattr_destroy(&attr);
    if ((rc = pthread_create(&s->thread, NULL, schedule_thread, s))) {
        snprintf(err, errlen, "cannot start the monthly mail's thread: %s", strerror(rc));
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->lock);
        central_store_close(s->store);
        free(s);
        return -rc;
    }
    *out = s;
    return 0;
}

void central_mail_schedule_stop(struct central_mail_schedule *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    central_store_close(s->store);
    free(s);
}
