/* The roster CSV parser (see roster.h): detects the encoding and the
 * delimiter, splits RFC 4180 records, maps the header's columns to fields,
 * and checks each row on its own so one bad row spoils only itself. */
#include "roster.h"
#include "utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HEADER_RAW_MAX     128  /* bytes kept of a header cell; longer ones match nothing */
#define HEADER_DISPLAY_MAX 48   /* bytes of a header name quoted in a message */
#define VALUE_DISPLAY_MAX  40   /* bytes of a value quoted in a message */
#define REASON_MAX         1024 /* bytes of one row's error message */
#define KEY_MAX            64   /* bytes of a canonical header name */
#define WARNING_MAX        1024 /* bytes of one warning */
#define FOUND_LIST_MAX     600  /* bytes of the "found columns" list in an error */

static const char save_as[] =
    "in Excel use File > Save As and choose 'CSV UTF-8' or 'CSV (semikolonseparert)'";

/* Converting Windows-1252 at most triples the length (U+20AC is 3 bytes). */
#define CP1252_GROWTH 3

enum field {
    FIELD_ID = 0,
    FIELD_GIVEN,
    FIELD_FAMILY,
    FIELD_FULL_NAME,
    FIELD_ACTIVE,
    FIELD_CONFIDENTIALITY,
    FIELD_POLICE,
    FIELD_NOTES,
    FIELD_COUNT,
    FIELD_NONE = -1,
};

/* Per field, the most bytes of UTF-8 its cell may hold: the store's limit
 * for what it keeps (fieldlimits.h), so nothing delivered is cut later. */
static const size_t field_max[FIELD_COUNT] = {
    [FIELD_ID] = VOLUNTEER_ID_MAX,       [FIELD_GIVEN] = VOLUNTEER_NAME_MAX,
    [FIELD_FAMILY] = VOLUNTEER_NAME_MAX, [FIELD_FULL_NAME] = ROSTER_FULL_NAME_MAX,
    [FIELD_ACTIVE] = ROSTER_FIELD_MAX,   [FIELD_CONFIDENTIALITY] = ROSTER_FIELD_MAX,
    [FIELD_POLICE] = ROSTER_FIELD_MAX,   [FIELD_NOTES] = VOLUNTEER_NOTES_MAX,
};
/* The largest of them: the size of a cell's buffers. */
#define CELL_MAX VOLUNTEER_NOTES_MAX
_Static_assert(CELL_MAX >= ROSTER_FULL_NAME_MAX && CELL_MAX >= ROSTER_FIELD_MAX &&
                   CELL_MAX >= VOLUNTEER_ID_MAX,
               "a cell's buffers hold the longest field");

static const unsigned field_bits[FIELD_COUNT] = {
    ROSTER_COLUMN_ID,
    ROSTER_COLUMN_GIVEN_NAME,
    ROSTER_COLUMN_FAMILY_NAME,
    ROSTER_COLUMN_FULL_NAME,
    ROSTER_COLUMN_ACTIVE,
    ROSTER_COLUMN_CONFIDENTIALITY,
    ROSTER_COLUMN_POLICE_CERTIFICATE,
    ROSTER_COLUMN_NOTES,
};

/* Per field, the header names it answers to, most specific first: when two
 * columns fit one field, the one whose name comes first here wins. Written
 * as a coordinator would; compared after canonical_name(). */
static const struct {
    enum field field;
    const char *name;
} column_names[] = {
    {FIELD_ID, "Frivillig-ID"},
    {FIELD_ID, "Frivillignummer"},
    {FIELD_ID, "Frivillignr"},
    {FIELD_ID, "external_id"},
    {FIELD_ID, "Volunteer ID"},
    {FIELD_ID, "Ansatt-ID"},
    {FIELD_ID, "Ansattnr"},
    {FIELD_ID, "Ansattnummer"},
    {FIELD_ID, "Employee ID"},
    {FIELD_ID, "ID"},
    {FIELD_ID, "Nummer"},
    {FIELD_ID, "Number"},
    {FIELD_ID, "Nr"},
    {FIELD_GIVEN, "Fornavn"},
    {FIELD_GIVEN, "given_name"},
    {FIELD_GIVEN, "First name"},
    {FIELD_GIVEN, "Forename"},
    {FIELD_FAMILY, "Etternavn"},
    {FIELD_FAMILY, "family_name"},
    {FIELD_FAMILY, "Last name"},
    {FIELD_FAMILY, "Surname"},
    {FIELD_FULL_NAME, "Fullt navn"},
    {FIELD_FULL_NAME, "Full name"},
    {FIELD_FULL_NAME, "Navn"},
    {FIELD_FULL_NAME, "Name"},
    {FIELD_ACTIVE, "Aktiv"},
    {FIELD_ACTIVE, "Active"},
    {FIELD_ACTIVE, "Er aktiv"},
    {FIELD_ACTIVE, "Is active"},
    {FIELD_CONFIDENTIALITY, "Taushetserklæring signert"},
    {FIELD_CONFIDENTIALITY, "Teieerklæring signert"},
    {FIELD_CONFIDENTIALITY, "confidentiality_signed"},
    {FIELD_CONFIDENTIALITY, "Confidentiality agreement signed"},
    {FIELD_CONFIDENTIALITY, "Taushetserklæring dato"},
    {FIELD_CONFIDENTIALITY, "Taushetserklæring"},
    {FIELD_CONFIDENTIALITY, "Teieerklæring"},
    {FIELD_CONFIDENTIALITY, "Confidentiality agreement"},
    {FIELD_CONFIDENTIALITY, "Confidentiality"},
    {FIELD_POLICE, "Politiattest gyldig til"},
    {FIELD_POLICE, "police_certificate_valid_until"},
    {FIELD_POLICE, "Politiattest utløper"},
    {FIELD_POLICE, "Politiattest utløpsdato"},
    {FIELD_POLICE, "Politiattest gyldig"},
    {FIELD_POLICE, "Police certificate expires"},
    {FIELD_POLICE, "Politiattest"},
    {FIELD_POLICE, "Police certificate"},
    {FIELD_NOTES, "Merknad"},
    {FIELD_NOTES, "Merknader"},
    {FIELD_NOTES, "Notat"},
    {FIELD_NOTES, "Notater"},
    {FIELD_NOTES, "Kommentar"},
    {FIELD_NOTES, "Kommentarer"},
    {FIELD_NOTES, "notes"},
    {FIELD_NOTES, "Note"},
    {FIELD_NOTES, "Comments"},
    {FIELD_NOTES, "Comment"},
};
#define COLUMN_NAMES_COUNT (sizeof column_names / sizeof column_names[0])

/* How a missing field is named in the file-level error. */
static const char *const field_wanted[FIELD_COUNT] = {
    [FIELD_ID] = "an id ('ID', 'Frivillig-ID' or 'Ansattnr')",
    [FIELD_GIVEN] = "a given name ('Fornavn')",
    [FIELD_FAMILY] = "a family name ('Etternavn')",
};

