/* Reads gettext .mo files directly and formats Norwegian dates and times.
 * glibc's gettext() ignores LANGUAGE when the locale is "C", and the board
 * may have no nb_NO locale installed: reading the catalogue ourselves avoids
 * depending on the system's locales and lets staff switch language live. */
#include "i18n.h"

#include "mo.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct i18n {
    char lang[8];
    unsigned char *data; /* the whole .mo file, read by mo_load */
    struct mo mo;        /* points into data (firmware/mo.c) */
};

static int mo_load(struct i18n *tr, const char *path, char *err, size_t errlen)
{
    int rc = 0;
    size_t size = 0;
    FILE *file = fopen(path, "rb");
    if (!file) {
        rc = -errno;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto out;
    }
    tr->data = malloc(I18N_MO_MAX);
    if (!tr->data) {
        rc = -ENOMEM;
        snprintf(err, errlen, "%s: out of memory", path);
        goto out;
    }
    size = fread(tr->data, 1, I18N_MO_MAX, file);
    if (size == I18N_MO_MAX) {
        rc = -EFBIG;
        snprintf(err, errlen, "%s: larger than %u bytes", path, I18N_MO_MAX);
        goto out;
    }
    char why[160];
    rc = mo_parse(&tr->mo, tr->data, size, why, sizeof why);
    if (rc < 0)
        snprintf(err, errlen, "%s: %s", path, why);
out:
    if (file)
        fclose(file);
    return rc;
}

int i18n_open(const char *locale_dir, const char *lang, struct i18n **out, char *err, size_t errlen)
{
    int rc = 0;
    struct i18n *tr = calloc(1, sizeof *tr);
    if (!tr) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    if (!lang || !*lang || strlen(lang) >= sizeof tr->lang) {
        rc = -EINVAL;
        snprintf(err, errlen, "language '%s' is not one of nb, nn, en", lang ? lang : "");
        goto out;
    }
    snprintf(tr->lang, sizeof tr->lang, "%s", lang);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/LC_MESSAGES/tilstede.mo", locale_dir, lang);
    rc = mo_load(tr, path, err, errlen);
    /* The msgids are English: English works even without its catalogue. */
    if (rc == -ENOENT && strcmp(lang, "en") == 0) {
        free(tr->data);
        tr->data = NULL;
        memset(&tr->mo, 0, sizeof tr->mo);
        rc = 0;
    }
out:
    if (rc < 0) {
        i18n_close(tr);
        tr = NULL;
    }
    *out = tr;
    return rc;
}

void i18n_close(struct i18n *tr)
{
    if (!tr)
        return;
    free(tr->data);
    free(tr);
}

const char *i18n_lang(const struct i18n *tr)
{
    return tr ? tr->lang : "en";
}
size_t i18n_count(const struct i18n *tr)
{
    return tr ? tr->mo.count : 0;
}

const char *i18n_text(const struct i18n *tr, const char *msgid)
{
    const char *text = tr ? mo_find(&tr->mo, msgid, NULL) : NULL;
    return text ? text : msgid;
}

const char *i18n_plural(const struct i18n *tr, const char *singular, const char *plural, long n)
{
    int form = n != 1;
    uint32_t len = 0;
    const char *text = tr ? mo_find(&tr->mo, singular, &len) : NULL;
    if (!text)
        return form ? plural : singular;
    if (form) {
        size_t first = strlen(text);
        if (first < len)
            return text + first + 1;
    }
    return text;
}

size_t i18n_fill(char *out, size_t cap, const char *template, ...)
{
    size_t used = 0;
#define PUT(ch)                                                                                    \
    do {                                                                                           \
        if (used + 1 < cap)                                                                        \
            out[used] = (ch);                                                                      \
        used++;                                                                                    \
    } while (0)
    for (const char *p = template; *p;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        const char *value = NULL;
        if (close) {
            va_list args;
            va_start(args, template);
            for (const char *key; (key = va_arg(args, const char *));) {
                const char *candidate = va_arg(args, const char *);
                if (strlen(key) == (size_t)(close - p - 1) && !strncmp(key, p + 1, close - p - 1)) {
                    value = candidate;
                    break;
                }
            }
            va_end(args);
        }
        if (value) {
            for (const char *v = value; *v; v++)
                PUT(*v);
            p = close + 1;
        } else {
            PUT(*p);
            p++;
        }
    }
    if (cap)
        out[used < cap ? used : cap - 1] = '\0';
#undef PUT
    /* Never cut inside a UTF-8 character: drop a last character whose
     * bytes did not all fit. */
    if (cap && used >= cap) {
        size_t end = cap - 1, start = end;
        while (start > 0 && ((unsigned char)out[start - 1] & 0xC0u) == 0x80u)
            start--;
        if (start > 0) {
            unsigned char lead = (unsigned char)out[start - 1];
            size_t want = lead >= 0xF0u ? 4 : lead >= 0xE0u ? 3 : lead >= 0xC0u ? 2 : 1;
            if (end - (start - 1) < want)
                out[start - 1] = '\0';
        }
    }
    return used;
}

