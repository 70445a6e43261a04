/* The name search index (see namesearch.h): every folded name part in one
 * sorted array, so a query word's matches are one binary-searched range;
 * people are numbered in display order, so a bitmap of matches read from
 * the start is already the sorted result. */
#include "namesearch.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define REPLACEMENT_CHARACTER 0xFFFDu
#define BITS_PER_WORD         64

/* ---- Folding ---------------------------------------------------------- */

/* Decodes one code point from s[0..len). Returns the bytes used (at least
 * 1); a byte that does not start a valid sequence (overlong, surrogate,
 * beyond U+10FFFF, cut short) yields U+FFFD and is used alone, so the next
 * byte gets its own chance to start a character. */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char lead = s[0];
    size_t follow;
    uint32_t value, least;

    if (lead < 0x80) {
        *cp = lead;
        return 1;
    }
    if (lead >= 0xC2 && lead <= 0xDF) {
        follow = 1, value = lead & 0x1Fu, least = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        follow = 2, value = lead & 0x0Fu, least = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        follow = 3, value = lead & 0x07u, least = 0x10000;
    } else {
        goto invalid;
    }
    if (len <= follow)
        goto invalid;
    for (size_t i = 1; i <= follow; i++) {
        if ((s[i] & 0xC0) != 0x80)
            goto invalid;
        value = value << 6 | (s[i] & 0x3Fu);
    }
    if (value < least || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        goto invalid;
    *cp = value;
    return follow + 1;
invalid:
    *cp = REPLACEMENT_CHARACTER;
    return 1;
}

static size_t utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* U+00C0..U+00FF folded; 0 marks ß, which becomes two letters. */
static const uint16_t latin1_fold[64] = {
    /* À Á Â Ã Ä Å Æ Ç */ 'a',  'a', 'a', 0xE3, 0xE6, 0xE5, 0xE6, 'c',
    /* È É Ê Ë Ì Í Î Ï */ 'e',  'e', 'e', 'e',  'i',  'i',  'i',  'i',
    /* Ð Ñ Ò Ó Ô Õ Ö × */ 0xF0, 'n', 'o', 'o',  'o',  0xF5, 0xF8, 0xD7,
    /* Ø Ù Ú Û Ü Ý Þ ß */ 0xF8, 'u', 'u', 'u',  'u',  0xFD, 0xFE, 0,
    /* à á â ã ä å æ ç */ 'a',  'a', 'a', 0xE3, 0xE6, 0xE5, 0xE6, 'c',
    /* è é ê ë ì í î ï */ 'e',  'e', 'e', 'e',  'i',  'i',  'i',  'i',
    /* ð ñ ò ó ô õ ö ÷ */ 0xF0, 'n', 'o', 'o',  'o',  0xF5, 0xF8, 0xF7,
    /* ø ù ú û ü ý þ ÿ */ 0xF8, 'u', 'u', 'u',  'u',  0xFD, 0xFE, 0xFF,
};

/* One code point folded, or 0 for ß and ẞ (which become "ss"). */
static uint32_t fold_code_point(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp;
    if (cp < 0xC0)
        return cp;
    if (cp < 0x100)
        return latin1_fold[cp - 0xC0];
    if (cp < 0x180) { /* Latin Extended-A: capital and small alternate */
        if (cp == 0x130)
            return 'i'; /* İ */
        if (cp == 0x178)
            return 0xFF; /* Ÿ */
        if ((cp < 0x138 || (cp >= 0x14A && cp < 0x178)) && cp % 2 == 0)
            return cp + 1;
        if (((cp >= 0x139 && cp < 0x149) || (cp >= 0x179 && cp < 0x17F)) && cp % 2 == 1)
            return cp + 1;
        return cp;
    }
    if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) /* Greek capitals */
        return cp + 0x20;
    if (cp >= 0x400 && cp <= 0x40F) /* Cyrillic Ѐ..Џ */
        return cp + 0x50;
    if (cp >= 0x410 && cp <= 0x42F) /* Cyrillic А..Я */
        return cp + 0x20;
    if (cp == 0x1E9E)
        return 0;
    return cp;
}

/* A folded ASCII letter followed by a combining mark: the letter the pair
 * folds to, or 0 when the pair is not one of the letters folding names
 * (then the mark is kept as it is). */
