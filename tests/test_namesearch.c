/* Tests of the name search (firmware/namesearch.c): folding, prefix
 * matching of name parts, ordering, limits, bad input, and a cross-check
 * of the index against a brute-force reference over random names. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "namesearch.h"

#define RESULTS_MAX 64

struct volunteer {
    int64_t id;
    const char *given;
    const char *family;
};

static struct namesearch *index_of(const struct volunteer *roster, size_t count)
{
    struct namesearch *search;

    assert_int_equal(namesearch_new(&search), 0);
    for (size_t i = 0; i < count; i++)
        assert_int_equal(namesearch_add(search, roster[i].id, roster[i].given, roster[i].family),
                         0);
    assert_int_equal(namesearch_finish(search), 0);
    return search;
}

#define INDEX(roster) index_of(roster, sizeof roster / sizeof roster[0])

/* The query's results as "1,2,3" (so a failure shows the whole list), or
 * "error -N". */
static const char *found(const struct namesearch *search, const char *query)
{
    static char text[RESULTS_MAX * 24];
    int64_t ids[RESULTS_MAX];
    size_t total = 999, used = 0;
    int count = namesearch_query(search, query, ids, RESULTS_MAX, &total);

    if (count < 0) {
        snprintf(text, sizeof text, "error %d", count);
        return text;
    }
    assert_int_equal((size_t)count, total < RESULTS_MAX ? total : RESULTS_MAX);
    text[0] = '\0';
    for (int i = 0; i < count; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "%s%lld", i ? "," : "",
                                 (long long)ids[i]);
    return text;
}

static const char *folded(const char *in)
{
    static char out[1024];
    size_t length = namesearch_fold(in, out, sizeof out);

    assert_int_equal(length, strlen(out));
    return out;
}

/* ---- Folding ---------------------------------------------------------- */

static void test_fold_lowercases_ascii_and_keeps_aeoeaa(void **state)
{
    (void)state;
    assert_string_equal(folded("KARI Nordmann-Berg"), "kari nordmann-berg");
    assert_string_equal(folded("ÆØÅ æøå"), "æøå æøå");
    assert_string_equal(folded("Aase Åse"), "aase åse");
}

static void test_fold_maps_accents_to_base_letters(void **state)
{
    (void)state;
    assert_string_equal(folded("ÉÈÊË éèêë"), "eeee eeee");
    assert_string_equal(folded("ÁÀÂ áàâ ÍÌÎÏ íìîï"), "aaa aaa iiii iiii");
    assert_string_equal(folded("ÓÒÔ óòô ÚÙÛÜ úùûü"), "ooo ooo uuuu uuuu");
    assert_string_equal(folded("Ññ Çç ß ẞ"), "nn cc ss ss");
}

static void test_fold_maps_swedish_umlauts_to_ae_and_oe(void **state)
{
    (void)state;
    assert_string_equal(folded("Ä ä Ö ö"), "æ æ ø ø");
    assert_string_equal(folded("Björn Ärlebäck"), "bjørn ærlebæck");
}

static void test_fold_keeps_other_letters_lowercased_when_simple(void **state)
{
    (void)state;
    assert_string_equal(folded("ãÃ ÕÐÞ ŁłŚ Шш ΩΣ"), "ãã õðþ łłś шш ωσ");
    assert_string_equal(folded("李 🙂 ×"), "李 🙂 ×");
}

static void test_fold_composes_decomposed_letters(void **state)
{
    (void)state;
    assert_string_equal(folded("A\xCC\x8Ase"), "åse");            /* A + ring */
    assert_string_equal(folded("Bjo\xCC\x88rn"), "bjørn");        /* o + diaeresis */
    assert_string_equal(folded("Andre\314\201e"), "andree");      /* e + acute */
    assert_string_equal(folded("x\xCC\x81"), "x\xCC\x81");        /* no such letter: kept */
    assert_string_equal(folded("\xC3\xA1\xCC\x8A"), "a\xCC\x8A"); /* mark after á: kept */
}

