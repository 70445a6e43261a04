/* Tests for the roster CSV parser (firmware/roster.c): encodings,
 * delimiters, quoting, header spellings, dates, per-row errors with their
 * line numbers, and hostile input that must give an error, never a crash. */
#include <errno.h>
#include <iconv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "roster.h"
#include "utf8.h"

#define COLLECT_MAX 64
#define TEXT_MAX    1200

struct seen_row {
    struct roster_row row; /* strings below, copied: the parser's die with the callback */
    char external_id[TEXT_MAX], given_name[TEXT_MAX], family_name[TEXT_MAX], notes[TEXT_MAX];
};

struct collector {
    struct seen_row rows[COLLECT_MAX];
    int row_count;
    int error_line[COLLECT_MAX];
    char error[COLLECT_MAX][TEXT_MAX];
    int error_count;
    char warning[COLLECT_MAX][TEXT_MAX];
    int warning_count;
    int stop_at_row; /* row() returns nonzero on this row (1-based), 0: never */
    struct roster_summary summary;
    char err[1024];
};

static void copy_text(char *dst, const char *src)
{
    assert_non_null(src);
    assert_true(strlen(src) < TEXT_MAX);
    strcpy(dst, src);
}

static int on_row(void *user, const struct roster_row *row)
{
    struct collector *c = user;
    if (c->row_count < COLLECT_MAX) {
        struct seen_row *seen = &c->rows[c->row_count];
        seen->row = *row;
        copy_text(seen->external_id, row->external_id);
        copy_text(seen->given_name, row->given_name);
        copy_text(seen->family_name, row->family_name);
        copy_text(seen->notes, row->notes);
        seen->row.external_id = seen->external_id;
        seen->row.given_name = seen->given_name;
        seen->row.family_name = seen->family_name;
        seen->row.notes = seen->notes;
    }
    c->row_count++;
    return c->stop_at_row == c->row_count ? 42 : 0;
}

static void on_row_error(void *user, int line, const char *reason)
{
    struct collector *c = user;
    assert_non_null(reason);
    assert_true(reason[0] != '\0');
    if (c->error_count < COLLECT_MAX) {
        c->error_line[c->error_count] = line;
        copy_text(c->error[c->error_count], reason);
    }
    c->error_count++;
}

static void on_warning(void *user, const char *message)
{
    struct collector *c = user;
    assert_non_null(message);
    if (c->warning_count < COLLECT_MAX)
        copy_text(c->warning[c->warning_count], message);
    c->warning_count++;
}

static int parse_bytes(struct collector *c, const char *data, size_t len)
{
    struct roster_callbacks cb = {
        .row = on_row, .row_error = on_row_error, .warning = on_warning, .user = c};
    int rc = roster_parse(data, len, &cb, &c->summary, c->err, sizeof c->err);
    /* The summary and the callbacks must agree. */
    assert_int_equal(c->summary.rows_ok, c->row_count);
    assert_int_equal(c->summary.rows_bad, c->error_count);
    if (rc < 0)
        assert_true(c->err[0] != '\0');
    return rc;
}

static int parse(struct collector *c, const char *text)
{
    return parse_bytes(c, text, strlen(text));
}

