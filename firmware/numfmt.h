/* Numbers the Norwegian way: decimal comma, thousands grouped with a space
 * ("11 905,5 timer"). CSV for Excel gets no grouping, so it stays a number. */
#ifndef TILSTEDE_NUMFMT_H
#define TILSTEDE_NUMFMT_H

#include <stddef.h>

/* Rounds value to `decimals` places and writes it with a decimal comma;
 * group: the thousands separator ("" for none, " " for people). */
void numfmt_decimal(double value, int decimals, const char *group, char *out, size_t cap);

#endif
