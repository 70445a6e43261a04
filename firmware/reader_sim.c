/* The simulated reader ("sim", "sim:..."): no hardware, taps come from
 * reader_inject(). It has its own thread like a real reader, so callers
 * see taps arrive the same way (on the reader's thread, asynchronously). */
#include "reader.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIM_QUEUE_CAP 16 /* taps waiting for delivery; more is a runaway test */

struct sim_tap {
    uint8_t uid[READER_UID_MAX];
    size_t uid_len;
};

struct sim_reader {
    struct reader_callbacks cb;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
    struct sim_tap queue[SIM_QUEUE_CAP]; /* ring buffer */
    size_t head, count;
};

static void *sim_thread(void *arg)
{
    struct sim_reader *sim = arg;

    sim->cb.state(sim->cb.user, READER_CONNECTED, "simulated reader");
    pthread_mutex_lock(&sim->lock);
    for (;;) {
        while (!sim->stopping && sim->count == 0)
            pthread_cond_wait(&sim->wake, &sim->lock);
        if (sim->stopping)
            break;
        struct sim_tap tap = sim->queue[sim->head];
        sim->head = (sim->head + 1) % SIM_QUEUE_CAP;
        sim->count--;
        /* Not under the lock: the callback may well inject again. */
        pthread_mutex_unlock(&sim->lock);
        sim->cb.tap(sim->cb.user, tap.uid, tap.uid_len);
        pthread_mutex_lock(&sim->lock);
    }
    pthread_mutex_unlock(&sim->lock);
    sim->cb.state(sim->cb.user, READER_STOPPED, "reader stopped");
    return NULL;
}

static int sim_open(void **impl, const char *connstring, const struct reader_callbacks *cb,
                    char *err, size_t errlen)
{
    struct sim_reader *sim = calloc(1, sizeof *sim);
    int rc;

    (void)connstring;
    if (!sim) {
        snprintf(err, errlen, "simulated reader: out of memory");
        return -ENOMEM;
    }
    sim->cb = *cb;
    pthread_mutex_init(&sim->lock, NULL);
    pthread_cond_init(&sim->wake, NULL);
    rc = pthread_create(&sim->thread, NULL, sim_thread, sim);
    if (rc != 0) {
        snprintf(err, errlen, "simulated reader: cannot start its thread: %s", strerror(rc));
        pthread_cond_destroy(&sim->wake);
        pthread_mutex_destroy(&sim->lock);
        free(sim);
        return -rc;
    }
    *impl = sim;
    return 0;
}

static void sim_close(void *impl)
{
    struct sim_reader *sim = impl;

    pthread_mutex_lock(&sim->lock);
    sim->stopping = true;
    pthread_cond_signal(&sim->wake);
    pthread_mutex_unlock(&sim->lock);
    pthread_join(sim->thread, NULL);
    pthread_cond_destroy(&sim->wake);
    pthread_mutex_destroy(&sim->lock);
    free(sim);
}

static int sim_inject(void *impl, const uint8_t *uid, size_t uid_len)
{
    struct sim_reader *sim = impl;
    int rc = 0;

    if (!uid || uid_len == 0 || uid_len > READER_UID_MAX)
        return -EINVAL;
    pthread_mutex_lock(&sim->lock);
    if (sim->count == SIM_QUEUE_CAP) {
        rc = -ENOSPC;
        goto out;
    }
    struct sim_tap *tap = &sim->queue[(sim->head + sim->count) % SIM_QUEUE_CAP];
    memcpy(tap->uid, uid, uid_len);
    tap->uid_len = uid_len;
    sim->count++;
    pthread_cond_signal(&sim->wake);
out:
    pthread_mutex_unlock(&sim->lock);
    return rc;
}

const struct reader_driver reader_driver_sim = {
    .name = "sim",
    .open = sim_open,
    .close = sim_close,
    .inject = sim_inject,
};
