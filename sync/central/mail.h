/* Last month's report by mail: to each coordinator (every site) and each
 * contact (their own sites) with an address who has not switched it off, a
 * short summary in the body and the workbook attached, sent through SMTP
 * with TLS and a login (mail_smtp.c). Each month goes to each person once:
 * store_mail.h keeps the record, and a failed send is tried again with
 * backoff. `tilstede-central mail-report` runs it by hand; the running
 * central runs it itself (mail_schedule.c). */
#ifndef TILSTEDE_CENTRAL_MAIL_H
#define TILSTEDE_CENTRAL_MAIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "store_web.h"

#define CENTRAL_MAIL_MONTH_LEN      7                   /* YYYY-MM */
#define CENTRAL_MAIL_MESSAGE_MAX    (32u * 1024 * 1024) /* one message, workbook included */
#define CENTRAL_MAIL_LEASE_S        600   /* a claim this old is a dead process's: take it over */
#define CENTRAL_MAIL_RETRY_FIRST_S  300   /* the wait after the first failure, doubled after each */
#define CENTRAL_MAIL_RETRY_MAX_S    21600 /* and never more than this */
#define CENTRAL_MAIL_SMTP_TIMEOUT_S 60

/* How mail is sent (the central's --smtp-* options and their
 * TILSTEDE_CENTRAL_SMTP_* variables). */
struct central_mail_config {
    const char *smtp_url;      /* smtps://HOST:465 or smtp://HOST:587 (STARTTLS, required) */
    const char *smtp_user;     /* the login */
    const char *smtp_password; /* its password (read from a file, never the command line) */
    const char *ca_file;       /* a CA to trust for the server's certificate; NULL: the system's */
    const char *from;          /* the sender's address */
    const char *public_url;    /* the web app's address, named in the body; NULL: none */
    double hours_per_arsverk;
};

/* The numbers in one mail's body. */
struct central_mail_summary {
    int64_t seconds, visits;
    int64_t seconds_last_year; /* the same month a year before */
    double arsverk;
    size_t thanks; /* volunteers who passed a milestone in the month */
    size_t lost;   /* came regularly, not seen for CENTRAL_LOST_WEEKS weeks at the month's end */
};

/* 1 when text looks like an address: one @, something either side, no
 * spaces, angle brackets or control characters, under CENTRAL_EMAIL_MAX. */
int central_mail_address_valid(const char *text);
/* 1 when text is a month YYYY-MM. */
int central_mail_month_valid(const char *text);

/* The message (RFC 5322, MIME, CRLF) of month's report for user (their
 * sites when a contact; NULL: every site, for --to) to address `to`, into
 * message; its body's text into body (for a dry run); its numbers into
 * summary (may be NULL). */
int central_mail_compose(struct central_store *store, const struct central_mail_config *config,
                         const char *month, const struct central_user *user, const char *to,
                         int64_t now_us, struct central_buf *message, struct central_buf *body,
                         struct central_mail_summary *summary, char *err, size_t errlen);

/* -EINVAL with the reason when config cannot send: no server, a URL that
 * is not smtps:// or smtp://, no sender. */
int central_mail_config_check(const struct central_mail_config *config, char *err, size_t errlen);
/* Sends message to `to` (mail_smtp.c): 0, or a negative errno with the
 * SMTP server's or libcurl's reason in err. */
int central_mail_send(const struct central_mail_config *config, const char *to, const char *message,
                      size_t len, char *err, size_t errlen);

/* The wait before the next try after `attempts` failed sends. */
int64_t central_mail_retry_delay_us(int64_t attempts);

/* One run over a month's recipients. */
struct central_mail_run {
    const char *month;
    const char *only_to; /* --to: this address only, every site, not recorded */
    int dry_run;         /* print the messages to out; send and record nothing */
    int ignore_backoff;  /* a person asked for it now: failed sends go at once */
    int64_t now_us;
    FILE *out; /* one line per recipient (NULL: none); a dry run's messages */
    size_t sent, already, waiting, failed; /* counted by the run */
};

/* Sends (or shows) month's report to everyone it is for and not yet sent
 * to. 0 when every send that was due went (or would go); -EIO when one
 * failed (recorded, with its retry); another negative errno when the run
 * itself could not be done. err gets the first failure. */
int central_mail_month(struct central_store *store, const struct central_mail_config *config,
                       struct central_mail_run *run, char *err, size_t errlen);

#endif
