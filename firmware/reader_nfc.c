/* The hardware reader through libnfc (pn532_uart:/dev/ttyS0, acr122_usb,
 * ...). One thread per reader polls for ISO14443A cards, reports one tap
 * per card put on the reader, and reopens the reader when it goes away. */
#include "reader.h"
#include "utf8.h"

#include <errno.h>
#include <nfc/nfc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How we look for a card: nfc_initiator_poll_target, which on a PN532
 * (boards and the ACR122U alike) is the chip's own InAutoPoll. The chip
 * does the timing and the host sleeps in select() meanwhile, so an idle
 * reader costs nothing, and a card is reported as soon as the chip sees
 * it. PollNr 1 x Period 1 (150 ms) x the 2 types libnfc asks for (plain
 * 106 kbps type A, plus ISO14443-4A to get the ATS) bounds each call to
 * ~300 ms: a card put down mid-call is seen within one period, and a
 * shutdown whose nfc_abort_command() falls between two commands (libnfc
 * then loses it) still waits at most one call. The alternative, a loop
 * of nfc_initiator_select_passive_target with host-side sleeps, keeps
 * the serial line busy all night for the same latency. */
#define POLL_NR     1
#define POLL_PERIOD 1 /* in the PN532's units of 150 ms */
/* While a card stays on the reader we ask it every this often whether it
 * is still there; it must be gone for one check before it can tap again. */
#define PRESENCE_CHECK_MS 100
/* After the reader vanished or failed: time between attempts to reopen. */
#define REOPEN_PERIOD_MS 2000
/* One garbled frame (noise on a long serial cable) is not a lost reader:
 * this many failures in a row are, with a short pause between them. */
#define MAX_CONSECUTIVE_ERRORS 3
#define ERROR_RETRY_MS         100
#define DETAIL_MAX             256

static const nfc_modulation iso14443a_106 = {.nmt = NMT_ISO14443A, .nbr = NBR_106};

struct nfc_reader {
    struct reader_callbacks cb;
    nfc_connstring connstring;
    nfc_context *context;
    pthread_t thread;
    /* Guards stopping, device and polling: close() aborts the device's
     * blocking poll from its own thread, so the reader thread publishes
     * the device here and takes it back before nfc_close(). */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
    nfc_device *device;
    bool polling;            /* inside nfc_initiator_poll_target */
    char detail[DETAIL_MAX]; /* reader thread only */
};

static bool is_stopping(struct nfc_reader *reader)
{
    pthread_mutex_lock(&reader->lock);
    bool stopping = reader->stopping;
    pthread_mutex_unlock(&reader->lock);
    return stopping;
}

/* Sleeps ms unless close() comes first; returns whether it did. */
static bool wait_or_stop(struct nfc_reader *reader, int ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&reader->lock);
    int rc = 0;
    while (!reader->stopping && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&reader->wake, &reader->lock, &until);
    bool stopping = reader->stopping;
    pthread_mutex_unlock(&reader->lock);
    return stopping;
}

static void report(struct nfc_reader *reader, enum reader_state state, const char *detail)
{
    reader->cb.state(reader->cb.user, state, detail);
}

/* Says why nfc_open() failed as well as we can: libnfc returns only NULL.
 * For a serial reader a missing device node is the usual cause. Long
 * paths are cut (at 150 bytes, between characters): the detail is a line for staff, not a record.
 */
static void describe_open_failure(struct nfc_reader *reader)
{
    const char *name = reader->connstring;
    const char *port = strchr(name, ':');
    if (strncmp(name, "pn532_uart:", 11) == 0 && port) {
        char path[sizeof reader->connstring];
        snprintf(path, sizeof path, "%s", port + 1);
        path[strcspn(path, ":")] = '\0'; /* drop a ":115200" speed */
        if (access(path, F_OK) != 0) {
            snprintf(reader->detail, sizeof reader->detail,
                     "reader not connected: %.*s: %s (is the reader plugged in?)",
                     UTF8_CLIP(path, 150), strerror(errno));
            return;
        }
    }
    snprintf(reader->detail, sizeof reader->detail,
             "reader not connected: no reader answers at %.*s (check the cable and "
             "reader_connection)",
             UTF8_CLIP(name, 150));
}