static void test_fold_replaces_invalid_utf8(void **state)
{
    (void)state;
    assert_string_equal(folded("a\377b"), "a\357\277\275b");     /* octal: \xFFb is one escape */
    assert_string_equal(folded("Kari\xC3"), "kari\xEF\xBF\xBD"); /* cut short */
    assert_string_equal(folded("\303a"), "\357\277\275a");       /* lost continuation */
    assert_string_equal(folded("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD"); /* overlong */
    assert_string_equal(folded("\xED\xA0\x80"),
                        "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); /* surrogate */
    assert_string_equal(folded("\xF4\x90\x80\x80!"),
                        "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD!"); /* > U+10FFFF */
}

static void test_fold_cuts_between_characters_and_reports_length(void **state)
{
    char out[8];

    (void)state;
    assert_int_equal(namesearch_fold("Åse", out, 3), 4);
    assert_string_equal(out, "å");
    assert_int_equal(namesearch_fold("Åse", out, 2), 4);
    assert_string_equal(out, ""); /* half an å is never written */
    assert_int_equal(namesearch_fold("ÅÅs", out, 4), 5);
    assert_string_equal(out, "å"); /* and nothing after the cut either */
    assert_int_equal(namesearch_fold("Åse", NULL, 0), 4);
    assert_int_equal(namesearch_fold("", out, sizeof out), 0);
    assert_string_equal(out, "");
}

static void test_collate_puts_aeoeaa_after_z_in_that_order(void **state)
{
    (void)state;
    assert_true(namesearch_collate("zahl", "æsa") < 0);
    assert_true(namesearch_collate("æsa", "øya") < 0);
    assert_true(namesearch_collate("øya", "åse") < 0);
    assert_true(namesearch_collate("åse", "aase") > 0);
    assert_true(namesearch_collate("kari", "kari anne") < 0);
    assert_true(namesearch_collate("anne", "anne") == 0);
    assert_true(namesearch_collate("åse", "łukasz") < 0);
}

/* ---- Matching --------------------------------------------------------- */

static void test_prefix_of_given_name_matches(void **state)
{
    static const struct volunteer roster[] = {
        {1, "Kari", "Nordmann"}, {2, "Ola", "Hansen"}, {3, "Karl", "Olsen"}};
    struct namesearch *search = INDEX(roster);

    (void)state;
    assert_string_equal(found(search, "ka"), "1,3");
    assert_string_equal(found(search, "kar"), "1,3");
    assert_string_equal(found(search, "kari"), "1");
    assert_string_equal(found(search, "karin"), "");
    assert_string_equal(found(search, "ari"), ""); /* a prefix, not a substring */
    namesearch_free(search);
}

static void test_prefix_of_family_name_matches(void **state)
{
    static const struct volunteer roster[] = {
        {1, "Kari", "Nordmann"}, {2, "Ola", "Hansen"}, {3, "Karl", "Olsen"}};
    struct namesearch *search = INDEX(roster);

    (void)state;
    assert_string_equal(found(search, "no"), "1");
    assert_string_equal(found(search, "hansen"), "2");
    assert_string_equal(found(search, "ol"), "3,2"); /* Karl Olsen, Ola Hansen: by given name */
    namesearch_free(search);
}

static void test_prefix_of_middle_part_and_hyphenated_part_matches(void **state)
{
    static const struct volunteer roster[] = {
        {1, "Kari Anne", "Nordmann-Berg"}, {2, "Anne-Lise", "Olsen"}, {3, "Bergljot", "Lie"}};
    struct namesearch *search = INDEX(roster);

    (void)state;
    assert_string_equal(found(search, "anne"), "2,1");
    assert_string_equal(found(search, "berg"), "3,1");
    assert_string_equal(found(search, "lise"), "2");
    assert_string_equal(found(search, "nordmann"), "1");
    namesearch_free(search);
}

static void test_whole_hyphenated_word_matches(void **state)
{
    static const struct volunteer roster[] = {
        {1, "Kari Anne", "Nordmann-Berg"}, {2, "Anne-Lise", "Olsen"}, {3, "Per", "Nordmann"}};
    struct namesearch *search = INDEX(roster);

    (void)state;
    assert_string_equal(found(search, "nordmann-"), "1");
    assert_string_equal(found(search, "nordmann-b"), "1");
    assert_string_equal(found(search, "Nordmann-Berg"), "1");
    assert_string_equal(found(search, "nordmann-berg-"), "");
    assert_string_equal(found(search, "nordmann nordm"), "1"); /* the piece and the whole */
    assert_string_equal(found(search, "anne-l"), "2");
    assert_string_equal(found(search, "anne-"), "2");
    namesearch_free(search);
}

static void test_query_is_case_insensitive(void **state)
{
    static const struct volunteer roster[] = {
        {1, "Kari", "Nordmann"}, {2, "ÅSE", "ØDEGÅRD"}, {3, "éva", "lie"}};
    struct namesearch *search = INDEX(roster);

    (void)state;
    assert_string_equal(found(search, "KARI"), "1");
    assert_string_equal(found(search, "kArI nOr"), "1");
    assert_string_equal(found(search, "åse"), "2");
    assert_string_equal(found(search, "Ødegå"), "2");
    assert_string_equal(found(search, "EVA"), "3");
    assert_string_equal(found(search, "LIE"), "3");
    namesearch_free(search);
}

static void test_aeoeaa_are_distinct_from_a_o_and_aa(void **state)
{
    static const struct volunteer roster[] = {{1, "Åse", "Hansen"}, {2, "Aase", "Olsen"},
                                              {3, "Asle", "Berg"},  {4, "Øyvind", "Lie"},
                                              {5, "Oddvar", "Moe"}, {6, "Ærle", "Dahl"}};
    struct namesearch *search = INDEX(roster);

    (void)state;
    assert_string_equal(found(search, "å"), "1");
    assert_string_equal(found(search, "Å"), "1");
    assert_string_equal(found(search, "a"), "2,3"); /* not Åse */
    assert_string_equal(found(search, "aa"), "2");  /* not Åse either */
    assert_string_equal(found(search, "ø"), "4");
    assert_string_equal(found(search, "o"), "2,5"); /* Olsen, Oddvar; not Øyvind */
    assert_string_equal(found(search, "æ"), "6");
    assert_string_equal(found(search, "ae"), "");
    assert_string_equal(found(search, "oe"), "");
    namesearch_free(search);
}

static void test_accented_letters_match_their_base_letter(void **state)
{
    static const struct volunteer roster[] = {{1, "Andrée", "Lie"},  {2, "Hans", "Müller"},
                                              {3, "José", "Núñez"},  {4, "François", "Çelik"},
                                              {5, "Ursula", "Weiß"}, {6, "Renée", "Ínes"},
                                              {7, "Andre", "Berg"}};
    struct namesearch *search = INDEX(roster);

    (void)state;
    assert_string_equal(found(search, "andre"), "7,1"); /* andre < andree */
    assert_string_equal(found(search, "andree"), "1");
    assert_string_equal(found(search, "ANDRÉE"), "1");
    assert_string_equal(found(search, "andrè"), "7,1");
    assert_string_equal(found(search, "muller"), "2");
    assert_string_equal(found(search, "müll"), "2");
    assert_string_equal(found(search, "nunez"), "3");
    assert_string_equal(found(search, "jose"), "3");
    assert_string_equal(found(search, "francois"), "4");
    assert_string_equal(found(search, "celik"), "4");
    assert_string_equal(found(search, "weiss"), "5");
    assert_string_equal(found(search, "weiß"), "5");
    assert_string_equal(found(search, "renee ines"), "6");
    namesearch_free(search);
}

static void test_swedish_spellings_find_norwegian_names_and_back(void **state)
{
    static const struct volunteer roster[] = {
        {1, "Björn", "Ström"}, {2, "Bjørn", "Strøm"}, {3, "Bjarne", "Stabell"}};
    struct namesearch *search = INDEX(roster);

    (void)state;
    assert_string_equal(found(search, "bjø"), "1,2");
    assert_string_equal(found(search, "bjö"), "1,2");
    assert_string_equal(found(search, "bjo"), "");
    assert_string_equal(found(search, "strö"), "1,2");
    namesearch_free(search);
}

static void test_multi_word_query_needs_each_word_on_a_different_part(void **state)
{
    static const struct volunteer roster[] = {{1, "Kari", "Nordmann"},  {2, "Kari", "Hansen"},
                                              {3, "Nora", "Karisen"},   {4, "Anne", "Andersen"},
                                              {5, "Anne Anne", "Berg"}, {6, "Anne", "Lie"}};
    struct namesearch *search = INDEX(roster);

    (void)state;
    assert_string_equal(found(search, "kari n"), "1,3");
    assert_string_equal(found(search, "n kari"), "1,3");
    assert_string_equal(found(search, "  kari \t n  "), "1,3");
    assert_string_equal(found(search, "kari h"), "2");
    assert_string_equal(found(search, "kari"), "2,1,3");
    assert_string_equal(found(search, "kari kari"), "");
    assert_string_equal(found(search, "kari x"), "");
    assert_string_equal(found(search, "anne anne"), "5");
    /* "a" must give way to "anne" on Anne Andersen: a matching, not greed. */
    assert_string_equal(found(search, "a anne"), "4,5");
    assert_string_equal(found(search, "anne a"), "4,5");
    namesearch_free(search);
}

static void test_results_ordered_by_given_then_family_with_aeoeaa_after_z(void **state)
{
    static const struct volunteer roster[] = {
        {1, "Åge", "Lie"},     {2, "Zara", "Lie"},  {3, "Ærle", "Lie"},  {4, "Anne", "Lie"},
        {5, "Øystein", "Lie"}, {6, "Aase", "Lie"},  {7, "Ola", "Lie"},   {8, "Émile", "Lie"},
        {11, "Per", "Ås"},     {12, "Per", "Berg"}, {13, "Per", "Øvre"}, {14, "Per", "Zahl"},
        {15, "Per", "Ærø"},    {16, "Per", "Aas"},  {20, "Per", "Berg"}, {10, "Per", "Berg"}};
    struct namesearch *search = INDEX(roster);

    (void)state;
    assert_string_equal(found(search, "lie"), "6,4,8,7,2,3,5,1");
    assert_string_equal(found(search, "per"), "16,10,12,20,14,15,13,11"); /* equal names: by id */
    namesearch_free(search);
}

static void test_max_caps_results_but_total_counts_all(void **state)
{
    struct namesearch *search;
    int64_t ids[5];
    size_t total = 0;

    (void)state;
    assert_int_equal(namesearch_new(&search), 0);
    for (int i = 0; i < 30; i++) {
        char family[16];

        snprintf(family, sizeof family, "Berg%02d", 29 - i);
        assert_int_equal(namesearch_add(search, i, "Kari", family), 0);
    }
    assert_int_equal(namesearch_add(search, 99, "Ola", "Hansen"), 0);
    assert_int_equal(namesearch_finish(search), 0);

    assert_int_equal(namesearch_query(search, "kari", ids, 5, &total), 5);
    assert_int_equal(total, 30);
    for (int i = 0; i < 5; i++) /* Berg00, Berg01, ... were added last */
        assert_int_equal(ids[i], 29 - i);
    assert_int_equal(namesearch_query(search, "kari", NULL, 0, &total), 0);
    assert_int_equal(total, 30);
    assert_int_equal(namesearch_query(search, "kari", ids, 5, NULL), 5);
    assert_int_equal(namesearch_query(search, "o", ids, 5, &total), 1);
    assert_int_equal(total, 1);
    namesearch_free(search);
}

static void test_empty_or_whitespace_query_returns_nothing(void **state)
{
    static const struct volunteer roster[] = {{1, "Kari", "Nordmann"}, {2, "Ola", ""}};
    static const char *const queries[] = {"", " ", "   ", "\t\n\r\v\f"};
    struct namesearch *search = INDEX(roster);
    int64_t ids[4];

    (void)state;
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        size_t total = 7;

        assert_int_equal(namesearch_query(search, queries[i], ids, 4, &total), 0);
        assert_int_equal(total, 0);
    }
    assert_string_equal(found(search, "-"), "");
    assert_string_equal(found(search, "ola"), "2"); /* an empty family name is fine */
    namesearch_free(search);
}

static void test_invalid_utf8_in_names_and_queries_is_harmless(void **state)
{
    static const struct volunteer roster[] = {{1, "Kari\xC3", "Nordmann"},
                                              {2, "Ma\xFFrit", "Lie"},
                                              {3, "\xED\xA0\x80", "\xC0"},
                                              {4, "\xFF\xFE\xFD", "Hansen"},
                                              {5, "Ola", "Berg\xE2\x82"}};
    struct namesearch *search = INDEX(roster);

    (void)state;
    assert_string_equal(found(search, "kari"), "1");
    assert_string_equal(found(search, "ma"), "2");
    assert_string_equal(found(search, "hansen"), "4");
    assert_string_equal(found(search, "berg"), "5");
    /* A bad query byte folds as a bad name byte does, and matches it. */
    assert_string_equal(found(search, "\xFF"), "4,3"); /* same given names; h < U+FFFD */
    assert_string_equal(found(search, "ma\xFE"), "2");
    assert_string_equal(found(search, "\xC3"), "4,3");
    assert_string_equal(found(search, "\x80\x80 kari"), "");
    namesearch_free(search);
}

static void test_forty_character_names_match_in_full(void **state)
{
    static const struct volunteer roster[] = {
        {1, "Anne-Kristiane Margrethe Åsebø Elisabeth", "Solbakken-Østensjø Ødegård-Christianssen"},
        {2, "Marie-Thérèse Sørbø Ärlebäck Lindqvist-Å",
         "Solbakken-Østensjø Ødegård-Christianssen"}};
    struct namesearch *search = INDEX(roster);

    (void)state;
    assert_string_equal(found(search, "anne-kristiane margrethe åsebø elisabeth"), "1");
    assert_string_equal(found(search, "Solbakken-Østensjø Ødegård-Christianssen"), "1,2");
    assert_string_equal(found(search, "marie-therese sørbø ærlebæck lindqvist-å "
                                      "solbakken-østensjø ødegård-christianssen"),
                        "2");
    assert_string_equal(found(search, "christianssen elisabeth"), "1");
    assert_string_equal(found(search, "å"), "1,2"); /* åsebø; lindqvist-å */
    namesearch_free(search);
}

static void test_longest_names_are_accepted_and_longer_refused(void **state)
{
    char name[NAMESEARCH_NAME_MAX + 2];
    char query[NAMESEARCH_QUERY_MAX + 2];
    struct namesearch *search;
    int64_t ids[2];

    (void)state;
    assert_int_equal(namesearch_new(&search), 0);
    for (size_t i = 0; i < NAMESEARCH_NAME_MAX; i += 2)
        memcpy(name + i, "é", 2);
    name[NAMESEARCH_NAME_MAX] = '\0';
    assert_int_equal(namesearch_add(search, 1, name, "Lie"), 0);
    memset(name, 0xFF, NAMESEARCH_NAME_MAX); /* triples in size when folded */
    assert_int_equal(namesearch_add(search, 2, "Kari", name), 0);
    name[NAMESEARCH_NAME_MAX] = 'x';
    name[NAMESEARCH_NAME_MAX + 1] = '\0';
    assert_int_equal(namesearch_add(search, 3, "Kari", name), -E2BIG);
    assert_int_equal(namesearch_add(search, 3, name, "Lie"), -E2BIG);
    assert_int_equal(namesearch_finish(search), 0);
    assert_int_equal(namesearch_count(search), 2);

    assert_string_equal(found(search, "eeeeeeeeeeeeeeeee"), "1");
    assert_string_equal(found(search, "kari"), "2");
    memset(query, 'e', NAMESEARCH_QUERY_MAX);
    query[NAMESEARCH_QUERY_MAX] = '\0';
    assert_int_equal(namesearch_query(search, query, ids, 2, NULL), 1);
    query[NAMESEARCH_QUERY_MAX] = 'e';
    query[NAMESEARCH_QUERY_MAX + 1] = '\0';
    assert_int_equal(namesearch_query(search, query, ids, 2, NULL), -E2BIG);

    /* Sixteen words are a query; seventeen are not. */
    strcpy(query, "e e e e e e e e e e e e e e e e");
    assert_int_equal(namesearch_query(search, query, ids, 2, NULL), 0);
    strcat(query, " e");
    assert_int_equal(namesearch_query(search, query, ids, 2, NULL), -E2BIG);
    namesearch_free(search);
}

static void test_misuse_is_refused(void **state)
{
    struct namesearch *search;
    int64_t ids[2];
    size_t total = 5;

    (void)state;
    assert_int_equal(namesearch_new(&search), 0);
    assert_int_equal(namesearch_add(search, 1, NULL, "Lie"), -EINVAL);
    assert_int_equal(namesearch_add(search, 1, "Kari", NULL), -EINVAL);
    assert_int_equal(namesearch_add(search, 1, "Kari", "Lie"), 0);
    assert_int_equal(namesearch_query(search, "kari", ids, 2, &total), -EINVAL);
    assert_int_equal(total, 0);
    assert_int_equal(namesearch_finish(search), 0);
    assert_int_equal(namesearch_finish(search), -EINVAL);
    assert_int_equal(namesearch_add(search, 2, "Ola", "Lie"), -EINVAL);
    assert_int_equal(namesearch_query(search, NULL, ids, 2, &total), -EINVAL);
    assert_string_equal(found(search, "kari"), "1");
    namesearch_free(search);
    namesearch_free(NULL);
}

static void test_empty_index_finds_no_one(void **state)
{
    struct namesearch *search;
    size_t total = 5;

    (void)state;
    assert_int_equal(namesearch_new(&search), 0);
    assert_int_equal(namesearch_finish(search), 0);
    assert_int_equal(namesearch_query(search, "kari", NULL, 0, &total), 0);
    assert_int_equal(total, 0);
    namesearch_free(search);

    assert_int_equal(namesearch_new(&search), 0);
    assert_int_equal(namesearch_add(search, 1, "", " - "), 0); /* a person with no parts */
    assert_int_equal(namesearch_finish(search), 0);
    assert_string_equal(found(search, "k"), "");
    namesearch_free(search);
}

/* ---- Cross-check against a reference ---------------------------------- */

#define REF_PEOPLE    2000
#define REF_QUERIES   6000
#define REF_NAME_MAX  64
#define REF_PARTS_MAX 16
#define REF_SEED      UINT64_C(0x7115ede)

/* The reference: every person's folded name split by the definition in
 * namesearch.h, and for each query every person tried in turn. */
struct ref_person {
    int64_t id;
    char given[REF_NAME_MAX * 3 + 1], family[REF_NAME_MAX * 3 + 1]; /* folded */
    char parts[REF_PARTS_MAX][REF_NAME_MAX * 3 + 1];
    size_t part_count;
};

static uint64_t rng_state;

static uint64_t rng_next(void) /* xorshift64* */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

static size_t rng_below(size_t n)
{
    return (size_t)(rng_next() % n);
}

/* Few, short, colliding pieces: many names share prefixes, and the letters
 * that fold (å/aa/a, ä/æ, é/e, upper case, bad bytes) meet each other. */
static const char *const syllables[] = {
    "a",  "aa", "å",  "Å",   "æ",    "ä",    "Ä",   "ø", "ö",  "o",  "e",    "é",
    "É",  "an", "An", "ann", "ne",   "kar",  "Kar", "i", "li", "se", "berg", "Ber",
    "ss", "ß",  "ü",  "u",   "\xFF", "\xC3", "n",   "ñ", "x",  "Øy", "ås",
};
#define SYLLABLE_COUNT (sizeof syllables / sizeof syllables[0])

static void random_word(char *out, size_t cap)
{
    size_t count = 1 + rng_below(3);

    out[0] = '\0';
    for (size_t i = 0; i < count; i++)
        strncat(out, syllables[rng_below(SYLLABLE_COUNT)], cap - strlen(out) - 1);
}

static void random_name(char *out, size_t cap)
{
    size_t words = 1 + rng_below(3);

    out[0] = '\0';
    for (size_t i = 0; i < words; i++) {
        char word[24];

        if (i > 0)
            strncat(out, rng_below(3) ? " " : "-", cap - strlen(out) - 1);
        random_word(word, sizeof word);
        strncat(out, word, cap - strlen(out) - 1);
    }
    if (rng_below(20) == 0)
        strncat(out, rng_below(2) ? " " : "-", cap - strlen(out) - 1);
}

static bool ref_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void ref_add_part(struct ref_person *person, const char *start, size_t len)
{
    assert_true(person->part_count < REF_PARTS_MAX);
    memcpy(person->parts[person->part_count], start, len);
    person->parts[person->part_count++][len] = '\0';
}

static void ref_split(struct ref_person *person, const char *name)
{
    size_t at = 0, len = strlen(name);

    while (at < len) {
        size_t word_end, pieces = 0;

        if (ref_space(name[at])) {
            at++;
            continue;
        }
        for (word_end = at; word_end < len && !ref_space(name[word_end]); word_end++)
            ;
        for (size_t piece = at; piece < word_end;) {
            size_t piece_end = piece;

            while (piece_end < word_end && name[piece_end] != '-')
                piece_end++;
            if (piece_end > piece) {
                ref_add_part(person, name + piece, piece_end - piece);
                pieces++;
            }
            piece = piece_end + 1;
        }
        if (pieces > 1)
            ref_add_part(person, name + at, word_end - at);
        at = word_end;
    }
}

/* Backtracking over which part each word takes: exponential, and obviously
 * right for the few words and parts here. */
static bool ref_assign(const struct ref_person *person, char words[][REF_NAME_MAX * 3 + 1],
                       size_t word_count, size_t word, uint64_t used)
{
    if (word == word_count)
        return true;
    for (size_t part = 0; part < person->part_count; part++)
        if (!(used & UINT64_C(1) << part) &&
            strncmp(person->parts[part], words[word], strlen(words[word])) == 0 &&
            ref_assign(person, words, word_count, word + 1, used | UINT64_C(1) << part))
            return true;
    return false;
}

/* Decodes valid UTF-8 (folded text always is). */
static uint32_t ref_next(const unsigned char **s)
{
    const unsigned char *p = *s;
    uint32_t cp;

    if (p[0] < 0x80)
        cp = p[0], *s += 1;
    else if (p[0] < 0xE0)
        cp = (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F), *s += 2;
    else if (p[0] < 0xF0)
        cp = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F), *s += 3;
    else
        cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
             (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F),
        *s += 4;
    return cp;
}