/* Bytes 0x80-0x9F of Windows-1252; 0 where the code page defines nothing
 * (0x81, 0x8D, 0x8F, 0x90, 0x9D). 0xA0-0xFF are U+00A0-U+00FF. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

/* A field's bytes as written in the file, quotes undone. Only the first cap
 * bytes are kept, but len counts them all, so "too long" is known without
 * storing the excess. */
struct sink {
    unsigned char *buf;
    size_t cap;
    size_t len;
};

enum field_end { END_DELIMITER, END_LINE, END_FILE, END_UNTERMINATED, END_TOO_LONG };
enum record_status { RECORD_OK, RECORD_EMPTY, RECORD_EOF, RECORD_UNTERMINATED, RECORD_TOO_LONG };

/* The external ids seen so far, to report duplicates: an open-addressing
 * table of offsets into one arena of NUL-terminated ids. Both grow by
 * doubling, bounded by ROSTER_ROWS_MAX ids of VOLUNTEER_ID_MAX bytes. */
struct id_slot {
    uint64_t hash;
    uint32_t offset;
    int line; /* 0: free */
};

struct id_set {
    struct id_slot *slots;
    size_t slot_count; /* a power of two, or 0 */
    size_t used;
    char *arena;
    size_t arena_len, arena_cap;
};

struct parser {
    const unsigned char *p, *end; /* the scanner: next byte, and the end of the input */
    int line;                     /* physical line of p, 1-based */
    const unsigned char *record_start;
    unsigned char delimiter;
    enum roster_encoding encoding;
    const struct roster_callbacks *cb;
    struct roster_summary *summary;

    int column_count;
    enum field field_of[ROSTER_COLUMNS_MAX];
    int column_of[FIELD_COUNT]; /* -1: absent */
    unsigned char header_raw[ROSTER_COLUMNS_MAX][HEADER_RAW_MAX];
    struct sink header_sink[ROSTER_COLUMNS_MAX];
    char header_name[ROSTER_COLUMNS_MAX][HEADER_DISPLAY_MAX + 4]; /* UTF-8, for messages */

    unsigned char raw[FIELD_COUNT][CELL_MAX];
    struct sink field_sink[FIELD_COUNT];
    char value[FIELD_COUNT][CELL_MAX + 1];
    char given_split[ROSTER_FULL_NAME_MAX + 1], family_split[ROSTER_FULL_NAME_MAX + 1];

    struct id_set ids;
};

static void set_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_error(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    utf8_vformat(err, errlen, fmt, ap);
    va_end(ap);
}

static void warn(struct parser *parser, const char *message)
{
    if (parser->cb && parser->cb->warning)
        parser->cb->warning(parser->cb->user, message);
}

const char *roster_encoding_name(enum roster_encoding encoding)
{
    switch (encoding) {
    case ROSTER_ENCODING_UTF8:
        return "UTF-8";
    case ROSTER_ENCODING_UTF8_BOM:
        return "UTF-8 with BOM";
    case ROSTER_ENCODING_CP1252:
        return "Windows-1252";
    }
    return "unknown";
}

/* ---- text ---- */

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 if there
 * is none: overlong forms, surrogates and code points past U+10FFFF are not
 * UTF-8, and a Windows-1252 file must not pass for one. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* the range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

static bool utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t step = utf8_sequence(s + i, n - i);
        if (step == 0)
            return false;
        i += step;
    }
    return true;
}

static size_t utf8_put(uint32_t cp, unsigned char out[4])
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    out[0] = (unsigned char)(0xE0 | (cp >> 12));
    out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (unsigned char)(0x80 | (cp & 0x3F));
    return 3;
}

/* Converts a field to NUL-terminated UTF-8 in out (cap bytes including the
 * NUL). Returns the length the whole text needs, like snprintf: >= cap means
 * it did not fit, and out then holds a prefix cut between characters.
 * *undefined is set to the first byte Windows-1252 does not define (0 if
 * none); it becomes U+FFFD so messages stay valid UTF-8. */
static size_t to_utf8(enum roster_encoding encoding, const unsigned char *raw, size_t len,
                      char *out, size_t cap, unsigned char *undefined)
{
    size_t need = 0, kept = 0;
    bool full = false;
    *undefined = 0;
    for (size_t i = 0; i < len;) {
        unsigned char seq[4];
        size_t n;
        if (encoding != ROSTER_ENCODING_CP1252) {
            /* Already validated; a field cut at its cap may end mid-character,
             * so measure with what is left. */
            n = utf8_sequence(raw + i, len - i);
            if (n == 0)
                n = utf8_put(0xFFFD, seq), i++;
            else
                memcpy(seq, raw + i, n), i += n;
        } else {
            unsigned char c = raw[i++];
            uint32_t cp = c;
            if (c >= 0x80 && c <= 0x9F) {
                cp = cp1252_high[c - 0x80];
                if (cp == 0) {
                    if (*undefined == 0)
                        *undefined = c;
                    cp = 0xFFFD;
                }
            }
            n = utf8_put(cp, seq);
        }
        if (!full && kept + n < cap) {
            memcpy(out + kept, seq, n);
            kept += n;
        } else {
            full = true;
        }
        need += n;
    }
    if (cap > 0)
        out[kept] = '\0';
    return need;
}

static bool is_space_at(const char *s, size_t *width)
{
    if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
        *width = 1;
        return true;
    }
    if ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0) { /* no-break space */
        *width = 2;
        return true;
    }
    return false;
}

/* Trims spaces, tabs, line breaks and no-break spaces at both ends in
 * place; with collapse, every inner run of them becomes one ' ' (a name
 * pasted from a letter may carry a no-break space or a double one). */
static void tidy(char *s, bool collapse)
{
    size_t in = 0, out = 0, width;
    while (s[in] && is_space_at(s + in, &width))
        in += width;
    bool pending = false;
    while (s[in]) {
        if (is_space_at(s + in, &width)) {
            if (collapse) {
                pending = true;
                in += width;
                continue;
            }
            /* keep inner ones as they are; the end is trimmed below */
            memmove(s + out, s + in, width);
            out += width;
            in += width;
            continue;
        }
        if (pending) {
            s[out++] = ' ';
            pending = false;
        }
        s[out++] = s[in++];
    }
    s[out] = '\0';
    /* right trim (only needed without collapse) */
    while (out > 0) {
        if (s[out - 1] == ' ' || s[out - 1] == '\t' || s[out - 1] == '\n' || s[out - 1] == '\r') {
            s[--out] = '\0';
        } else if (out >= 2 && (unsigned char)s[out - 2] == 0xC2 &&
                   (unsigned char)s[out - 1] == 0xA0) {
            out -= 2;
            s[out] = '\0';
        } else {
            break;
        }
    }
}

