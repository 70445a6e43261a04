/* Shared by the SQLite backend's files (store_sqlite.c, store_sqlite_web.c). */
#ifndef TILSTEDE_CENTRAL_STORE_SQLITE_H
#define TILSTEDE_CENTRAL_STORE_SQLITE_H

#include <sqlite3.h>

#include "store_backend.h"

/* The handle's connection (used by one thread at a time, as the handle). */
sqlite3 *central_sqlite_db(struct central_store *store);

#endif