static uint32_t fold_decomposed(uint32_t letter, uint32_t mark)
{
    bool vowel = letter == 'a' || letter == 'e' || letter == 'i' || letter == 'o' || letter == 'u';

    switch (mark) {
    case 0x300: /* grave */
    case 0x301: /* acute */
    case 0x302: /* circumflex */
        return vowel ? letter : 0;
    case 0x308: /* diaeresis: ä and ö are æ and ø */
        if (letter == 'a')
            return 0xE6;
        if (letter == 'o')
            return 0xF8;
        return vowel ? letter : 0;
    case 0x30A: /* ring above */
        return letter == 'a' ? 0xE5 : 0;
    case 0x303: /* tilde */
        return letter == 'n' ? letter : 0;
    case 0x327: /* cedilla */
        return letter == 'c' ? letter : 0;
    default:
        return 0;
    }
}

/* Appends up to `len` bytes to out[*used..cap-1) if the whole of them fit
 * (characters are never cut), and counts them in *need either way. */
static void fold_emit(const char *bytes, size_t len, char *out, size_t cap, size_t *used,
                      size_t *need)
{
    if (*used == *need && cap > 0 && *used + len < cap) {
        memcpy(out + *used, bytes, len);
        *used += len;
    }
    *need += len;
}

static size_t fold_span(const char *in, size_t len, char *out, size_t cap)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t pos = 0, used = 0, need = 0;

    while (pos < len) {
        uint32_t cp, folded;
        size_t step = utf8_decode(s + pos, len - pos, &cp);
        char bytes[4];

        pos += step;
        folded = fold_code_point(cp);
        if (folded == 0 && cp != 0) {
            fold_emit("ss", 2, out, cap, &used, &need);
            continue;
        }
        if (cp < 0x80 && pos < len && s[pos] >= 0xCC) {
            /* Combining marks U+0300..U+036F start with 0xCC or 0xCD. */
            uint32_t mark, composed = 0;
            size_t mark_len = utf8_decode(s + pos, len - pos, &mark);

            if (mark >= 0x300 && mark <= 0x36F)
                composed = fold_decomposed(folded, mark);
            if (composed) {
                folded = composed;
                pos += mark_len;
            }
        }
        fold_emit(bytes, utf8_encode(folded, bytes), out, cap, &used, &need);
    }
    if (cap > 0)
        out[used] = '\0';
    return need;
}

size_t namesearch_fold(const char *in, char *out, size_t cap)
{
    return fold_span(in, strlen(in), out, cap);
}

/* The sorting weight of a folded character: a..z keep their places, æ ø å
 * come right after the ASCII range, everything else after them. */
static uint32_t collate_weight(uint32_t cp)
{
    if (cp < 0x80)
        return cp;
    if (cp == 0xE6)
        return 0x80;
    if (cp == 0xF8)
        return 0x81;
    if (cp == 0xE5)
        return 0x82;
    return cp + 0x100;
}

int namesearch_collate(const char *folded_a, const char *folded_b)
{
    const unsigned char *a = (const unsigned char *)folded_a;
    const unsigned char *b = (const unsigned char *)folded_b;

    for (;;) {
        uint32_t cp_a, cp_b, weight_a, weight_b;

        while (*a == *b && *a < 0x80) {
            if (*a == '\0')
                return 0;
            a++, b++;
        }
        /* The strings end with NUL, and a decoder never reads past a
         * byte that is not a continuation byte, so 4 is a safe limit. */
        a += utf8_decode(a, *a ? 4 : 1, &cp_a);
        b += utf8_decode(b, *b ? 4 : 1, &cp_b);
        weight_a = collate_weight(cp_a);
        weight_b = collate_weight(cp_b);
        if (weight_a != weight_b)
            return weight_a < weight_b ? -1 : 1;
        if (cp_a == 0)
            return 0;
    }
}

/* Sort keys: a key orders as its string does, as far as it goes:
 * different keys decide, equal keys may need the strings to settle. */

/* The collation weights of the first eight characters, a byte each (a..z
 * and æ ø å all fit), then NULs. A character whose weight does not fit
 * becomes 0xFF and so do all the bytes after it: two such characters might
 * differ, so nothing after them may decide. */
