/* Benchmark: a backlog of 100,000 events drained by the uploader to a real
 * central on loopback, beside libcurl in a plain loop sending the same
 * request bodies (to a second, fresh central) in the same run.
 * Goal: the uploader within 1.5 x the plain loop. Then the same 100,000
 * fetched back by a kiosk restored from an empty backup (GET /v1/events,
 * paged), beside the upload's time in the same run. Prints; never fails. */
#include <curl/curl.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk.h"
#include "protocol.h"
#include "uploader.h"
#include "uploader_harness.h"

#define EVENTS 100000
#define BATCH 500
#define HOUR_US (INT64_C(3600) * 1000000)

static size_t discard(char *data, size_t size, size_t count, void *user)
{
    (void)data, (void)user;
    return size * count;
}

/* The batches the uploader will send, as JSON bodies, in the same order. */
static char **bodies_of(const char *db_path, size_t *count)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL);
    sqlite3_prepare_v2(db, "SELECT " EVENT_COLUMNS " FROM event ORDER BY seq", -1, &st, NULL);
    size_t n = 0;
    char **bodies = calloc(EVENTS / BATCH + 1, sizeof *bodies);
    struct event *events = calloc(BATCH, sizeof *events);
    size_t in_batch = 0;
    for (;;) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            memset(&events[in_batch], 0, sizeof events[in_batch]);
            event_from_row(st, 0, &events[in_batch]);
            in_batch++;
        }
        if (in_batch == BATCH || (rc != SQLITE_ROW && in_batch)) {
            bodies[n++] = fixture_batch(events, in_batch);
            in_batch = 0;
        }
        if (rc != SQLITE_ROW)
            break;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(events);
    *count = n;
    return bodies;
}

static double curl_loop(struct fixture *central, char **bodies, size_t count, long *failures)
{
    CURL *curl = curl_easy_init();
    char url[128], auth[200];
    snprintf(url, sizeof url, "%s/v1/events", central->base);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", central->token_a1);
    struct curl_slist *headers = curl_slist_append(NULL, auth);
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    *failures = 0;
    int64_t start = mono_ms();
    for (size_t i = 0; i < count; i++) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, bodies[i]);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(bodies[i]));
        long status = 0;
        if (curl_easy_perform(curl) != CURLE_OK ||
            curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK ||
            status != 200)
            (*failures)++;
    }
    double seconds = (double)(mono_ms() - start) / 1000.0;
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return seconds;
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct fixture *for_curl = fixture_start(NULL);
    struct fixture *for_uploader = fixture_start(NULL);
    struct kiosk_side kiosk;
    kiosk_side_init(&kiosk, for_uploader->base, for_uploader->token_a1);
    kiosk.cfg.batch_size = BATCH;

    int64_t t0 = mono_ms();
    kiosk_side_add_visits(&kiosk, EVENTS / 2, fixture_utc("2029-01-01T09:00:00Z"),
                          HOUR_US / 6, HOUR_US);
    size_t count = 0;
    char **bodies = bodies_of(kiosk.cfg.database, &count);
    size_t bytes = 0;
    for (size_t i = 0; i < count; i++)
        bytes += strlen(bodies[i]);
    printf("bench_uploader: backlog of %d events (%zu batches of <= %d, %.1f MiB of JSON) "
           "built in %.1f s\n",
           EVENTS, count, BATCH, (double)bytes / (1024.0 * 1024.0),
           (double)(mono_ms() - t0) / 1000.0);

    long failures = 0;
    double curl_s = curl_loop(for_curl, bodies, count, &failures);
    printf("  libcurl loop, same bodies:     %6.2f s  %8.0f events/s  (%ld failed)\n", curl_s,
           EVENTS / curl_s, failures);

    struct uploader_result result;
    char err[1024];
    int64_t start = mono_ms();
    int rc = uploader_sync_now(&kiosk.cfg, &kiosk.clock.source, NULL, &result, err, sizeof err);
    double up_s = (double)(mono_ms() - start) / 1000.0;
    printf("  uploader (store, JSON, marks): %6.2f s  %8.0f events/s  (%lld sent, %lld left%s%s)\n",
           up_s, EVENTS / up_s, (long long)result.uploaded, (long long)result.events_waiting,
           rc ? ", error: " : "", rc ? err : "");
    printf("  ratio uploader / libcurl loop: %.2f (goal <= 1.5)\n", up_s / curl_s);
    printf("  central holds %lld events (uploader's), %lld (curl's)\n",
           fixture_count(for_uploader, "SELECT count(*) FROM event"),
           fixture_count(for_curl, "SELECT count(*) FROM event"));

    /* The kiosk's card dies; a new one starts from a backup taken before
     * its first event: everything comes back from the central. */
    struct kiosk_side restored;
    kiosk_side_init(&restored, for_uploader->base, for_uploader->token_a1);
    restored.cfg.batch_size = BATCH;
    struct kiosk_recovery record = {.at_us = clock_wall(&restored.clock.source),
                                    .backup_us = fixture_utc("2029-01-01T03:00:00Z"),
                                    .fetch_state = KIOSK_FETCH_PENDING};
    if (store_recovery_record(restored.store, &record))
        printf("  recording the restore failed: %s\n", store_errmsg(restored.store));
    start = mono_ms();
    rc = uploader_sync_now(&restored.cfg, &restored.clock.source, NULL, &result, err, sizeof err);
    double fetch_s = (double)(mono_ms() - start) / 1000.0;
    printf("  fetch back after a restore:    %6.2f s  %8.0f events/s  (%lld fetched%s%s)\n",
           fetch_s, EVENTS / fetch_s, (long long)result.fetched, rc ? ", error: " : "",
           rc ? err : "");
    printf("  ratio fetch back / upload:     %.2f\n", fetch_s / up_s);
    printf("  the restored kiosk holds exactly the central's events and visits: %s\n",
           same_events(&restored, for_uploader) == 0 && same_visits(&restored, for_uploader) == 0
               ? "yes"
               : "NO");
    kiosk_side_fini(&restored);

    for (size_t i = 0; i < count; i++)
        free(bodies[i]);
    free(bodies);
    kiosk_side_fini(&kiosk);
    fixture_stop(for_uploader);
    fixture_stop(for_curl);
    curl_global_cleanup();
    return 0;
}
