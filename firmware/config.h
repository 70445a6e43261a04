/* The kiosk's configuration: one INI file (deploy/tilstede.conf.example
 * documents every key). Every key has a default; an unknown key or a bad
 * value is an error naming the file, the line and the key. */
#ifndef TILSTEDE_CONFIG_H
#define TILSTEDE_CONFIG_H

#include <stddef.h>

#define CONFIG_DEFAULT_PATH "/etc/tilstede/tilstede.conf"
#define CONFIG_TEXT_MAX 256
#define CONFIG_PATH_MAX 512
/* Bytes of one line of the file, without its line break: the longest key,
 * " = " and the longest value (CONFIG_PATH_MAX - 1) fit. A longer line is
 * an error naming the file, the line and the key. */
#define CONFIG_LINE_MAX (CONFIG_PATH_MAX + 64)

enum autoclose_credit {
    CREDIT_NONE = 0,      /* the visit counts zero hours until staff fix it */
    CREDIT_FIXED,         /* a fixed number of hours from the check-in */
    CREDIT_SCHEDULED,     /* to the scheduled end of its activity (else none) */
};

enum compliance_policy {
    COMPLIANCE_NOTICE = 0, /* check in, and tell staff */
    COMPLIANCE_REFUSE,     /* refuse the check-in with the reason */
};

enum clock_trust {
    CLOCK_TRUST_KERNEL = 0, /* synchronised when the kernel says so (NTP) */
    CLOCK_TRUST_ALWAYS,     /* IT vouches for the clock (a battery clock, no network) */
};

struct config {
    char path[CONFIG_PATH_MAX]; /* the file read, "" for defaults only */

    /* [site] */
    char site_id[64];
    char site_name[CONFIG_TEXT_MAX];
    char language[8]; /* nb, nn, en */

    /* [reader] */
    char reader[CONFIG_TEXT_MAX]; /* libnfc connection string, or "sim" */
    char reader_side[8];          /* where the reader sits: left right top bottom */

    /* [clock] */
    enum clock_trust clock_trust;

    /* [display] */
    int rotation; /* 0, 90, 180, 270 */
    /* The panel's visible area in mm, as mounted before rotation: the
     * screen's rules compute text sizes in mm from it. */
    int panel_width_mm, panel_height_mm;

    /* [store] */
    char database[CONFIG_PATH_MAX];
    char card_key[CONFIG_PATH_MAX];
    int card_key_named;   /* a configuration set card_key (else config_use_database moves it) */
    int retention_months; /* uploaded events older than this are deleted; 0 = keep */

    /* [rules] */
    int repeat_window_s;
    int day_end_min;       /* minutes after midnight; -1 = off */
    int max_visit_s;
    enum autoclose_credit autoclose_credit;
    int autoclose_fixed_s;
    int unknown_card_memory_s;
    enum compliance_policy compliance;
    int report_rounding_min; /* 0, 5, 10, 15 */
    double hours_per_arsverk;

    /* [staff] */
    char staff_pin_hash[160]; /* libsodium crypto_pwhash_str, "" = none set */

    /* [sync] */
    char central_url[CONFIG_TEXT_MAX];
    char token_file[CONFIG_PATH_MAX];
    char ca_file[CONFIG_PATH_MAX];
    int batch_size;
};

void config_defaults(struct config *cfg);
/* Reads path over the defaults. Returns 0, or -1 with err set like
 * "tilstede.conf:14: unknown key 'reader_conection' in [reader]
 * (did you mean 'connection'?)". A missing file is an error. */
int config_load(struct config *cfg, const char *path, char *err, size_t errlen);
/* Sets one "section.key" to value, as if read from the file. */
int config_set(struct config *cfg, const char *section, const char *key, const char *value,
               char *err, size_t errlen);
/* --db PATH: the database instead of the configuration's. When no
 * configuration named [store] card_key, the key is kept beside that
 * database (PATH's directory/card.key), so that --db alone runs the real
 * programs on a scratch database. -1 with err set when a path is too long. */
int config_use_database(struct config *cfg, const char *path, char *err, size_t errlen);
/* Sets section.key = value in the file at path, keeping every other line
 * and comment as it is (adds the key, or the section, when missing). The
 * file is replaced atomically (write, fsync, rename). */
int config_update_file(const char *path, const char *section, const char *key,
                       const char *value, char *err, size_t errlen);

#endif