/* Control characters (C0, DEL, and C1 as UTF-8) have no place in a name or
 * an id: they are paste accidents that would garble every screen and export
 * showing them. (Line breaks and tabs are spaces by now: see tidy().) */
static bool has_control(const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c < 0x20 || *c == 0x7F)
            return true;
        if (c[0] == 0xC2 && c[1] >= 0x80 && c[1] <= 0x9F)
            return true;
    }
    return false;
}

/* A value for a message: at most VALUE_DISPLAY_MAX bytes, cut between
 * characters, control characters shown as '?', so a message stays one
 * readable line whatever the file held. */
static void display(const char *s, char *out, size_t cap, size_t max)
{
    size_t i = 0, o = 0;
    const unsigned char *u = (const unsigned char *)s;
    while (u[i] && o + 4 < cap) {
        size_t n = utf8_sequence(u + i, strlen(s + i));
        if (n == 0)
            n = 1;
        if (o + n > max) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        if (n == 1 && (u[i] < 0x20 || u[i] == 0x7F)) {
            out[o++] = '?';
        } else if (n == 2 && u[i] == 0xC2 && u[i + 1] <= 0x9F) {
            out[o++] = '?';
        } else {
            memcpy(out + o, s + i, n);
            o += n;
        }
        i += n;
    }
    out[o] = '\0';
}

static bool ascii_equal_ci(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return *a == *b;
}

static bool one_of(const char *value, const char *const *words)
{
    for (; *words; words++)
        if (ascii_equal_ci(value, *words))
            return true;
    return false;
}

/* "Sann"/"Usann" are Norwegian Excel's TRUE/FALSE; "x" is a ticked box. */
static const char *const yes_words[] = {"ja",   "j", "yes", "y",     "true",   "sann",
                                        "sant", "1", "x",   "aktiv", "active", NULL};
static const char *const no_words[] = {"nei", "n",       "no",       "false",      "usann", "usant",
                                       "0",   "inaktiv", "inactive", "ikke aktiv", NULL};
static const char *const signed_words[] = {"ja", "j", "yes",     "y",      "true", "sann", "sant",
                                           "1",  "x", "signert", "signed", "ok",   NULL};
static const char *const unsigned_words[] = {
    "nei", "n", "no", "false", "usann", "usant", "0", "ikke signert", "not signed", "-", NULL};

/* A header name reduced to what tells columns apart: lower-case letters
 * and digits, æ/ä -> a, ø/ö -> o, å -> a, é/è -> e, then ae -> a, oe -> o,
 * aa -> a, so every spelling of "Taushetserklæring" meets. Stops at '(',
 * which opens a hint such as "(dd.mm.åååå)". */
static void canonical_name(const char *name, char *key, size_t cap)
{
    char plain[KEY_MAX * 2];
    size_t n = 0;
    const unsigned char *s = (const unsigned char *)name;
    while (*s && *s != '(' && n + 1 < sizeof plain) {
        char c = 0;
        if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')) {
            c = (char)*s;
        } else if (*s >= 'A' && *s <= 'Z') {
            c = (char)(*s - 'A' + 'a');
        } else if (s[0] == 0xC3 && s[1]) {
            switch (s[1] | 0x20) { /* 0x20 folds the Latin-1 capitals */
            case 0xA6:             /* æ */
            case 0xA4:             /* ä */
            case 0xA5:             /* å */
            case 0xA0:             /* à */
            case 0xA1:             /* á */
                c = 'a';
                break;
            case 0xB8: /* ø */
            case 0xB6: /* ö */
            case 0xB3: /* ó */
                c = 'o';
                break;
            case 0xA9: /* é */
            case 0xA8: /* è */
                c = 'e';
                break;
            case 0xBC: /* ü */
                c = 'u';
                break;
            }
            s++;
        }
        if (c)
            plain[n++] = c;
        s++;
    }
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++) {
        if (i + 1 < n && ((plain[i] == 'a' && (plain[i + 1] == 'e' || plain[i + 1] == 'a')) ||
                          (plain[i] == 'o' && plain[i + 1] == 'e'))) {
            key[k++] = plain[i];
            i++;
            continue;
        }
        key[k++] = plain[i];
    }
    key[k] = '\0';
}

/* ---- dates ---- */

/* Days since 1970-01-01 of a date, and back: the C library's UTC calendar
 * (timegm, gmtime_r), which knows every Gregorian year here. */
static long days_from_civil(long y, unsigned m, unsigned d)
{
    struct tm tm = {.tm_year = (int)(y - 1900), .tm_mon = (int)m - 1, .tm_mday = (int)d};
    return (long)(timegm(&tm) / 86400);
}

static void civil_from_days(long days, long *y, unsigned *m, unsigned *d)
{
    time_t t = (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    *y = tm.tm_year + 1900L;
    *m = (unsigned)tm.tm_mon + 1;
    *d = (unsigned)tm.tm_mday;
}

static unsigned days_in_month(long y, unsigned m)
{
    static const unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

#define DATE_YEAR_MIN 1900
#define DATE_YEAR_MAX 9999
/* Excel counts days from 1899-12-30 (for serials after its fictitious
 * 1900-02-29). Bare numbers before 1950 are refused: "12" or "2026" in a
 * date cell is a slip, not 1900-01-12 or 1905-07-18. */
#define EXCEL_EPOCH_YEAR      1899
#define EXCEL_SERIAL_MIN_YEAR 1950

/* Reads 1 to max_digits digits at *s; returns the count read (0: none). */
static int read_number(const char **s, long *value, int max_digits)
{
    int count = 0;
    *value = 0;
    while (**s >= '0' && **s <= '9') {
        if (++count > max_digits)
            return -1;
        *value = *value * 10 + (**s - '0');
        (*s)++;
    }
    return count;
}

static int format_date(long y, long m, long d, char out[ROSTER_DATE_SIZE])
{
    if (y < DATE_YEAR_MIN || y > DATE_YEAR_MAX)
        return -EINVAL; /* a typo in the year, not a day that does not exist */
    if (m < 1 || m > 12 || d < 1 || d > (long)days_in_month(y, (unsigned)m))
        return -ERANGE;
    /* By hand: the ranges are checked, but snprintf's truncation warning
     * cannot see them. */
    const long parts[3] = {y, m, d};
    const int widths[3] = {4, 2, 2};
    char *o = out;
    for (int i = 0; i < 3; i++) {
        if (i > 0)
            *o++ = '-';
        for (int digit = widths[i] - 1; digit >= 0; digit--) {
            long v = parts[i];
            for (int k = 0; k < digit; k++)
                v /= 10;
            *o++ = (char)('0' + v % 10);
        }
    }
    *o = '\0';
    return 0;
}

/* An optional time after the date ("23.11.2026 00:00", "2026-11-23 0:00:00"):
 * Excel adds one when a cell holds a date-time. Only digits, ':' and '.'. */
static bool is_time_suffix(const char *s)
{
    if (*s != ' ' && *s != 'T')
        return false;
    s++;
    if (*s < '0' || *s > '9')
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || *s == ':' || *s == '.'))
            return false;
    return true;
}