static uint64_t collate_key(const char *folded)
{
    const unsigned char *text = (const unsigned char *)folded;
    uint64_t key = 0, escape = 0;

    for (int i = 0; i < 8; i++) {
        uint32_t cp = 0, weight;

        if (*text && !escape)
            text += utf8_decode(text, 4, &cp);
        weight = collate_weight(cp);
        if (weight >= 0xFF)
            escape = 0xFF;
        key = key << 8 | (escape ? escape : weight);
    }
    return key;
}

/* The first eight bytes, big-endian, NUL-padded: byte order of the text. */
static uint64_t prefix_key(const char *text)
{
    uint64_t key = 0;

    for (int i = 0; i < 8; i++) {
        key = key << 8 | (unsigned char)*text;
        if (*text)
            text++;
    }
    return key;
}

/* ---- The index -------------------------------------------------------- */

struct person {
    int64_t id;
    uint32_t given;      /* offset in the pool of the folded given name */
    uint32_t family;     /* ... and of the folded family name */
    uint32_t first_part; /* index in part_text of the person's first part */
    uint32_t part_count;
};

/* One name part of one person; the array of them is sorted by text. While
 * the people are sorted, entries also stand for their given names. */
struct entry {
    uint64_t key;    /* sorts as the text does, as far as it goes; see radix_sort */
    uint32_t text;   /* offset in the pool */
    uint32_t person; /* index in people, which is also the display rank */
};

struct namesearch {
    struct person *people;
    size_t people_count, people_cap;
    char *pool; /* folded names and parts, each NUL-terminated */
    size_t pool_len, pool_cap;
    uint32_t *part_text; /* pool offsets of the parts, person by person */
    size_t part_count, part_cap;
    struct entry *entries; /* part_count of them once finished */
    bool finished;
};

/* Grows an array to hold `need` items of `size` bytes, doubling. */
static int grow(void **array, size_t *cap, size_t need, size_t size)
{
    size_t new_cap = *cap ? *cap : 64;
    void *bigger;

    if (need <= *cap)
        return 0;
    while (new_cap < need)
        new_cap *= 2;
    bigger = realloc(*array, new_cap * size);
    if (!bigger)
        return -ENOMEM;
    *array = bigger;
    *cap = new_cap;
    return 0;
}

/* Copies `len` bytes and a NUL into the pool; *offset is where they went.
 * Offsets are 32 bits to keep the entries small, hence the limit. */
static int pool_add(struct namesearch *search, const char *text, size_t len, uint32_t *offset)
{
    if (search->pool_len + len + 1 > UINT32_MAX)
        return -E2BIG;
    if (grow((void **)&search->pool, &search->pool_cap, search->pool_len + len + 1, 1) < 0)
        return -ENOMEM;
    memcpy(search->pool + search->pool_len, text, len);
    search->pool[search->pool_len + len] = '\0';
    *offset = (uint32_t)search->pool_len;
    search->pool_len += len + 1;
    return 0;
}

