/* Translations for the kiosk: reads gettext .mo catalogues itself (no
 * setlocale, so it works on a board without nb_NO locales and switches
 * language at run time), fills "{name}" templates, and formats dates and
 * times the Norwegian way from translated tables. */
#ifndef TILSTEDE_UI_I18N_H
#define TILSTEDE_UI_I18N_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct i18n;

#define I18N_MO_MAX (1024u * 1024u) /* bytes: a catalogue larger than this is refused */

/* Loads <locale_dir>/<lang>/LC_MESSAGES/tilstede.mo. A language without a
 * catalogue is an error; "en" without one falls back to the msgids (English).
 * Returns 0 or a negative errno with err set. */
int i18n_open(const char *locale_dir, const char *lang, struct i18n **out, char *err,
              size_t errlen);
void i18n_close(struct i18n *tr);
const char *i18n_lang(const struct i18n *tr);
/* Number of messages in the catalogue (0 for the built-in English). */
size_t i18n_count(const struct i18n *tr);

/* The translation of msgid, or msgid itself. tr may be NULL. */
const char *i18n_text(const struct i18n *tr, const char *msgid);
/* The plural form for n (every language here has "n != 1"). */
const char *i18n_plural(const struct i18n *tr, const char *singular, const char *plural, long n);

/* Marks strings for xgettext (keywords T:2 and TN:2,3). */
#define T(tr, msgid)                i18n_text((tr), (msgid))
#define TN(tr, singular, plural, n) i18n_plural((tr), (singular), (plural), (n))
#define N_(msgid)                   (msgid) /* marked, translated later */

/* Fills template into out, replacing each "{key}" by its value from the
 * NULL-terminated list of key, value pairs; an unknown key is kept as it
 * is. Never overflows; returns the length it wanted (as snprintf). We do not
 * hand translated text to printf: a wrong catalogue must not crash. */
size_t i18n_fill(char *out, size_t cap, const char *template, ...) __attribute__((sentinel));
/* Ends i18n_fill's list: a pointer, where a bare NULL may be an int. */
#define I18N_END ((const char *)NULL)

/* "14.30" (nb, nn), "14:30" (en): 24-hour clock. */
void i18n_time(const struct i18n *tr, const struct tm *tm, char *out, size_t cap);
/* "mandag 23. november" / "Monday 23 November". */
void i18n_date(const struct i18n *tr, const struct tm *tm, char *out, size_t cap);
/* "2 timer og 15 minutter", "45 minutter", "1 time". */
/* The first letter made a capital, where a phrase starts a sentence: a-z
 * and the Latin-1 letters (æ ø å é ...) in UTF-8. */
void i18n_capitalise(char *text);
void i18n_duration(const struct i18n *tr, int64_t seconds, char *out, size_t cap);
/* The day of `then` seen from `now`: "i dag", "i går", or a date. */
void i18n_relative_day(const struct i18n *tr, const struct tm *then, const struct tm *now,
                       char *out, size_t cap);

#endif
