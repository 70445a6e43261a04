/* `tilstede-central mail-report --month YYYY-MM [--to ADDRESS] [--dry-run]`:
 * last month's report by mail now (mail.h), to everyone it is for and not
 * yet sent to, or to one address; --dry-run shows the messages instead. */
#include <errno.h>
#include <stdio.h>
#include <sys/time.h>

#include "admin.h"
#include "mail.h"

#define ERR_MAX 512

int central_admin_mail(const struct central_admin_args *a, struct central_store *store, FILE *out,
                       FILE *errout, char *err)
{
    if (a->word_count != 1 || !central_mail_month_valid(a->month)) {
        fprintf(errout, "tilstede-central: usage: mail-report --month YYYY-MM [--to ADDRESS] "
                        "[--dry-run]\n");
        return -EINVAL;
    }
    if (a->to && !central_mail_address_valid(a->to)) {
        fprintf(errout, "tilstede-central: mail-report --to \"%s\": not an e-mail address\n",
                a->to);
        return -EINVAL;
    }
    struct central_mail_config config = {0};
    if (a->mail)
        config = *a->mail;
    config.hours_per_arsverk = a->hours_per_arsverk;
    if (!config.public_url)
        config.public_url = a->public_url;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct central_mail_run run = {
        .month = a->month,
        .only_to = a->to,
        .dry_run = a->dry_run,
        .ignore_backoff = 1, /* asked for now */
        .now_us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec,
        .out = out,
    };
    int rc = central_mail_month(store, &config, &run, err, ERR_MAX);
    if (!a->dry_run)
        fprintf(errout,
                "tilstede-central: %s: %zu sent, %zu sent before, %zu waiting, %zu failed\n",
                a->month, run.sent, run.already, run.waiting, run.failed);
    return rc;
}
