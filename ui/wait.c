/* How the screen's loop sleeps. Where SDL's video driver can block on its
 * own events (x11, wayland), SDL_WaitEventTimeout does, and SDL_PushEvent
 * from any thread wakes it. Elsewhere (kmsdrm on the board, offscreen and
 * dummy in tests) SDL_WaitEventTimeout would wake every millisecond, so we
 * sleep in poll() on what can bring an event: the input devices SDL reads
 * (/dev/input/event*, our own handles, watched with inotify for new ones),
 * and a pipe that an event watch rings whenever another thread pushes an
 * event. A touch is then handled the moment the kernel has it, and an idle
 * kiosk wakes only for its timers. */
#include "wait.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#define WAIT_INPUTS_MAX 32 /* input devices watched; more are left to the timers */
#define INPUT_DIR       "/dev/input"

struct ui_wait {
    int native; /* SDL_WaitEventTimeout blocks on this driver */
    SDL_threadID thread;
    int wake[2];
    int notify; /* inotify on INPUT_DIR, -1 */
    int inputs[WAIT_INPUTS_MAX];
    int input_count;
};

static void inputs_close(struct ui_wait *wait)
{
    for (int i = 0; i < wait->input_count; i++)
        close(wait->inputs[i]);
    wait->input_count = 0;
}

/* Our own read-only handles on the event devices: each reader of an evdev
 * device gets its own copy of the events, so reading ours takes nothing
 * from SDL. A device we may not open is one SDL cannot read either. */
static void inputs_scan(struct ui_wait *wait)
{
    inputs_close(wait);
    DIR *dir = opendir(INPUT_DIR);
    if (!dir)
        return;
    struct dirent *entry;
    while ((entry = readdir(dir)) && wait->input_count < WAIT_INPUTS_MAX) {
        if (strncmp(entry->d_name, "event", 5))
            continue;
        char path[300];
        snprintf(path, sizeof path, INPUT_DIR "/%s", entry->d_name);
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd >= 0)
            wait->inputs[wait->input_count++] = fd;
    }
    closedir(dir);
}

static void drain(int fd)
{
    char buffer[512];
    while (read(fd, buffer, sizeof buffer) > 0) {
    }
}

/* Runs in the thread that adds an event to SDL's queue. */
static int watch(void *user, SDL_Event *event)
{
    struct ui_wait *wait = user;
    (void)event;
    if (SDL_ThreadID() != wait->thread)
        ui_wait_ring(wait);
    return 0;
}

int ui_wait_open(struct ui_wait **out, char *err, size_t errlen)
{
    struct ui_wait *wait = calloc(1, sizeof *wait);
    *out = NULL;
    if (!wait) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    wait->wake[0] = wait->wake[1] = wait->notify = -1;
    wait->thread = SDL_ThreadID();
    if (pipe2(wait->wake, O_NONBLOCK | O_CLOEXEC) < 0) {
        int rc = -errno;
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        free(wait);
        return rc;
    }
    const char *driver = SDL_GetCurrentVideoDriver();
    wait->native = driver && (!strcmp(driver, "x11") || !strcmp(driver, "wayland"));
    if (!wait->native) {
        SDL_AddEventWatch(watch, wait);
        wait->notify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (wait->notify >= 0 &&
            inotify_add_watch(wait->notify, INPUT_DIR, IN_CREATE | IN_ATTRIB | IN_DELETE) < 0) {
            close(wait->notify); /* no input devices here (a container): the pipe only */
            wait->notify = -1;
        }
        inputs_scan(wait);
    }
    *out = wait;
    return 0;
}

void ui_wait_close(struct ui_wait *wait)
{
    if (!wait)
        return;
    if (!wait->native)
        SDL_DelEventWatch(watch, wait);
    inputs_close(wait);
    if (wait->notify >= 0)
        close(wait->notify);
    close(wait->wake[0]);
    close(wait->wake[1]);
    free(wait);
}

void ui_wait_ring(struct ui_wait *wait)
{
    char byte = 1;
    /* A full pipe already wakes the loop: a failed write is fine. */
    if (write(wait->wake[1], &byte, 1) < 0) {
    }
}

const char *ui_wait_kind(const struct ui_wait *wait)
{
    return wait->native ? "SDL_WaitEventTimeout" : "poll on the input devices";
}

int ui_wait_event(struct ui_wait *wait, SDL_Event *event, int timeout_ms)
{
    if (timeout_ms < 0)
        timeout_ms = 0;
    if (wait->native) {
        drain(wait->wake[0]);
        return timeout_ms ? SDL_WaitEventTimeout(event, timeout_ms) : SDL_PollEvent(event);
    }
    if (SDL_PollEvent(event))
        return 1;
    struct pollfd fds[WAIT_INPUTS_MAX + 2];
    int count = 0;
    fds[count++] = (struct pollfd){wait->wake[0], POLLIN, 0};
    if (wait->notify >= 0)
        fds[count++] = (struct pollfd){wait->notify, POLLIN, 0};
    int first_input = count;
    for (int i = 0; i < wait->input_count; i++)
        fds[count++] = (struct pollfd){wait->inputs[i], POLLIN, 0};
    if (poll(fds, (nfds_t)count, timeout_ms) <= 0)
        return SDL_PollEvent(event);
    drain(wait->wake[0]);
    if (wait->notify >= 0 && (fds[1].revents & POLLIN)) {
        drain(wait->notify);
        inputs_scan(wait); /* a device came or went */
    } else {
        for (int i = first_input; i < count; i++)
            if (fds[i].revents & (POLLERR | POLLHUP | POLLNVAL)) {
                inputs_scan(wait); /* unplugged */
                break;
            } else if (fds[i].revents & POLLIN) {
                drain(fds[i].fd); /* our copy; SDL reads its own */
            }
    }
    return SDL_PollEvent(event);
}
