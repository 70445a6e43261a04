/* A weekly plan checked, expanded (plan.c) and stored with its
 * occurrences in one transaction: what the command and the web page both
 * do when a person plans an activity. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "plan.h"

struct occurrences {
    struct central_activity *list;
    size_t count;
};

static int keep_occurrence(void *ctx, const struct central_activity *occurrence)
{
    struct occurrences *o = ctx;
    if (o->count == CENTRAL_PLAN_DAYS_MAX)
        return -E2BIG;
    o->list[o->count++] = *occurrence;
    return 0;
}

int central_plan_save(struct central_store *store, const struct central_plan *plan, size_t *count,
                      char *err, size_t errlen)
{
    *count = 0;
    int rc = central_plan_check(plan, err, errlen);
    if (rc)
        return rc;
    struct occurrences o = {calloc(CENTRAL_PLAN_DAYS_MAX, sizeof *o.list), 0};
    if (!o.list) {
        snprintf(err, errlen, "activity \"%s\": out of memory", plan->title);
        return -ENOMEM;
    }
    rc = central_plan_expand(plan, keep_occurrence, &o);
    if (!rc && o.count == 0) {
        char days[32];
        central_plan_weekdays_text(plan->weekdays, days, sizeof days);
        snprintf(err, errlen, "activity \"%s\": no %s falls between %s and %s", plan->title, days,
                 plan->from, plan->until);
        rc = -EINVAL;
    } else if (!rc) {
        rc = central_store_plan_add(store, plan, o.list, o.count, err, errlen);
    }
    if (!rc)
        *count = o.count;
    free(o.list);
    return rc;
}
