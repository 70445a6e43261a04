/* A report's period cut into whole months and the days left over, so the
 * per-volunteer report reads the monthly totals (volunteer_month_total)
 * for the months it covers whole and the visits only for the days at its
 * ends. Both storage backends bind the same bounds. */
#ifndef TILSTEDE_CENTRAL_PERIOD_H
#define TILSTEDE_CENTRAL_PERIOD_H

/* "YYYY-MM" and "YYYY-MM-DD" with their terminator. */
#define CENTRAL_PERIOD_MONTH_BYTES 8
#define CENTRAL_PERIOD_DAY_BYTES   11

/* Every range is inclusive, compared as text (the dates are ISO 8601, so
 * text order is date order). An empty range has from > to. */
struct central_period_split {
    char months_from[CENTRAL_PERIOD_MONTH_BYTES], months_to[CENTRAL_PERIOD_MONTH_BYTES];
    char head_from[CENTRAL_PERIOD_DAY_BYTES], head_to[CENTRAL_PERIOD_DAY_BYTES];
    char tail_from[CENTRAL_PERIOD_DAY_BYTES], tail_to[CENTRAL_PERIOD_DAY_BYTES];
};

/* from..to (dates, inclusive) as the whole months inside it, the days
 * before the first whole month (head) and the days after the last one
 * (tail); together they cover exactly from..to, each day once. Anything
 * but two valid dates goes whole into the head, with no months: the visits
 * are then read as they are, never a wrong total. */
void central_period_split(const char *from, const char *to, struct central_period_split *split);

#endif
