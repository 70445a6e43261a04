/* `tilstede-central migrate --from central.db --to postgresql://...`: a
 * municipality that started on SQLite moves to PostgreSQL with everything
 * (sites, devices and their tokens' hashes, dashboard logins, the roster,
 * cards, activities, events, visits, status), in one transaction. */
#ifndef TILSTEDE_CENTRAL_MIGRATE_H
#define TILSTEDE_CENTRAL_MIGRATE_H

#include <stdio.h>

/* Copies the SQLite central at `from` into the empty PostgreSQL database
 * at `to` (its schema made first); a line per table to out. 0, or a
 * negative errno with err set: -EINVAL for locations of the wrong kind,
 * -EEXIST when the target already holds a central's data. */
int central_migrate(const char *from, const char *to, FILE *out, char *err, size_t errlen);

#endif
