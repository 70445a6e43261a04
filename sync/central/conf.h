/* The central's configuration file (deploy/central.conf.example): the
 * database it keeps, said once for the service and every command run on
 * the same machine. A key there means what the same --db would. */
#ifndef TILSTEDE_CENTRAL_CONF_H
#define TILSTEDE_CENTRAL_CONF_H

#include <stddef.h>

#define CENTRAL_CONF_DEFAULT_PATH "/etc/tilstede-central/central.conf"
/* Bytes of one line, without its line break; a longer line is an error
 * naming the file, the line and the key. */
#define CENTRAL_CONF_LINE_MAX 1024
/* Bytes of "FILE:LINE (KEY)" naming where the database was chosen. */
#define CENTRAL_CONF_ORIGIN_MAX 600

struct central_conf {
    char db[CENTRAL_CONF_LINE_MAX + 1];   /* as --db takes it; "" when the file names none */
    char origin[CENTRAL_CONF_ORIGIN_MAX]; /* "central.conf:3 (postgres)", "" with db */
};

/* Reads path. A missing file is no error when optional (the default path:
 * a central without a file uses --db or $TILSTEDE_CENTRAL_DB). Keys:
 *   postgres = postgresql://...   a libpq connection URI
 *   sqlite = /var/lib/tilstede-central/central.db
 * at most one of them. Returns 0, or -EINVAL (a bad line, key or value) or
 * -EIO (unreadable) with err naming the file and line. */
int central_conf_load(struct central_conf *conf, const char *path, int optional, char *err,
                      size_t errlen);

#endif
