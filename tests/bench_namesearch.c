/* Benchmark of the name search: builds an index of 10,000 generated
 * Norwegian names, then times every keystroke of many typed names against
 * two linear scans measured in the same run. Prints figures, never fails on
 * timing; exits non-zero only if the index and the scans disagree. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "namesearch.h"

#define PEOPLE            10000
#define BUILD_RUNS        7
#define TYPED_NAMES       1000 /* one-word queries: 1..6 letters of a given name */
#define TYPED_FULL_NAMES  300  /* two-word queries: a given name, then 1..4 letters of the family */
#define TYPED_LETTERS_MAX 6
#define RESULTS_SHOWN     20 /* what the kiosk's list has room for */
#define NAME_BYTES        128
#define PARTS_MAX         16
#define NS_PER_US         1000.0
#define INDEX_REPEATS     3 /* each keystroke's index query timed best of 3 */
#define ARENA_BYTES       (PEOPLE * 1024)

static const char *const given_names[] = {
    "Anne",     "Inger",    "Kari",      "Marit",   "Ingrid",  "Liv",      "Eva",    "Berit",
    "Astrid",   "Bjørg",    "Hilde",     "Anna",    "Solveig", "Marianne", "Randi",  "Ida",
    "Nina",     "Maria",    "Elisabeth", "Kristin", "Bente",   "Heidi",    "Silje",  "Hanne",
    "Gerd",     "Linda",    "Tone",      "Elin",    "Anita",   "Wenche",   "Grethe", "Camilla",
    "Ragnhild", "Åse",      "Sølvi",     "Kjærsti", "Tove",    "Turid",    "Unni",   "Else",
    "Gunn",     "Gro",      "Aud",       "Ellen",   "Mari",    "Sissel",   "Torill", "Reidun",
    "Jan",      "Per",      "Bjørn",     "Ole",     "Lars",    "Kjell",    "Knut",   "Arne",
    "Svein",    "Thomas",   "Hans",      "Geir",    "Tor",     "Morten",   "Terje",  "Odd",
    "Martin",   "Erik",     "Andreas",   "Rune",    "John",    "Trond",    "Anders", "Tore",
    "Harald",   "Jon",      "Øyvind",    "Ståle",   "Ørjan",   "Øystein",  "Åge",    "André",
    "René",     "Håkon",    "Pål",       "Jørgen",  "Søren",   "Nils",     "Gunnar", "Leif",
    "Magnus",   "Kristian", "Einar",     "Helge",   "Arild",   "Steinar",  "Renée",  "Aase",
    "Mohammed", "Fatima",
};

static const char *const family_names[] = {
    "Hansen",    "Johansen",      "Olsen",      "Larsen",     "Andersen",    "Pedersen",
    "Nilsen",    "Kristiansen",   "Jensen",     "Karlsen",    "Johnsen",     "Pettersen",
    "Eriksen",   "Berg",          "Haugen",     "Hagen",      "Johannessen", "Andreassen",
    "Jacobsen",  "Dahl",          "Jørgensen",  "Halvorsen",  "Henriksen",   "Lund",
    "Sørensen",  "Jakobsen",      "Moen",       "Gundersen",  "Iversen",     "Strand",
    "Solberg",   "Svendsen",      "Eide",       "Knutsen",    "Martinsen",   "Paulsen",
    "Bakken",    "Kristoffersen", "Mathisen",   "Lie",        "Amundsen",    "Nguyen",
    "Rasmussen", "Ali",           "Lunde",      "Solheim",    "Berge",       "Moe",
    "Nygård",    "Bakke",         "Kristensen", "Fredriksen", "Holm",        "Lien",
    "Hauge",     "Christensen",   "Andresen",   "Nielsen",    "Knudsen",     "Evensen",
    "Sæther",    "Aas",           "Myhre",      "Hanssen",    "Ahmed",       "Haugland",
    "Thomassen", "Sivertsen",     "Simonsen",   "Danielsen",  "Berntsen",    "Sandvik",
    "Rønning",   "Arnesen",       "Antonsen",   "Næss",       "Vik",         "Haug",
    "Ellingsen", "Thorsen",       "Edvardsen",  "Birkeland",  "Isaksen",     "Gulbrandsen",
    "Ruud",      "Aasen",         "Strøm",      "Myklebust",  "Tangen",      "Ødegård",
    "Eliassen",  "Helland",       "Bøe",        "Jenssen",    "Aune",        "Mikkelsen",
    "Tveit",     "Brekke",        "Abrahamsen", "Madsen",     "Østby",       "Åsheim",
    "Løvås",     "Hætta",         "Sørli",      "Bjørnstad",  "Lindqvist",   "Ärlebäck",
    "Bergé",
};

