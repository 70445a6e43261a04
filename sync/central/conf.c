/* The central's configuration file (conf.h): "key = value" lines, '#' or
 * ';' comments. The values are checked here, so a bad connection string is
 * named with its file and line before anything connects. */
#include "conf.h"

#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define SHOWN_MAX 48 /* bytes of a key quoted in a message */

static const char *const keys[] = {"postgres", "sqlite"};

static int is_postgresql(const char *value)
{
    return strncmp(value, "postgresql://", 13) == 0 || strncmp(value, "postgres://", 11) == 0;
}

/* Edit distance, for "did you mean": keys are short. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[SHOWN_MAX + 1];
    if (la > SHOWN_MAX || lb > SHOWN_MAX)
        return SHOWN_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diagonal + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diagonal = up;
        }
    }
    return row[lb];
}

static char *trim(char *text)
{
    text += strspn(text, " \t");
    size_t len = strlen(text);
    while (len && strchr(" \t\r\n", text[len - 1]))
        text[--len] = '\0';
    return text;
}

/* One "key = value" line into conf; why set on a bad one. */
static int take(struct central_conf *conf, const char *path, int number, char *key, char *value,
                const char **taken, char *why, size_t whylen)
{
    size_t k = 0;
    while (k < sizeof keys / sizeof keys[0] && strcmp(key, keys[k]) != 0)
        k++;
    if (k == sizeof keys / sizeof keys[0]) {
        const char *near = NULL;
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (distance(key, keys[i]) <= 3 || strncmp(key, keys[i], strlen(keys[i])) == 0)
                near = keys[i];
        char shown[SHOWN_MAX + 1];
        utf8_copy_clean(shown, sizeof shown, key);
        if (near)
            snprintf(why, whylen, "unknown key '%s' (did you mean '%s'?)", shown, near);
        else
            snprintf(why, whylen, "unknown key '%s' (the keys are postgres and sqlite)", shown);
        return -EINVAL;
    }
    if (*taken) {
        snprintf(why, whylen, "%s: the database is already chosen by %s; give one of them", keys[k],
                 *taken);
        return -EINVAL;
    }
    if (!value[0]) {
        snprintf(why, whylen, "%s: no value (expected %s)", keys[k],
                 k == 0 ? "a URI, postgresql://..." : "a file path");
        return -EINVAL;
    }
    if (k == 0) {
        char *message = NULL;
        PQconninfoOption *options = is_postgresql(value) ? PQconninfoParse(value, &message) : NULL;
        if (!options) {
            if (message)
                snprintf(why, whylen, "postgres: not a valid connection URI: %.*s",
                         (int)strcspn(message, "\n"), message);
            else
                snprintf(why, whylen,
                         "postgres: expected a URI starting postgresql:// (e.g. "
                         "postgresql:///tilstede?host=/var/run/postgresql)");
            PQfreemem(message);
            return -EINVAL;
        }
        PQconninfoFree(options);
    } else if (strncmp(value, "postgres", 8) == 0) {
        snprintf(why, whylen, "sqlite: a PostgreSQL URI; give it as postgres = ...");
        return -EINVAL;
    }
    snprintf(conf->db, sizeof conf->db, "%s", value);
    snprintf(conf->origin, sizeof conf->origin, "%s:%d (%s)", path, number, keys[k]);
    *taken = keys[k];
    return 0;
}

int central_conf_load(struct central_conf *conf, const char *path, int optional, char *err,
                      size_t errlen)
{
    memset(conf, 0, sizeof *conf);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (optional && errno == ENOENT)
            return 0;
        snprintf(err, errlen, "%.*s: cannot read the configuration: %s", UTF8_CLIP(path, 400),
                 strerror(errno));
        return -EIO;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int number = 0, rc = 0;
    const char *taken = NULL;
    char why[400] = "";
    while (!rc && (len = getline(&line, &cap, f)) >= 0) {
        number++;
        size_t text = (size_t)len;
        while (text && (line[text - 1] == '\n' || line[text - 1] == '\r'))
            text--;
        line[text] = '\0';
        char *start = trim(line);
        if (!*start || *start == '#' || *start == ';')
            continue;
        char *equals = strchr(start, '=');
        if (text > CENTRAL_CONF_LINE_MAX) {
            char key[SHOWN_MAX + 1];
            size_t key_len = equals ? (size_t)(equals - start) : strcspn(start, " \t");
            key_len = utf8_cut(start, key_len, SHOWN_MAX);
            memcpy(key, start, key_len);
            key[key_len] = '\0';
            char shown[SHOWN_MAX + 1];
            utf8_copy_clean(shown, sizeof shown, trim(key));
            snprintf(why, sizeof why,
                     "%s: the line is %zu bytes, longer than the %d a line may hold", shown, text,
                     CENTRAL_CONF_LINE_MAX);
            rc = -EINVAL;
        } else if (*start == '[') {
            snprintf(why, sizeof why, "no [sections] in this file (expected 'key = value')");
            rc = -EINVAL;
        } else if (!equals) {
            snprintf(why, sizeof why, "not a 'key = value' line");
            rc = -EINVAL;
        } else {
            *equals = '\0';
            rc = take(conf, path, number, trim(start), trim(equals + 1), &taken, why, sizeof why);
        }
    }
    if (!rc && ferror(f)) {
        snprintf(err, errlen, "%.*s: cannot read the configuration", UTF8_CLIP(path, 400));
        rc = -EIO;
    } else if (rc) {
        utf8_format(err, errlen, "%.*s:%d: %s", UTF8_CLIP(path, 400), number, why);
    }
    free(line);
    fclose(f);
    if (rc)
        memset(conf, 0, sizeof *conf);
    return rc;
}