static uint32_t ref_weight(uint32_t cp)
{
    static const uint32_t norwegian[] = {0xE6, 0xF8, 0xE5}; /* æ ø å */

    for (uint32_t i = 0; i < 3; i++)
        if (cp == norwegian[i])
            return 0x80 + i;
    return cp < 0x80 ? cp : cp + 0x100;
}

static int ref_collate(const char *a, const char *b)
{
    const unsigned char *pa = (const unsigned char *)a, *pb = (const unsigned char *)b;

    for (;;) {
        uint32_t wa = ref_weight(ref_next(&pa)), wb = ref_weight(ref_next(&pb));

        if (wa != wb)
            return wa < wb ? -1 : 1;
        if (wa == 0)
            return 0;
    }
}

static int ref_order(const void *left, const void *right)
{
    const struct ref_person *a = *(const struct ref_person *const *)left;
    const struct ref_person *b = *(const struct ref_person *const *)right;
    int order = ref_collate(a->given, b->given);

    if (order == 0)
        order = ref_collate(a->family, b->family);
    return order ? order : (a->id > b->id) - (a->id < b->id);
}

static void random_query(const struct ref_person *people, char *out, size_t cap)
{
    size_t words = 1 + rng_below(3);

    out[0] = '\0';
    for (size_t i = 0; i < words; i++) {
        char word[REF_NAME_MAX * 3 + 1];

        if (i > 0)
            strncat(out, rng_below(5) ? " " : "  ", cap - strlen(out) - 1);
        if (rng_below(2)) { /* a prefix of someone's real part: a likely hit */
            const struct ref_person *person = &people[rng_below(REF_PEOPLE)];

            if (person->part_count == 0)
                continue;
            snprintf(word, sizeof word, "%s", person->parts[rng_below(person->part_count)]);
            word[1 + rng_below(strlen(word))] = '\0';
            if ((unsigned char)word[strlen(word) - 1] >= 0x80) /* cut inside a character */
                word[strlen(word) - 1] = 'x';
        } else {
            random_word(word, sizeof word);
        }
        strncat(out, word, cap - strlen(out) - 1);
    }
}

