/* Configuration from one INI file, parsed by inih (see config.h). Every key
 * is a row of the table below: its section, name, type and place in struct
 * config, so parsing, defaults and error messages cannot drift apart. */
#include "config.h"
#include "utf8.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum key_type { KEY_TEXT, KEY_INT, KEY_HOURS, KEY_CLOCK, KEY_ENUM, KEY_DOUBLE };

struct key {
    const char *section;
    const char *name;
    enum key_type type;
    size_t offset;
    size_t size;             /* KEY_TEXT: the buffer's size */
    int min, max;            /* KEY_INT, KEY_DOUBLE: accepted range */
    const char *const *names; /* KEY_ENUM: values, NULL-terminated */
};

#define TEXT(sec, key, field) \
    {sec, key, KEY_TEXT, offsetof(struct config, field), sizeof(((struct config *)0)->field), 0, 0, NULL}
#define INT(sec, key, field, lo, hi) \
    {sec, key, KEY_INT, offsetof(struct config, field), 0, lo, hi, NULL}
#define TYPED(sec, key, type, field, lo, hi) \
    {sec, key, type, offsetof(struct config, field), 0, lo, hi, NULL}
#define ENUM(sec, key, field, list) \
    {sec, key, KEY_ENUM, offsetof(struct config, field), 0, 0, 0, list}

static const char *const languages[] = {"nb", "nn", "en", NULL};
static const char *const sides[] = {"left", "right", "top", "bottom", NULL};
static const char *const credits[] = {"none", "fixed", "scheduled", NULL};
static const char *const policies[] = {"notice", "refuse", NULL};
static const char *const trusts[] = {"kernel", "always", NULL};

static const struct key keys[] = {
    TEXT("site", "id", site_id),
    TEXT("site", "name", site_name),
    {"site", "language", KEY_ENUM, offsetof(struct config, language), sizeof(((struct config *)0)->language), 0, 0, languages},
    TEXT("reader", "connection", reader),
    {"reader", "side", KEY_ENUM, offsetof(struct config, reader_side), sizeof(((struct config *)0)->reader_side), 0, 0, sides},
    INT("display", "rotation", rotation, 0, 270),
    INT("display", "width_mm", panel_width_mm, 20, 2000),
    INT("display", "height_mm", panel_height_mm, 20, 2000),
    ENUM("clock", "trust", clock_trust, trusts),
    TEXT("store", "database", database),
    TEXT("store", "card_key", card_key),
    INT("store", "retention_months", retention_months, 0, 240),
    INT("rules", "repeat_window_seconds", repeat_window_s, 0, 3600),
    TYPED("rules", "day_end", KEY_CLOCK, day_end_min, 0, 0),
    TYPED("rules", "max_visit_hours", KEY_HOURS, max_visit_s, 1, 48),
    ENUM("rules", "autoclose_credit", autoclose_credit, credits),
    TYPED("rules", "autoclose_fixed_hours", KEY_HOURS, autoclose_fixed_s, 0, 24),
    INT("rules", "unknown_card_memory_seconds", unknown_card_memory_s, 10, 3600),
    ENUM("rules", "compliance", compliance, policies),
    INT("rules", "report_rounding_minutes", report_rounding_min, 0, 15),
    TYPED("rules", "hours_per_arsverk", KEY_DOUBLE, hours_per_arsverk, 100, 3000),
    TEXT("staff", "pin_hash", staff_pin_hash),
    TEXT("sync", "central_url", central_url),
    TEXT("sync", "token_file", token_file),
    TEXT("sync", "ca_file", ca_file),
    INT("sync", "batch_size", batch_size, 1, 5000),
};
#define KEY_COUNT (sizeof keys / sizeof keys[0])

