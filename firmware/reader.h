/* The card reader seam: one interface, several drivers (libnfc hardware,
 * a simulated reader for the demo and tests). A reader runs on its own
 * thread and reports through callbacks; nothing else ever waits on it. */
#ifndef TILSTEDE_READER_H
#define TILSTEDE_READER_H

#include <stddef.h>
#include <stdint.h>

#define READER_UID_MAX 10 /* ISO14443A UIDs are 4, 7 or 10 bytes */

enum reader_state {
    READER_STARTING = 0,
    READER_CONNECTED,     /* opened and polling */
    READER_DISCONNECTED,  /* not there or failed; retrying every few seconds */
    READER_STOPPED,
};

/* Called on the reader's thread. Keep them short: post to a queue. */
struct reader_callbacks {
    /* One call per tap: a card that stays on the reader is not reported
     * again until it has been taken away. */
    void (*tap)(void *user, const uint8_t *uid, size_t uid_len);
    /* The reader's state changed; detail is a short message for logs and
     * staff (never card data), valid only during the call. */
    void (*state)(void *user, enum reader_state state, const char *detail);
    void *user;
};

struct reader;

/* A driver is a table of operations. A driver that cannot do something
 * leaves that slot NULL and the caller answers "not supported". */
struct reader_driver {
    const char *name;
    /* Starts the driver's thread; returns 0 or a negative errno. */
    int (*open)(void **impl, const char *connstring, const struct reader_callbacks *cb,
                char *err, size_t errlen);
    /* Stops the thread (within one poll period) and frees everything. */
    void (*close)(void *impl);
    /* Simulated readers only: present a card as if it were tapped. */
    int (*inject)(void *impl, const uint8_t *uid, size_t uid_len);
};

extern const struct reader_driver reader_driver_nfc; /* libnfc: pn532_uart:..., acr122_usb, ... */
extern const struct reader_driver reader_driver_sim; /* "sim": taps come from reader_inject() */

/* Picks the driver from the connection string: "sim" (or "sim:...") is the
 * simulated reader, anything else goes to libnfc. */
int reader_open(const char *connstring, const struct reader_callbacks *cb, struct reader **out,
                char *err, size_t errlen);
int reader_inject(struct reader *reader, const uint8_t *uid, size_t uid_len);
enum reader_state reader_state(const struct reader *reader);
/* The names are the status report's reader_state values, listed in
 * sync/PROTOCOL.md (section 8): a new state is a new documented value. A
 * program that does not run the reader (tilstedectl sync) reports
 * READER_STATE_UNKNOWN_NAME. */
#define READER_STATE_UNKNOWN_NAME "unknown"
const char *reader_state_name(enum reader_state state);
void reader_close(struct reader *reader);

/* Lower-case hex of a UID, e.g. "04a1b2c3d4e5f6"; out needs 2*len+1 bytes. */
void reader_uid_hex(const uint8_t *uid, size_t uid_len, char *out);
/* Parses hex (colons, spaces allowed) into uid; returns its length or -1. */
int reader_uid_parse(const char *hex, uint8_t *uid, size_t cap);

#endif
