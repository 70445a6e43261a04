/* Sending one message through libcurl's SMTP (see mail.h): TLS always,
 * implicit (smtps://) or by STARTTLS (smtp://, which must then succeed:
 * CURLUSESSL_ALL), the server's certificate and name verified, and a login. */
#include "mail.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

struct upload {
    const char *data;
    size_t len, at;
};

static size_t read_message(char *buffer, size_t size, size_t count, void *ctx)
{
    struct upload *up = ctx;
    size_t room = size * count, left = up->len - up->at;
    size_t n = left < room ? left : room;
    memcpy(buffer, up->data + up->at, n);
    up->at += n;
    return n;
}

int central_mail_config_check(const struct central_mail_config *config, char *err, size_t errlen)
{
    if (!config->smtp_url || !config->smtp_url[0] || !config->from || !config->from[0]) {
        snprintf(err, errlen,
                 "mail: no SMTP server: give --smtp-url smtps://HOST:465 (or smtp://HOST:587 "
                 "for STARTTLS) and --mail-from ADDRESS");
        return -EINVAL;
    }
    if (strncmp(config->smtp_url, "smtps://", 8) != 0 &&
        strncmp(config->smtp_url, "smtp://", 7) != 0) {
        snprintf(err, errlen,
                 "mail: --smtp-url \"%s\": expected smtps://HOST[:PORT] or smtp://HOST[:PORT]",
                 config->smtp_url);
        return -EINVAL;
    }
    return 0;
}

int central_mail_send(const struct central_mail_config *config, const char *to, const char *message,
                      size_t len, char *err, size_t errlen)
{
    int checked = central_mail_config_check(config, err, errlen);
    if (checked)
        return checked;
    CURL *curl = curl_easy_init();
    if (!curl) {
        snprintf(err, errlen, "mail: cannot start libcurl");
        return -ENOMEM;
    }
    char from[CENTRAL_EMAIL_MAX + 2], curl_error[CURL_ERROR_SIZE] = "";
    snprintf(from, sizeof from, "<%s>", config->from);
    struct curl_slist *recipients = curl_slist_append(NULL, to);
    struct upload up = {.data = message, .len = len};
    curl_easy_setopt(curl, CURLOPT_URL, config->smtp_url);
    curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (config->ca_file)
        curl_easy_setopt(curl, CURLOPT_CAINFO, config->ca_file);
    if (config->smtp_user)
        curl_easy_setopt(curl, CURLOPT_USERNAME, config->smtp_user);
    if (config->smtp_password)
        curl_easy_setopt(curl, CURLOPT_PASSWORD, config->smtp_password);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_message);
    curl_easy_setopt(curl, CURLOPT_READDATA, &up);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)CENTRAL_MAIL_SMTP_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
    CURLcode code = recipients ? curl_easy_perform(curl) : CURLE_OUT_OF_MEMORY;
    int rc = 0;
    if (code != CURLE_OK) {
        long response = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response);
        const char *why = curl_error[0] ? curl_error : curl_easy_strerror(code);
        if (response)
            snprintf(err, errlen, "mail: %s: %s (SMTP answer %ld)", config->smtp_url, why,
                     response);
        else
            snprintf(err, errlen, "mail: %s: %s", config->smtp_url, why);
        rc = -EIO;
    }
    curl_slist_free_all(recipients);
    curl_easy_cleanup(curl);
    return rc;
}