static int parse_date_text(const char *s, char out[ROSTER_DATE_SIZE])
{
    long a, b, c;
    int na = read_number(&s, &a, 8);
    if (na <= 0)
        return -EINVAL;

    /* A bare number: an Excel serial day, maybe with a fraction of a day. */
    if (*s == '\0' || ((*s == '.' || *s == ',') && s[1] >= '0' && s[1] <= '9' &&
                       strspn(s + 1, "0123456789") == strlen(s + 1))) {
        long min = days_from_civil(EXCEL_SERIAL_MIN_YEAR, 1, 1) -
                   days_from_civil(EXCEL_EPOCH_YEAR, 12, 30);
        long max =
            days_from_civil(DATE_YEAR_MAX, 12, 31) - days_from_civil(EXCEL_EPOCH_YEAR, 12, 30);
        if (na == 8 && *s == '\0' && a > max) /* 20261123, a yyyymmdd stamp */
            return format_date(a / 10000, a / 100 % 100, a % 100, out);
        if (a < min || a > max)
            return -EINVAL;
        long y;
        unsigned m, d;
        civil_from_days(days_from_civil(EXCEL_EPOCH_YEAR, 12, 30) + a, &y, &m, &d);
        return format_date(y, m, d, out);
    }

    char separator = *s;
    if (separator != '.' && separator != '/' && separator != '-')
        return -EINVAL;
    s++;
    int nb = read_number(&s, &b, 2);
    if (nb <= 0 || *s != separator)
        return -EINVAL;
    s++;
    int nc = read_number(&s, &c, 4);
    if (nc <= 0)
        return -EINVAL;
    if (*s != '\0' && !is_time_suffix(s))
        return -EINVAL;

    if (na == 4) /* 2026-11-23: year first, as ISO 8601 */
        return nc <= 2 ? format_date(a, b, c, out) : -EINVAL;
    if (na > 2)
        return -EINVAL;
    if (nc == 2) /* the POSIX strptime %y pivot: 69-99 -> 19xx, 00-68 -> 20xx */
        c += c < 69 ? 2000 : 1900;
    else if (nc != 4)
        return -EINVAL;
    return format_date(c, b, a, out);
}

int roster_parse_date(const char *text, char out[ROSTER_DATE_SIZE])
{
    char copy[ROSTER_FIELD_MAX + 1];
    if (!text || strlen(text) > ROSTER_FIELD_MAX)
        return -EINVAL;
    memcpy(copy, text, strlen(text) + 1);
    tidy(copy, true);
    out[0] = '\0';
    int rc = parse_date_text(copy, out);
    if (rc < 0)
        out[0] = '\0';
    return rc;
}

/* ---- duplicate ids ---- */

static uint64_t hash_text(const char *s)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211u;
    }
    return h;
}

static void id_set_free(struct id_set *set)
{
    free(set->slots);
    free(set->arena);
    memset(set, 0, sizeof *set);
}

static int id_set_grow(struct id_set *set)
{
    size_t count = set->slot_count ? set->slot_count * 2 : 1024;
    struct id_slot *slots = calloc(count, sizeof *slots);
    if (!slots)
        return -ENOMEM;
    for (size_t i = 0; i < set->slot_count; i++) {
        if (set->slots[i].line == 0)
            continue;
        size_t j = set->slots[i].hash & (count - 1);
        while (slots[j].line != 0)
            j = (j + 1) & (count - 1);
        slots[j] = set->slots[i];
    }
    free(set->slots);
    set->slots = slots;
    set->slot_count = count;
    return 0;
}

/* Adds id seen on line. Returns 0 if new, the line of its first use if
 * not, or -ENOMEM. */
static int id_set_add(struct id_set *set, const char *id, int line)
{
    if ((set->used + 1) * 2 > set->slot_count) {
        int rc = id_set_grow(set);
        if (rc < 0)
            return rc;
    }
    uint64_t hash = hash_text(id);
    size_t j = hash & (set->slot_count - 1);
    for (; set->slots[j].line != 0; j = (j + 1) & (set->slot_count - 1))
        if (set->slots[j].hash == hash && strcmp(set->arena + set->slots[j].offset, id) == 0)
            return set->slots[j].line;

    size_t len = strlen(id) + 1;
    if (set->arena_len + len > set->arena_cap) {
        /* At most ROSTER_ROWS_MAX ids of VOLUNTEER_ID_MAX bytes: 6.4 MB. */
        size_t cap = set->arena_cap ? set->arena_cap * 2 : 16384;
        while (cap < set->arena_len + len)
            cap *= 2;
        char *arena = realloc(set->arena, cap);
        if (!arena)
            return -ENOMEM;
        set->arena = arena;
        set->arena_cap = cap;
    }
    memcpy(set->arena + set->arena_len, id, len);
    set->slots[j] =
        (struct id_slot){.hash = hash, .offset = (uint32_t)set->arena_len, .line = line};
    set->arena_len += len;
    set->used++;
    return 0;
}

/* ---- records ---- */

static void sink_put(struct sink *sink, unsigned char c)
{
    if (sink->len < sink->cap)
        sink->buf[sink->len] = c;
    sink->len++;
}

static bool is_blank(const struct parser *parser, unsigned char c)
{
    return c == ' ' || (c == '\t' && parser->delimiter != '\t');
}

/* Consumes a line break at p (CR LF, LF, or a lone CR: Excel for Mac's
 * old "CSV (Macintosh)"), counting the line. */
static void take_line_break(struct parser *parser)
{
    unsigned char c = *parser->p++;
    if (c == '\r' && parser->p < parser->end && *parser->p == '\n')
        parser->p++;
    parser->line++;
}

static bool record_too_long(const struct parser *parser)
{
    return (size_t)(parser->p - parser->record_start) > ROSTER_RECORD_MAX;
}

/* Reads one field into sink: RFC 4180, leniently. Blanks around an
 * unquoted field are dropped; text after a closing quote is kept as
 * written (Excel does the same with `"ab"c`); line breaks inside quotes
 * become '\n'. */