#define COUNT(array) (sizeof array / sizeof array[0])

struct person {
    int64_t id;
    char given[NAME_BYTES], family[NAME_BYTES];
    /* For the pre-folded scan, in one arena as an index would keep them: */
    const char *folded_given, *folded_family;
    const char *parts[PARTS_MAX];
    size_t part_count;
};

struct arena {
    char *text;
    size_t used, cap;
};

struct query {
    char text[2 * NAME_BYTES];
    size_t words;
};

struct timings {
    double *us;
    size_t count;
};

static uint64_t rng_state = UINT64_C(0x5eed2024);

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

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One in five has two given names (space or hyphen), one in seven a
 * double family name: the shapes the parts rules are for. */
static void generate_people(struct person *people)
{
    for (size_t i = 0; i < PEOPLE; i++) {
        struct person *person = &people[i];
        const char *given = given_names[rng_below(COUNT(given_names))];
        const char *family = family_names[rng_below(COUNT(family_names))];

        person->id = (int64_t)i + 1;
        if (rng_below(5) == 0)
            snprintf(person->given, NAME_BYTES, "%s%s%s", given, rng_below(3) ? " " : "-",
                     given_names[rng_below(COUNT(given_names))]);
        else
            snprintf(person->given, NAME_BYTES, "%s", given);
        if (rng_below(7) == 0)
            snprintf(person->family, NAME_BYTES, "%s%s%s", family, rng_below(2) ? " " : "-",
                     family_names[rng_below(COUNT(family_names))]);
        else
            snprintf(person->family, NAME_BYTES, "%s", family);
    }
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A copy of text[0..len) with a NUL, in the arena (NULL when it is full). */
static const char *arena_copy(struct arena *arena, const char *text, size_t len)
{
    char *copy = arena->text + arena->used;

    if (arena->used + len + 1 > arena->cap)
        return NULL;
    memcpy(copy, text, len);
    copy[len] = '\0';
    arena->used += len + 1;
    return copy;
}

/* A name's parts as namesearch.h defines them, appended to parts. */
static size_t split_parts(const char *name, struct arena *arena, const char **parts, size_t count)
{
    for (const char *word = name; *word;) {
        const char *end = word;
        size_t pieces = 0;

        if (is_space(*word)) {
            word++;
            continue;
        }
        while (*end && !is_space(*end))
            end++;
        for (const char *piece = word; piece < end;) {
            const char *stop = piece;

            while (stop < end && *stop != '-')
                stop++;
            if (stop > piece && count < PARTS_MAX &&
                (parts[count] = arena_copy(arena, piece, (size_t)(stop - piece)))) {
                count++;
                pieces++;
            }
            piece = stop + 1;
        }
        if (pieces > 1 && count < PARTS_MAX &&
            (parts[count] = arena_copy(arena, word, (size_t)(end - word))))
            count++;
        word = end;
    }
    return count;
}

static bool assign(const char *const *parts, size_t part_count, char words[][NAME_BYTES],
                   size_t word_count, size_t word, unsigned used)
{
    if (word == word_count)
        return true;
    for (size_t part = 0; part < part_count; part++)
        if (!(used & 1u << part) && strncmp(parts[part], words[word], strlen(words[word])) == 0 &&
            assign(parts, part_count, words, word_count, word + 1, used | 1u << part))
            return true;
    return false;
}

static size_t split_query(const char *query, char words[][NAME_BYTES])
{
    char folded[3 * 2 * NAME_BYTES];
    size_t count = 0;

    namesearch_fold(query, folded, sizeof folded);
    for (char *word = strtok(folded, " \t\n\r"); word && count < 8; word = strtok(NULL, " \t\n\r"))
        snprintf(words[count++], NAME_BYTES, "%s", word);
    return count;
}

/* Baseline 1: every person's parts folded once beforehand; each query
 * walks all of them with strncmp. People are kept in display order. */
static size_t scan_prefolded(const struct person *const *sorted, const char *query, int64_t *ids,
                             size_t max)
{
    char words[8][NAME_BYTES];
    size_t word_count = split_query(query, words), total = 0;

    for (size_t i = 0; i < PEOPLE && word_count > 0; i++) {
        const struct person *person = sorted[i];

        if (assign(person->parts, person->part_count, words, word_count, 0, 0)) {
            if (total < max)
                ids[total] = person->id;
            total++;
        }
    }
    return total;
}

/* Baseline 2: the obvious code, folding every name on every keystroke. */
static size_t scan_folding(const struct person *const *sorted, const char *query, int64_t *ids,
                           size_t max)
{
    char words[8][NAME_BYTES], folded[3 * NAME_BYTES], scratch[4 * 3 * NAME_BYTES];
    const char *parts[PARTS_MAX];
    size_t word_count = split_query(query, words), total = 0;

    for (size_t i = 0; i < PEOPLE && word_count > 0; i++) {
        struct arena arena = {.text = scratch, .cap = sizeof scratch};
        size_t part_count;

        namesearch_fold(sorted[i]->given, folded, sizeof folded);
        part_count = split_parts(folded, &arena, parts, 0);
        namesearch_fold(sorted[i]->family, folded, sizeof folded);
        part_count = split_parts(folded, &arena, parts, part_count);
        if (assign(parts, part_count, words, word_count, 0, 0)) {
            if (total < max)
                ids[total] = sorted[i]->id;
            total++;
        }
    }
    return total;
}

static int display_order(const void *left, const void *right)
{
    const struct person *a = *(const struct person *const *)left;
    const struct person *b = *(const struct person *const *)right;
    int order = namesearch_collate(a->folded_given, b->folded_given);

    if (order == 0)
        order = namesearch_collate(a->folded_family, b->folded_family);
    return order ? order : (a->id > b->id) - (a->id < b->id);
}

/* The bytes of the first `letters` characters of s. */
static size_t utf8_prefix(const char *s, size_t letters)
{
    size_t at = 0;

    while (s[at] && letters > 0) {
        at++;
        while (((unsigned char)s[at] & 0xC0) == 0x80)
            at++;
        letters--;
    }
    return at;
}

static size_t utf8_length(const char *s)
{
    size_t count = 0;

    for (; *s; s++)
        count += ((unsigned char)*s & 0xC0) != 0x80;
    return count;
}

/* Every keystroke of typing names: "k", "ka", "kar", ...; then "kari n",
 * "kari no", ... for full names. */
static size_t make_queries(const struct person *people, struct query *queries)
{
    size_t count = 0;

    for (size_t i = 0; i < TYPED_NAMES; i++) {
        const struct person *person = &people[rng_below(PEOPLE)];
        size_t first_word = strcspn(person->given, " -");
        size_t letters = 1 + rng_below(TYPED_LETTERS_MAX);

        for (size_t typed = 1; typed <= letters; typed++) {
            size_t bytes = utf8_prefix(person->given, typed);

            if (bytes > first_word)
                break;
            snprintf(queries[count].text, sizeof queries[count].text, "%.*s", (int)bytes,
                     person->given);
            queries[count++].words = 1;
        }
    }
    for (size_t i = 0; i < TYPED_FULL_NAMES; i++) {
        const struct person *person = &people[rng_below(PEOPLE)];
        size_t letters = 1 + rng_below(4);

        for (size_t typed = 1; typed <= letters && typed <= utf8_length(person->family); typed++) {
            snprintf(queries[count].text, sizeof queries[count].text, "%.*s %.*s",
                     (int)strcspn(person->given, " -"), person->given,
                     (int)utf8_prefix(person->family, typed), person->family);
            queries[count++].words = 2;
        }
    }
    return count;
}

static int by_value(const void *left, const void *right)
{
    double a = *(const double *)left, b = *(const double *)right;

    return (a > b) - (a < b);
}

static double percentile(const double *sorted, size_t count, double fraction)
{
    return count ? sorted[(size_t)(fraction * (double)(count - 1) + 0.5)] : 0.0;
}

static void print_row(const char *label, struct timings *timings, double *median_out)
{
    qsort(timings->us, timings->count, sizeof *timings->us, by_value);
    *median_out = percentile(timings->us, timings->count, 0.5);
    printf("  %-30s %7zu %9.2f %9.2f %9.2f\n", label, timings->count, *median_out,
           percentile(timings->us, timings->count, 0.99),
           timings->count ? timings->us[timings->count - 1] : 0.0);
}

static struct namesearch *build_index(const struct person *people)
{
    struct namesearch *search;

    if (namesearch_new(&search) < 0)
        return NULL;
    for (size_t i = 0; i < PEOPLE; i++)
        if (namesearch_add(search, people[i].id, people[i].given, people[i].family) < 0)
            goto fail;
    if (namesearch_finish(search) < 0)
        goto fail;
    return search;
fail:
    namesearch_free(search);
    return NULL;
}

int main(void)
{
    struct person *people = calloc(PEOPLE, sizeof *people);
    const struct person **sorted = calloc(PEOPLE, sizeof *sorted);
    struct query *queries =
        calloc(TYPED_NAMES * TYPED_LETTERS_MAX + TYPED_FULL_NAMES * 4, sizeof *queries);
    double build_ms[BUILD_RUNS], prefold_ms;
    struct timings index_us[2] = {{0}}, prefolded_us[2] = {{0}}, folding_us[2] = {{0}};
    struct namesearch *search = NULL;
    size_t query_count, disagreements = 0, part_total = 0;
    int64_t start, ids[RESULTS_SHOWN], scan_ids[RESULTS_SHOWN];
    struct arena arena = {.text = malloc(ARENA_BYTES), .cap = ARENA_BYTES};
    int status = 1;

    if (!people || !sorted || !queries || !arena.text)
        goto out;
    generate_people(people);

    for (int run = 0; run < BUILD_RUNS; run++) {
        start = now_ns();
        namesearch_free(search);
        search = build_index(people);
        build_ms[run] = (double)(now_ns() - start) / 1e6;
        if (!search)
            goto out;
    }
    qsort(build_ms, BUILD_RUNS, sizeof *build_ms, by_value);

    start = now_ns();
    for (size_t i = 0; i < PEOPLE; i++) {
        struct person *person = &people[i];
        char folded[3 * NAME_BYTES];

        namesearch_fold(person->given, folded, sizeof folded);
        person->folded_given = arena_copy(&arena, folded, strlen(folded));
        person->part_count = split_parts(folded, &arena, person->parts, 0);
        namesearch_fold(person->family, folded, sizeof folded);
        person->folded_family = arena_copy(&arena, folded, strlen(folded));
        person->part_count = split_parts(folded, &arena, person->parts, person->part_count);
        if (!person->folded_given || !person->folded_family)
            goto out; /* the arena is too small */
        part_total += person->part_count;
        sorted[i] = person;
    }
    qsort(sorted, PEOPLE, sizeof *sorted, display_order);
    prefold_ms = (double)(now_ns() - start) / 1e6;

    query_count = make_queries(people, queries);
    for (int kind = 0; kind < 2; kind++) {
        size_t capacity = query_count;

        index_us[kind].us = calloc(capacity, sizeof(double));
        prefolded_us[kind].us = calloc(capacity, sizeof(double));
        folding_us[kind].us = calloc(capacity, sizeof(double));
        if (!index_us[kind].us || !prefolded_us[kind].us || !folding_us[kind].us)
            goto out;
    }

    for (size_t q = 0; q < query_count; q++) {
        const char *text = queries[q].text;
        int kind = queries[q].words > 1;
        size_t total = 0, scan_total, folding_total;
        int64_t best_ns;
        int shown = 0;
        bool agree;

        /* Best of a few: a preemption by another process on a shared
         * machine would otherwise be the max. */
        best_ns = INT64_MAX;
        for (int repeat = 0; repeat < INDEX_REPEATS; repeat++) {
            start = now_ns();
            shown = namesearch_query(search, text, ids, RESULTS_SHOWN, &total);
            int64_t elapsed_ns = now_ns() - start;

            best_ns = elapsed_ns < best_ns ? elapsed_ns : best_ns;
        }
        index_us[kind].us[index_us[kind].count++] = (double)best_ns / NS_PER_US;

        start = now_ns();
        scan_total = scan_prefolded(sorted, text, scan_ids, RESULTS_SHOWN);
        prefolded_us[kind].us[prefolded_us[kind].count++] = (double)(now_ns() - start) / NS_PER_US;
        agree = shown >= 0 && scan_total == total &&
                memcmp(ids, scan_ids, (size_t)shown * sizeof *ids) == 0;

        start = now_ns();
        folding_total = scan_folding(sorted, text, scan_ids, RESULTS_SHOWN);
        folding_us[kind].us[folding_us[kind].count++] = (double)(now_ns() - start) / NS_PER_US;
        agree = agree && folding_total == total &&
                memcmp(ids, scan_ids, (size_t)shown * sizeof *ids) == 0;
        disagreements += !agree;
    }

    printf("name search: %d volunteers, %zu name parts, %d results shown per query\n\n", PEOPLE,
           part_total, RESULTS_SHOWN);
    printf("start-up, ms                      median       min       max\n");
    printf("  index build (new, adds, finish) %9.2f %9.2f %9.2f   (%d runs)\n",
           build_ms[BUILD_RUNS / 2], build_ms[0], build_ms[BUILD_RUNS - 1], BUILD_RUNS);
    printf("  baseline: fold, split and sort  %9.2f                       (once)\n\n", prefold_ms);
    printf("per keystroke, us                  queries    median       p99       max\n");
    for (int kind = 0; kind < 2; kind++) {
        double index_median, prefolded_median, folding_median;

        printf("%s\n", kind ? "two words (\"kari n\" .. \"kari nord\")"
                            : "one word (1..6 letters of a given name)");
        print_row("index (best of 3)", &index_us[kind], &index_median);
        print_row("baseline: scan pre-folded parts", &prefolded_us[kind], &prefolded_median);
        print_row("baseline: fold every name", &folding_us[kind], &folding_median);
        printf("  median speed-up over the scans: %.0fx and %.0fx\n",
               prefolded_median / index_median, folding_median / index_median);
    }
    printf("\nresults identical to both scans on %zu of %zu queries\n", query_count - disagreements,
           query_count);
    status = disagreements ? 1 : 0;
out:
    for (int kind = 0; kind < 2; kind++) {
        free(index_us[kind].us);
        free(prefolded_us[kind].us);
        free(folding_us[kind].us);
    }
    namesearch_free(search);
    free(people);
    free(sorted);
    free(queries);
    free(arena.text);
    return status;
}
