/* The coordinator's questions on the command line: `thanks`, `lost` and
 * `papers` (see questions.h), as text, CSV for Excel or JSON. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "questions.h"

#define ERR_MAX 512

static void today(char out[CENTRAL_DATE_LEN + 1])
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(out, CENTRAL_DATE_LEN + 1, "%Y-%m-%d", &tm);
}

int central_admin_question(const struct central_admin_args *a, struct central_store *store,
                           FILE *out, FILE *errout, char *err)
{
    const char *word = a->words[0];
    if (a->word_count != 1 || a->xlsx) {
        fprintf(errout, "tilstede-central: %s takes options only (see --help)\n", word);
        return -EINVAL;
    }
    char day[CENTRAL_DATE_LEN + 1];
    today(day);
    const char *on = a->on ? a->on : day;
    struct central_questions q;
    int rc;
    if (strcmp(word, "thanks") == 0) {
        if (!a->from || !a->to) {
            fprintf(errout, "tilstede-central: thanks needs --from YYYY-MM-DD --to YYYY-MM-DD\n");
            return -EINVAL;
        }
        rc = central_questions_thanks(store, a->from, a->to, a->above_hours, &q, err, ERR_MAX);
    } else if (strcmp(word, "lost") == 0) {
        rc = central_questions_lost(store, on, a->weeks ? a->weeks : CENTRAL_LOST_WEEKS,
                                    a->min_visits ? a->min_visits : CENTRAL_LOST_MIN_VISITS, &q,
                                    err, ERR_MAX);
    } else {
        rc = central_questions_papers(store, on, &q, err, ERR_MAX);
    }
    if (rc)
        return rc;
    struct central_buf buf;
    central_buf_init(&buf, 256u << 20);
    switch (a->format) {
    case CENTRAL_FORMAT_CSV:
        rc = central_questions_csv(&q, &buf);
        break;
    case CENTRAL_FORMAT_JSON:
        rc = central_questions_json(&q, &buf);
        break;
    case CENTRAL_FORMAT_TEXT:
        rc = central_questions_text(&q, &buf);
        break;
    }
    if (!rc && buf.len && fwrite(buf.data, 1, buf.len, out) != buf.len)
        rc = -EIO;
    if (rc)
        snprintf(err, ERR_MAX, "%s: cannot write it (%s)", word, strerror(-rc));
    central_buf_free(&buf);
    central_questions_free(&q);
    return rc;
}