void config_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->site_id, sizeof cfg->site_id, "site");
    snprintf(cfg->site_name, sizeof cfg->site_name, "Tilstede");
    snprintf(cfg->language, sizeof cfg->language, "nb");
    snprintf(cfg->reader, sizeof cfg->reader, "pn532_uart:/dev/ttyS0");
    snprintf(cfg->reader_side, sizeof cfg->reader_side, "right");
    cfg->panel_width_mm = 154; /* the common 7" 800x480 board panel */
    cfg->panel_height_mm = 86;
    snprintf(cfg->database, sizeof cfg->database, "/var/lib/tilstede/tilstede.db");
    snprintf(cfg->card_key, sizeof cfg->card_key, "/var/lib/tilstede/card.key");
    cfg->retention_months = 24;
    cfg->repeat_window_s = 30;
    cfg->day_end_min = 23 * 60;
    cfg->max_visit_s = 10 * 3600;
    cfg->autoclose_credit = CREDIT_NONE;
    cfg->autoclose_fixed_s = 2 * 3600;
    cfg->unknown_card_memory_s = 300;
    cfg->compliance = COMPLIANCE_NOTICE;
    cfg->report_rounding_min = 0;
    cfg->hours_per_arsverk = 1700.0;
    snprintf(cfg->token_file, sizeof cfg->token_file, "/var/lib/tilstede/device.token");
    cfg->batch_size = 500;
}

/* The edit distance, for "did you mean" on a misspelt key. */
static int distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40)
        return INT_MAX;
    int row[41];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best) best = row[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static const struct key *find_key(const char *section, const char *name)
{
    for (size_t i = 0; i < KEY_COUNT; i++)
        if (!strcmp(keys[i].section, section) && !strcmp(keys[i].name, name))
            return &keys[i];
    return NULL;
}

static int parse_long(const char *value, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || end == value || *end)
        return -1;
    *out = v;
    return 0;
}

static int parse_double(const char *value, double *out)
{
    char buf[32], *end;
    if (strlen(value) >= sizeof buf)
        return -1;
    snprintf(buf, sizeof buf, "%s", value);
    char *comma = strchr(buf, ','); /* "2,5" is how a Norwegian writes 2.5 */
    if (comma)
        *comma = '.';
    errno = 0;
    double v = strtod(buf, &end);
    if (errno || end == buf || *end || v != v)
        return -1;
    *out = v;
    return 0;
}

static int set_value(struct config *cfg, const struct key *k, const char *value, char *why,
                     size_t whylen)
{
    char *field = (char *)cfg + k->offset;
    long number;
    double real;
    switch (k->type) {
    case KEY_TEXT:
        if (strlen(value) >= k->size) {
            snprintf(why, whylen, "is longer than %zu bytes", k->size - 1);
            return -1;
        }
        memcpy(field, value, strlen(value) + 1);
        return 0;
    case KEY_INT:
        if (parse_long(value, &number) || number < k->min || number > k->max) {
            snprintf(why, whylen, "must be a whole number from %d to %d, not '%s'", k->min,
                     k->max, value);
            return -1;
        }
        if (k->offset == offsetof(struct config, rotation) && number % 90) {
            snprintf(why, whylen, "must be 0, 90, 180 or 270, not '%s'", value);
            return -1;
        }
        if (k->offset == offsetof(struct config, report_rounding_min) &&
            number != 0 && number != 5 && number != 10 && number != 15) {
            snprintf(why, whylen, "must be 0, 5, 10 or 15, not '%s'", value);
            return -1;
        }
        *(int *)field = (int)number;
        return 0;
    case KEY_DOUBLE:
    case KEY_HOURS:
        if (parse_double(value, &real) || real < k->min || real > k->max) {
            snprintf(why, whylen, "must be a number from %d to %d, not '%s'", k->min, k->max,
                     value);
            return -1;
        }
        if (k->type == KEY_DOUBLE)
            *(double *)field = real;
        else
            *(int *)field = (int)(real * 3600.0 + 0.5);
        return 0;
    case KEY_CLOCK: {
        int hh, mm;
        char extra;
        if (!strcasecmp(value, "off")) {
            *(int *)field = -1;
            return 0;
        }
        if ((sscanf(value, "%d:%d%c", &hh, &mm, &extra) != 2 &&
             sscanf(value, "%d.%d%c", &hh, &mm, &extra) != 2) ||
            hh < 0 || hh > 23 || mm < 0 || mm > 59) {
            snprintf(why, whylen, "must be a time like 23:00, or off, not '%s'", value);
            return -1;
        }
        *(int *)field = hh * 60 + mm;
        return 0;
    }
    case KEY_ENUM:
        for (int i = 0; k->names[i]; i++) {
            if (!strcasecmp(value, k->names[i])) {
                if (k->size) /* a text field holding one of the names */
                    snprintf(field, k->size, "%s", k->names[i]);
                else
                    *(int *)field = i;
                return 0;
            }
        }
        {
            size_t used = (size_t)snprintf(why, whylen, "must be one of");
            for (int i = 0; k->names[i] && used < whylen; i++)
                used += (size_t)snprintf(why + used, whylen - used, "%s '%s'", i ? "," : "",
                                         k->names[i]);
            if (used < whylen)
                snprintf(why + used, whylen - used, ", not '%s'", value);
        }
        return -1;
    }
    return -1;
}