static enum field_end read_field(struct parser *parser, struct sink *sink)
{
    size_t keep = 0; /* sink->len without the trailing blanks */
    sink->len = 0;
    while (parser->p < parser->end && is_blank(parser, *parser->p))
        parser->p++;
    if (parser->p < parser->end && *parser->p == '"') {
        parser->p++;
        for (;;) {
            if (record_too_long(parser))
                return END_TOO_LONG;
            if (parser->p == parser->end)
                return END_UNTERMINATED;
            unsigned char c = *parser->p;
            if (c == '"') {
                parser->p++;
                if (parser->p < parser->end && *parser->p == '"') {
                    parser->p++;
                    sink_put(sink, '"');
                    continue;
                }
                break;
            }
            if (c == '\r' || c == '\n') {
                take_line_break(parser);
                sink_put(sink, '\n');
                continue;
            }
            parser->p++;
            sink_put(sink, c);
        }
        keep = sink->len;
    }
    for (;;) {
        if (record_too_long(parser))
            return END_TOO_LONG;
        if (parser->p == parser->end) {
            sink->len = keep;
            return END_FILE;
        }
        unsigned char c = *parser->p;
        if (c == parser->delimiter) {
            parser->p++;
            sink->len = keep;
            return END_DELIMITER;
        }
        if (c == '\r' || c == '\n') {
            take_line_break(parser);
            sink->len = keep;
            return END_LINE;
        }
        parser->p++;
        sink_put(sink, c);
        if (!is_blank(parser, c))
            keep = sink->len;
    }
}

/* Reads one record. In the header every cell is kept; in a row only the
 * cells of known columns, the rest are scanned and dropped. */
static enum record_status read_record(struct parser *parser, bool header, int *field_count)
{
    if (parser->p >= parser->end)
        return RECORD_EOF;
    parser->record_start = parser->p;
    for (int f = 0; f < FIELD_COUNT; f++)
        parser->field_sink[f].len = 0;

    int column = 0;
    bool empty = true;
    for (;;) {
        struct sink discard = {0};
        struct sink *sink = &discard;
        if (header && column < ROSTER_COLUMNS_MAX)
            sink = &parser->header_sink[column];
        else if (!header && column < parser->column_count && parser->field_of[column] != FIELD_NONE)
            sink = &parser->field_sink[parser->field_of[column]];
        enum field_end end = read_field(parser, sink);
        if (end == END_TOO_LONG)
            return RECORD_TOO_LONG;
        if (end == END_UNTERMINATED)
            return RECORD_UNTERMINATED;
        if (sink->len > 0)
            empty = false;
        column++;
        if (end != END_DELIMITER)
            break;
    }
    *field_count = column;
    /* ";;;;" is how Excel writes an empty row of a sheet with four columns. */
    return empty ? RECORD_EMPTY : RECORD_OK;
}

/* ---- the file ---- */

static int check_input(const unsigned char *data, size_t len, char *err, size_t errlen)
{
    if (len == 0) {
        set_error(err, errlen,
                  "the file is empty: expected a header row such as "
                  "'ID;Fornavn;Etternavn' and one row per volunteer");
        return -EINVAL;
    }
    if (len > ROSTER_FILE_MAX) {
        set_error(err, errlen, "the file is %zu bytes; a roster may be at most %u bytes", len,
                  ROSTER_FILE_MAX);
        return -EFBIG;
    }
    if (len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0) {
        set_error(err, errlen, "this is an Excel workbook (.xlsx) or another zip file, not CSV: %s",
                  save_as);
        return -EINVAL;
    }
    if (len >= 4 && memcmp(data, "\xD0\xCF\x11\xE0", 4) == 0) {
        set_error(err, errlen, "this is an old Excel workbook (.xls), not CSV: %s", save_as);
        return -EINVAL;
    }
    if (len >= 2 && (memcmp(data, "\xFF\xFE", 2) == 0 || memcmp(data, "\xFE\xFF", 2) == 0)) {
        set_error(err, errlen, "the file is UTF-16 (Excel's 'Unicode text'), which is not read: %s",
                  save_as);
        return -EINVAL;
    }
    const unsigned char *nul = memchr(data, '\0', len);
    if (nul) {
        int line = 1;
        for (const unsigned char *c = data; c < nul; c++)
            line += *c == '\n';
        set_error(err, errlen, "line %d holds a NUL byte (offset %zu): this is not a text file; %s",
                  line, (size_t)(nul - data), save_as);
        return -EINVAL;
    }
    return 0;
}

/* Picks the delimiter the header line uses most, counting outside quotes
 * only ("Navn, fullt" must not make it ','). A tie goes to ';', Norway's
 * list separator. One column only: ';', and the column check will say what
 * is missing. */
static unsigned char detect_delimiter(const unsigned char *p, const unsigned char *end)
{
    size_t semicolons = 0, commas = 0, tabs = 0;
    bool quoted = false;
    const unsigned char *stop = end;
    if ((size_t)(end - p) > ROSTER_RECORD_MAX)
        stop = p + ROSTER_RECORD_MAX;
    /* the first line with anything on it */
    while (p < stop && (*p == '\r' || *p == '\n' || *p == ' '))
        p++;
    for (; p < stop; p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (!quoted && (*p == '\r' || *p == '\n'))
            break;
        else if (!quoted && *p == ';')
            semicolons++;
        else if (!quoted && *p == ',')
            commas++;
        else if (!quoted && *p == '\t')
            tabs++;
    }
    if (commas > semicolons && commas > tabs)
        return ',';
    if (tabs > semicolons && tabs >= commas)
        return '\t';
    return ';';
}

/* Excel honours a first line "sep=;" naming the delimiter; so do we. */
static bool read_sep_line(struct parser *parser)
{
    const unsigned char *p = parser->p;
    size_t left = (size_t)(parser->end - p);
    if (left < 5 || !(p[0] == 's' || p[0] == 'S') || !(p[1] == 'e' || p[1] == 'E') ||
        !(p[2] == 'p' || p[2] == 'P') || p[3] != '=')
        return false;
    unsigned char d = p[4];
    if (d != ';' && d != ',' && d != '\t' && d != '|')
        return false;
    if (left > 5 && p[5] != '\r' && p[5] != '\n')
        return false;
    parser->delimiter = d;
    parser->p += 5;
    if (parser->p < parser->end)
        take_line_break(parser);
    return true;
}

