/* The screen's second thread: every database read the screens need (the
 * home screen's count and activities, staff lists, name matches), the
 * minute's sweep, staff writes other than check-ins, and the PIN check,
 * run here on a connection of its own. The UI thread keeps only the
 * check-in commit itself, so a slow disk or a long report never holds a
 * frame or a tap.
 *
 * A job is a struct that starts with struct ui_job: run() fills it on the
 * worker with the worker's kiosk (it must touch nothing else shared), and
 * done() reads it on the UI thread, which then frees it. Jobs run one at a
 * time in the order they were submitted. */
#ifndef TILSTEDE_UI_WORKER_H
#define TILSTEDE_UI_WORKER_H

#include <stddef.h>

#include "kiosk.h"

struct ui;
struct ui_worker;

struct ui_job {
    void (*run)(struct kiosk *kiosk, struct ui_job *job); /* worker thread */
    void (*done)(struct ui *ui, struct ui_job *job);      /* UI thread; NULL = nothing */
    struct ui_job *next;
};

/* Opens the worker's own kiosk on kiosk's configuration and clock, and
 * starts its thread. ring(user) is called from the worker after each job
 * (it wakes the UI loop). */
int ui_worker_start(const struct kiosk *kiosk, void (*ring)(void *user), void *user,
                    struct ui_worker **out, char *err, size_t errlen);
/* Waits for the job running now, frees those not started, stops. */
void ui_worker_stop(struct ui_worker *worker);

/* Takes ownership of job (heap memory, freed with free()). */
void ui_worker_submit(struct ui_worker *worker, struct ui_job *job);
/* The oldest finished job, or NULL: the caller calls its done and frees it. */
struct ui_job *ui_worker_finished(struct ui_worker *worker);
/* Jobs submitted and not yet taken back with ui_worker_finished. */
int ui_worker_pending(struct ui_worker *worker);

#endif