static void test_random_names_match_reference_implementation(void **state)
{
    struct ref_person *people = calloc(REF_PEOPLE, sizeof *people);
    struct ref_person **sorted = calloc(REF_PEOPLE, sizeof *sorted);
    int64_t *ids = calloc(REF_PEOPLE, sizeof *ids), *expected = calloc(REF_PEOPLE, sizeof *ids);
    static char words[NAMESEARCH_QUERY_WORDS_MAX][REF_NAME_MAX * 3 + 1];
    struct namesearch *search;
    size_t hits = 0, multi_word_hits = 0;

    (void)state;
    assert_non_null(people);
    assert_non_null(sorted);
    assert_non_null(ids);
    assert_non_null(expected);
    rng_state = REF_SEED;
    assert_int_equal(namesearch_new(&search), 0);
    for (size_t i = 0; i < REF_PEOPLE; i++) {
        struct ref_person *person = &people[i];
        char given[REF_NAME_MAX], family[REF_NAME_MAX];

        person->id = (int64_t)(rng_next() % 1000000) - 500000;
        random_name(given, sizeof given);
        random_name(family, sizeof family);
        assert_int_equal(namesearch_add(search, person->id, given, family), 0);
        namesearch_fold(given, person->given, sizeof person->given);
        namesearch_fold(family, person->family, sizeof person->family);
        ref_split(person, person->given);
        ref_split(person, person->family);
        sorted[i] = person;
    }
    assert_int_equal(namesearch_finish(search), 0);
    qsort(sorted, REF_PEOPLE, sizeof *sorted, ref_order);

    for (size_t q = 0; q < REF_QUERIES; q++) {
        static const size_t maxes[] = {0, 1, 5, 20, REF_PEOPLE};
        char query[160], folded_query[160 * 3 + 1], *cursor = folded_query;
        size_t max = maxes[rng_below(5)], word_count = 0, total = 0, expected_total = 0;
        int count;

        random_query(people, query, sizeof query);
        namesearch_fold(query, folded_query, sizeof folded_query);
        for (;;) {
            size_t len;

            while (ref_space(*cursor))
                cursor++;
            if (!*cursor)
                break;
            len = strcspn(cursor, " \t\n\r\v\f");
            memcpy(words[word_count], cursor, len);
            words[word_count++][len] = '\0';
            cursor += len;
        }
        for (size_t i = 0; i < REF_PEOPLE && word_count > 0; i++)
            if (ref_assign(sorted[i], words, word_count, 0, 0)) {
                if (expected_total < max)
                    expected[expected_total] = sorted[i]->id;
                expected_total++;
            }

        count = namesearch_query(search, query, ids, max, &total);
        if (total != expected_total)
            fail_msg("seed %#llx, query %zu \"%s\": total %zu, reference %zu",
                     (unsigned long long)REF_SEED, q, query, total, expected_total);
        assert_int_equal(count, expected_total < max ? expected_total : max);
        for (int i = 0; i < count; i++)
            if (ids[i] != expected[i])
                fail_msg("query \"%s\": result %d is %lld, reference %lld", query, i,
                         (long long)ids[i], (long long)expected[i]);
        hits += total > 0;
        multi_word_hits += total > 0 && word_count > 1;
    }
    /* The cross-check proves little if the queries never find anyone. */
    assert_true(hits > REF_QUERIES / 4);
    assert_true(multi_word_hits > REF_QUERIES / 20);
    print_message("%zu of %d random queries found someone (%zu of several words)\n", hits,
                  REF_QUERIES, multi_word_hits);

    namesearch_free(search);
    free(people);
    free(sorted);
    free(ids);
    free(expected);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold_lowercases_ascii_and_keeps_aeoeaa),
        cmocka_unit_test(test_fold_maps_accents_to_base_letters),
        cmocka_unit_test(test_fold_maps_swedish_umlauts_to_ae_and_oe),
        cmocka_unit_test(test_fold_keeps_other_letters_lowercased_when_simple),
        cmocka_unit_test(test_fold_composes_decomposed_letters),
        cmocka_unit_test(test_fold_replaces_invalid_utf8),
        cmocka_unit_test(test_fold_cuts_between_characters_and_reports_length),
        cmocka_unit_test(test_collate_puts_aeoeaa_after_z_in_that_order),
        cmocka_unit_test(test_prefix_of_given_name_matches),
        cmocka_unit_test(test_prefix_of_family_name_matches),
        cmocka_unit_test(test_prefix_of_middle_part_and_hyphenated_part_matches),
        cmocka_unit_test(test_whole_hyphenated_word_matches),
        cmocka_unit_test(test_query_is_case_insensitive),
        cmocka_unit_test(test_aeoeaa_are_distinct_from_a_o_and_aa),
        cmocka_unit_test(test_accented_letters_match_their_base_letter),
        cmocka_unit_test(test_swedish_spellings_find_norwegian_names_and_back),
        cmocka_unit_test(test_multi_word_query_needs_each_word_on_a_different_part),
        cmocka_unit_test(test_results_ordered_by_given_then_family_with_aeoeaa_after_z),
        cmocka_unit_test(test_max_caps_results_but_total_counts_all),
        cmocka_unit_test(test_empty_or_whitespace_query_returns_nothing),
        cmocka_unit_test(test_invalid_utf8_in_names_and_queries_is_harmless),
        cmocka_unit_test(test_forty_character_names_match_in_full),
        cmocka_unit_test(test_longest_names_are_accepted_and_longer_refused),
        cmocka_unit_test(test_misuse_is_refused),
        cmocka_unit_test(test_empty_index_finds_no_one),
        cmocka_unit_test(test_random_names_match_reference_implementation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