static void append(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t cap, const char *fmt, ...)
{
    size_t len = strlen(buf);
    if (len + 1 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    utf8_vformat(buf + len, cap - len, fmt, ap);
    va_end(ap);
}

/* The header cells as written, for "found columns: ..." */
static void list_columns(const struct parser *parser, char *out, size_t cap)
{
    out[0] = '\0';
    int shown = 0;
    for (int c = 0; c < parser->column_count; c++) {
        if (parser->header_name[c][0] == '\0')
            continue;
        if (strlen(out) + strlen(parser->header_name[c]) + 8 > cap) {
            append(out, cap, ", ...");
            break;
        }
        append(out, cap, "%s'%s'", shown++ ? ", " : "", parser->header_name[c]);
    }
    if (shown == 0)
        snprintf(out, cap, "none (the header row is empty)");
}

static int map_columns(struct parser *parser, char *err, size_t errlen)
{
    int rank_of[FIELD_COUNT];
    int rank_of_column[ROSTER_COLUMNS_MAX];
    char warning[WARNING_MAX];
    for (int f = 0; f < FIELD_COUNT; f++) {
        parser->column_of[f] = -1;
        rank_of[f] = -1;
    }
    for (int c = 0; c < parser->column_count; c++) {
        struct sink *sink = &parser->header_sink[c];
        size_t kept = sink->len < sink->cap ? sink->len : sink->cap;
        /* No spreadsheet writes control characters into its header: this is
         * some other file, and listing its "columns" would only be noise. */
        for (size_t i = 0; i < kept; i++) {
            if ((sink->buf[i] < 0x20 && sink->buf[i] != '\t' && sink->buf[i] != '\n') ||
                sink->buf[i] == 0x7F) {
                set_error(err, errlen,
                          "line %d: the header row holds control character 0x%02X: this is not "
                          "a CSV text file; %s",
                          parser->summary->header_line, sink->buf[i], save_as);
                return -EINVAL;
            }
        }
        char name[HEADER_RAW_MAX * CP1252_GROWTH + 1];
        unsigned char undefined;
        to_utf8(parser->encoding, sink->buf, kept, name, sizeof name, &undefined);
        tidy(name, true);
        display(name, parser->header_name[c], sizeof parser->header_name[c], HEADER_DISPLAY_MAX);
        parser->field_of[c] = FIELD_NONE;
        rank_of_column[c] = -1;
        if (sink->len > sink->cap || name[0] == '\0')
            continue;
        char key[KEY_MAX];
        canonical_name(name, key, sizeof key);
        for (size_t i = 0; i < COLUMN_NAMES_COUNT; i++) {
            char known[KEY_MAX];
            canonical_name(column_names[i].name, known, sizeof known);
            if (strcmp(key, known) != 0)
                continue;
            enum field f = column_names[i].field;
            int rank = (int)i;
            parser->field_of[c] = f;
            rank_of_column[c] = rank;
            if (parser->column_of[f] >= 0 && rank_of[f] == rank) {
                set_error(err, errlen,
                          "columns %d and %d are both '%s': rename or remove one of them",
                          parser->column_of[f] + 1, c + 1, parser->header_name[c]);
                return -EINVAL;
            }
            if (parser->column_of[f] < 0 || rank < rank_of[f]) {
                parser->column_of[f] = c;
                rank_of[f] = rank;
            }
            break;
        }
    }

    /* A column that lost to a more specific one for the same field. */
    warning[0] = '\0';
    for (int c = 0; c < parser->column_count; c++) {
        enum field f = parser->field_of[c];
        if (f != FIELD_NONE && parser->column_of[f] != c) {
            append(warning, sizeof warning, "%scolumn '%s' ignored: using '%s' instead",
                   warning[0] ? "; " : "", parser->header_name[c],
                   parser->header_name[parser->column_of[f]]);
            parser->field_of[c] = FIELD_NONE;
        }
    }
    if (warning[0])
        warn(parser, warning);

    /* Separate name columns beat a full-name column; a full-name column
     * beats a lone given or family column. */
    bool pair = parser->column_of[FIELD_GIVEN] >= 0 && parser->column_of[FIELD_FAMILY] >= 0;
    int full = parser->column_of[FIELD_FULL_NAME];
    if (full >= 0 && pair) {
        utf8_format(warning, sizeof warning, "column '%s' ignored: using '%s' and '%s' for names",
                 parser->header_name[full], parser->header_name[parser->column_of[FIELD_GIVEN]],
                 parser->header_name[parser->column_of[FIELD_FAMILY]]);
        warn(parser, warning);
        parser->field_of[full] = FIELD_NONE;
        parser->column_of[FIELD_FULL_NAME] = -1;
    } else if (full >= 0) {
        for (int f = FIELD_GIVEN; f <= FIELD_FAMILY; f++) {
            int c = parser->column_of[f];
            if (c < 0)
                continue;
            utf8_format(warning, sizeof warning,
                     "column '%s' ignored: names come from '%s', since the file has not both "
                     "'Fornavn' and 'Etternavn'",
                     parser->header_name[c], parser->header_name[full]);
            warn(parser, warning);
            parser->field_of[c] = FIELD_NONE;
            parser->column_of[f] = -1;
        }
    }

    char missing[512] = "";
    if (parser->column_of[FIELD_ID] < 0)
        append(missing, sizeof missing, "%s", field_wanted[FIELD_ID]);
    if (parser->column_of[FIELD_FULL_NAME] < 0 &&
        (parser->column_of[FIELD_GIVEN] < 0 || parser->column_of[FIELD_FAMILY] < 0)) {
        for (int f = FIELD_GIVEN; f <= FIELD_FAMILY; f++)
            if (parser->column_of[f] < 0)
                append(missing, sizeof missing, "%s%s", missing[0] ? ", " : "", field_wanted[f]);
        append(missing, sizeof missing, " (or one 'Navn' column for the whole name)");
    }
    if (missing[0]) {
        char found[FOUND_LIST_MAX];
        list_columns(parser, found, sizeof found);
        set_error(err, errlen, "line %d: the header lacks %s; found columns: %s",
                  parser->summary->header_line, missing, found);
        return -EINVAL;
    }

    warning[0] = '\0';
    int unknown = 0;
    for (int c = 0; c < parser->column_count; c++) {
        if (rank_of_column[c] >= 0 || parser->header_name[c][0] == '\0')
            continue;
        if (strlen(warning) + strlen(parser->header_name[c]) + 16 > sizeof warning) {
            append(warning, sizeof warning, ", ...");
            break;
        }
        append(warning, sizeof warning, "%s'%s'",
               unknown++ ? ", " : "ignoring unknown columns: ", parser->header_name[c]);
    }
    if (warning[0])
        warn(parser, warning);

    for (int f = 0; f < FIELD_COUNT; f++)
        if (parser->column_of[f] >= 0)
            parser->summary->columns |= field_bits[f];
    return 0;
}

static int read_header(struct parser *parser, char *err, size_t errlen)
{
    for (int c = 0; c < ROSTER_COLUMNS_MAX; c++)
        parser->header_sink[c] = (struct sink){.buf = parser->header_raw[c], .cap = HEADER_RAW_MAX};
    for (;;) {
        int line = parser->line, count = 0;
        switch (read_record(parser, true, &count)) {
        case RECORD_EMPTY:
            continue;
        case RECORD_EOF:
            set_error(err, errlen,
                      "the file has no header row: expected one such as "
                      "'ID;Fornavn;Etternavn', then one row per volunteer");
            return -EINVAL;
        case RECORD_UNTERMINATED:
            set_error(err, errlen, "line %d: a quote (\") in the header row is never closed", line);
            return -EINVAL;
        case RECORD_TOO_LONG:
            set_error(err, errlen, "line %d: the header row is longer than %u bytes", line,
                      ROSTER_RECORD_MAX);
            return -EFBIG;
        case RECORD_OK:
            if (count > ROSTER_COLUMNS_MAX) {
                set_error(err, errlen, "line %d: the header has %d columns; at most %d are read",
                          line, count, ROSTER_COLUMNS_MAX);
                return -EFBIG;
            }
            parser->column_count = count;
            parser->summary->header_line = line;
            return map_columns(parser, err, errlen);
        }
    }
}

/* One row's problems, joined with "; ". */
struct problems {
    char text[REASON_MAX];
    const struct roster_callbacks *cb; /* its translate(), if any */
};

/* A row error's template in the caller's language (roster.h): the
 * English format itself when there is no translate(). */
static const char *row_text(const struct roster_callbacks *cb, const char *msgid)
    __attribute__((format_arg(2)));
static const char *row_text(const struct roster_callbacks *cb, const char *msgid)
{
    const char *text = cb && cb->translate ? cb->translate(cb->user, msgid) : NULL;
    return text ? text : msgid;
}

static void problem(struct problems *problems, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void problem(struct problems *problems, const char *fmt, ...)
{
    fmt = row_text(problems->cb, fmt);
    size_t len = strlen(problems->text);
    if (len + 3 >= sizeof problems->text)
        return;
    if (len > 0) {
        memcpy(problems->text + len, "; ", 3);
        len += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    utf8_vformat(problems->text + len, sizeof problems->text - len, fmt, ap);
    va_end(ap);
}

/* Converts field f of the current record into parser->value[f] and tidies
 * it. Returns false (and notes why) when it is too long or not text. */
static bool take_value(struct parser *parser, enum field f, struct problems *problems)
{
    char *value = parser->value[f];
    value[0] = '\0';
    int column = parser->column_of[f];
    if (column < 0)
        return true;
    const char *header = parser->header_name[column];
    size_t cap = field_max[f];
    struct sink *sink = &parser->field_sink[f];
    /* Converting never shortens, so a raw field over the cap is over it. */
    if (sink->len > cap) {
        problem(problems, "'%s' is too long (%zu bytes; at most %zu)", header, sink->len, cap);
        return false;
    }
    unsigned char undefined;
    size_t need = to_utf8(parser->encoding, sink->buf, sink->len, value, cap + 1, &undefined);
    if (need > cap) {
        problem(problems, "'%s' is too long (%zu bytes as UTF-8; at most %zu)", header, need, cap);
        value[0] = '\0';
        return false;
    }
    if (undefined) {
        problem(problems,
                "'%s' holds byte 0x%02X, which is a character neither in UTF-8 nor in "
                "Windows-1252; save the file as 'CSV UTF-8'",
                header, undefined);
        value[0] = '\0';
        return false;
    }
    tidy(value, f != FIELD_NOTES);
    return true;
}

static bool check_text(struct parser *parser, enum field f, struct problems *problems)
{
    const char *header = parser->header_name[parser->column_of[f]];
    if (parser->value[f][0] == '\0') {
        problem(problems, "'%s' is empty", header);
        return false;
    }
    if (has_control(parser->value[f])) {
        problem(problems, "'%s' holds a control character", header);
        return false;
    }
    return true;
}

/* "Nordmann, Kari Anne" or "Kari Anne Nordmann" -> given, family. */
static bool split_full_name(struct parser *parser, struct problems *problems)
{
    const char *header = parser->header_name[parser->column_of[FIELD_FULL_NAME]];
    char *full = parser->value[FIELD_FULL_NAME];
    if (!check_text(parser, FIELD_FULL_NAME, problems))
        return false;
    char *comma = strchr(full, ',');
    char *given, *family;
    if (comma) {
        *comma = '\0';
        family = full;
        given = comma + 1;
    } else {
        char *space = strrchr(full, ' ');
        if (!space) {
            problem(problems, "'%s' holds one word; a given and a family name are needed", header);
            return false;
        }
        *space = '\0';
        given = full;
        family = space + 1;
    }
    /* Both parts fit the buffers: each is shorter than the whole, which is
     * at most ROSTER_FULL_NAME_MAX bytes (take_value checked). */
    memcpy(parser->given_split, given, strlen(given) + 1);
    memcpy(parser->family_split, family, strlen(family) + 1);
    tidy(parser->given_split, true);
    tidy(parser->family_split, true);
    if (!parser->given_split[0] || !parser->family_split[0]) {
        if (parser->given_split[0])
            problem(problems, "'%s' lacks a family name", header);
        else
            problem(problems, "'%s' lacks a given name", header);
        return false;
    }
    bool fits = true;
    for (int part = 0; part < 2; part++) {
        size_t len = strlen(part ? parser->family_split : parser->given_split);
        if (len > VOLUNTEER_NAME_MAX) {
            if (part)
                problem(problems, "'%s': the family name is too long (%zu bytes; at most %d)",
                        header, len, VOLUNTEER_NAME_MAX);
            else
                problem(problems, "'%s': the given name is too long (%zu bytes; at most %d)",
                        header, len, VOLUNTEER_NAME_MAX);
            fits = false;
        }
    }
    return fits;
}

static void check_active(struct parser *parser, struct roster_row *row, struct problems *problems)
{
    const char *value = parser->value[FIELD_ACTIVE];
    if (parser->column_of[FIELD_ACTIVE] < 0 || value[0] == '\0')
        return;
    if (one_of(value, yes_words)) {
        row->active = 1;
    } else if (one_of(value, no_words)) {
        row->active = 0;
    } else {
        char shown[VALUE_DISPLAY_MAX + 8];
        display(value, shown, sizeof shown, VALUE_DISPLAY_MAX);
        problem(problems, "'%s' is neither ja nor nei (nor yes/no, 1/0, x or blank): '%s'",
                parser->header_name[parser->column_of[FIELD_ACTIVE]], shown);
    }
}

/* A date field that may also say only "ja" or "nei". */
static void check_date(struct parser *parser, enum field f, char out[ROSTER_DATE_SIZE],
                       bool *undated, const char *const *yes, const char *const *no,
                       struct problems *problems)
{
    const char *value = parser->value[f];
    out[0] = '\0';
    if (parser->column_of[f] < 0 || value[0] == '\0' || one_of(value, no))
        return;
    int rc = parse_date_text(value, out);
    if (rc == 0)
        return;
    out[0] = '\0';
    if (rc == -EINVAL && one_of(value, yes)) {
        *undated = true;
        return;
    }
    char shown[VALUE_DISPLAY_MAX + 8];
    display(value, shown, sizeof shown, VALUE_DISPLAY_MAX);
    const char *header = parser->header_name[parser->column_of[f]];
    if (rc == -ERANGE)
        problem(problems, "'%s' is not a date: '%s' (no such day)", header, shown);
    else
        problem(problems, "'%s' is not a date: '%s' (write it as 23.11.2026 or 2026-11-23)", header,
                shown);
}

/* Checks the record just read and hands it to row() or row_error().
 * Returns 0, -ECANCELED when row() asked to stop, or -ENOMEM. */
static int deliver_row(struct parser *parser, int line, char *err, size_t errlen)
{
    struct problems problems = {.text = "", .cb = parser->cb};
    struct roster_row row = {.line = line, .active = ROSTER_ACTIVE_UNSPECIFIED};
    bool ok[FIELD_COUNT];
    for (int f = 0; f < FIELD_COUNT; f++)
        ok[f] = take_value(parser, (enum field)f, &problems);

    if (ok[FIELD_ID] && check_text(parser, FIELD_ID, &problems)) {
        int first = id_set_add(&parser->ids, parser->value[FIELD_ID], line);
        if (first < 0) {
            set_error(err, errlen, "out of memory at line %d", line);
            return first;
        }
        if (first > 0) {
            char shown[VALUE_DISPLAY_MAX + 8];
            display(parser->value[FIELD_ID], shown, sizeof shown, VALUE_DISPLAY_MAX);
            problem(&problems, "id '%s' is already used on line %d", shown, first);
        }
    }
    if (parser->column_of[FIELD_FULL_NAME] >= 0) {
        if (ok[FIELD_FULL_NAME] && split_full_name(parser, &problems)) {
            row.given_name = parser->given_split;
            row.family_name = parser->family_split;
        }
    } else {
        if (ok[FIELD_GIVEN])
            check_text(parser, FIELD_GIVEN, &problems);
        if (ok[FIELD_FAMILY])
            check_text(parser, FIELD_FAMILY, &problems);
        row.given_name = parser->value[FIELD_GIVEN];
        row.family_name = parser->value[FIELD_FAMILY];
    }
    if (ok[FIELD_ACTIVE])
        check_active(parser, &row, &problems);
    if (ok[FIELD_CONFIDENTIALITY])
        check_date(parser, FIELD_CONFIDENTIALITY, row.confidentiality_signed,
                   &row.confidentiality_signed_undated, signed_words, unsigned_words, &problems);
    if (ok[FIELD_POLICE])
        check_date(parser, FIELD_POLICE, row.police_valid_until, &row.police_certificate_undated,
                   signed_words, unsigned_words, &problems);

    if (problems.text[0]) {
        parser->summary->rows_bad++;
        if (parser->cb && parser->cb->row_error)
            parser->cb->row_error(parser->cb->user, line, problems.text);
        return 0;
    }
    row.external_id = parser->value[FIELD_ID];
    row.notes = parser->value[FIELD_NOTES];
    parser->summary->rows_ok++;
    if (parser->cb && parser->cb->row) {
        int stop = parser->cb->row(parser->cb->user, &row);
        if (stop) {
            set_error(err, errlen, "line %d: stopped by the importer (%d)", line, stop);
            return -ECANCELED;
        }
    }
    return 0;
}

static int read_rows(struct parser *parser, char *err, size_t errlen)
{
    int rows = 0;
    for (;;) {
        int line = parser->line, count = 0;
        enum record_status status = read_record(parser, false, &count);
        if (status == RECORD_EOF)
            break;
        if (status == RECORD_EMPTY)
            continue;
        if (status == RECORD_TOO_LONG) {
            /* Past this point the quotes cannot be trusted to pair up, so
             * no later row can be read with confidence. */
            set_error(err, errlen,
                      "line %d: a record is longer than %u bytes; is a quote (\") left open?", line,
                      ROSTER_RECORD_MAX);
            return -EFBIG;
        }
        if (++rows > ROSTER_ROWS_MAX) {
            set_error(err, errlen, "line %d: more than %d rows; split the roster", line,
                      ROSTER_ROWS_MAX);
            return -EFBIG;
        }
        if (status == RECORD_UNTERMINATED) {
            char reason[REASON_MAX];
            int later = parser->line - line;
            if (later == 1)
                snprintf(reason, sizeof reason,
                         row_text(parser->cb, "a quote (\") opened in this row is never closed: "
                                              "the file ends inside it %d line later; is the file "
                                              "cut short or a quote unbalanced?"),
                         later);
            else
                snprintf(reason, sizeof reason,
                         row_text(parser->cb, "a quote (\") opened in this row is never closed: "
                                              "the file ends inside it %d lines later; is the file "
                                              "cut short or a quote unbalanced?"),
                         later);
            parser->summary->rows_bad++;
            if (parser->cb && parser->cb->row_error)
                parser->cb->row_error(parser->cb->user, line, reason);
            break;
        }
        int rc = deliver_row(parser, line, err, errlen);
        if (rc < 0)
            return rc;
    }
    if (rows == 0)
        warn(parser, "the file has a header but no volunteer rows");
    return 0;
}

int roster_parse(const char *data, size_t len, const struct roster_callbacks *cb,
                 struct roster_summary *summary, char *err, size_t errlen)
{
    struct roster_summary local;
    struct parser *parser = NULL;
    const unsigned char *bytes = (const unsigned char *)data;
    int rc;

    if (!summary)
        summary = &local;
    memset(summary, 0, sizeof *summary);
    summary->delimiter = ';';
    set_error(err, errlen, "%s", "");
    if (!data && len > 0) {
        set_error(err, errlen, "no data");
        return -EINVAL;
    }
    rc = check_input(bytes, len, err, errlen);
    if (rc < 0)
        goto out;

    /* The parser holds every buffer a row needs (about 60 KiB), so the only
     * allocations after this one are the duplicate-id table's. */
    parser = calloc(1, sizeof *parser);
    if (!parser) {
        set_error(err, errlen, "out of memory");
        rc = -ENOMEM;
        goto out;
    }
    parser->cb = cb;
    parser->summary = summary;
    parser->p = bytes;
    parser->end = bytes + len;
    parser->line = 1;
    for (int f = 0; f < FIELD_COUNT; f++)
        parser->field_sink[f] = (struct sink){.buf = parser->raw[f], .cap = field_max[f]};

    if (len >= 3 && memcmp(bytes, "\xEF\xBB\xBF", 3) == 0) {
        parser->p += 3;
        summary->encoding = ROSTER_ENCODING_UTF8_BOM;
    } else {
        summary->encoding = ROSTER_ENCODING_UTF8;
    }
    /* Valid UTF-8 is taken as UTF-8 even behind no BOM: a Windows-1252 file
     * with any letter past ASCII is almost never valid UTF-8 by chance. */
    if (!utf8_valid(parser->p, (size_t)(parser->end - parser->p)))
        summary->encoding = ROSTER_ENCODING_CP1252;
    parser->encoding = summary->encoding;

    if (!read_sep_line(parser))
        parser->delimiter = detect_delimiter(parser->p, parser->end);
    summary->delimiter = (char)parser->delimiter;

    rc = read_header(parser, err, errlen);
    if (rc < 0)
        goto out;
    rc = read_rows(parser, err, errlen);

out:
    if (parser) {
        id_set_free(&parser->ids);
        free(parser);
    }
    return rc;
}