/* nfc_initiator_poll_target, marked so that close() knows when an abort
 * has something to interrupt. pn532_uart's abort swaps a pipe that only a
 * receive in progress closes again: an abort sent while the thread sleeps
 * between presence checks leaks a descriptor and is lost. One sent in the
 * millisecond or two between setting polling and the receive starting
 * (the command's ACK) is still lost that way; the poll then ends on its
 * own within ~300 ms. Returns 0 (no card) if close() came first. */
static int poll_once(struct nfc_reader *reader, nfc_device *device, nfc_target *target)
{
    pthread_mutex_lock(&reader->lock);
    bool stopping = reader->stopping;
    reader->polling = !stopping;
    pthread_mutex_unlock(&reader->lock);
    if (stopping)
        return 0;
    int res = nfc_initiator_poll_target(device, &iso14443a_106, 1, POLL_NR, POLL_PERIOD, target);
    pthread_mutex_lock(&reader->lock);
    reader->polling = false;
    pthread_mutex_unlock(&reader->lock);
    return res;
}

static bool same_card(const nfc_target *a, const nfc_target *b)
{
    return a->nti.nai.szUidLen == b->nti.nai.szUidLen &&
           memcmp(a->nti.nai.abtUid, b->nti.nai.abtUid, a->nti.nai.szUidLen) == 0;
}

/* For cards libnfc cannot ping (nfc_initiator_target_is_present says "not
 * supported"): the card is still there while polling keeps finding it. */
static int wait_for_removal_by_polling(struct nfc_reader *reader, nfc_device *device,
                                       const nfc_target *tapped)
{
    for (;;) {
        if (wait_or_stop(reader, PRESENCE_CHECK_MS))
            return 0;
        nfc_target seen;
        int res = poll_once(reader, device, &seen);
        if (res < 0)
            return res;
        /* A different card is a new tap: the caller's next poll finds it. */
        if (res == 0 || !same_card(&seen, tapped))
            return 0;
    }
}

/* Returns 0 once the card is gone (or we are stopping), or the libnfc
 * error if the reader itself failed. */
static int wait_for_removal(struct nfc_reader *reader, nfc_device *device, const nfc_target *tapped)
{
    for (;;) {
        if (wait_or_stop(reader, PRESENCE_CHECK_MS))
            return 0;
        int res = nfc_initiator_target_is_present(device, NULL);
        if (res == NFC_SUCCESS)
            continue;
        /* Released, or torn away in the middle of the check. */
        if (res == NFC_ETGRELEASED || res == NFC_ERFTRANS)
            return 0;
        if (res == NFC_EDEVNOTSUPP || res == NFC_EINVARG)
            return wait_for_removal_by_polling(reader, device, tapped);
        return res;
    }
}

/* Polls until close() (returns 0) or the reader fails (returns the libnfc
 * error, with reader->detail set). */
static int serve(struct nfc_reader *reader, nfc_device *device)
{
    int errors = 0;

    while (!is_stopping(reader)) {
        nfc_target target;
        int res = poll_once(reader, device, &target);
        if (res > 0) {
            size_t uid_len = target.nti.nai.szUidLen;
            /* Card data stays out of logs and details: only the callback
             * sees the UID. */
            if (uid_len > 0 && uid_len <= READER_UID_MAX)
                reader->cb.tap(reader->cb.user, target.nti.nai.abtUid, uid_len);
            res = wait_for_removal(reader, device, &target);
        }
        if (res >= 0) {
            errors = 0;
            continue;
        }
        if (is_stopping(reader)) /* NFC_EOPABORTED from our own abort */
            return 0;
        if (++errors >= MAX_CONSECUTIVE_ERRORS) {
            snprintf(reader->detail, sizeof reader->detail, "reader not connected: %s",
                     nfc_strerror(device));
            return res;
        }
        wait_or_stop(reader, ERROR_RETRY_MS);
    }
    return 0;
}