static const char *const weekdays[7] = {
    N_("Sunday"),   N_("Monday"), N_("Tuesday"),  N_("Wednesday"),
    N_("Thursday"), N_("Friday"), N_("Saturday"),
};
static const char *const months[12] = {
    N_("January"), N_("February"), N_("March"),     N_("April"),   N_("May"),      N_("June"),
    N_("July"),    N_("August"),   N_("September"), N_("October"), N_("November"), N_("December"),
};

void i18n_time(const struct i18n *tr, const struct tm *tm, char *out, size_t cap)
{
    char hour[4], minute[4];
    snprintf(hour, sizeof hour, "%02d", tm->tm_hour % 24);
    snprintf(minute, sizeof minute, "%02d", tm->tm_min % 60);
    /* TRANSLATORS: the 24-hour clock; Norwegian writes 14.30. */
    i18n_fill(out, cap, T(tr, "{hour}:{minute}"), "hour", hour, "minute", minute, I18N_END);
}

void i18n_date(const struct i18n *tr, const struct tm *tm, char *out, size_t cap)
{
    char day[4];
    snprintf(day, sizeof day, "%d", tm->tm_mday % 32);
    const char *weekday = T(tr, weekdays[(unsigned)tm->tm_wday % 7]);
    const char *month = T(tr, months[(unsigned)tm->tm_mon % 12]);
    /* TRANSLATORS: Norwegian: "{weekday} {day}. {month}" (mandag 23. november). */
    i18n_fill(out, cap, T(tr, "{weekday} {day} {month}"), "weekday", weekday, "day", day, "month",
              month, I18N_END);
}

void i18n_duration(const struct i18n *tr, int64_t seconds, char *out, size_t cap)
{
    if (seconds < 0)
        seconds = 0;
    long minutes_total = (long)((seconds + 30) / 60);
    long hours = minutes_total / 60, minutes = minutes_total % 60;
    char number[24], hour_text[64], minute_text[64];
    snprintf(number, sizeof number, "%ld", hours);
    i18n_fill(hour_text, sizeof hour_text, TN(tr, "{n} hour", "{n} hours", hours), "n", number,
              I18N_END);
    snprintf(number, sizeof number, "%ld", minutes);
    i18n_fill(minute_text, sizeof minute_text, TN(tr, "{n} minute", "{n} minutes", minutes), "n",
              number, I18N_END);
    if (minutes_total == 0) /* not "0 minutes": it was a visit, however short */
        snprintf(out, cap, "%s", T(tr, "less than a minute"));
    else if (hours == 0)
        snprintf(out, cap, "%s", minute_text);
    else if (minutes == 0)
        snprintf(out, cap, "%s", hour_text);
    else
        i18n_fill(out, cap, T(tr, "{hours} and {minutes}"), "hours", hour_text, "minutes",
                  minute_text, I18N_END);
}

void i18n_relative_day(const struct i18n *tr, const struct tm *then, const struct tm *now,
                       char *out, size_t cap)
{
    /* Whole days between the two calendar dates, DST-proof: compare noon. */
    struct tm a = *then, b = *now;
    a.tm_hour = b.tm_hour = 12;
    a.tm_min = b.tm_min = a.tm_sec = b.tm_sec = 0;
    a.tm_isdst = b.tm_isdst = -1;
    long days = (long)((mktime(&b) - mktime(&a) + 43200) / 86400);
    if (days == 0)
        snprintf(out, cap, "%s", T(tr, "today"));
    else if (days == 1)
        snprintf(out, cap, "%s", T(tr, "yesterday"));
    else
        i18n_date(tr, then, out, cap);
}

void i18n_capitalise(char *text)
{
    unsigned char *p = (unsigned char *)text;
    if (p[0] >= 'a' && p[0] <= 'z')
        p[0] = (unsigned char)(p[0] - 'a' + 'A');
    else if (p[0] == 0xC3 && p[1] >= 0xA0 && p[1] <= 0xBE && p[1] != 0xB7) /* U+00E0..U+00FE */
        p[1] = (unsigned char)(p[1] - 0x20);
}