static int setup(void **state)
{
    *state = calloc(1, sizeof(struct collector));
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static bool any_warning_contains(const struct collector *c, const char *needle)
{
    for (int i = 0; i < c->warning_count && i < COLLECT_MAX; i++)
        if (strstr(c->warning[i], needle))
            return true;
    return false;
}

/* ---- encodings, delimiters, headers ---- */

static void test_utf8_bom_semicolon_norwegian_headers_are_read(void **state)
{
    struct collector *c = *state;
    const char *file = "\xEF\xBB\xBF"
                       "Frivillig-ID;Fornavn;Etternavn;Aktiv;Taushetserklæring signert;"
                       "Politiattest gyldig til;Merknader\r\n"
                       "17;Kari;Nordmann;ja;01.02.2025;23.11.2026;Liker å synge\r\n"
                       "18;Bjørn;Ødegård;nei;;;\r\n";
    assert_int_equal(parse(c, file), 0);
    assert_int_equal(c->summary.encoding, ROSTER_ENCODING_UTF8_BOM);
    assert_string_equal(roster_encoding_name(c->summary.encoding), "UTF-8 with BOM");
    assert_int_equal(c->summary.delimiter, ';');
    assert_int_equal(c->summary.header_line, 1);
    assert_int_equal(c->summary.columns,
                     ROSTER_COLUMN_ID | ROSTER_COLUMN_GIVEN_NAME | ROSTER_COLUMN_FAMILY_NAME |
                         ROSTER_COLUMN_ACTIVE | ROSTER_COLUMN_CONFIDENTIALITY |
                         ROSTER_COLUMN_POLICE_CERTIFICATE | ROSTER_COLUMN_NOTES);
    assert_int_equal(c->row_count, 2);
    assert_int_equal(c->error_count, 0);
    assert_int_equal(c->warning_count, 0);

    const struct roster_row *kari = &c->rows[0].row;
    assert_int_equal(kari->line, 2);
    assert_string_equal(kari->external_id, "17");
    assert_string_equal(kari->given_name, "Kari");
    assert_string_equal(kari->family_name, "Nordmann");
    assert_int_equal(kari->active, 1);
    assert_string_equal(kari->confidentiality_signed, "2025-02-01");
    assert_false(kari->confidentiality_signed_undated);
    assert_string_equal(kari->police_valid_until, "2026-11-23");
    assert_string_equal(kari->notes, "Liker å synge");

    const struct roster_row *bjorn = &c->rows[1].row;
    assert_int_equal(bjorn->line, 3);
    assert_string_equal(bjorn->given_name, "Bjørn");
    assert_string_equal(bjorn->family_name, "Ødegård");
    assert_int_equal(bjorn->active, 0);
    assert_string_equal(bjorn->confidentiality_signed, "");
    assert_string_equal(bjorn->police_valid_until, "");
    assert_string_equal(bjorn->notes, "");
}

static void test_utf8_without_bom_is_detected_as_utf8(void **state)
{
    struct collector *c = *state;
    assert_int_equal(parse(c, "ID;Fornavn;Etternavn\n1;Åse;Ærlig\n"), 0);
    assert_int_equal(c->summary.encoding, ROSTER_ENCODING_UTF8);
    assert_string_equal(c->rows[0].row.given_name, "Åse");
    assert_string_equal(c->rows[0].row.family_name, "Ærlig");
}

static void test_windows_1252_letters_come_out_as_utf8(void **state)
{
    struct collector *c = *state;
    /* As Excel's "CSV (semikolonseparert)" writes it on Norwegian Windows. */
    const char *file = "ID;Fornavn;Etternavn;Merknad\r\n"
                       "1;Bj\xF8"
                       "rn;\xC6"
                       "rlig;\x80 5 \x96 \x84"
                       "sitat\x93 \x85 \x97 \x92\r\n"
                       "2;\xC5"
                       "se;S\xE6ther;\r\n";
    assert_int_equal(parse(c, file), 0);
    assert_int_equal(c->summary.encoding, ROSTER_ENCODING_CP1252);
    assert_string_equal(roster_encoding_name(c->summary.encoding), "Windows-1252");
    assert_int_equal(c->row_count, 2);
    assert_string_equal(c->rows[0].row.given_name, "Bjørn");
    assert_string_equal(c->rows[0].row.family_name, "Ærlig");
    assert_string_equal(c->rows[0].row.notes, "€ 5 – „sitat“ … — ’");
    assert_string_equal(c->rows[1].row.given_name, "Åse");
    assert_string_equal(c->rows[1].row.family_name, "Sæther");
}

/* The hand-written table must agree with glibc's CP1252 for every byte the
 * code page defines. */
static void test_windows_1252_table_matches_iconv(void **state)
{
    struct collector *c = *state;
    char raw[256], file[512], expected[1024];
    size_t n = 0;
    raw[n++] = 'x';
    for (int b = 0x80; b <= 0xFF; b++)
        if (b != 0x81 && b != 0x8D && b != 0x8F && b != 0x90 && b != 0x9D)
            raw[n++] = (char)b;
    raw[n++] = 'x';
    raw[n] = '\0';

    iconv_t cd = iconv_open("UTF-8", "CP1252");
    assert_true(cd != (iconv_t)-1);
    char *in = raw, *out = expected;
    size_t in_left = n, out_left = sizeof expected - 1;
    assert_true(iconv(cd, &in, &in_left, &out, &out_left) != (size_t)-1);
    *out = '\0';
    iconv_close(cd);

    snprintf(file, sizeof file, "ID;Fornavn;Etternavn;Merknad\n1;A;B;%s\n", raw);
    assert_int_equal(parse(c, file), 0);
    assert_int_equal(c->row_count, 1);
    assert_string_equal(c->rows[0].row.notes, expected);
}

static void test_byte_undefined_in_windows_1252_in_a_name_is_a_row_error(void **state)
{
    struct collector *c = *state;
    assert_int_equal(parse(c, "ID;Fornavn;Etternavn\n1;Ka\x81ri;Nordmann\n2;\xC5se;Berg\n"), 0);
    assert_int_equal(c->summary.encoding, ROSTER_ENCODING_CP1252);
    assert_int_equal(c->row_count, 1);
    assert_string_equal(c->rows[0].row.given_name, "Åse");
    assert_int_equal(c->error_count, 1);
    assert_int_equal(c->error_line[0], 2);
    assert_non_null(strstr(c->error[0], "0x81"));
}

static void test_comma_delimiter_with_english_headers(void **state)
{
    struct collector *c = *state;
    const char *file = "external_id,given_name,family_name,active,confidentiality_signed,"
                       "police_certificate_valid_until,notes\n"
                       "A-1,Ola,Nordmann,yes,2024-05-06,2027-01-31,\"Drives, on Tuesdays\"\n"
                       "A-2,Per,Hansen,false,,,\n";
    assert_int_equal(parse(c, file), 0);
    assert_int_equal(c->summary.delimiter, ',');
    assert_int_equal(c->summary.encoding, ROSTER_ENCODING_UTF8);
    assert_int_equal(c->row_count, 2);
    assert_int_equal(c->error_count, 0);
    assert_string_equal(c->rows[0].row.external_id, "A-1");
    assert_int_equal(c->rows[0].row.active, 1);
    assert_string_equal(c->rows[0].row.confidentiality_signed, "2024-05-06");
    assert_string_equal(c->rows[0].row.police_valid_until, "2027-01-31");
    assert_string_equal(c->rows[0].row.notes, "Drives, on Tuesdays");
    assert_int_equal(c->rows[1].row.active, 0);
}

static void test_english_headers_with_spaces_and_case_are_recognised(void **state)
{
    struct collector *c = *state;
    assert_int_equal(parse(c, "ID,First Name,LAST NAME,Active,Notes\n7,Ola,Nordmann,,hi\n"), 0);
    assert_int_equal(c->row_count, 1);
    assert_string_equal(c->rows[0].row.given_name, "Ola");
    assert_string_equal(c->rows[0].row.family_name, "Nordmann");
    assert_int_equal(c->rows[0].row.active, ROSTER_ACTIVE_UNSPECIFIED);
    assert_string_equal(c->rows[0].row.notes, "hi");
}

static void test_norwegian_header_spelling_variants_are_recognised(void **state)
{
    struct collector *c = *state;
    /* Windows-1252 header (Æ is 0xC6), odd case, '_', '.', a hint in brackets. */
    const char *file = "Ansattnr.;FORNAVN;etter_navn;TAUSHETSERKL\xC6RING;"
                       "Politiattest (gyldig til);MERKNADER\n"
                       "5;Kari;Nordmann;ja;1.2.2027;\n";
    assert_int_equal(parse(c, file), 0);
    assert_int_equal(c->row_count, 1);
    assert_true(c->rows[0].row.confidentiality_signed_undated);
    assert_string_equal(c->rows[0].row.police_valid_until, "2027-02-01");

    memset(c, 0, sizeof *c);
    assert_int_equal(parse(c, "Frivillig ID;Fornavn;Etternavn;Taushetserklaering signert;"
                              "Teieerklaring\n9;Ola;Nordmann;2.3.2024;\n"),
                     0);
    assert_int_equal(c->row_count, 1);
    assert_string_equal(c->rows[0].row.confidentiality_signed, "2024-03-02");
    /* Two columns fit the agreement: the more specific one is used, with a word. */
    assert_true(any_warning_contains(c, "'Teieerklaring' ignored"));

    memset(c, 0, sizeof *c);
    assert_int_equal(parse(c, "frivillig_nummer;Fornavn;Etternavn;Politiattest utloeper\n"
                              "9;Ola;Nordmann;31.1.2029\n"),
                     0);
    assert_int_equal(c->warning_count, 0);
    assert_string_equal(c->rows[0].row.police_valid_until, "2029-01-31");
}

static void test_more_specific_id_column_wins_over_nr(void **state)
{
    struct collector *c = *state;
    assert_int_equal(parse(c, "Nr;Fornavn;Etternavn;Frivillig-ID\n1;Kari;Nordmann;F-77\n"), 0);
    assert_int_equal(c->row_count, 1);
    assert_string_equal(c->rows[0].row.external_id, "F-77");
    assert_true(any_warning_contains(c, "'Nr' ignored: using 'Frivillig-ID'"));
}

static void test_two_columns_of_the_same_name_are_a_file_error(void **state)
{
    struct collector *c = *state;
    assert_int_equal(parse(c, "ID;Fornavn;Etternavn;ID\n1;Kari;Nordmann;2\n"), -EINVAL);
    assert_non_null(strstr(c->err, "columns 1 and 4 are both 'ID'"));
    assert_int_equal(c->row_count, 0);
}

static void test_tab_delimiter_is_detected(void **state)
{
    struct collector *c = *state;
    assert_int_equal(parse(c, "ID\tFornavn\tEtternavn\n1\tKari Anne\tNordmann\n"), 0);
    assert_int_equal(c->summary.delimiter, '\t');
    assert_int_equal(c->row_count, 1);
    assert_string_equal(c->rows[0].row.given_name, "Kari Anne");
}

static void test_delimiter_inside_quoted_header_does_not_count(void **state)
{
    struct collector *c = *state;
    assert_int_equal(parse(c, "\"Nr, frivillig\";ID;Fornavn;Etternavn\nx;1;Kari;Nordmann\n"), 0);
    assert_int_equal(c->summary.delimiter, ';');
    assert_int_equal(c->row_count, 1);
    assert_true(any_warning_contains(c, "'Nr, frivillig'"));
}

static void test_excel_sep_line_sets_the_delimiter(void **state)
{
    struct collector *c = *state;
    /* More ';' than ',' in the header: only the sep line makes it ','. */
    assert_int_equal(parse(c, "sep=,\r\nID,Fornavn,Etternavn,Merknad;;;;\r\n"
                              "1,Kari,Nordmann,a;b;c;d\r\n"),
                     0);
    assert_int_equal(c->summary.delimiter, ',');
    assert_int_equal(c->summary.header_line, 2);
    assert_int_equal(c->row_count, 1);
    assert_int_equal(c->rows[0].row.line, 3);
}

static void test_unknown_columns_are_ignored_with_one_warning(void **state)
{
    struct collector *c = *state;
    assert_int_equal(parse(c, "ID;Telefon;Fornavn;E-post;Etternavn;;\n"
                              "1;12345678;Kari;kari@example.no;Nordmann;;\n"
                              "2;87654321;Ola;ola@example.no;Hansen;;\n"),
                     0);
    assert_int_equal(c->row_count, 2);
    assert_int_equal(c->warning_count, 1);
    assert_string_equal(c->warning[0], "ignoring unknown columns: 'Telefon', 'E-post'");
}

/* ---- quoting and lines ---- */

static void test_quoted_fields_keep_delimiters_line_breaks_and_doubled_quotes(void **state)
{
    struct collector *c = *state;
    const char *file = "ID;Fornavn;Etternavn;Merknad\r\n"
                       "1;\"Kari\";\"Nordmann\";\"Tar med \"\"kake\"\"; alltid\r\nandre linje\"\r\n"
                       "2; Ola ;\"Hansen; jr.\";\"\"\r\n"
                       "3;Per;\"Berg\";\"a\n\nb\"\n";
    assert_int_equal(parse(c, file), 0);
    assert_int_equal(c->error_count, 0);
    assert_int_equal(c->row_count, 3);
    assert_string_equal(c->rows[0].row.notes, "Tar med \"kake\"; alltid\nandre linje");
    assert_int_equal(c->rows[0].row.line, 2);
    assert_string_equal(c->rows[1].row.given_name, "Ola");
    assert_string_equal(c->rows[1].row.family_name, "Hansen; jr.");
    assert_string_equal(c->rows[1].row.notes, "");
    /* The physical line the record starts on, after a two-line record. */
    assert_int_equal(c->rows[1].row.line, 4);
    assert_int_equal(c->rows[2].row.line, 5);
    assert_string_equal(c->rows[2].row.notes, "a\n\nb");
}

static void test_crlf_lf_and_lone_cr_give_the_same_rows_and_lines(void **state)
{
    struct collector *c = *state;
    const char *files[] = {
        "ID;Fornavn;Etternavn\r\n1;Kari;Nordmann\r\n\r\n2;Ola;Hansen\r\n",
        "ID;Fornavn;Etternavn\n1;Kari;Nordmann\n\n2;Ola;Hansen",
        "ID;Fornavn;Etternavn\r1;Kari;Nordmann\r\r2;Ola;Hansen\r",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        memset(c, 0, sizeof *c);
        assert_int_equal(parse(c, files[i]), 0);
        assert_int_equal(c->row_count, 2);
        assert_int_equal(c->rows[0].row.line, 2);
        assert_int_equal(c->rows[1].row.line, 4);
        assert_string_equal(c->rows[1].row.family_name, "Hansen");
    }
}

static void test_empty_lines_and_rows_of_delimiters_are_skipped(void **state)
{
    struct collector *c = *state;
    assert_int_equal(parse(c, "\n\nID;Fornavn;Etternavn;Aktiv\n;;;\n\n1;Kari;Nordmann;x\n  \n"
                              ";;;\n;\"\";;\n\n\n"),
                     0);
    assert_int_equal(c->summary.header_line, 3);
    assert_int_equal(c->row_count, 1);
    assert_int_equal(c->rows[0].row.line, 6);
    assert_int_equal(c->error_count, 0);
}

static void test_names_and_ids_are_trimmed_and_spaces_collapsed(void **state)
{
    struct collector *c = *state;
    /* A no-break space (U+00A0) and a tab pasted in from elsewhere. */
    assert_int_equal(parse(c, "ID;Fornavn;Etternavn;Merknad\n"
                              "  42 ;  Kari \xC2\xA0 Anne\t;\" Nordmann \";  to  mellomrom  \n"),
                     0);
    assert_int_equal(c->row_count, 1);
    assert_string_equal(c->rows[0].row.external_id, "42");
    assert_string_equal(c->rows[0].row.given_name, "Kari Anne");
    assert_string_equal(c->rows[0].row.family_name, "Nordmann");
    assert_string_equal(c->rows[0].row.notes, "to  mellomrom");
}

static void test_forty_character_name_survives_intact(void **state)
{
    struct collector *c = *state;
    const char *given = "Kari Anne Marie Elisabeth Margrethe Sofi";  /* 40 characters */
    const char *family = "Bjørnstjerne-Ødegårdsæther-Åsheimsbakken"; /* 40, with æøå */
    char file[512];
    snprintf(file, sizeof file, "ID;Fornavn;Etternavn\n1;%s;%s\n", given, family);
    assert_int_equal(parse(c, file), 0);
    assert_int_equal(c->row_count, 1);
    assert_string_equal(c->rows[0].row.given_name, given);
    assert_string_equal(c->rows[0].row.family_name, family);
}

static void test_forty_character_windows_1252_name_survives_intact(void **state)
{
    struct collector *c = *state;
    /* "Bjørnstjerne-Ødegårdsæther-Åsheimsbakken" in Windows-1252. */
    const char *file = "ID;Fornavn;Etternavn\n1;Kari;Bj\xF8rnstjerne-\xD8"
                       "deg\xE5rds\xE6ther-\xC5sheimsbakken\n";
    assert_int_equal(parse(c, file), 0);
    assert_int_equal(c->row_count, 1);
    assert_string_equal(c->rows[0].row.family_name, "Bjørnstjerne-Ødegårdsæther-Åsheimsbakken");
}

/* ---- row errors ---- */

static void test_three_bad_rows_are_reported_by_line_and_good_rows_delivered(void **state)
{
    struct collector *c = *state;
    const char *file = "ID;Fornavn;Etternavn;Aktiv;Politiattest gyldig til\r\n" /* 1 */
                       "1;Kari;Nordmann;ja;23.11.2026\r\n"                      /* 2 */
                       ";Ola;Hansen;ja;\r\n"                                    /* 3: no id */
                       "3;Per;Berg;;\r\n"                                       /* 4 */
                       "4;Liv;Dahl;ja;31.02.2026\r\n"                           /* 5: no such day */
                       "\r\n"                                                   /* 6 */
                       "5;Siri;Lie;nei;2026-11-23\r\n"                          /* 7 */
                       "6;Geir;Moe;kanskje;\r\n"                                /* 8: active? */
                       "7;Eva;Bakke;1;46349\r\n";                               /* 9 */
    assert_int_equal(parse(c, file), 0);
    assert_int_equal(c->row_count, 4);
    assert_int_equal(c->rows[0].row.line, 2);
    assert_int_equal(c->rows[1].row.line, 4);
    assert_int_equal(c->rows[2].row.line, 7);
    assert_int_equal(c->rows[3].row.line, 9);
    assert_string_equal(c->rows[3].row.police_valid_until, "2026-11-23");

    assert_int_equal(c->error_count, 3);
    assert_int_equal(c->error_line[0], 3);
    assert_string_equal(c->error[0], "'ID' is empty");
    assert_int_equal(c->error_line[1], 5);
    assert_string_equal(c->error[1], "'Politiattest gyldig til' is not a date: '31.02.2026' "
                                     "(no such day)");
    assert_int_equal(c->error_line[2], 8);
    assert_non_null(strstr(c->error[2], "'Aktiv' is neither ja nor nei"));
    assert_non_null(strstr(c->error[2], "'kanskje'"));
}

static void test_several_problems_in_one_row_are_reported_together(void **state)
{
    struct collector *c = *state;
    assert_int_equal(parse(c, "ID;Fornavn;Etternavn;Aktiv\n1;;Nordmann;tja\n"), 0);
    assert_int_equal(c->error_count, 1);
    assert_string_equal(c->error[0], "'Fornavn' is empty; 'Aktiv' is neither ja nor nei "
                                     "(nor yes/no, 1/0, x or blank): 'tja'");
}

static void test_missing_family_name_is_a_row_error(void **state)
{
    struct collector *c = *state;
    assert_int_equal(parse(c, "ID;Fornavn;Etternavn\n1;Kari\n2;Ola;Hansen\n"), 0);
    assert_int_equal(c->row_count, 1);
    assert_int_equal(c->error_count, 1);
    assert_int_equal(c->error_line[0], 2);
    assert_string_equal(c->error[0], "'Etternavn' is empty");
}

static void test_duplicate_id_is_a_row_error_naming_the_first_line(void **state)
{
    struct collector *c = *state;
    assert_int_equal(parse(c, "ID;Fornavn;Etternavn\n17;Kari;Nordmann\n18;Ola;Hansen\n"
                              "17;Kari;Nordmann\n 18 ;Per;Berg\n"),
                     0);
    assert_int_equal(c->row_count, 2);
    assert_int_equal(c->error_count, 2);
    assert_int_equal(c->error_line[0], 4);
    assert_string_equal(c->error[0], "id '17' is already used on line 2");
    assert_int_equal(c->error_line[1], 5);
    assert_string_equal(c->error[1], "id '18' is already used on line 3");
}

/* Each field's limit is the store's (fieldlimits.h): over it, a row error
 * naming the column; at it, the value whole. */
static void test_field_over_the_cap_is_a_row_error(void **state)
{
    struct collector *c = *state;
    char file[8192], reason[200];
    char long_name[VOLUNTEER_NAME_MAX + 2];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    snprintf(file, sizeof file, "ID;Fornavn;Etternavn\n1;%s;Nordmann\n2;Ola;Hansen\n", long_name);
    assert_int_equal(parse(c, file), 0);
    assert_int_equal(c->row_count, 1);
    assert_int_equal(c->error_count, 1);
    assert_int_equal(c->error_line[0], 2);
    snprintf(reason, sizeof reason, "'Fornavn' is too long (%d bytes; at most %d)",
             VOLUNTEER_NAME_MAX + 1, VOLUNTEER_NAME_MAX);
    assert_string_equal(c->error[0], reason);

    /* 63 'ø' in Windows-1252 are 63 bytes in the file but 126 as UTF-8:
     * fits; 64 are 128, one over. */
    for (int count = 63; count <= 64; count++) {
        memset(c, 0, sizeof *c);
        char name[128];
        memset(name, '\xF8', (size_t)count);
        name[count] = '\0';
        snprintf(file, sizeof file, "ID;Fornavn;Etternavn\n1;%s;Nordmann\n", name);
        assert_int_equal(parse(c, file), 0);
        assert_int_equal(c->summary.encoding, ROSTER_ENCODING_CP1252);
        assert_int_equal(c->row_count, count == 63 ? 1 : 0);
        assert_int_equal(c->error_count, count == 63 ? 0 : 1);
        if (count == 63)
            assert_int_equal(strlen(c->rows[0].row.given_name), 126);
        else
            assert_non_null(strstr(c->error[0], "128 bytes as UTF-8"));
    }

    /* An id of VOLUNTEER_ID_MAX bytes is whole; one more is refused. */
    char id[VOLUNTEER_ID_MAX + 2];
    memset(id, '7', sizeof id - 1);
    id[sizeof id - 1] = '\0';
    memset(c, 0, sizeof *c);
    snprintf(file, sizeof file, "ID;Fornavn;Etternavn\n%s;Kari;Lie\n%s;Ola;Lie\n", id, id + 1);
    assert_int_equal(parse(c, file), 0);
    assert_int_equal(c->row_count, 1);
    assert_int_equal(strlen(c->rows[0].row.external_id), VOLUNTEER_ID_MAX);
    snprintf(reason, sizeof reason, "'ID' is too long (%d bytes; at most %d)", VOLUNTEER_ID_MAX + 1,
             VOLUNTEER_ID_MAX);
    assert_string_equal(c->error[0], reason);

    /* Notes of two-byte letters to the last byte: whole, and valid UTF-8. */
    char notes[VOLUNTEER_NOTES_MAX + 4];
    for (int i = 0; i < VOLUNTEER_NOTES_MAX; i += 2)
        memcpy(notes + i, "æ", 2);
    notes[VOLUNTEER_NOTES_MAX] = '\0';
    memset(c, 0, sizeof *c);
    snprintf(file, sizeof file, "ID;Fornavn;Etternavn;Merknad\n1;Kari;Lie;%s\n2;Ola;Lie;%så\n",
             notes, notes);
    assert_int_equal(parse(c, file), 0);
    assert_int_equal(c->row_count, 1);
    assert_int_equal(c->error_count, 1);
    assert_string_equal(c->rows[0].row.notes, notes);
    assert_int_equal(c->error_line[0], 3);
    snprintf(reason, sizeof reason, "'Merknad' is too long (%d bytes; at most %d)",
             VOLUNTEER_NOTES_MAX + 2, VOLUNTEER_NOTES_MAX);
    assert_string_equal(c->error[0], reason);

    /* A full name whose given part is longer than a name may be. */
    memset(c, 0, sizeof *c);
    snprintf(file, sizeof file, "ID;Navn\n1;Nordmann, %s\n2;Nordmann, Kari\n", long_name);
    assert_int_equal(parse(c, file), 0);
    assert_int_equal(c->row_count, 1);
    snprintf(reason, sizeof reason, "'Navn': the given name is too long (%d bytes; at most %d)",
             VOLUNTEER_NAME_MAX + 1, VOLUNTEER_NAME_MAX);
    assert_string_equal(c->error[0], reason);
}

static void test_control_character_in_a_name_is_a_row_error(void **state)
{
    struct collector *c = *state;
    assert_int_equal(parse(c, "ID;Fornavn;Etternavn\n1;Ka\x01ri;Nordmann\n2;\"Kari\nAnne\";Lie\n"),
                     0);
    assert_int_equal(c->error_count, 1);
    assert_string_equal(c->error[0], "'Fornavn' holds a control character");
    /* A line break inside a quoted name (Excel's Alt+Enter) is a space. */
    assert_int_equal(c->row_count, 1);
    assert_string_equal(c->rows[0].row.given_name, "Kari Anne");
}

/* ---- messages cut between characters ---- */

static bool valid_utf8(const char *text)
{
    size_t len = strlen(text);
    for (size_t i = 0; i < len;) {
        size_t n = utf8_char_len(text + i, len - i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

/* Header names of "æøå" (two bytes each), shifted by 0 to 3 ASCII bytes so
 * that every cut (the 1024-byte warning, the caller's error buffer of any
 * size) lands on every byte of a character at least once. */
static void test_messages_are_cut_between_characters(void **state)
{
    struct collector *c = *state;
    static const char *const id_names[] = {
        "ID",     "Frivillig-ID", "Frivillignummer", "Ansattnr",     "Ansattnummer",
        "Nummer", "Nr",           "external_id",     "Volunteer ID", "Employee ID"};
    static const char *const given_names[] = {"Fornavn", "given_name", "First name", "Forename"};
    char file[8192], err[800];
    for (int shift = 0; shift < 4; shift++) {
        /* Columns that lose to a more specific one: one long warning. */
        size_t used = 0;
        for (size_t i = 0; i < sizeof id_names / sizeof id_names[0]; i++)
            used += (size_t)snprintf(file + used, sizeof file - used,
                                     "%s (%.*sæøåæøåæøåæøåæøåæøåæøåæøåæøå);", id_names[i], shift,
                                     "xyz");
        for (size_t i = 0; i < sizeof given_names / sizeof given_names[0]; i++)
            used += (size_t)snprintf(file + used, sizeof file - used,
                                     "%s (%.*sæøåæøåæøåæøåæøåæøåæøåæøåæøå);", given_names[i], shift,
                                     "xyz");
        snprintf(file + used, sizeof file - used, "Etternavn\n1;Kari;Nordmann\n");
        memset(c, 0, sizeof *c);
        assert_int_equal(parse(c, file), 0);
        assert_true(c->warning_count >= 1);
        for (int w = 0; w < c->warning_count && w < COLLECT_MAX; w++)
            if (!valid_utf8(c->warning[w]))
                fail_msg("shift %d: warning %d is not UTF-8: %s", shift, w, c->warning[w]);
        assert_true(strlen(c->warning[0]) > 900); /* it was cut, not short */

        /* No id column: "the header lacks ...; found columns: ...", into
         * an error buffer of every size up to more than it needs. */
        used = (size_t)snprintf(file, sizeof file, "%.*sFornavn;Etternavn", shift, "xyz");
        for (int i = 0; i < 14; i++)
            used += (size_t)snprintf(file + used, sizeof file - used,
                                     ";Kolonne %d æøåæøåæøåæøåæøåæøå", i);
        snprintf(file + used, sizeof file - used, "\nKari;Nordmann\n");
        for (size_t cap = 40; cap <= sizeof err; cap++) {
            struct roster_summary summary;
            assert_int_equal(roster_parse(file, strlen(file), NULL, &summary, err, cap), -EINVAL);
            if (!valid_utf8(err))
                fail_msg("shift %d, %zu bytes: the error is not UTF-8: %s", shift, cap, err);
        }
        assert_non_null(strstr(err, "found columns"));
    }
}

/* ---- file errors ---- */

static void test_missing_required_columns_are_a_file_error_naming_found_columns(void **state)
{
    struct collector *c = *state;
    assert_int_equal(parse(c, "Fornavn;Telefon\nKari;12345678\n"), -EINVAL);
    assert_string_equal(c->err, "line 1: the header lacks an id ('ID', 'Frivillig-ID' or "
                                "'Ansattnr'), a family name ('Etternavn') (or one 'Navn' "
                                "column for the whole name); found columns: 'Fornavn', "
                                "'Telefon'");
    assert_int_equal(c->row_count, 0);

    memset(c, 0, sizeof *c);
    assert_int_equal(parse(c, "Fornavn;Etternavn\nKari;Nordmann\n"), -EINVAL);
    assert_string_equal(c->err, "line 1: the header lacks an id ('ID', 'Frivillig-ID' or "
                                "'Ansattnr'); found columns: 'Fornavn', 'Etternavn'");
}

static void test_data_without_a_header_is_a_file_error(void **state)
{
    struct collector *c = *state;
    /* The coordinator deleted the header row: the first volunteer is read
     * as one, and the message shows it. */
    assert_int_equal(parse(c, "17;Kari;Nordmann\n18;Ola;Hansen\n"), -EINVAL);
    assert_non_null(strstr(c->err, "found columns: '17', 'Kari', 'Nordmann'"));
}

static void test_empty_file_is_a_file_error(void **state)
{
    struct collector *c = *state;
    assert_int_equal(parse(c, ""), -EINVAL);
    assert_non_null(strstr(c->err, "the file is empty"));

    const char *blank[] = {"\xEF\xBB\xBF", "\r\n\r\n", "  \n;;;\n"};
    for (size_t i = 0; i < sizeof blank / sizeof blank[0]; i++) {
        memset(c, 0, sizeof *c);
        assert_int_equal(parse(c, blank[i]), -EINVAL);
        assert_non_null(strstr(c->err, "no header row"));
    }
    /* No data pointer at all. */
    memset(c, 0, sizeof *c);
    assert_int_equal(parse_bytes(c, NULL, 0), -EINVAL);
}

static void test_header_only_file_gives_no_rows_and_a_warning(void **state)
{
    struct collector *c = *state;
    assert_int_equal(parse(c, "\xEF\xBB\xBFID;Fornavn;Etternavn\r\n"), 0);
    assert_int_equal(c->row_count, 0);
    assert_int_equal(c->error_count, 0);
    assert_true(any_warning_contains(c, "no volunteer rows"));
    assert_int_equal(c->summary.columns,
                     ROSTER_COLUMN_ID | ROSTER_COLUMN_GIVEN_NAME | ROSTER_COLUMN_FAMILY_NAME);
}

static void test_nul_byte_is_refused_as_binary(void **state)
{
    struct collector *c = *state;
    const char file[] = "ID;Fornavn;Etternavn\n1;Kari;Nord\0mann\n";
    assert_int_equal(parse_bytes(c, file, sizeof file - 1), -EINVAL);
    assert_non_null(strstr(c->err, "line 2 holds a NUL byte"));
    assert_int_equal(c->row_count, 0);
}

static void test_control_bytes_in_the_header_mean_not_a_csv_file(void **state)
{
    struct collector *c = *state;
    assert_int_equal(parse(c, "\x1B[0mID;Fornavn;Etternavn\n1;Kari;Nordmann\n"), -EINVAL);
    assert_non_null(strstr(c->err, "line 1: the header row holds control character 0x1B"));
    assert_int_equal(c->row_count, 0);
}

static void test_spreadsheet_and_utf16_files_are_refused_with_advice(void **state)
{
    struct collector *c = *state;
    const char xlsx[] = "PK\x03\x04\x14\x00\x06\x00";
    assert_int_equal(parse_bytes(c, xlsx, sizeof xlsx - 1), -EINVAL);
    assert_non_null(strstr(c->err, ".xlsx"));
    assert_non_null(strstr(c->err, "CSV UTF-8"));

    memset(c, 0, sizeof *c);
    const char xls[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    assert_int_equal(parse_bytes(c, xls, sizeof xls - 1), -EINVAL);
    assert_non_null(strstr(c->err, ".xls"));

    memset(c, 0, sizeof *c);
    const char utf16[] = "\xFF\xFEI\0D\0;\0";
    assert_int_equal(parse_bytes(c, utf16, sizeof utf16 - 1), -EINVAL);
    assert_non_null(strstr(c->err, "UTF-16"));
}

static void test_unterminated_quote_at_end_of_file_is_a_row_error(void **state)
{
    struct collector *c = *state;
    assert_int_equal(parse(c, "ID;Fornavn;Etternavn\n1;Kari;Nordmann\n2;\"Ola;Hansen\n"
                              "3;Per;Berg\n"),
                     0);
    assert_int_equal(c->row_count, 1);
    assert_int_equal(c->error_count, 1);
    assert_int_equal(c->error_line[0], 3);
    assert_non_null(strstr(c->error[0], "never closed"));
    assert_non_null(strstr(c->error[0], "2 lines later"));

    /* Cut short inside the very last field. */
    memset(c, 0, sizeof *c);
    assert_int_equal(parse(c, "ID;Fornavn;Etternavn\n1;Kari;\"Nord"), 0);
    assert_int_equal(c->error_count, 1);
    assert_int_equal(c->error_line[0], 2);

    /* In the header nothing can be trusted. */
    memset(c, 0, sizeof *c);
    assert_int_equal(parse(c, "ID;\"Fornavn;Etternavn\n1;Kari;Nordmann\n"), -EINVAL);
    assert_non_null(strstr(c->err, "line 1: a quote"));
}

static void test_record_over_the_cap_is_refused(void **state)
{
    struct collector *c = *state;
    size_t size = ROSTER_RECORD_MAX + 4096;
    char *file = malloc(size + 1);
    assert_non_null(file);
    int n = snprintf(file, size, "ID;Fornavn;Etternavn\n1;Kari;Nordmann\n2;\"Ola");
    for (size_t i = (size_t)n; i < size; i++)
        file[i] = i % 50 == 0 ? '\n' : 'x';
    assert_int_equal(parse_bytes(c, file, size), -EFBIG);
    assert_non_null(strstr(c->err, "line 3: a record is longer than"));
    assert_int_equal(c->row_count, 1);
    free(file);
}

static void test_file_over_the_cap_is_refused(void **state)
{
    struct collector *c = *state;
    size_t size = (size_t)ROSTER_FILE_MAX + 1;
    char *file = calloc(1, size);
    assert_non_null(file);
    memcpy(file, "ID;Fornavn;Etternavn\n", 21);
    assert_int_equal(parse_bytes(c, file, size), -EFBIG);
    assert_non_null(strstr(c->err, "at most 16777216 bytes"));
    free(file);
}

static void test_rows_over_the_cap_are_refused(void **state)
{
    struct collector *c = *state;
    size_t cap = 32u * (ROSTER_ROWS_MAX + 10);
    char *file = malloc(cap);
    assert_non_null(file);
    size_t len = (size_t)snprintf(file, cap, "ID;Fornavn;Etternavn\n");
    for (int i = 0; i <= ROSTER_ROWS_MAX; i++)
        len += (size_t)snprintf(file + len, cap - len, "%d;Kari;Nordmann\n", i);
    struct roster_callbacks none = {0};
    struct roster_summary summary;
    char err[256];
    assert_int_equal(roster_parse(file, len, &none, &summary, err, sizeof err), -EFBIG);
    assert_int_equal(summary.rows_ok, ROSTER_ROWS_MAX);
    assert_non_null(strstr(err, "more than 100000 rows"));
    free(file);
    (void)c;
}

static void test_row_callback_can_stop_parsing(void **state)
{
    struct collector *c = *state;
    c->stop_at_row = 2;
    assert_int_equal(parse(c, "ID;Fornavn;Etternavn\n1;A;B\n2;C;D\n3;E;F\n"), -ECANCELED);
    assert_int_equal(c->row_count, 2);
    assert_non_null(strstr(c->err, "line 3"));
}

static void test_null_callbacks_and_summary_are_allowed(void **state)
{
    (void)state;
    const char *file = "ID;Fornavn;Etternavn\n1;A;B\n;C;D\n";
    assert_int_equal(roster_parse(file, strlen(file), NULL, NULL, NULL, 0), 0);
    assert_int_equal(roster_parse("", 0, NULL, NULL, NULL, 0), -EINVAL);
}

/* Never read past len: the file is copied to the end of a buffer of exactly
 * its size, so ASan catches a read of one byte more. */
static void test_input_is_not_read_past_its_length(void **state)
{
    struct collector *c = *state;
    const char *texts[] = {"ID;Fornavn;Etternavn\n1;Kari;\"Nordmann",
                           "ID;Fornavn;Etternavn\n1;K",
                           "ID;Fornavn;Etternavn\r",
                           "sep=;",
                           "\xEF\xBB",
                           "ID;Fornavn;Etternavn\n1;\xC3",
                           "ID;Fornavn;Etternavn;Politiattest\n1;A;B;23.11"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        size_t len = strlen(texts[i]);
        char *exact = malloc(len);
        assert_non_null(exact);
        memcpy(exact, texts[i], len);
        memset(c, 0, sizeof *c);
        parse_bytes(c, exact, len);
        free(exact);
    }
}

/* xorshift: the same bytes every run, so a failure can be replayed. */
static uint32_t next_random(uint32_t *seed)
{
    uint32_t x = *seed;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *seed = x;
}

static void test_random_and_mangled_input_gives_errors_never_crashes(void **state)
{
    struct collector *c = *state;
    static const char alphabet[] =
        ";,\t\"\r\n x1.2-/jaJAneiNEI\xC3\xB8\xF8\xE6\x80\x81\xEF\xBB\xBF";
    const char *valid = "\xEF\xBB\xBFID;Fornavn;Etternavn;Aktiv;Taushetserkl\xC3\xA6ring;"
                        "Politiattest gyldig til;Navn;Merknad\r\n"
                        "1;Kari;Nordmann;ja;ja;23.11.2026;Kari Nordmann;\"a;\"\"b\"\"\r\nc\"\r\n"
                        "2;Ola;Hansen;nei;1.2.26;46349;;\r\n";
    size_t valid_len = strlen(valid);
    uint32_t seed = 0x7115ede;
    for (int round = 0; round < 3000; round++) {
        size_t len = next_random(&seed) % 600;
        char *data = malloc(len ? len : 1);
        assert_non_null(data);
        int kind = round % 3;
        for (size_t i = 0; i < len; i++) {
            uint32_t r = next_random(&seed);
            if (kind == 0) /* raw bytes */
                data[i] = (char)(r & 0xFF);
            else if (kind == 1) /* bytes that matter to a CSV parser */
                data[i] = alphabet[r % (sizeof alphabet - 1)];
            else /* a valid file, mangled */
                data[i] = r % 8 == 0 ? alphabet[r % (sizeof alphabet - 1)] : valid[i % valid_len];
        }
        memset(c, 0, sizeof *c);
        int rc = parse_bytes(c, data, len);
        assert_true(rc == 0 || rc == -EINVAL || rc == -EFBIG);
        for (int i = 0; i < c->row_count && i < COLLECT_MAX; i++) {
            assert_true(c->rows[i].row.external_id[0] != '\0');
            assert_true(c->rows[i].row.given_name[0] != '\0');
            assert_true(c->rows[i].row.family_name[0] != '\0');
        }
        free(data);
    }
}

/* ---- names ---- */

static void test_full_name_column_is_split_at_the_last_space_or_a_comma(void **state)
{
    struct collector *c = *state;
    assert_int_equal(parse(c, "Nummer;Navn\n1;Kari Anne Nordmann\n2;Nordmann, Ola\n3;Cher\n"
                              "4;  Per   Berg  \n"),
                     0);
    assert_int_equal(c->summary.columns, ROSTER_COLUMN_ID | ROSTER_COLUMN_FULL_NAME);
    assert_int_equal(c->row_count, 3);
    assert_string_equal(c->rows[0].row.given_name, "Kari Anne");
    assert_string_equal(c->rows[0].row.family_name, "Nordmann");
    assert_string_equal(c->rows[1].row.given_name, "Ola");
    assert_string_equal(c->rows[1].row.family_name, "Nordmann");
    assert_string_equal(c->rows[2].row.given_name, "Per");
    assert_string_equal(c->rows[2].row.family_name, "Berg");
    assert_int_equal(c->error_count, 1);
    assert_int_equal(c->error_line[0], 4);
    /* Never the name itself in a message. */
    assert_string_equal(c->error[0], "'Navn' holds one word; a given and a family name are needed");
}

static void test_separate_name_columns_win_over_a_full_name_column(void **state)
{
    struct collector *c = *state;
    assert_int_equal(parse(c, "ID;Navn;Fornavn;Etternavn\n1;Kari Nordmann;Kari Anne;Nordmann\n"),
                     0);
    assert_int_equal(c->row_count, 1);
    assert_string_equal(c->rows[0].row.given_name, "Kari Anne");
    assert_true(any_warning_contains(c, "column 'Navn' ignored"));
    assert_int_equal(c->summary.columns & ROSTER_COLUMN_FULL_NAME, 0);
}

/* ---- values ---- */

static void test_active_values_in_norwegian_and_english(void **state)
{
    struct collector *c = *state;
    static const struct {
        const char *text;
        int active;
    } cases[] = {{"ja", 1},    {"Nei", 0},     {"YES", 1}, {"no", 0}, {"true", 1}, {"FALSE", 0},
                 {"1", 1},     {"0", 0},       {"x", 1},   {"X", 1},  {"SANN", 1}, {"USANN", 0},
                 {"aktiv", 1}, {"inaktiv", 0}, {"", -1},   {"  ", -1}};
    char file[4096];
    size_t len = (size_t)snprintf(file, sizeof file, "ID;Fornavn;Etternavn;Aktiv\n");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        len += (size_t)snprintf(file + len, sizeof file - len, "%zu;A;B;%s\n", i, cases[i].text);
    assert_int_equal(parse(c, file), 0);
    assert_int_equal(c->error_count, 0);
    assert_int_equal(c->row_count, (int)(sizeof cases / sizeof cases[0]));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(c->rows[i].row.active, cases[i].active);
}

static void test_dates_in_every_accepted_format(void **state)
{
    (void)state;
    static const struct {
        const char *text, *date;
    } cases[] = {
        {"23.11.2026", "2026-11-23"},
        {"23.11.26", "2026-11-23"},
        {"2026-11-23", "2026-11-23"},
        {"23/11/2026", "2026-11-23"},
        {"23-11-2026", "2026-11-23"},
        {"1.2.2026", "2026-02-01"},
        {"01.02.2026", "2026-02-01"},
        {"1.2.26", "2026-02-01"},
        {"31.12.99", "1999-12-31"},
        {"1.1.68", "2068-01-01"},
        {"1.1.69", "1969-01-01"},
        {"29.02.2024", "2024-02-29"},
        {"29.2.2000", "2000-02-29"},
        {"2026-1-5", "2026-01-05"},
        {" 23.11.2026 ", "2026-11-23"},
        {"23.11.2026 00:00", "2026-11-23"},
        {"2026-11-23 00:00:00", "2026-11-23"},
        {"2026-11-23T10:15", "2026-11-23"},
        {"20261123", "2026-11-23"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[ROSTER_DATE_SIZE];
        int rc = roster_parse_date(cases[i].text, out);
        if (rc != 0 || strcmp(out, cases[i].date) != 0)
            fail_msg("'%s': rc %d, '%s', expected '%s'", cases[i].text, rc, out, cases[i].date);
    }
}

static void test_bad_dates_are_refused(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int rc;
    } cases[] = {
        {"31.02.2026", -ERANGE},
        {"29.02.2025", -ERANGE},
        {"29.2.1900", -ERANGE},
        {"32.01.2026", -ERANGE},
        {"00.01.2026", -ERANGE},
        {"1.13.2026", -ERANGE},
        {"2026-02-30", -ERANGE},
        {"1.1.1899", -EINVAL},
        {"", -EINVAL},
        {"i morgen", -EINVAL},
        {"23.11", -EINVAL},
        {"23.11.202", -EINVAL},
        {"23.11.2026x", -EINVAL},
        {"23.11/2026", -EINVAL},
        {"123.11.2026", -EINVAL},
        {"23..2026", -EINVAL},
        {"11/23/2026 PM", -EINVAL},
        {"-5", -EINVAL},
        {"12", -EINVAL},
        {"2026", -EINVAL},
        {"999999999999", -EINVAL},
        {"2026-11-2300", -EINVAL},
        {"23.11.2026 kl 10", -EINVAL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[ROSTER_DATE_SIZE] = "junk";
        int rc = roster_parse_date(cases[i].text, out);
        if (rc != cases[i].rc || out[0] != '\0')
            fail_msg("'%s': rc %d, '%s', expected rc %d", cases[i].text, rc, out, cases[i].rc);
    }
}

static void test_excel_serial_dates(void **state)
{
    (void)state;
    static const struct {
        const char *text, *date;
    } cases[] = {
        {"46349", "2026-11-23"},    {"45658", "2025-01-01"}, {"46349,5", "2026-11-23"},
        {"46349.75", "2026-11-23"}, {"18264", "1950-01-01"}, {"2958465", "9999-12-31"},
        {"45351", "2024-02-29"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[ROSTER_DATE_SIZE];
        int rc = roster_parse_date(cases[i].text, out);
        if (rc != 0 || strcmp(out, cases[i].date) != 0)
            fail_msg("'%s': rc %d, '%s', expected '%s'", cases[i].text, rc, out, cases[i].date);
    }
    char out[ROSTER_DATE_SIZE];
    assert_int_equal(roster_parse_date("18263", out), -EINVAL); /* 1949: a slip, not a date */
    assert_int_equal(roster_parse_date("2958466", out), -EINVAL);
}

static void test_bad_date_in_a_file_names_column_and_value(void **state)
{
    struct collector *c = *state;
    assert_int_equal(parse(c, "ID;Fornavn;Etternavn;Taushetserklæring\n"
                              "1;Kari;Nordmann;snart\n2;Ola;Hansen;46349\n"),
                     0);
    assert_int_equal(c->row_count, 1);
    assert_string_equal(c->rows[0].row.confidentiality_signed, "2026-11-23");
    assert_int_equal(c->error_count, 1);
    assert_string_equal(c->error[0], "'Taushetserklæring' is not a date: 'snart' (write it as "
                                     "23.11.2026 or 2026-11-23)");
}

static void test_confidentiality_yes_means_signed_without_a_date(void **state)
{
    struct collector *c = *state;
    assert_int_equal(parse(c, "ID;Fornavn;Etternavn;Taushetserklæring;Politiattest\n"
                              "1;A;B;ja;ja\n"
                              "2;A;B;X;\n"
                              "3;A;B;nei;nei\n"
                              "4;A;B;;\n"
                              "5;A;B;3.4.2025;1.1.2030\n"
                              "6;A;B;signert;\n"),
                     0);
    assert_int_equal(c->error_count, 0);
    assert_int_equal(c->row_count, 6);
    assert_true(c->rows[0].row.confidentiality_signed_undated);
    assert_string_equal(c->rows[0].row.confidentiality_signed, "");
    assert_true(c->rows[0].row.police_certificate_undated);
    assert_string_equal(c->rows[0].row.police_valid_until, "");
    assert_true(c->rows[1].row.confidentiality_signed_undated);
    assert_false(c->rows[1].row.police_certificate_undated);
    assert_false(c->rows[2].row.confidentiality_signed_undated);
    assert_false(c->rows[2].row.police_certificate_undated);
    assert_false(c->rows[3].row.confidentiality_signed_undated);
    assert_string_equal(c->rows[3].row.confidentiality_signed, "");
    assert_false(c->rows[4].row.confidentiality_signed_undated);
    assert_string_equal(c->rows[4].row.confidentiality_signed, "2025-04-03");
    assert_string_equal(c->rows[4].row.police_valid_until, "2030-01-01");
    assert_true(c->rows[5].row.confidentiality_signed_undated);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_utf8_bom_semicolon_norwegian_headers_are_read),
        T(test_utf8_without_bom_is_detected_as_utf8),
        T(test_windows_1252_letters_come_out_as_utf8),
        T(test_windows_1252_table_matches_iconv),
        T(test_byte_undefined_in_windows_1252_in_a_name_is_a_row_error),
        T(test_comma_delimiter_with_english_headers),
        T(test_english_headers_with_spaces_and_case_are_recognised),
        T(test_norwegian_header_spelling_variants_are_recognised),
        T(test_more_specific_id_column_wins_over_nr),
        T(test_two_columns_of_the_same_name_are_a_file_error),
        T(test_tab_delimiter_is_detected),
        T(test_delimiter_inside_quoted_header_does_not_count),
        T(test_excel_sep_line_sets_the_delimiter),
        T(test_unknown_columns_are_ignored_with_one_warning),
        T(test_quoted_fields_keep_delimiters_line_breaks_and_doubled_quotes),
        T(test_crlf_lf_and_lone_cr_give_the_same_rows_and_lines),
        T(test_empty_lines_and_rows_of_delimiters_are_skipped),
        T(test_names_and_ids_are_trimmed_and_spaces_collapsed),
        T(test_forty_character_name_survives_intact),
        T(test_forty_character_windows_1252_name_survives_intact),
        T(test_three_bad_rows_are_reported_by_line_and_good_rows_delivered),
        T(test_several_problems_in_one_row_are_reported_together),
        T(test_missing_family_name_is_a_row_error),
        T(test_duplicate_id_is_a_row_error_naming_the_first_line),
        T(test_field_over_the_cap_is_a_row_error),
        T(test_control_character_in_a_name_is_a_row_error),
        T(test_messages_are_cut_between_characters),
        T(test_missing_required_columns_are_a_file_error_naming_found_columns),
        T(test_data_without_a_header_is_a_file_error),
        T(test_empty_file_is_a_file_error),
        T(test_header_only_file_gives_no_rows_and_a_warning),
        T(test_nul_byte_is_refused_as_binary),
        T(test_control_bytes_in_the_header_mean_not_a_csv_file),
        T(test_spreadsheet_and_utf16_files_are_refused_with_advice),
        T(test_unterminated_quote_at_end_of_file_is_a_row_error),
        T(test_record_over_the_cap_is_refused),
        T(test_file_over_the_cap_is_refused),
        T(test_rows_over_the_cap_are_refused),
        T(test_row_callback_can_stop_parsing),
        T(test_null_callbacks_and_summary_are_allowed),
        T(test_input_is_not_read_past_its_length),
        T(test_random_and_mangled_input_gives_errors_never_crashes),
        T(test_full_name_column_is_split_at_the_last_space_or_a_comma),
        T(test_separate_name_columns_win_over_a_full_name_column),
        T(test_active_values_in_norwegian_and_english),
        T(test_dates_in_every_accepted_format),
        T(test_bad_dates_are_refused),
        T(test_excel_serial_dates),
        T(test_bad_date_in_a_file_names_column_and_value),
        T(test_confidentiality_yes_means_signed_without_a_date),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
