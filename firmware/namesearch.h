/* Name search for the kiosk's on-screen keyboard: an in-memory index of the
 * volunteers' names, queried once per keystroke by prefixes of name parts.
 * Pure: no database, no clock, no globals; the caller feeds it the roster. */
#ifndef TILSTEDE_NAMESEARCH_H
#define TILSTEDE_NAMESEARCH_H

#include <stddef.h>
#include <stdint.h>

#define NAMESEARCH_NAME_MAX        512     /* bytes of one given or family name, before folding */
#define NAMESEARCH_QUERY_MAX       256     /* bytes of one query, before folding */
#define NAMESEARCH_QUERY_WORDS_MAX 16      /* words in one query */
#define NAMESEARCH_PEOPLE_MAX      1000000 /* entries in one index */
/* Folded text is at most this many times as long as its input (an invalid
 * byte becomes U+FFFD, three bytes), so a buffer of
 * NAMESEARCH_FOLD_GROWTH * strlen(in) + 1 bytes always holds the result. */
#define NAMESEARCH_FOLD_GROWTH 3

/* Folding, the one definition of "the same letter" for search and sorting:
 *  - A-Z and the upper-case letters below are lower-cased;
 *  - æ, ø, å stay letters of their own: "å" is not "a" and not "aa", so
 *    "Åse" is not found by "a" nor "Aase" by "å";
 *  - ä -> æ and ö -> ø (the Swedish and German spellings of the same
 *    letters: "Björn" is found by "bjø", "Bjørn" by "bjö");
 *  - á à â -> a, é è ê ë -> e, í ì î ï -> i, ó ò ô -> o, ú ù û ü -> u,
 *    ñ -> n, ç -> c, ß and ẞ -> ss;
 *  - the same letters written decomposed (a letter followed by a combining
 *    mark, as some systems export them) fold the same way: "a" + U+030A is å;
 *  - other characters are kept; Latin-1, Latin Extended-A, Greek and
 *    Cyrillic capitals are lower-cased (ã, ð, ł, ш stay themselves);
 *  - each byte that is not part of valid UTF-8 becomes U+FFFD.
 * The output is always valid UTF-8. */

/* Folds the NUL-terminated UTF-8 `in` into `out` (cap bytes, NUL-terminated
 * whenever cap > 0, cut only between characters). Returns the length of the
 * whole folded text, as snprintf does: a result >= cap means it was cut
 * (out may be NULL when cap is 0, to measure). */
size_t namesearch_fold(const char *in, char *out, size_t cap);

/* Compares two folded strings in Norwegian order: a..z, then æ, ø, å, then
 * any other character by code point. Negative, zero or positive as strcmp. */
int namesearch_collate(const char *folded_a, const char *folded_b);

struct namesearch;

/* An empty index to fill with namesearch_add. 0 or -ENOMEM. */
int namesearch_new(struct namesearch **out);

/* Adds one person. A name's parts are its words split on spaces and
 * hyphens, plus each hyphenated word whole: "Kari Anne" + "Nordmann-Berg"
 * has the parts kari, anne, nordmann, berg and nordmann-berg. Ids are the
 * caller's and need not be unique. Returns 0, -EINVAL (NULL name, or the
 * index is already finished), -E2BIG (a name longer than
 * NAMESEARCH_NAME_MAX bytes, or more than NAMESEARCH_PEOPLE_MAX people) or
 * -ENOMEM. */
int namesearch_add(struct namesearch *search, int64_t id, const char *given, const char *family);

/* Sorts the index; after it, namesearch_add refuses and queries may run,
 * from any number of threads at once. 0, -EINVAL (already finished) or
 * -ENOMEM. */
int namesearch_finish(struct namesearch *search);

/* Finds the people whose name parts the query's words (split on white
 * space) are prefixes of, after folding: each word must prefix a different
 * part of the same person ("kari n" finds Kari Nordmann, "anne anne" only
 * someone with two parts starting with "anne"). A hyphenated word is a
 * part of its own beside its pieces, so "nordmann-b" finds Nordmann-Berg,
 * and so does "nordmann nordm" (two different parts). A query of no words
 * finds no one. Writes the ids of at most `max` of them to `ids` (room for
 * max; NULL when max is 0), ordered by
 * folded given name, then folded family name (namesearch_collate), then id;
 * sets *total (if not NULL) to how many match in all. Returns the number of
 * ids written, or -EINVAL (not finished, NULL query), -E2BIG (a query
 * longer than NAMESEARCH_QUERY_MAX bytes or of more than
 * NAMESEARCH_QUERY_WORDS_MAX words) or -ENOMEM; *total is 0 on error. */
int namesearch_query(const struct namesearch *search, const char *query, int64_t *ids, size_t max,
                     size_t *total);

/* The number of people added. */
size_t namesearch_count(const struct namesearch *search);

void namesearch_free(struct namesearch *search);

#endif