int config_set(struct config *cfg, const char *section, const char *key, const char *value,
               char *err, size_t errlen)
{
    const struct key *k = find_key(section, key);
    if (!k) {
        const struct key *best = NULL;
        int best_d = 4;
        for (size_t i = 0; i < KEY_COUNT; i++) {
            int d = distance(key, keys[i].name);
            if (d < best_d) {
                best_d = d;
                best = &keys[i];
            }
        }
        if (best)
            snprintf(err, errlen, "unknown key '%s' in [%s] (did you mean '%s' in [%s]?)", key,
                     section, best->name, best->section);
        else
            snprintf(err, errlen, "unknown key '%s' in [%s]", key, section);
        return -1;
    }
    char why[200];
    if (set_value(cfg, k, value, why, sizeof why)) {
        snprintf(err, errlen, "[%s] %s %s", section, key, why);
        return -1;
    }
    if (k->offset == offsetof(struct config, card_key))
        cfg->card_key_named = 1;
    return 0;
}

int config_use_database(struct config *cfg, const char *path, char *err, size_t errlen)
{
    if (config_set(cfg, "store", "database", path, err, errlen))
        return -1;
    if (cfg->card_key_named)
        return 0;
    /* "a/b/x.db": a/b/card.key; "/x.db": /card.key; "x.db": card.key */
    const char *slash = strrchr(path, '/');
    int len = slash ? snprintf(cfg->card_key, sizeof cfg->card_key, "%.*s/card.key",
                               (int)(slash - path), path)
                    : snprintf(cfg->card_key, sizeof cfg->card_key, "card.key");
    if (len < 0 || (size_t)len >= sizeof cfg->card_key) {
        snprintf(err, errlen, "[store] card_key beside '%s' is longer than %zu bytes", path,
                 sizeof cfg->card_key - 1);
        return -1;
    }
    return 0;
}

struct load_ctx {
    struct config *cfg;
    char message[400];
};

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
    struct load_ctx *ctx = user;
    if (ctx->message[0])
        return 0;
    return config_set(ctx->cfg, section, name, value, ctx->message, sizeof ctx->message) == 0;
}

#define SHOWN_NAME_MAX 48 /* bytes of a section or key quoted in a message */

/* Hands inih one whole line at a time. inih reads a line longer than its
 * buffer as several, so the rest of "name = <192 bytes>id = other-site"
 * would set [site] id: a line that does not fit is refused here, and
 * parsing ends at it, naming the key it held. */
struct line_reader {
    FILE *file;
    char *line;
    size_t cap;
    int number;
    char section[SHOWN_NAME_MAX + 1]; /* the last [section] seen */
    int too_long;                     /* the line refused, 0 for none */
    size_t too_long_len;
    size_t limit;
    char key[SHOWN_NAME_MAX + 1], key_section[SHOWN_NAME_MAX + 1];
};

/* text[0..len) trimmed, cut between characters, for a message. */
static void shown_name(char *out, const char *text, size_t len)
{
    while (len && strchr(" \t", *text))
        text++, len--;
    while (len && strchr(" \t", text[len - 1]))
        len--;
    char copy[SHOWN_NAME_MAX + 1];
    len = utf8_cut(text, len, SHOWN_NAME_MAX);
    memcpy(copy, text, len);
    copy[len] = '\0';
    utf8_copy_clean(out, SHOWN_NAME_MAX + 1, copy);
}

