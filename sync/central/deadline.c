/* The whole-request deadline (deadline.h): one thread, and a list of the
 * connections whose request is still arriving, in the order their deadlines
 * fall. Every deadline is "now + the same delay" when it is set, so adding
 * at the tail keeps the list sorted and the thread only ever looks at the
 * head: it sleeps until the head's deadline, or for ever when nothing is
 * arriving. */
#include "deadline.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

struct central_deadline_watch {
    int fd;
    int64_t due_ms; /* on the monotonic clock */
    int listed;     /* in the list: its request is arriving */
    int cut;        /* shut down by the deadline; never listed again */
    struct central_deadline_watch *prev, *next;
};

struct central_deadline {
    int64_t deadline_ms;
    int quiet;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    pthread_t thread;
    int stopping;
    struct central_deadline_watch *head, *tail;
};

static int64_t now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* The list's changes, with the lock held. */
static void unlist(struct central_deadline *deadline, struct central_deadline_watch *watch)
{
    if (!watch->listed)
        return;
    if (watch->prev)
        watch->prev->next = watch->next;
    else
        deadline->head = watch->next;
    if (watch->next)
        watch->next->prev = watch->prev;
    else
        deadline->tail = watch->prev;
    watch->prev = watch->next = NULL;
    watch->listed = 0;
}

static void list_at_tail(struct central_deadline *deadline, struct central_deadline_watch *watch)
{
    watch->due_ms = now_ms() + deadline->deadline_ms;
    watch->prev = deadline->tail;
    watch->next = NULL;
    if (deadline->tail)
        deadline->tail->next = watch;
    else
        deadline->head = watch;
    deadline->tail = watch;
    watch->listed = 1;
    /* The thread may be asleep with nothing to wait for. */
    pthread_cond_signal(&deadline->changed);
}

static void *watcher(void *arg)
{
    struct central_deadline *deadline = arg;
    pthread_mutex_lock(&deadline->lock);
    while (!deadline->stopping) {
        struct central_deadline_watch *head = deadline->head;
        if (!head) {
            pthread_cond_wait(&deadline->changed, &deadline->lock);
            continue;
        }
        int64_t now = now_ms();
        if (head->due_ms > now) {
            struct timespec until = {.tv_sec = (time_t)(head->due_ms / 1000),
                                     .tv_nsec = (long)(head->due_ms % 1000) * 1000000L};
            pthread_cond_timedwait(&deadline->changed, &deadline->lock, &until);
            continue;
        }
        /* The socket stays open until libmicrohttpd has told us the
         * connection is closed (central_deadline_forget, under this lock),
         * so fd cannot be another connection's yet. Shutting it down wakes
         * the thread that serves it, which sees the end and closes it. */
        unlist(deadline, head);
        head->cut = 1;
        shutdown(head->fd, SHUT_RDWR);
        if (!deadline->quiet)
            fprintf(stderr,
                    "tilstede-central: a request did not arrive in full within %lld s of its "
                    "connection; the connection is closed\n",
                    (long long)(deadline->deadline_ms / 1000));
    }
    pthread_mutex_unlock(&deadline->lock);
    return NULL;
}

int central_deadline_start(unsigned deadline_s, int quiet, struct central_deadline **out, char *err,
                           size_t errlen)
{
    *out = NULL;
    struct central_deadline *deadline = calloc(1, sizeof *deadline);
    if (!deadline) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    deadline->deadline_ms = (int64_t)deadline_s * 1000;
    deadline->quiet = quiet;
    pthread_mutex_init(&deadline->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&deadline->changed, &attr);
    pthread_condattr_destroy(&attr);
    int rc = pthread_create(&deadline->thread, NULL, watcher, deadline);
    if (rc) {
        snprintf(err, errlen, "cannot start the request deadline's thread: %s", strerror(rc));
        pthread_cond_destroy(&deadline->changed);
        pthread_mutex_destroy(&deadline->lock);
        free(deadline);
        return -rc;
    }
    *out = deadline;
    return 0;
}

void central_deadline_stop(struct central_deadline *deadline)
{
    if (!deadline)
        return;
    pthread_mutex_lock(&deadline->lock);
    deadline->stopping = 1;
    pthread_cond_signal(&deadline->changed);
    pthread_mutex_unlock(&deadline->lock);
    pthread_join(deadline->thread, NULL);
    pthread_cond_destroy(&deadline->changed);
    pthread_mutex_destroy(&deadline->lock);
    free(deadline);
}

struct central_deadline_watch *central_deadline_watch(struct central_deadline *deadline, int fd)
{
    struct central_deadline_watch *watch = calloc(1, sizeof *watch);
    if (!watch)
        return NULL;
    watch->fd = fd;
    pthread_mutex_lock(&deadline->lock);
    list_at_tail(deadline, watch);
    pthread_mutex_unlock(&deadline->lock);
    return watch;
}

void central_deadline_read(struct central_deadline *deadline, struct central_deadline_watch *watch)
{
    if (!watch)
        return;
    pthread_mutex_lock(&deadline->lock);
    unlist(deadline, watch);
    pthread_mutex_unlock(&deadline->lock);
}

void central_deadline_restart(struct central_deadline *deadline,
                              struct central_deadline_watch *watch)
{
    if (!watch)
        return;
    pthread_mutex_lock(&deadline->lock);
    if (!watch->cut) {
        unlist(deadline, watch);
        list_at_tail(deadline, watch);
    }
    pthread_mutex_unlock(&deadline->lock);
}

void central_deadline_forget(struct central_deadline *deadline,
                             struct central_deadline_watch *watch)
{
    if (!watch)
        return;
    pthread_mutex_lock(&deadline->lock);
    unlist(deadline, watch);
    pthread_mutex_unlock(&deadline->lock);
    free(watch);
}
