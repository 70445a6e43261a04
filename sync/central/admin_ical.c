/* `activity import SITE FILE.ics [--on YYYY-MM-DD]`: a service's calendar
 * into its weekly plans (ical.h), from the day given (default today in
 * Oslo) on. Refused events are listed on stderr, with their line and UID;
 * the exit status is then 1, the others having been imported. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "ical.h"
#include "report.h"

#define ERR_MAX 512

int central_admin_activity_import(const struct central_admin_args *a, struct central_store *store,
                                  FILE *out, FILE *errout, char *err)
{
    const char *site = a->words[2], *path = a->words[3];
    char today[CENTRAL_DATE_LEN + 1];
    if (a->on) {
        if (!central_report_date_valid(a->on)) {
            snprintf(err, ERR_MAX, "activity import: --on \"%s\": expected a date YYYY-MM-DD",
                     a->on);
            return -EINVAL;
        }
        snprintf(today, sizeof today, "%s", a->on);
    } else {
        central_ical_today(today);
    }
    char *text = NULL;
    size_t len = 0;
    int rc = central_admin_read_file(path, CENTRAL_ICAL_FILE_MAX, &text, &len, err);
    if (rc)
        return rc;
    struct central_ical_result *result = malloc(sizeof *result);
    if (!result) {
        snprintf(err, ERR_MAX, "activity import: out of memory");
        rc = -ENOMEM;
        goto out;
    }
    rc = central_ical_import(store, site, path, text, len, today, result, err, ERR_MAX);
    if (!rc) {
        fprintf(errout, "%s", result->report);
        fprintf(out, "%s: ", path);
        central_ical_summary(result, today, out);
        if (result->refused) {
            snprintf(err, ERR_MAX,
                     "%s: %zu of the events were not imported (listed above); the "
                     "others were",
                     path, result->refused);
            rc = -EIO;
        }
    }
    free(result);
out:
    free(text);
    return rc;
}