static int part_add(struct namesearch *search, const char *text, size_t len)
{
    uint32_t offset;
    int rc = pool_add(search, text, len, &offset);

    if (rc < 0)
        return rc;
    if (grow((void **)&search->part_text, &search->part_cap, search->part_count + 1,
             sizeof *search->part_text) < 0)
        return -ENOMEM;
    search->part_text[search->part_count++] = offset;
    return 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Adds the parts of one folded name: each word's hyphen-separated pieces,
 * and the word whole when it has more than one piece. */
static int parts_add(struct namesearch *search, const char *folded)
{
    const char *word = folded;
    int rc;

    for (;;) {
        const char *end, *piece;
        int pieces = 0;

        while (is_space(*word))
            word++;
        if (*word == '\0')
            break;
        for (end = word; *end && !is_space(*end); end++)
            ;
        for (piece = word; piece < end;) {
            const char *stop = memchr(piece, '-', (size_t)(end - piece));

            if (!stop)
                stop = end;
            if (stop > piece) {
                if ((rc = part_add(search, piece, (size_t)(stop - piece))) < 0)
                    return rc;
                pieces++;
            }
            piece = stop + 1;
        }
        if (pieces > 1 && (rc = part_add(search, word, (size_t)(end - word))) < 0)
            return rc;
        word = end;
    }
    return 0;
}

int namesearch_new(struct namesearch **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : -ENOMEM;
}

/* Folds a name into the pool and adds its parts. The parts are cut from
 * the stack copy: adding them may move the pool. */
static int name_add(struct namesearch *search, const char *name, size_t len, uint32_t *offset)
{
    char folded[NAMESEARCH_FOLD_GROWTH * NAMESEARCH_NAME_MAX + 1];
    int rc = pool_add(search, folded, fold_span(name, len, folded, sizeof folded), offset);

    return rc < 0 ? rc : parts_add(search, folded);
}

int namesearch_add(struct namesearch *search, int64_t id, const char *given, const char *family)
{
    size_t given_len, family_len;
    size_t pool_mark = search->pool_len, part_mark = search->part_count;
    struct person person = {.id = id, .first_part = (uint32_t)search->part_count};
    int rc;

    if (!given || !family || search->finished)
        return -EINVAL;
    given_len = strlen(given);
    family_len = strlen(family);
    if (given_len > NAMESEARCH_NAME_MAX || family_len > NAMESEARCH_NAME_MAX ||
        search->people_count >= NAMESEARCH_PEOPLE_MAX)
        return -E2BIG;
    if (grow((void **)&search->people, &search->people_cap, search->people_count + 1,
             sizeof *search->people) < 0)
        return -ENOMEM;

    if ((rc = name_add(search, given, given_len, &person.given)) < 0 ||
        (rc = name_add(search, family, family_len, &person.family)) < 0) {
        search->pool_len = pool_mark; /* forget the half-added person */
        search->part_count = part_mark;
        return rc;
    }
    person.part_count = (uint32_t)(search->part_count - person.first_part);
    search->people[search->people_count++] = person;
    return 0;
}

/* Both sorts of the build go by a 64-bit key first, with a radix sort
 * (no comparisons, no calls), and compare strings only within runs of
 * equal keys: with qsort_r alone the sorts were most of the build time.
 * Stable, so equal keys keep the order they came in. */
static void radix_sort(struct entry *items, struct entry *scratch, size_t count)
{
    size_t counts[8][256] = {{0}};
    struct entry *from = items, *to = scratch;

    for (size_t i = 0; i < count; i++)
        for (int pass = 0; pass < 8; pass++)
            counts[pass][items[i].key >> (8 * pass) & 0xFF]++;
    for (int pass = 0; pass < 8 && count > 0; pass++) {
        size_t *slots = counts[pass], offset = 0;
        struct entry *swap;

        if (slots[from[0].key >> (8 * pass) & 0xFF] == count)
            continue; /* every key has the same byte here */
        for (int digit = 0; digit < 256; digit++) {
            size_t here = slots[digit];

            slots[digit] = offset;
            offset += here;
        }
        for (size_t i = 0; i < count; i++)
            to[slots[from[i].key >> (8 * pass) & 0xFF]++] = from[i];
        swap = from, from = to, to = swap;
    }
    if (from != items)
        memcpy(items, from, count * sizeof *items);
}

/* Byte order of two parts whose first 8 bytes are equal; `context` is the
 * pool. */
static int entry_order(const void *left, const void *right, void *context)
{
    const struct entry *a = left, *b = right;
    const char *pool = context;
    int order = strcmp(pool + a->text + 8, pool + b->text + 8);

    return order ? order : (a->person > b->person) - (a->person < b->person);
}

/* Sorts each run of parts whose keys are equal and may not be whole: a
 * tie of keys whose last byte is NUL is a tie of whole texts, which the
 * stable radix sort has left in rank order. */
static void sort_ties(struct entry *entries, size_t count, const char *pool)
{
    for (size_t start = 0, end; start < count; start = end) {
        for (end = start + 1; end < count && entries[end].key == entries[start].key; end++)
            ;
        if (end - start > 1 && (entries[start].key & 0xFF) != 0)
            qsort_r(entries + start, end - start, sizeof *entries, entry_order, (void *)pool);
    }
}

/* Display order of two people (entries for their given names); `context`
 * is the index. */
static int person_order(const void *left, const void *right, void *context)
{
    const struct namesearch *search = context;
    const struct person *a = &search->people[((const struct entry *)left)->person];
    const struct person *b = &search->people[((const struct entry *)right)->person];
    int order = namesearch_collate(search->pool + a->given, search->pool + b->given);

    if (order == 0)
        order = namesearch_collate(search->pool + a->family, search->pool + b->family);
    if (order == 0)
        order = (a->id > b->id) - (a->id < b->id);
    return order;
}

int namesearch_finish(struct namesearch *search)
{
    size_t people = search->people_count, parts = search->part_count, count = 0;
    struct entry *order = NULL, *scratch = NULL;
    struct person *sorted = NULL;
    uint64_t *family_keys = NULL;
    int rc = -ENOMEM;

    if (search->finished)
        return -EINVAL;
    if (people == 0)
        goto done;
    order = malloc(people * sizeof *order);
    scratch = malloc((people > parts ? people : parts) * sizeof *scratch);
    sorted = malloc(people * sizeof *sorted);
    family_keys = malloc(people * sizeof *family_keys);
    if (parts > 0)
        search->entries = malloc(parts * sizeof *search->entries);
    if (!order || !scratch || !sorted || !family_keys || (parts > 0 && !search->entries))
        goto out;

    /* People into display order: from here on a person's index is its
     * rank, which is what makes the query's bitmap come out sorted. Radix
     * sorts are stable, so sorting by id, then family, then given name
     * sorts by all three; only names longer than a key need comparing. */
    for (size_t i = 0; i < people; i++) {
        family_keys[i] = collate_key(search->pool + search->people[i].family);
        order[i] = (struct entry){
            .key = (uint64_t)search->people[i].id ^ UINT64_C(1) << 63, /* signed order */
            .person = (uint32_t)i,
        };
    }
    radix_sort(order, scratch, people);
    for (size_t i = 0; i < people; i++)
        order[i].key = family_keys[order[i].person];
    radix_sort(order, scratch, people);
    for (size_t i = 0; i < people; i++)
        order[i].key = collate_key(search->pool + search->people[order[i].person].given);
    radix_sort(order, scratch, people);
    for (size_t start = 0, end; start < people; start = end) {
        uint64_t given_key = order[start].key, family_key = family_keys[order[start].person];
        /* A given name longer than its key may still differ from the next
         * one's, so its run must not be cut by family names. */
        bool given_whole = (given_key & 0xFF) == 0;

        for (end = start + 1; end < people && order[end].key == given_key &&
                              (!given_whole || family_keys[order[end].person] == family_key);
             end++)
            ;
        if (end - start > 1 && (!given_whole || (family_key & 0xFF) != 0))
            qsort_r(order + start, end - start, sizeof *order, person_order, search);
    }
    for (size_t rank = 0; rank < people; rank++)
        sorted[rank] = search->people[order[rank].person];
    free(search->people);
    search->people = sorted;
    search->people_cap = people;
    sorted = NULL;

    /* Parts in plain byte order: all a query needs is that the parts
     * sharing a prefix lie together, and byte order of UTF-8 ensures it. */
    for (size_t rank = 0; rank < people; rank++) {
        const struct person *person = &search->people[rank];

        for (uint32_t part = 0; part < person->part_count; part++) {
            uint32_t text = search->part_text[person->first_part + part];

            search->entries[count++] = (struct entry){
                .key = prefix_key(search->pool + text),
                .text = text,
                .person = (uint32_t)rank,
            };
        }
    }
    radix_sort(search->entries, scratch, count);
    sort_ties(search->entries, count, search->pool);
done:
    search->finished = true;
    rc = 0;
out:
    if (rc < 0) {
        free(search->entries);
        search->entries = NULL;
    }
    free(order);
    free(scratch);
    free(sorted);
    free(family_keys);
    return rc;
}

size_t namesearch_count(const struct namesearch *search)
{
    return search->people_count;
}

void namesearch_free(struct namesearch *search)
{
    if (!search)
        return;
    free(search->people);
    free(search->pool);
    free(search->part_text);
    free(search->entries);
    free(search);
}

/* ---- Queries ---------------------------------------------------------- */

struct query {
    const char *words[NAMESEARCH_QUERY_WORDS_MAX];
    size_t lengths[NAMESEARCH_QUERY_WORDS_MAX];
    size_t count;
};

/* The first entry whose text is not below the prefix, or, with `past`,
 * the first after all the entries the prefix starts. */
static size_t entry_bound(const struct namesearch *search, const char *prefix, size_t len,
                          bool past)
{
    size_t low = 0, high = search->part_count;

    while (low < high) {
        size_t mid = low + (high - low) / 2;
        int order = strncmp(search->pool + search->entries[mid].text, prefix, len);

        if (order < 0 || (past && order == 0))
            low = mid + 1;
        else
            high = mid;
    }
    return low;
}

static bool word_prefixes(const struct query *query, size_t word, const char *part)
{
    return strncmp(part, query->words[word], query->lengths[word]) == 0;
}

/* Kuhn's augmenting path: tries to give `word` a part of its own, moving
 * the words already placed to other parts if that frees one. */
static bool assign_word(const struct namesearch *search, const struct person *person,
                        const struct query *query, size_t word, int *part_of_word,
                        uint32_t *visited)
{
    *visited |= UINT32_C(1) << word;
    for (uint32_t part = 0; part < person->part_count; part++) {
        const char *text = search->pool + search->part_text[person->first_part + part];
        size_t holder = query->count;

        if (!word_prefixes(query, word, text))
            continue;
        for (size_t other = 0; other < query->count; other++)
            if (part_of_word[other] == (int)part)
                holder = other;
        if (holder == query->count ||
            (!(*visited & UINT32_C(1) << holder) &&
             assign_word(search, person, query, holder, part_of_word, visited))) {
            part_of_word[word] = (int)part;
            return true;
        }
    }
    return false;
}

/* Whether each query word prefixes a different part of the person: a
 * matching in the bipartite graph of words and parts. Greedy assignment is
 * not enough: for "a anne" against Anne Andersen, "a" would take "anne"
 * and leave "anne" nothing, so placing a word may move the earlier ones. */
static bool person_matches(const struct namesearch *search, const struct person *person,
                           const struct query *query)
{
    int part_of_word[NAMESEARCH_QUERY_WORDS_MAX];

    for (size_t word = 0; word < query->count; word++)
        part_of_word[word] = -1;
    for (size_t word = 0; word < query->count; word++) {
        uint32_t visited = 0;

        if (!assign_word(search, person, query, word, part_of_word, &visited))
            return false;
    }
    return true;
}

int namesearch_query(const struct namesearch *search, const char *query_text, int64_t *ids,
                     size_t max, size_t *total)
{
    char folded[NAMESEARCH_FOLD_GROWTH * NAMESEARCH_QUERY_MAX + 1];
    struct query query = {.count = 0};
    size_t query_len, first = 0, last = 0, written = 0, matches = 0;
    uint64_t *found;

    if (total)
        *total = 0;
    if (!search->finished || !query_text)
        return -EINVAL;
    query_len = strlen(query_text);
    if (query_len > NAMESEARCH_QUERY_MAX)
        return -E2BIG;
    fold_span(query_text, query_len, folded, sizeof folded);

    for (char *word = folded;;) {
        char *end;

        while (is_space(*word))
            word++;
        if (*word == '\0')
            break;
        if (query.count == NAMESEARCH_QUERY_WORDS_MAX)
            return -E2BIG;
        for (end = word; *end && !is_space(*end); end++)
            ;
        query.words[query.count] = word;
        query.lengths[query.count++] = (size_t)(end - word);
        word = end;
    }
    if (query.count == 0 || search->people_count == 0)
        return 0;

    /* Walk the narrowest word's range; the other words filter it. */
    for (size_t word = 0; word < query.count; word++) {
        size_t low = entry_bound(search, query.words[word], query.lengths[word], false);
        size_t high = entry_bound(search, query.words[word], query.lengths[word], true);

        if (word == 0 || high - low < last - first)
            first = low, last = high;
    }
    if (first == last)
        return 0;

    found = calloc((search->people_count + BITS_PER_WORD - 1) / BITS_PER_WORD, sizeof *found);
    if (!found)
        return -ENOMEM;
    for (size_t at = first; at < last; at++) {
        uint32_t rank = search->entries[at].person;
        uint64_t bit = UINT64_C(1) << (rank % BITS_PER_WORD);

        if (found[rank / BITS_PER_WORD] & bit)
            continue;
        if (query.count == 1 || person_matches(search, &search->people[rank], &query))
            found[rank / BITS_PER_WORD] |= bit;
    }
    /* Ranks are display order, so reading the bitmap upwards sorts. */
    for (size_t slot = 0; slot * BITS_PER_WORD < search->people_count; slot++) {
        uint64_t bits = found[slot];

        matches += (size_t)__builtin_popcountll(bits);
        while (bits && written < max) {
            size_t rank = slot * BITS_PER_WORD + (size_t)__builtin_ctzll(bits);

            ids[written++] = search->people[rank].id;
            bits &= bits - 1;
        }
    }
    free(found);
    if (total)
        *total = matches;
    return (int)written;
}
