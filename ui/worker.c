/* The screen's worker thread (see worker.h): a queue in, a queue out, one
 * kiosk connection of its own. */
#include "worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct job_queue {
    struct ui_job *head, *tail;
};

struct ui_worker {
    struct kiosk *kiosk;
    void (*ring)(void *user);
    void *ring_user;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct job_queue todo, finished;
    int pending; /* submitted, not yet taken back */
    int stopping;
};

static void queue_push(struct job_queue *queue, struct ui_job *job)
{
    job->next = NULL;
    if (queue->tail)
        queue->tail->next = job;
    else
        queue->head = job;
    queue->tail = job;
}

static struct ui_job *queue_pop(struct job_queue *queue)
{
    struct ui_job *job = queue->head;
    if (job) {
        queue->head = job->next;
        if (!queue->head)
            queue->tail = NULL;
        job->next = NULL;
    }
    return job;
}

static void queue_free(struct job_queue *queue)
{
    struct ui_job *job;
    while ((job = queue_pop(queue)))
        free(job);
}

static void *worker_main(void *arg)
{
    struct ui_worker *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->stopping && !w->todo.head)
            pthread_cond_wait(&w->wake, &w->lock);
        if (w->stopping)
            break;
        struct ui_job *job = queue_pop(&w->todo);
        pthread_mutex_unlock(&w->lock);
        job->run(w->kiosk, job);
        pthread_mutex_lock(&w->lock);
        queue_push(&w->finished, job);
        pthread_mutex_unlock(&w->lock);
        w->ring(w->ring_user);
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int ui_worker_start(const struct kiosk *kiosk, void (*ring)(void *user), void *user,
                    struct ui_worker **out, char *err, size_t errlen)
{
    *out = NULL;
    struct ui_worker *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    char why[512];
    int rc = kiosk_open(kiosk_config(kiosk), kiosk_clock(kiosk), &w->kiosk, why, sizeof why);
    if (rc < 0) {
        snprintf(err, errlen, "the screen's worker cannot open the database: %s", why);
        free(w);
        return rc;
    }
    w->ring = ring;
    w->ring_user = user;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    if ((rc = pthread_create(&w->thread, NULL, worker_main, w)) != 0) {
        snprintf(err, errlen, "cannot start the screen's worker: %s", strerror(rc));
        kiosk_close(w->kiosk);
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->lock);
        free(w);
        return -rc;
    }
    *out = w;
    return 0;
}

void ui_worker_stop(struct ui_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    queue_free(&w->todo);
    queue_free(&w->finished);
    kiosk_close(w->kiosk);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

void ui_worker_submit(struct ui_worker *w, struct ui_job *job)
{
    pthread_mutex_lock(&w->lock);
    queue_push(&w->todo, job);
    w->pending++;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

struct ui_job *ui_worker_finished(struct ui_worker *w)
{
    pthread_mutex_lock(&w->lock);
    struct ui_job *job = queue_pop(&w->finished);
    if (job)
        w->pending--;
    pthread_mutex_unlock(&w->lock);
    return job;
}

int ui_worker_pending(struct ui_worker *w)
{
    pthread_mutex_lock(&w->lock);
    int pending = w->pending;
    pthread_mutex_unlock(&w->lock);
    return pending;
}
