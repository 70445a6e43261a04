/* How the screen's loop sleeps until something happens, with no polling
 * on a timer. Threads wake it with SDL_PushEvent. */
#ifndef TILSTEDE_UI_WAIT_H
#define TILSTEDE_UI_WAIT_H

#include <SDL.h>
#include <stddef.h>

struct ui_wait;

/* After SDL's video is up: picks how to wait for the driver in use. */
int ui_wait_open(struct ui_wait **out, char *err, size_t errlen);
void ui_wait_close(struct ui_wait *wait);
/* Up to timeout_ms for the next event: 1 with *event, 0 when the time is up
 * or another thread rang without an event (see ui_wait_ring). */
int ui_wait_event(struct ui_wait *wait, SDL_Event *event, int timeout_ms);
/* Wakes the wait from another thread, as a pushed event does. */
void ui_wait_ring(struct ui_wait *wait);
/* "sdl" or "poll": what the loop sleeps in (for the log line). */
const char *ui_wait_kind(const struct ui_wait *wait);

#endif
