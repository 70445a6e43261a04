/* The reader seam's generic half: picks a driver from the connection
 * string, keeps the latest state for reader_state(), and holds the UID
 * helpers. The drivers (reader_nfc.c, reader_sim.c) do the work. */
#include "reader.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READER_DETAIL_MAX 256

struct reader {
    const struct reader_driver *driver;
    void *impl;
    struct reader_callbacks user;    /* the caller's */
    struct reader_callbacks wrapped; /* handed to the driver; points here */
    /* Read from any thread, written on the reader's: atomic, so that
     * reader_state() on a const handle needs no lock. */
    _Atomic int state;
    /* Last state reported, so the caller hears of changes only: a driver
     * retrying every few seconds may repeat itself. Reader thread only. */
    int reported_state;
    char reported_detail[READER_DETAIL_MAX];
};

static void forward_tap(void *user, const uint8_t *uid, size_t uid_len)
{
    struct reader *reader = user;
    if (reader->user.tap)
        reader->user.tap(reader->user.user, uid, uid_len);
}

static void forward_state(void *user, enum reader_state state, const char *detail)
{
    struct reader *reader = user;
    if (!detail)
        detail = "";
    atomic_store(&reader->state, (int)state);
    if (reader->reported_state == (int)state &&
        strncmp(reader->reported_detail, detail, sizeof reader->reported_detail - 1) == 0)
        return;
    reader->reported_state = (int)state;
    snprintf(reader->reported_detail, sizeof reader->reported_detail, "%s", detail);
    if (reader->user.state)
        reader->user.state(reader->user.user, state, detail);
}

static int is_sim(const char *connstring)
{
    return strcmp(connstring, "sim") == 0 || strncmp(connstring, "sim:", 4) == 0;
}

int reader_open(const char *connstring, const struct reader_callbacks *cb, struct reader **out,
                char *err, size_t errlen)
{
    struct reader *reader = NULL;
    int rc;

    *out = NULL;
    if (!connstring || !*connstring) {
        snprintf(err, errlen,
                 "reader: empty connection string (set reader_connection, "
                 "e.g. pn532_uart:/dev/ttyS0, acr122_usb or sim)");
        return -EINVAL;
    }
    reader = calloc(1, sizeof *reader);
    if (!reader) {
        snprintf(err, errlen, "reader: out of memory");
        return -ENOMEM;
    }
    reader->driver = is_sim(connstring) ? &reader_driver_sim : &reader_driver_nfc;
    if (cb)
        reader->user = *cb;
    reader->wrapped.tap = forward_tap;
    reader->wrapped.state = forward_state;
    reader->wrapped.user = reader;
    atomic_init(&reader->state, READER_STARTING);
    reader->reported_state = READER_STARTING;

    /* The driver's thread may report before open returns; everything the
     * wrappers touch is set above. */
    rc = reader->driver->open(&reader->impl, connstring, &reader->wrapped, err, errlen);
    if (rc < 0) {
        free(reader);
        return rc;
    }
    *out = reader;
    return 0;
}

int reader_inject(struct reader *reader, const uint8_t *uid, size_t uid_len)
{
    if (!reader->driver->inject)
        return -ENOTSUP;
    return reader->driver->inject(reader->impl, uid, uid_len);
}

enum reader_state reader_state(const struct reader *reader)
{
    /* atomic_load wants a non-const object before C17's DR 459 fix. */
    return (enum reader_state)atomic_load((_Atomic int *)&reader->state);
}

const char *reader_state_name(enum reader_state state)
{
    switch (state) {
    case READER_STARTING:
        return "starting";
    case READER_CONNECTED:
        return "connected";
    case READER_DISCONNECTED:
        return "disconnected";
    case READER_STOPPED:
        return "stopped";
    }
    return READER_STATE_UNKNOWN_NAME;
}

void reader_close(struct reader *reader)
{
    if (!reader)
        return;
    reader->driver->close(reader->impl);
    atomic_store(&reader->state, READER_STOPPED);
    free(reader);
}

void reader_uid_hex(const uint8_t *uid, size_t uid_len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < uid_len; i++) {
        out[2 * i] = digits[uid[i] >> 4];
        out[2 * i + 1] = digits[uid[i] & 0x0f];
    }
    out[2 * uid_len] = '\0';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int reader_uid_parse(const char *hex, uint8_t *uid, size_t cap)
{
    size_t len = 0;

    if (!hex)
        return -1;
    while (*hex) {
        if (*hex == ':' || *hex == ' ') {
            hex++;
            continue;
        }
        /* Separators go between bytes, never inside one: "0 4a1" is more
         * likely a typo than the UID 04 a1. */
        int high = hex_value(hex[0]);
        int low = high < 0 ? -1 : hex_value(hex[1]);
        if (low < 0 || len == cap)
            return -1;
        uid[len++] = (uint8_t)(high << 4 | low);
        hex += 2;
    }
    return len > 0 ? (int)len : -1;
}
