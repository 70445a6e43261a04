/* The roster CSV parser: turns the volunteer coordinator's spreadsheet
 * export (Excel's "CSV (semikolonseparert)" or "CSV UTF-8") into checked
 * rows, one callback each. Pure: no database, no files, no clock, no globals;
 * `tilstedectl import-roster` reads the file and stores what it is given. */
#ifndef TILSTEDE_ROSTER_H
#define TILSTEDE_ROSTER_H

#include <stdbool.h>
#include <stddef.h>

#include "fieldlimits.h"

#define ROSTER_FILE_MAX    (16u * 1024u * 1024u) /* bytes; 100 000 volunteers fit in 10 MiB */
#define ROSTER_RECORD_MAX  (64u * 1024u)         /* bytes of one record as written in the file */
/* Bytes of UTF-8 in a cell: an id, a name and the notes as fieldlimits.h
 * says (VOLUNTEER_ID_MAX, VOLUNTEER_NAME_MAX, VOLUNTEER_NOTES_MAX), so
 * that what the parser delivers is what the store keeps; a date or yes/no
 * cell at most ROSTER_FIELD_MAX, a full name room for both names. */
#define ROSTER_FIELD_MAX     200
#define ROSTER_FULL_NAME_MAX (2 * VOLUNTEER_NAME_MAX + 2) /* "Nordmann, Kari" */
#define ROSTER_COLUMNS_MAX 256                   /* columns in the header row */
#define ROSTER_ROWS_MAX    100000                /* records after the header, good or bad */
#define ROSTER_DATE_SIZE   11                    /* "YYYY-MM-DD" and its NUL */

enum roster_encoding {
    ROSTER_ENCODING_UTF8 = 0, /* valid UTF-8 without a BOM (plain ASCII too) */
    ROSTER_ENCODING_UTF8_BOM, /* Excel's "CSV UTF-8" */
    ROSTER_ENCODING_CP1252,   /* anything else: Excel's "CSV (semikolonseparert)" */
};

/* The fields a file can carry, as bits in roster_summary.columns. A field
 * whose column is absent from the file is empty in every row: an importer
 * should then keep what it has stored, not clear it. */
enum roster_column {
    ROSTER_COLUMN_ID = 1u << 0,
    ROSTER_COLUMN_GIVEN_NAME = 1u << 1,
    ROSTER_COLUMN_FAMILY_NAME = 1u << 2,
    ROSTER_COLUMN_FULL_NAME = 1u << 3, /* set only when it is the source of the names */
    ROSTER_COLUMN_ACTIVE = 1u << 4,
    ROSTER_COLUMN_CONFIDENTIALITY = 1u << 5,
    ROSTER_COLUMN_POLICE_CERTIFICATE = 1u << 6,
    ROSTER_COLUMN_NOTES = 1u << 7,
};

/* The columns are found by their header, case-insensitively, ignoring
 * spaces, '_', '-', '.', anything from '(' on, and the spelling of æ/ae/a,
 * ø/oe/o and å/aa/a ("Taushetserklaering", "TAUSHETSERKLÆRING signert"):
 *   id           ID, Frivillig-ID, Frivillignummer, Ansattnr, Ansattnummer,
 *                Nummer, Nr, external_id, Volunteer ID, Employee ID
 *   given name   Fornavn, given_name, First name, Forename
 *   family name  Etternavn, family_name, Last name, Surname
 *   full name    Navn, Fullt navn, Name, Full name: used only when there is
 *                no given + family pair. "Nordmann, Kari Anne" is split at
 *                the comma; otherwise at the last space ("Kari Anne
 *                Nordmann" -> "Kari Anne" + "Nordmann"), so "Anne van Dijk"
 *                needs the comma form or separate columns.
 *   active       Aktiv, Active
 *   confidentiality  Taushetserklæring (signert), Teieerklæring (signert),
 *                confidentiality_signed, Confidentiality agreement
 *   police certificate  Politiattest gyldig til, Politiattest (utløper),
 *                police_certificate_valid_until, Police certificate
 *   notes        Merknad(er), Notat(er), Kommentar(er), notes, comments
 * If two columns fit one field, the more specific name wins ("Frivillig-ID"
 * over "Nr") with a warning; two columns of the same name are an error.
 * Other columns are ignored, named once in a warning.
 *
 * Values:
 *   lengths    a value over its cell's limit (above) is a row error naming
 *              the column, never cut; a full name's parts are each a name.
 *   id         compared as text ("017" is not "17"); an id used twice makes
 *              every later row with it an error naming the first line (the
 *              first was delivered already, and may itself have been bad).
 *   id, names  trimmed, and each run of spaces, tabs, line breaks (Excel's
 *              Alt+Enter) and no-break spaces made one space; must not be
 *              empty nor hold another control character.
 *   active     ja/nei, yes/no, true/false, sann/usann, 1/0, x (yes),
 *              aktiv/inaktiv; blank is "unspecified".
 *   dates      23.11.2026, 1.2.2026, 23.11.26 (00-68 -> 20xx, 69-99 -> 19xx,
 *              as POSIX), 23/11/2026, 23-11-2026, 2026-11-23, 20261123, an
 *              Excel serial day number (46349 = 2026-11-23; from 1950 on,
 *              since a small bare number is likelier a slip than a date),
 *              each with an optional time after a space ("23.11.2026 00:00"),
 *              which is dropped. Day first always: this is Norway.
 *   confidentiality  a date, or ja/yes/x/signert/1 for "signed, date
 *              unknown", or nei/no/0/blank for "not signed".
 *   police certificate  a date (valid until), ja/yes/x for "has one, expiry
 *              unknown", or nei/no/blank for none.
 *
 * Records: RFC 4180 quoting, CRLF, LF or a lone CR; empty lines and rows of
 * bare delimiters (";;;;", as Excel writes an empty row) are skipped. A
 * quote still open at the end of the file is a row error at the line where
 * it opened (the file is likely cut short). */