static void *nfc_thread(void *arg)
{
    struct nfc_reader *reader = arg;

    while (!is_stopping(reader)) {
        nfc_device *device = nfc_open(reader->context, reader->connstring);
        if (!device) {
            describe_open_failure(reader);
            report(reader, READER_DISCONNECTED, reader->detail);
            wait_or_stop(reader, REOPEN_PERIOD_MS);
            continue;
        }
        if (nfc_initiator_init(device) < 0) {
            snprintf(reader->detail, sizeof reader->detail, "reader not connected: %s",
                     nfc_strerror(device));
            nfc_close(device);
            report(reader, READER_DISCONNECTED, reader->detail);
            wait_or_stop(reader, REOPEN_PERIOD_MS);
            continue;
        }
        pthread_mutex_lock(&reader->lock);
        reader->device = device;
        pthread_mutex_unlock(&reader->lock);

        snprintf(reader->detail, sizeof reader->detail, "reader connected: %s",
                 nfc_device_get_name(device));
        report(reader, READER_CONNECTED, reader->detail);
        int res = serve(reader, device);

        pthread_mutex_lock(&reader->lock);
        reader->device = NULL;
        pthread_mutex_unlock(&reader->lock);
        nfc_close(device);
        if (res == 0)
            break;
        report(reader, READER_DISCONNECTED, reader->detail);
        wait_or_stop(reader, REOPEN_PERIOD_MS);
    }
    report(reader, READER_STOPPED, "reader stopped");
    return NULL;
}

static int nfc_reader_open(void **impl, const char *connstring, const struct reader_callbacks *cb,
                           char *err, size_t errlen)
{
    struct nfc_reader *reader = NULL;
    pthread_condattr_t attr;
    int rc = 0;

    if (strlen(connstring) >= sizeof reader->connstring) {
        snprintf(err, errlen, "reader: connection string too long (%zu bytes, at most %zu)",
                 strlen(connstring), sizeof reader->connstring - 1);
        return -EINVAL;
    }
    reader = calloc(1, sizeof *reader);
    if (!reader) {
        snprintf(err, errlen, "reader: out of memory");
        return -ENOMEM;
    }
    reader->cb = *cb;
    snprintf(reader->connstring, sizeof reader->connstring, "%s", connstring);
    /* One context per reader: nfc_exit() in close() then frees exactly
     * what this reader used, whatever other readers do. */
    nfc_init(&reader->context);
    if (!reader->context) {
        snprintf(err, errlen, "reader: libnfc failed to initialise (out of memory?)");
        rc = -ENOMEM;
        goto fail;
    }
    pthread_mutex_init(&reader->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&reader->wake, &attr);
    pthread_condattr_destroy(&attr);
    rc = pthread_create(&reader->thread, NULL, nfc_thread, reader);
    if (rc != 0) {
        snprintf(err, errlen, "reader: cannot start its thread: %s", strerror(rc));
        rc = -rc;
        pthread_cond_destroy(&reader->wake);
        pthread_mutex_destroy(&reader->lock);
        nfc_exit(reader->context);
        goto fail;
    }
    *impl = reader;
    return 0;
fail:
    free(reader);
    return rc;
}

static void nfc_reader_close(void *impl)
{
    struct nfc_reader *reader = impl;

    pthread_mutex_lock(&reader->lock);
    reader->stopping = true;
    /* Wakes a poll blocked in the chip (InAutoPoll) at once; the thread
     * sees stopping when the call returns NFC_EOPABORTED. Anything else
     * it does (a presence check, opening) takes milliseconds, or is a
     * sleep the signal below ends. */
    if (reader->polling)
        nfc_abort_command(reader->device);
    pthread_cond_signal(&reader->wake);
    pthread_mutex_unlock(&reader->lock);
    pthread_join(reader->thread, NULL);
    nfc_exit(reader->context);
    pthread_cond_destroy(&reader->wake);
    pthread_mutex_destroy(&reader->lock);
    free(reader);
}

const struct reader_driver reader_driver_nfc = {
    .name = "nfc",
    .open = nfc_reader_open,
    .close = nfc_reader_close,
    .inject = NULL, /* a real reader is tapped by hand */
};
