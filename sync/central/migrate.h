/* `tilstede-central migrate --from central.db --to postgresql://...`: a
 * municipality that started on SQLite moves to PostgreSQL with everything,
 * every table of its schema (sites, devices and their tokens' hashes,
 * dashboard logins, the web app's accounts and their sessions, sign-in
 * counts, the audit log, notes, the roster, cards, activities, weekly
 * plans and their calendar UIDs, opening hours, events, visits and their
 * daily totals, status, the monthly mail's sent-once state, a roster file
 * waiting for its apply), in one transaction. Sessions move too: they are
 * hashes only, and a coordinator is not signed out by the move. */
#ifndef TILSTEDE_CENTRAL_MIGRATE_H
#define TILSTEDE_CENTRAL_MIGRATE_H

#include <stdio.h>

/* Copies the SQLite central at `from` into the empty PostgreSQL database
 * at `to` (its schema made first); a line per table to out. 0, or a
 * negative errno with err set: -EINVAL for locations of the wrong kind,
 * -EEXIST when the target already holds a central's data, -ENOTSUP when
 * the source has a table or column the target's schema lacks (nothing is
 * then written). */
int central_migrate(const char *from, const char *to, FILE *out, char *err, size_t errlen);

#endif