static char *read_line(char *out, int size, void *stream)
{
    struct line_reader *r = stream;
    ssize_t len = getline(&r->line, &r->cap, r->file);
    if (len < 0 || size < 4)
        return NULL;
    r->number++;
    size_t text = (size_t)len;
    while (text && (r->line[text - 1] == '\n' || r->line[text - 1] == '\r'))
        text--;
    const char *start = r->line + strspn(r->line, " \t");
    if (*start == '[')
        shown_name(r->section, start + 1, strcspn(start + 1, "]\r\n"));
    /* inih needs room for "\r\n" and the NUL after the text. */
    r->limit = (size_t)size - 3 < CONFIG_LINE_MAX ? (size_t)size - 3 : CONFIG_LINE_MAX;
    if (text > r->limit) {
        if (*start == '#' || *start == ';') { /* a comment is read and ignored whole */
            snprintf(out, (size_t)size, "#\n");
            return out;
        }
        r->too_long = r->number;
        r->too_long_len = text;
        shown_name(r->key, start, strcspn(start, "=:\r\n"));
        snprintf(r->key_section, sizeof r->key_section, "%s", r->section);
        return NULL;
    }
    memcpy(out, r->line, (size_t)len + 1);
    return out;
}

int config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot read the configuration: %s", path, strerror(errno));
        return -1;
    }
#ifdef TILSTEDE_INIH_MAX_LINE_AT_RUN_TIME
    ini_max_line = CONFIG_LINE_MAX + 3; /* "\r\n" and the NUL */
#endif
    struct load_ctx ctx = {.cfg = cfg};
    struct line_reader reader = {.file = f};
    int line = ini_parse_stream(read_line, &reader, on_entry, &ctx);
    int failed = ferror(f);
    free(reader.line);
    fclose(f);
    if (failed) {
        snprintf(err, errlen, "%s: cannot read the configuration", path);
        return -1;
    }
    if (reader.too_long && (line <= 0 || line > reader.too_long)) {
        char where[2 * SHOWN_NAME_MAX + 8];
        if (reader.key_section[0])
            snprintf(where, sizeof where, "[%s] %s", reader.key_section, reader.key);
        else
            snprintf(where, sizeof where, "%s", reader.key[0] ? reader.key : "a line");
        snprintf(err, errlen,
                 "%s:%d: %s: the line is %zu bytes, longer than the %zu a line of the "
                 "configuration may hold; nothing after it was read",
                 path, reader.too_long, where, reader.too_long_len, reader.limit);
        return -1;
    }
    if (line != 0) {
        if (line < 0)
            snprintf(err, errlen, "%s: cannot read the configuration", path);
        else if (ctx.message[0])
            snprintf(err, errlen, "%s:%d: %s", path, line, ctx.message);
        else
            snprintf(err, errlen, "%s:%d: not an INI line (expected 'key = value' or '[section]')",
                     path, line);
        return -1;
    }
    snprintf(cfg->path, sizeof cfg->path, "%s", path);
    return 0;
}

int config_update_file(const char *path, const char *section, const char *key, const char *value,
                       char *err, size_t errlen)
{
    char tmp[CONFIG_PATH_MAX + 8], current[128] = "", *line = NULL;
    size_t line_cap = 0;
    FILE *in = NULL, *out = NULL;
    int rc = -1, done = 0;
    if (strchr(value, '\n')) {
        snprintf(err, errlen, "a value cannot contain a line break");
        return -1;
    }
    snprintf(tmp, sizeof tmp, "%s.new", path);
    in = fopen(path, "r");
    if (!in && errno != ENOENT) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto out;
    }
    out = fopen(tmp, "w");
    if (!out) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    /* Whole lines, however long: a piece of a long line taken for a line
     * could be mistaken for the key. */
    while (in && getline(&line, &line_cap, in) >= 0) {
        const char *p = line + strspn(line, " \t");
        if (*p == '[') {
            if (!done && !strcmp(current, section)) { /* end of our section: add it there */
                fprintf(out, "%s = %s\n", key, value);
                done = 1;
            }
            snprintf(current, sizeof current, "%.*s", (int)strcspn(p + 1, "]"), p + 1);
        } else if (!done && !strcmp(current, section) && !strncmp(p, key, strlen(key)) &&
                   strchr(" \t=", p[strlen(key)])) {
            fprintf(out, "%s = %s\n", key, value);
            done = 1;
            continue;
        }
        fputs(line, out);
    }
    if (!done && !strcmp(current, section))
        fprintf(out, "%s = %s\n", key, value);
    else if (!done)
        fprintf(out, "\n[%s]\n%s = %s\n", section, key, value);
    if (fflush(out) || fsync(fileno(out))) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    if (fclose(out)) {
        out = NULL;
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    out = NULL;
    if (rename(tmp, path)) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    free(line);
    if (in)
        fclose(in);
    if (out)
        fclose(out);
    if (rc)
        unlink(tmp);
    return rc;
}