#define ROSTER_ACTIVE_UNSPECIFIED (-1)

/* One good row. The strings are UTF-8, never NULL ("" when empty or when the
 * file lacks the column), and valid only during the row callback. */
struct roster_row {
    int line; /* the physical line where the record starts; the header is usually 1 */
    const char *external_id;
    const char *given_name;
    const char *family_name;
    const char *notes; /* may hold line breaks */
    int active;        /* 1, 0, or ROSTER_ACTIVE_UNSPECIFIED */
    /* Signed on this date, "" if not (or if the date is unknown). */
    char confidentiality_signed[ROSTER_DATE_SIZE];
    /* Signed, but the file says only "ja": confidentiality_signed is "".
     * A separate flag rather than a fake date such as "0000-00-00", which
     * would sort and compare as a real one. */
    bool confidentiality_signed_undated;
    /* Valid until this date (inclusive), "" if none or unknown. */
    char police_valid_until[ROSTER_DATE_SIZE];
    /* The file says there is a certificate ("ja") but not until when. */
    bool police_certificate_undated;
};

/* Every callback may be NULL. They run on the caller's thread, in file order. */
struct roster_callbacks {
    /* A good row. Return 0 to go on, nonzero to stop: roster_parse then
     * returns -ECANCELED. */
    int (*row)(void *user, const struct roster_row *row);
    /* A bad row, skipped; parsing goes on with the next one. reason is one
     * English sentence (several joined by "; ") without the line number, so
     * the caller can write "roster.csv:7: <reason>". Reasons quote ids,
     * headers, dates and yes/no values, never names or notes. */
    void (*row_error)(void *user, int line, const char *reason);
    /* Something the coordinator may want to know that spoils no row:
     * ignored columns, a header without rows. */
    void (*warning)(void *user, const char *message);
    void *user;
    /* A row error's sentence in the caller's language: given the English
     * printf template (the msgid, as xgettext finds it with the keywords
     * problem:2 and row_text:2 in roster.c), the template to use, taking
     * the same arguments; NULL (or a NULL answer) keeps the English. The
     * CLI leaves it NULL; the web app's preview looks it up in the page's
     * catalogue. */
    const char *(*translate)(void *user, const char *msgid);
};

/* Filled in as parsing goes: encoding, delimiter, columns and header_line
 * are set before the first row callback. */
struct roster_summary {
    enum roster_encoding encoding;
    char delimiter;   /* ';', ',' or '\t' from the header line; a "sep=" line may say '|' */
    unsigned columns; /* enum roster_column bits: the fields this file carries */
    int header_line;
    int rows_ok;  /* delivered to row() */
    int rows_bad; /* reported to row_error() */
};

/* Parses a whole roster file held in memory (data need not be
 * NUL-terminated; nothing past len is read). Returns 0 when the file could
 * be read (bad rows may have been reported: see summary->rows_bad), or a
 * negative errno with err set to a message for the coordinator:
 *   -EFBIG      the file, a record or the number of rows is over its cap;
 *   -EINVAL     not a roster: empty, binary, UTF-16, an .xlsx, a header
 *               without the id or name columns (the message names what is
 *               missing and the columns that were found);
 *   -ECANCELED  the row callback asked to stop;
 *   -ENOMEM     out of memory.
 * On an error rows may already have been delivered: import in a transaction.
 * summary and err may be NULL. */
int roster_parse(const char *data, size_t len, const struct roster_callbacks *cb,
                 struct roster_summary *summary, char *err, size_t errlen);

/* "UTF-8", "UTF-8 with BOM", "Windows-1252". */
const char *roster_encoding_name(enum roster_encoding encoding);

/* Parses one date as the roster accepts it (see above) into "YYYY-MM-DD".
 * Returns 0, or -EINVAL if it is not a date, or -ERANGE if it names no day
 * ("31.02.2026"). Exposed for the staff screens, which take dates the same
 * way. */
int roster_parse_date(const char *text, char out[ROSTER_DATE_SIZE]);

#endif
